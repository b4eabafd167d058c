"""The workflow sandbox settings shared by the worker, the replayer and the tests."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# Our pure domain package is safe to share with the sandbox; re-importing it for every
# workflow run would only cost time.
SANDBOX_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("domain")
)
