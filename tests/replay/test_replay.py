"""Determinism guard: every recorded history must replay against the current workflow code.

A change that would break running escalations (a reordered activity, a new timer, a changed
wait) fails here, on the fast runner and on the SDK's stock one alike. Record new histories
with `RECORD_HISTORIES=1 pytest tests/unit/workflows` and guard incompatible changes with
`workflow.patched(...)` (README, "Changing the workflow").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from tests.support.runners import RUNNERS, runner_settings
from worker.runner import choose_runner
from workflows.escalation import EscalationWorkflow
from workflows.spike_watch import SpikeWatchWorkflow

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories").rglob("*.json"))


def test_the_corpus_covers_the_lifecycle() -> None:
    names = " ".join(p.stem for p in HISTORIES)
    for path in ("p1_walks_every_stage", "p4_closes", "notice_goes_out_automatically",
                 "missed_acknowledgement", "resolve_deadline_breach", "cancel_stops",
                 "rca_tasks_remind", "status_cadence",
                 # complaints (RG 271): the record's clocks, and the shape from before it
                 "acknowledgement_goes_out_by_itself", "final_response_deadline",
                 "five_day_rule_is_missed", "old_complaint_kind_delay_and_final"):
        assert path in names, f"no recorded history for {path}"


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "history_file", HISTORIES, ids=[f"{p.parent.name}/{p.stem}" for p in HISTORIES]
)
async def test_recorded_history_replays(history_file: Path, runner: str) -> None:
    text = history_file.read_text()  # noqa: ASYNC240 - a small local file, read once
    choice = choose_runner(runner_settings(runner))
    replayer = Replayer(workflows=[EscalationWorkflow, SpikeWatchWorkflow],
                        workflow_runner=choice.runner,
                        interceptors=choice.interceptors, data_converter=pydantic_data_converter)
    history = WorkflowHistory.from_json(history_file.stem, text)
    await replayer.replay_workflow(history)


async def test_a_breaking_change_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard is live: dropping an activity from intake must fail the replay."""
    from temporalio import workflow
    from temporalio.workflow import NondeterminismError

    from domain import lifecycle

    async def intake_without_lookup(self: EscalationWorkflow, request: object) -> None:
        async with self._lock:
            decision = request.routing  # type: ignore[attr-defined]
            await self._commit(lifecycle.intake(request, decision, workflow.now()))  # type: ignore[arg-type]

    monkeypatch.setattr(EscalationWorkflow, "_intake", intake_without_lookup)
    p1 = next(p for p in HISTORIES if "p1_walks_every_stage" in p.stem)
    # Unsandboxed: the sandbox would re-import the module and miss the patch.
    replayer = Replayer(workflows=[EscalationWorkflow], workflow_runner=UnsandboxedWorkflowRunner(),
                        data_converter=pydantic_data_converter)
    text = p1.read_text()
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(WorkflowHistory.from_json(p1.stem, text))
