"""configure_logging: one format for every logger, and httpx quiet unless something fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from config.logging import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    httpx_logger = logging.getLogger("httpx")
    saved = (root.handlers[:], root.level, httpx_logger.level)
    yield
    root.handlers[:], level, httpx_level = saved
    root.setLevel(level)
    httpx_logger.setLevel(httpx_level)


@pytest.mark.usefixtures("restored_logging")
def test_httpx_request_lines_are_dropped_and_its_warnings_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", json=True)

    logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/hook \"200 OK\"")
    logging.getLogger("httpx").warning("connection pool is full")
    logging.getLogger("activities.notify").info("notification n-1 delivered (200)")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["event"]) for line in lines] == [
        ("httpx", "connection pool is full"),
        ("activities.notify", "notification n-1 delivered (200)"),
    ]
