"""Tracing is off, and free, without OTEL_EXPORTER_OTLP_ENDPOINT; log lines carry trace ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from config.settings import Settings
from config.tracing import (
    add_trace_ids,
    client_interceptors,
    configure_tracing,
    shutdown_tracing,
    traced_runner,
)
from worker.runner import RESTRICTIONS, choose_runner

ON = Settings(otel_exporter_otlp_endpoint="http://127.0.0.1:9")
SANDBOX_RUNNER = SandboxedWorkflowRunner(restrictions=RESTRICTIONS)


@pytest.fixture
def provider() -> Iterator[TracerProvider]:
    installed = configure_tracing(ON, service_name="t", exporter=InMemorySpanExporter())
    assert installed is not None
    yield installed
    shutdown_tracing()


def test_off_without_an_endpoint() -> None:
    assert configure_tracing(Settings(), service_name="t") is None
    assert client_interceptors(Settings()) == []
    assert traced_runner(SANDBOX_RUNNER, Settings()) is SANDBOX_RUNNER


def test_on_with_an_endpoint(provider: TracerProvider) -> None:
    [interceptor] = client_interceptors(ON)
    assert isinstance(interceptor, TracingInterceptor)
    runner = traced_runner(SANDBOX_RUNNER, ON)
    assert "opentelemetry" in runner.restrictions.passthrough_modules  # type: ignore[attr-defined]
    assert type(runner) is type(SANDBOX_RUNNER)


def test_the_workers_runner_keeps_its_kind_when_traced(provider: TracerProvider) -> None:
    """Whichever runner worker/runner.py picks (the fast one here), tracing only widens its
    passthrough list."""
    chosen = choose_runner(ON).runner
    traced = traced_runner(chosen, ON)
    assert type(traced) is type(chosen)
    assert "opentelemetry" in traced.restrictions.passthrough_modules  # type: ignore[attr-defined]


def test_log_lines_carry_the_current_trace(provider: TracerProvider) -> None:
    with provider.get_tracer("t").start_as_current_span("work") as span:
        event = add_trace_ids(None, "info", {"event": "x"})
    assert event["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert event["span_id"] == format(span.get_span_context().span_id, "016x")


def test_no_trace_no_ids() -> None:
    assert add_trace_ids(None, "info", {"event": "x"}) == {"event": "x"}
