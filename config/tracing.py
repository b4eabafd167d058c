"""OpenTelemetry traces: one trace from an HTTP action through the Temporal update, the workflow
task and its activities, down to a notification's outbound POST.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then no tracer provider is installed, no
interceptor is added to the client, the app and httpx are not instrumented and the sandbox keeps
its passthrough list, so tracing costs nothing. When on:
- the Temporal client gets the SDK's `TracingInterceptor` (config/temporal.py), which the worker
  built on that client inherits: client calls, workflow runs, updates and activities become spans
  linked through Temporal headers;
- FastAPI requests and httpx calls (the worker's notification POSTs) get spans of their own;
- spans leave by OTLP/HTTP in batches, to `<endpoint>/v1/traces` as the OTLP spec says.
"""

from __future__ import annotations

import dataclasses
from collections.abc import MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from config.settings import Settings

# Spans hold URLs; a webhook's query or a Slack path is a credential (api.md, sealing).
_URL_ATTRIBUTES = ("url.full", "http.url")
_provider: TracerProvider | None = None


def tracing_enabled(settings: Settings) -> bool:
    return bool(settings.otel_exporter_otlp_endpoint)


def configure_tracing(settings: Settings, *, service_name: str,
                      exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install the process's tracer provider once; None (and nothing done) when tracing is off.

    `exporter` replaces OTLP (tests pass the SDK's in-memory exporter; spans are then exported
    one by one so that a test can read them at once)."""
    global _provider
    if not tracing_enabled(settings):
        return None
    if _provider is not None:
        return _provider
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = str(settings.otel_exporter_otlp_endpoint).rstrip("/") + "/v1/traces"
        processor: Any = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
    else:
        processor = SimpleSpanProcessor(exporter)
    # Resource.create adds OTEL_RESOURCE_ATTRIBUTES (e.g. deployment.environment=prod); the
    # service name stays ours, so a dashboard can tell the API's spans from the worker's.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    _instrument_httpx(provider)
    _provider = provider
    return provider


def client_interceptors(settings: Settings) -> list[TracingInterceptor]:
    if not tracing_enabled(settings) or _provider is None:
        return []
    # The provider's own tracer, not the global one: OpenTelemetry lets a process set its global
    # provider only once, and tests install and shut down several.
    return [TracingInterceptor(_provider.get_tracer(__name__))]


def shutdown_tracing() -> None:
    """Flush and stop the provider and the httpx instrumentation (tests; processes rely on the
    provider's own flush at exit)."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().uninstrument()
    _provider.shutdown()
    _provider = None


def instrument_app(app: Any, settings: Settings) -> None:
    """FastAPI server spans, the parent of the update's client span (the API's process sets its
    tracer provider up here: uvicorn builds the app in each of its processes)."""
    provider = configure_tracing(settings, service_name="escalations-api")
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider,
                                       excluded_urls="healthz,readyz,metrics")


def traced_runner(runner: WorkflowRunner, settings: Settings) -> WorkflowRunner:
    """The workflow runner, with opentelemetry passed through the sandbox when tracing is on
    (the SDK's documented way: the interceptor's workflow half uses it on every task, and a
    copy re-imported per workflow run would not share the process's context)."""
    if not tracing_enabled(settings) or not isinstance(runner, SandboxedWorkflowRunner):
        return runner
    return dataclasses.replace(
        runner, restrictions=runner.restrictions.with_passthrough_modules("opentelemetry"))


def _instrument_httpx(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument(tracer_provider=provider,
                                         async_request_hook=_redact_url_async,
                                         request_hook=_redact_url)


def _redact_url(span: trace.Span, request: Any) -> None:
    url = request.url
    port = f":{url.port}" if url.port else ""
    # Scheme, host and port only: a path (Slack) or a query (?token=) may be the credential.
    safe = f"{url.scheme}://{url.host}{port}/…"
    for name in _URL_ATTRIBUTES:
        span.set_attribute(name, safe)


async def _redact_url_async(span: trace.Span, request: Any) -> None:
    _redact_url(span, request)


def add_trace_ids(_logger: Any, _method: str, event: MutableMapping[str, Any]
                  ) -> MutableMapping[str, Any]:
    """structlog processor: the current span's trace and span ids, so a log line leads to its
    trace (and back). Without tracing there is no valid span and nothing is added."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event
