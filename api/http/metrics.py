"""Prometheus metrics of the API: requests and latency per route template (never per raw path,
which would make one series per escalation id)."""

from __future__ import annotations

import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"


class ApiMetrics:
    """One registry per app, so several apps (tests, workers of one process) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # The process (CPU, memory, open files) and the Python runtime (version, GC), as the
        # default registry would have them: what an operator looks at first.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.requests = Counter(
            "escalations_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "escalations_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        # Read from the store at each scrape (every API reports the same figures: a dashboard
        # takes the max over instances, never the sum).
        self.open_escalations = Gauge(
            "escalations_open",
            "Open escalations now, by stage and priority (from the store's projection).",
            ["stage", "priority"],
            registry=self.registry,
        )

    def set_open(self, counts: list[tuple[str, str, int]]) -> None:
        self.open_escalations.clear()  # a stage that emptied must read 0, not its last count
        for stage, priority, count in counts:
            self.open_escalations.labels(stage, priority).set(count)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the server sends when the app fails before answering
        started = time.perf_counter()

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = route.path if isinstance(route, BaseRoute) and hasattr(route, "path") \
                else UNMATCHED
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
