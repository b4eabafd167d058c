"""What each escalation held in the worker's cache keeps alive, beyond its own state.

temporalio 1.35 parses every workflow activation into one protobuf (upb) arena, and any object
taken from a message (a sub-message, a map, a repeated field) keeps that whole arena alive.
The SDK holds two such views for a run's whole life: the run input's `headers` and the
`last_completion_result` of the first activation. That activation carries the start input
(the request and its policy snapshot, about 7 KB) and the intake update, so every parked
escalation kept about 47 KiB of protobuf arena it never reads again: 163 KiB per escalation
held in the cache before, 116 KiB after (docs/benchmarks.md). Both views must go for the arena
to be freed: the sandbox runner (worker/sandbox.py) gives the instance details a detached copy
of the completion result, and the interceptor below one of the headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from temporalio.api.common.v1 import Payload, Payloads
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

M = TypeVar("M", Payload, Payloads)


def _detached(message: M) -> M:
    """The same message on its own (not a view into its activation)."""
    copy = type(message)()
    copy.CopyFrom(message)
    return copy


def detached_payloads(payloads: Payloads) -> Payloads:
    return _detached(payloads)


def detached_headers(headers: Mapping[str, Payload]) -> dict[str, Payload]:
    return {name: _detached(payload) for name, payload in headers.items()}


class _DetachedRunInput(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        # The SDK keeps this very object for the whole run (it is its run input).
        input.headers = detached_headers(input.headers)
        return await super().execute_workflow(input)


class DetachedRunInput(Interceptor):
    """Workflows keep their run input's headers as a detached copy, not as a view into the
    first activation (which holds the start input, about 7 KB per escalation)."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        del input
        return _DetachedRunInput
