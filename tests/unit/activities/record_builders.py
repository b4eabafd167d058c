"""Inputs of the record activities against the local systems, and how to run them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from pydantic import TypeAdapter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from domain.record_calls import Hosts, ProblemCall, RecordCall, RecordFailure
from domain.related_systems import AnySystem, ProblemRecords, RelatedSystem
from tests.support.related_systems import RelatedSystems

T = TypeVar("T")
ESCALATION = "esc-01"
LINK_MARKER = f"Escalation {ESCALATION} tracks this record"
CLOSE_MARKER = f"Resolved in escalation {ESCALATION}"
LOOPBACK = Hosts(allowed_hosts=["127.0.0.1"])
_SYSTEM = TypeAdapter[AnySystem](RelatedSystem)


def system(systems: RelatedSystems, name: str, **changes: Any) -> AnySystem:
    found = next(s for s in systems.systems() if s["name"] == name)
    return _SYSTEM.validate_python({**found, **changes})


def record_call(systems: RelatedSystems, name: str, record: str, system_id: str, *,
                link: bool = False, hosts: Hosts = LOOPBACK, **changes: Any) -> RecordCall:
    marker = LINK_MARKER if link else CLOSE_MARKER
    return RecordCall(system=system(systems, name, **changes), record=record,
                      system_id=system_id, escalation_id=ESCALATION, marker=marker,
                      text=f"{marker}: double charge refunded.\n"
                           f"Console: http://127.0.0.1:8000/console/escalations/{ESCALATION}",
                      hosts=hosts)


def problem_call(systems: RelatedSystems, name: str) -> ProblemCall:
    target = ProblemRecords(system=name, project="PRB" if name == "jira" else None)
    return ProblemCall(system=system(systems, name), target=target, escalation_id=ESCALATION,
                       marker=f"escalation-{ESCALATION}", summary="Problem: double charges",
                       description="Root cause: a retried payment.\n\n- idempotency keys",
                       hosts=LOOPBACK)


async def run(activity: Callable[[Any], Awaitable[T]], call: Any) -> T:
    return await ActivityEnvironment().run(activity, call)


async def refused(activity: Callable[[Any], Awaitable[Any]], call: Any) -> ApplicationError:
    """The activity's final failure (no retry can help)."""
    with pytest.raises(ApplicationError) as raised:
        await run(activity, call)
    assert raised.value.type == RecordFailure.REFUSED.value, raised.value.message
    assert raised.value.non_retryable
    return raised.value


async def failed(activity: Callable[[Any], Awaitable[Any]], call: Any) -> ApplicationError:
    """A failure worth another attempt (Temporal retries it within retry_for)."""
    with pytest.raises(ApplicationError) as raised:
        await run(activity, call)
    assert raised.value.type == RecordFailure.FAILED.value, raised.value.message
    assert not raised.value.non_retryable
    return raised.value


def waits(error: ApplicationError) -> timedelta | None:
    return error.next_retry_delay
