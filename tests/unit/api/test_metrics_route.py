"""/metrics: our request metrics, plus the process and Python runtime collectors."""

from __future__ import annotations

import httpx


async def test_metrics_include_the_process_and_the_runtime(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    for name in ("escalations_http_requests_total", "process_cpu_seconds_total",
                 "process_resident_memory_bytes", "python_info", "python_gc_collections_total"):
        assert f"\n{name}" in text, name
