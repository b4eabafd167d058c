"""The shipped Grafana dashboard queries only metrics that the processes really expose.

Every metric name in every panel's PromQL is looked up on live /metrics endpoints: an API, a
worker (WORKER_METRICS_PORT's SDK endpoint, with our domain counters) and the Temporal dev server
(`--metrics-port`, the same exporter as PROMETHEUS_ENDPOINT in the server image), after one
escalation went to closed with an SLA breach and a retried notification, so that the series a
panel reads have samples. A renamed metric, or a panel typed from memory, fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from tests.integration.test_metrics import _walk_a_p4_to_closed, metered_stack
from tests.support.processes import DevServer
from tests.support.waiting import until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/grafana/dashboards/escalations.json"
_NOT_METRICS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "bool", "offset"}


def queried_metrics(expr: str) -> set[str]:
    """Metric names in a PromQL expression: what is left once label matchers, ranges, grouping
    clauses, function names and numbers are taken out."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)", " ", expr)
    tokens = re.findall(r"([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", bare)
    return {name for name, call in tokens if not call} - _NOT_METRICS


def dashboard_metrics() -> dict[str, set[str]]:
    """Panel title -> the metric names its queries read."""
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return {p["title"]: set().union(*(queried_metrics(t["expr"]) for t in p["targets"]))
            for p in panels}


def exposed(text: str) -> set[str]:
    """Series names as written (what Prometheus stores), not as a client library re-parses them
    (prometheus_client adds or strips `_total`)."""
    return set(re.findall(r"^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", text, flags=re.MULTILINE))


def test_queried_metrics_reads_names_only() -> None:
    expr = ('histogram_quantile(0.95, sum by (le, route) (rate(x_seconds_bucket{route=~"/v1/.*"}'
            '[$__rate_interval]))) + max by (stage) (y_open)')
    assert queried_metrics(expr) == {"x_seconds_bucket", "y_open"}


async def test_every_panel_reads_metrics_the_processes_expose(tmp_path: Path) -> None:
    async with DevServer(tmp_path) as server:
        env = WorkflowEnvironment.from_client(await server.client())
        async with metered_stack(env, tmp_path, f"sqlite:///{tmp_path / 'store.db'}") as stack:
            stack.api.receiver.fail(times=1)  # a retried delivery: the "retried" series
            await _walk_a_p4_to_closed(stack.api)
            await stack.api.open(priority="P4")  # one left open: the gauge has a series
            worker_text = ""

            async def worker_metrics() -> str:
                nonlocal worker_text
                async with httpx.AsyncClient(trust_env=False) as http:
                    worker_text = (await http.get(stack.worker_metrics_url)).text
                return worker_text

            await until(worker_metrics, lambda t: "escalations_closed_total" in t,
                        what="the worker's closing count")
            api_text = (await stack.api.http.get("/metrics")).text
            async with httpx.AsyncClient(trust_env=False) as http:
                server_text = (await http.get(
                    f"http://127.0.0.1:{server.metrics_port}/metrics")).text

    live = exposed(api_text) | exposed(worker_text) | exposed(server_text)
    wanted = dashboard_metrics()
    assert all(wanted.values()), [title for title, names in wanted.items() if not names]
    missing = {title: sorted(names - live) for title, names in wanted.items() if names - live}
    assert missing == {}, f"exposed: {sorted(live)}"
    assert "escalations_open" in exposed(api_text)
