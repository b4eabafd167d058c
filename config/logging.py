"""Logging for every process: JSON lines in production, readable lines on a terminal.

structlog renders; the standard library's loggers (uvicorn, temporalio, ours) are routed
through the same processors so one line format covers them all. Context such as the request
id, escalation id, workflow id and run id is bound with structlog.contextvars.
"""

from __future__ import annotations

import logging
import sys

import structlog

from config.tracing import add_trace_ids

_SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    add_trace_ids,
]


def configure_logging(*, level: str = "INFO", json: bool | None = None) -> None:
    """JSON unless attached to a terminal (or told otherwise)."""
    as_json = not sys.stderr.isatty() if json is None else json
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx writes a line per request at INFO; the worker logs each delivery's outcome itself
    # (with the notification id), so httpx speaks only when something goes wrong.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
