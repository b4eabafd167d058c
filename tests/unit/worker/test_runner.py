"""The fence around the fast runner: it runs only on a tested temporalio and when not turned off;
otherwise the worker gets the SDK's stock sandbox runner, with our restrictions, and says why."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import pytest
from structlog.testing import capture_logs
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import worker.runner
from config.settings import Settings
from tests.support.runners import fast_choice
from worker.runner import RESTRICTIONS, TESTED_TEMPORALIO, RunnerChoice, choose_runner

ON = Settings(escalations_worker_fast_runner=True)


def _stock_and_logged(settings: Settings) -> tuple[RunnerChoice, Mapping[str, Any]]:
    with capture_logs() as logs:
        choice = choose_runner(settings)
    assert not choice.fast
    # The SDK's own runner, not a subclass of it, with the passthrough of `domain` and
    # `workflows`, and no interceptor that knows the SDK's internals.
    assert type(choice.runner) is SandboxedWorkflowRunner
    assert choice.runner.restrictions == RESTRICTIONS
    assert {"domain", "workflows"} <= choice.runner.restrictions.passthrough_modules
    assert choice.interceptors == ()
    (warning,) = [entry for entry in logs if entry["log_level"] == "warning"]
    assert warning["reason"] == choice.reason
    return choice, warning


def test_an_untested_temporalio_gets_the_stock_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker.runner, "installed_temporalio", lambda: "1.36.0")
    choice, warning = _stock_and_logged(ON)
    assert "temporalio 1.36.0" in choice.reason
    assert warning["temporalio"] == "1.36.0"


def test_the_setting_turns_the_fast_runner_off() -> None:
    choice, _ = _stock_and_logged(Settings(escalations_worker_fast_runner=False))
    assert "ESCALATIONS_WORKER_FAST_RUNNER" in choice.reason


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATIONS_WORKER_FAST_RUNNER", "false")
    assert Settings().escalations_worker_fast_runner is False


def test_internals_that_do_not_load_fall_back_to_the_stock_runner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker.runner, "installed_temporalio", lambda: TESTED_TEMPORALIO[0])
    # The import fails, whether or not an earlier test imported the module.
    monkeypatch.setitem(sys.modules, "worker.fast_runner", None)
    monkeypatch.delattr(worker, "fast_runner", raising=False)
    choice, _ = _stock_and_logged(ON)
    assert "did not load" in choice.reason


def test_a_tested_temporalio_gets_the_fast_runner() -> None:
    if worker.runner.installed_temporalio() not in TESTED_TEMPORALIO:
        pytest.skip("the installed temporalio is not a tested release")
    choice = fast_choice(ON)
    from worker.fast_runner import DetachedRunInput, FastSandboxRunner

    assert isinstance(choice.runner, FastSandboxRunner)
    assert choice.runner.restrictions == RESTRICTIONS
    assert [type(i) for i in choice.interceptors] == [DetachedRunInput]
