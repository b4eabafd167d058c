"""The fast workflow runner: the SDK's sandbox without two costs of temporalio 1.35's internals.

Everything here leans on private parts of temporalio 1.35: the sandboxed instance class, its
in-sandbox half and the global it lives in, `CommandInfo`, the external-store context, and
which objects the SDK keeps for a run's whole life. worker/runner.py imports this module only
when the installed temporalio is one the tests ran it on; elsewhere the worker runs the SDK's
stock sandbox runner, which behaves the same and costs more CPU and memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import CommandType
from temporalio.converter import SerializationContext
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowInterceptorClassInput,
)
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import _runner as sdk_runner
from temporalio.worker.workflow_sandbox._in_sandbox import InSandbox

# Looked up once: attribute access on a protobuf enum wrapper costs more than the comparison.
_NEXUS_OPERATION = CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION

# Where the SDK keeps the workflow's in-sandbox half in the instance's globals
# (workflow_sandbox/_runner.py, `_Instance._create_instance`).
_IN_SANDBOX = "__temporal_in_sandbox"

M = TypeVar("M", Payload, Payloads)


class _DirectContextInstance(sdk_runner._Instance):
    """A sandboxed workflow instance that looks up payload serialization contexts directly.

    temporalio 1.35 asks the workflow for a serialization context for every payload of every
    activation and completion, and the stock sandbox answers each question by `exec`-ing a
    code string under its importer: 14 to 17 % of our worker's CPU in the lifecycle benchmark
    (docs/benchmarks.md). The answer is a lookup in the workflow's pending commands, in the
    SDK's own passed-through module, which imports nothing, so asking it without the importer
    gives the same context. Nexus operations, whose context may import at run time, still go
    through the sandbox.
    """

    def get_serialization_context(
        self, command_info: CommandInfo | None
    ) -> SerializationContext | None:
        if _may_import(command_info):
            return super().get_serialization_context(command_info)
        return self._in_sandbox().get_serialization_context(command_info)

    def get_external_store_context(
        self, command_info: CommandInfo | None
    ) -> StorageDriverStoreContext:
        if _may_import(command_info):
            return super().get_external_store_context(command_info)
        return self._in_sandbox().get_external_store_context(command_info)

    def _in_sandbox(self) -> InSandbox:
        return cast(InSandbox, self.globals_and_locals[_IN_SANDBOX])


def _may_import(command_info: CommandInfo | None) -> bool:
    return command_info is not None and command_info.command_type == _NEXUS_OPERATION


@dataclass(frozen=True)
class FastSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, with serialization contexts looked up without re-entering it, and
    instance details that keep no view into the run's first activation."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        # The SDK keeps the details for the run's life (see DetachedRunInput for why a view
        # into the first activation costs so much).
        det = replace(det, last_completion_result=detached_payloads(det.last_completion_result))
        return _DirectContextInstance(det, self.runner_class, self.restrictions)


# temporalio 1.35 parses each activation into one protobuf (upb) arena, and any sub-message,
# map or repeated field taken from it keeps the whole arena alive. The first activation carries
# the start input (request and policy snapshot, about 7 KB) and the intake update, and the SDK
# holds two views into it for the run's life: the run input's `headers` and the instance
# details' `last_completion_result`. Together they kept about 47 KiB per parked escalation
# (docs/benchmarks.md); only when both are detached copies is the arena freed.


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
    first activation; FastSandboxRunner detaches the other view."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        del input
        return _DetachedRunInput
