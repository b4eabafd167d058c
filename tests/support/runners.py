"""Settings for a worker on a given workflow runner, for tests that run on both."""

from __future__ import annotations

from typing import Any

import pytest

from config.settings import Settings
from worker.runner import RunnerChoice, choose_runner

# Parametrize ids: "fast" is worker/fast_runner.py, "stock" the SDK's own sandbox runner.
RUNNERS = ("fast", "stock")


def runner_settings(runner: str | None, **values: Any) -> Settings:
    """Settings whose worker runs on `runner` (None: as the environment says). A test that asks
    for the fast runner is skipped where the fence would not pick it."""
    if runner is None:
        return Settings(**values)
    settings = Settings(escalations_worker_fast_runner=runner == "fast", **values)
    if runner == "fast":
        fast_choice(settings)
    return settings


def fast_choice(settings: Settings | None = None) -> RunnerChoice:
    """The fast runner as the worker would get it, or a skip saying why it would not."""
    choice = choose_runner(settings or Settings(escalations_worker_fast_runner=True))
    if not choice.fast:
        pytest.skip(f"the fast runner is not picked here: {choice.reason}")
    return choice
