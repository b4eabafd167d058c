"""The workflow sandbox settings shared by the worker, the replayer and the tests."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

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

SANDBOX_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
)
