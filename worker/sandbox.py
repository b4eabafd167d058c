"""The workflow sandbox settings shared by the worker, the replayer and the tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from temporalio.api.enums.v1 import CommandType
from temporalio.converter import SerializationContext
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox import _runner as sdk_runner
from temporalio.worker.workflow_sandbox._in_sandbox import InSandbox

from worker.retention import detached_payloads

# Passed through: imported once per worker instead of once per workflow run. Our pure `domain`
# package, and `workflows` itself: re-importing the workflow modules for every escalation cost
# ~130 KiB of module copies per escalation held in the cache (docs/benchmarks.md), and ~20 ms
# of CPU per run. The price: the sandbox no longer intercepts non-deterministic calls made
# *inside* these modules at run time (the workflow's state is still per run). What stands in
# for it: workflows/ruff.toml and domain/ruff.toml ban the clock, uuid, random, sleep and the
# environment in that code, the import contracts keep I/O packages out of both, and
# tests/replay replays every recorded history. Nothing in either package keeps mutable state
# at module level.
PASSTHROUGH = ("domain", "workflows")

# Looked up once: attribute access on a protobuf enum wrapper costs more than the comparison.
_NEXUS_OPERATION = CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION

# Where the SDK keeps the workflow's in-sandbox half in the instance's globals (temporalio 1.35,
# workflow_sandbox/_runner.py, `_Instance._create_instance`).
_IN_SANDBOX = "__temporal_in_sandbox"


class _DirectContextInstance(sdk_runner._Instance):
    """A sandboxed workflow instance that looks up payload serialization contexts directly.

    temporalio 1.35 asks the workflow for a serialization context for every payload of every
    activation and completion, six passes per workflow task, and the stock sandbox answers
    each question by `exec`-ing a code string under its importer. That was 14 to 17 % of our
    worker's CPU in the lifecycle benchmark (docs/benchmarks.md, session 5). The answer is a
    lookup in the workflow's pending commands, code of the SDK's own (passed-through) module
    that imports nothing, so asking it without the importer gives the same context. Nexus
    operations, whose context may import at run time, still go through the sandbox.
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
class EscalationSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, with serialization contexts looked up without re-entering it, and
    instance details that keep no view into the run's first activation."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        # The SDK keeps the details for the run's life, and their `last_completion_result` is a
        # view into the first activation that holds all of it (worker/retention.py).
        det = replace(det, last_completion_result=detached_payloads(det.last_completion_result))
        return _DirectContextInstance(det, self.runner_class, self.restrictions)


SANDBOX_RUNNER = EscalationSandboxRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
)
