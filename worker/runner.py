"""Which workflow runner the worker uses: the fast one where it was tested, else the SDK's own.

The fast runner (worker/fast_runner.py) subclasses private classes of temporalio, which may
change in any release. It is imported only once the check below passes, so that a worker on
another temporalio still starts, on the stock sandbox runner, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

import structlog
from temporalio.worker import Interceptor, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from config.settings import Settings

# The temporalio releases the fast runner's tests (tests/unit/workflows, tests/replay) passed
# on. Add one only after they pass on it: its private classes are not a stable API.
TESTED_TEMPORALIO = ("1.35.0",)

# Passed through: imported once per worker instead of once per workflow run. Our pure `domain`
# package, and `workflows` itself: re-importing the workflow modules for every escalation cost
# ~130 KiB of module copies per escalation held in the cache (docs/benchmarks.md), and ~20 ms
# of CPU per run. The price: the sandbox no longer intercepts non-deterministic calls made
# *inside* these modules at run time (the workflow's state is still per run). What stands in
# for it: workflows/ruff.toml and domain/ruff.toml ban the clock, uuid, random, sleep and the
# environment in that code, the import contracts keep I/O packages out of both, and
# tests/replay replays every recorded history. Nothing in either package keeps mutable state
# at module level. Public API: both runners get these restrictions.
PASSTHROUGH = ("domain", "workflows")
RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)


@dataclass(frozen=True)
class RunnerChoice:
    runner: WorkflowRunner
    interceptors: tuple[Interceptor, ...]  # the runner's own, ahead of any the caller adds
    fast: bool
    reason: str


def installed_temporalio() -> str:
    try:
        return metadata.version("temporalio")
    except metadata.PackageNotFoundError:
        return "unknown"


def choose_runner(
    settings: Settings, *, restrictions: SandboxRestrictions = RESTRICTIONS
) -> RunnerChoice:
    """The fast runner on a tested temporalio unless the settings turn it off; otherwise the
    SDK's stock sandbox runner with the same restrictions, and a warning that says why."""
    version = installed_temporalio()
    if not settings.escalations_worker_fast_runner:
        return _stock(restrictions, version, "ESCALATIONS_WORKER_FAST_RUNNER is false")
    if version not in TESTED_TEMPORALIO:
        return _stock(restrictions, version,
                      f"temporalio {version} is not a release the fast runner was tested on "
                      f"({', '.join(TESTED_TEMPORALIO)})")
    try:
        from worker import fast_runner

        runner = fast_runner.FastSandboxRunner(restrictions=restrictions)
        interceptors: tuple[Interceptor, ...] = (fast_runner.DetachedRunInput(),)
    except (ImportError, AttributeError) as error:
        return _stock(restrictions, version,
                      f"the fast runner's temporalio internals did not load: {error!r}")
    reason = f"temporalio {version} is a tested release"
    # Looked up per call: configure_logging caches loggers on first use, and a cached one
    # would escape structlog.testing.capture_logs.
    structlog.get_logger(__name__).info("fast workflow runner", reason=reason)
    return RunnerChoice(runner, interceptors, fast=True, reason=reason)


def _stock(restrictions: SandboxRestrictions, version: str, reason: str) -> RunnerChoice:
    structlog.get_logger(__name__).warning("stock workflow runner", reason=reason,
                                           temporalio=version)
    return RunnerChoice(SandboxedWorkflowRunner(restrictions=restrictions), (), fast=False,
                        reason=reason)
