"""One API action is one trace: the HTTP request, the Temporal update, the workflow's handling
of it, its activities and a notification's outbound POST, all under one trace id.

The collector is the OpenTelemetry SDK's in-memory exporter; everything else is as in a
deployment with OTEL_EXPORTER_OTLP_ENDPOINT set: clients from config.temporal.connect (with the
TracingInterceptor), the worker built on such a client, the app instrumented by create_app.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
from config.temporal import connect
from config.tracing import configure_tracing, shutdown_tracing
from tests.integration.api_fixtures import IM, escalation_body, write_keys, write_policy
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from worker.build import create_worker

pytestmark = pytest.mark.integration

# Never contacted: the in-memory exporter stands in for OTLP, but the setting turns tracing on.
COLLECTOR = "http://127.0.0.1:9"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing(Settings(otel_exporter_otlp_endpoint=COLLECTOR),
                      service_name="escalations-test", exporter=exporter)
    yield exporter
    shutdown_tracing()


def trace_of(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    roots = [s for s in spans if s.name == name]
    assert len(roots) == 1, [s.name for s in spans]
    trace_id = roots[0].context.trace_id
    return [s for s in spans if s.context.trace_id == trace_id]


async def test_a_create_is_one_trace_from_http_to_the_notification_post(
    dev_env: WorkflowEnvironment, tmp_path: Path, spans: InMemorySpanExporter,
) -> None:
    async with HttpReceiver() as receiver:
        policy = write_policy(tmp_path / "policy.toml", receiver.url(""), ["127.0.0.1"])
        tokens = write_keys(tmp_path / "api-keys.toml")
        settings = Settings(
            temporal_address=dev_env.client.service_client.config.target_host,
            temporal_namespace=dev_env.client.namespace,
            temporal_task_queue=f"traced-{uuid.uuid4()}",
            database_url=f"sqlite:///{tmp_path / 'store.db'}",
            escalations_api_keys=tmp_path / "api-keys.toml", escalations_policy=policy,
            otel_exporter_otlp_endpoint=COLLECTOR, ESCALATIONS_DATA_DIR=tmp_path,
        )
        client = await connect(settings)
        async with create_worker(client, settings), \
                LifespanManager(create_app(settings)) as manager, \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app),
                                  base_url="http://api.test", timeout=60) as http:
            created = await http.post("/v1/escalations", json=escalation_body(receiver),
                                      headers={"Authorization": f"Bearer {tokens[IM]}"})
            assert created.status_code == 201, created.text
            await until(lambda: _names(spans), lambda names: "POST" in names
                        and "RunActivity:deliver_notification" in names,
                        what="the notification's POST span")

    traced = trace_of(list(spans.get_finished_spans()), "POST /v1/escalations")
    names = {s.name for s in traced}
    assert {
        "StartUpdateWithStartWorkflow:EscalationWorkflow",  # the API's client call
        "RunWorkflow:EscalationWorkflow",  # the workflow task that ran it
        "StartActivity:record_escalation", "RunActivity:record_escalation",
        "StartActivity:deliver_notification", "RunActivity:deliver_notification",
        "POST",  # the webhook delivery, by httpx
    } <= names, sorted(names)
    assert any(n.startswith("HandleUpdate:") for n in names), sorted(names)
    post = next(s for s in traced if s.name == "POST")
    # The receiver's path could be a credential (a Slack URL): spans keep scheme and host only.
    assert str((post.attributes or {}).get("url.full", "")).endswith("/…")


async def _names(spans: InMemorySpanExporter) -> set[str]:
    return {s.name for s in spans.get_finished_spans()}
