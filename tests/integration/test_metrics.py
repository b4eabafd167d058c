"""/metrics of the API and of the worker after a whole lifecycle driven over HTTP.

The worker runs on a Temporal runtime with a Prometheus endpoint on a free port, as
`escalations worker` does with WORKER_METRICS_PORT: the domain counters must appear there,
beside the SDK's own metrics, and the API's request counters on the API's /metrics.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from domain.enums import Role
from tests.integration.api_fixtures import (
    ENGINEER,
    LEAD,
    ApiStack,
    stack_settings,
    write_keys,
    write_policy,
)
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from worker.build import create_worker

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parse(text: str) -> Samples:
    """Every sample by name and labels; the SDK's `service_name` label is left out."""
    return {
        (s.name, frozenset((k, v) for k, v in s.labels.items() if k != "service_name")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@dataclass
class MeteredStack:
    api: ApiStack
    worker_metrics_url: str

    async def worker_metrics(self) -> Samples:
        async with httpx.AsyncClient() as http:
            answer = await http.get(self.worker_metrics_url)
        answer.raise_for_status()
        return parse(answer.text)

    async def api_metrics(self) -> Samples:
        answer = await self.api.http.get("/metrics")  # no token: scrapers have none
        assert answer.status_code == 200, answer.text
        return parse(answer.text)


@asynccontextmanager
async def metered_stack(env: WorkflowEnvironment, directory: Path, database_url: str
                        ) -> AsyncIterator[MeteredStack]:
    port = _free_port()
    runtime = Runtime(telemetry=TelemetryConfig(
        metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")))
    client = await Client.connect(
        env.client.service_client.config.target_host, namespace=env.client.namespace,
        data_converter=pydantic_data_converter, runtime=runtime,
    )
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(HttpReceiver())
        policy = write_policy(directory / "policy.toml", receiver.url(""), ["127.0.0.1"])
        # P4 must be acknowledged within a second: the breach comes from a real timer.
        text = policy.read_text(encoding="utf-8")
        assert text.count('acknowledge_within = "PT24H"') == 1, "the P4 SLA moved"
        policy.write_text(text.replace('acknowledge_within = "PT24H"',
                                       'acknowledge_within = "PT1S"'), encoding="utf-8")
        settings = stack_settings(env, directory, policy, database_url=database_url)
        tokens = write_keys(directory / "api-keys.toml")
        await stack.enter_async_context(create_worker(client, settings))
        manager = await stack.enter_async_context(LifespanManager(create_app(settings)))
        http = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test",
            timeout=60))
        api = ApiStack(http=http, tokens=tokens, settings=settings, temporal=client,
                       receiver=receiver)
        yield MeteredStack(api=api, worker_metrics_url=f"http://127.0.0.1:{port}/metrics")


async def _walk_a_p4_to_closed(api: ApiStack) -> str:
    opened = await api.open(priority="P4")
    escalation_id: str = opened["id"]

    async def current() -> dict[str, object]:
        answer = await api.get(f"/v1/escalations/{escalation_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    await until(current, lambda v: v["sla"]["acknowledge"] == "breached",  # type: ignore[index]
                what="the acknowledge timer to breach")
    steps: list[tuple[str, dict[str, Any], Role | None]] = [
        ("notice", {}, None),
        ("acknowledge", {}, ENGINEER),
        ("action-plan", {"steps": [{"description": "refund the duplicate"}]}, None),
        ("resolution", {"summary": "refunded"}, None),
        ("verification", {"verified": True}, ENGINEER),
        ("customer-access", {"confirmed": True}, LEAD),
    ]
    for action, body, role in steps:
        answer = await api.act(escalation_id, action, body, **({"role": role} if role else {}))
        assert answer.status_code == 200, f"{action}: {answer.text}"
    await until(current, lambda v: v["status"] == "closed", what="the escalation to close")
    return escalation_id


async def test_worker_and_api_metrics_move_through_a_lifecycle(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with metered_stack(dev_env, tmp_path, database_url) as stack:
        stack.api.receiver.fail(times=1)  # the first webhook answers 500, its retry 200
        await _walk_a_p4_to_closed(stack.api)

        worker = await until(
            stack.worker_metrics,
            lambda s: value(s, "escalations_closed_total", priority="P4", status="closed") == 1,
            what="the closing to be counted",
        )
        assert value(worker, "escalations_opened_total", priority="P4") == 1
        assert value(worker, "escalations_sla_breaches_total",
                     kind="acknowledge", priority="P4") == 1
        assert value(worker, "escalations_notifications_sent_total", channel="webhook") >= 1
        assert value(worker, "escalations_notifications_failed_total",
                     channel="webhook", error_type="delivery_failed") == 1
        # One endpoint: the SDK's own metrics are served beside ours.
        assert any(name.startswith("temporal_") for name, _ in worker)

        api = await stack.api_metrics()
        created = value(api, "escalations_http_requests_total",
                        method="POST", route="/v1/escalations", status="201")
        assert created == 1
        acted = sum(v for (name, labels), v in api.items()
                    if name == "escalations_http_requests_total"
                    and ("method", "POST") in labels and ("status", "200") in labels)
        assert acted == 6
