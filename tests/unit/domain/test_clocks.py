"""The clocks the console shows, read from the view alone (domain/clocks.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.clocks import ClockState, clocks, countdown, next_clock, next_due
from domain.enums import Action, RcaKind, RcaStatus, SlaOutcome, Stage, Status
from domain.models import Deadlines, EscalationView, RcaTask, RcaView, SlaState
from tests.unit.store.factories import T0, make_view

H = timedelta(hours=1)


def view(**changes: object) -> EscalationView:
    deadlines = Deadlines(notice_due=T0 + H, acknowledge_due=T0 + 2 * H,
                          engage_more_due=T0 + 8 * H, resolve_warning_due=T0 + 16 * H,
                          resolve_due=T0 + 20 * H)
    return make_view("esc-1", deadlines=deadlines, **changes)


def state_of(v: EscalationView, key: str, at: datetime) -> ClockState:
    return next(c for c in clocks(v, now=at) if c.key == key).state


@pytest.mark.parametrize(("changes", "key", "at", "expected"), [
    ({}, "notice_due", T0, ClockState.PENDING),
    ({}, "notice_due", T0 + 0.9 * H, ClockState.WARNING),  # past 80 % of its hour
    ({}, "notice_due", T0 + 2 * H, ClockState.BREACHED),  # passed, timer not yet recorded
    ({"notice_sent_at": T0 + 0.5 * H, "sla": SlaState(notice=SlaOutcome.MET)}, "notice_due",
     T0 + 3 * H, ClockState.MET),
    ({"sla": SlaState(acknowledge=SlaOutcome.BREACHED)}, "acknowledge_due", T0,
     ClockState.BREACHED),
    ({}, "resolve_due", T0 + 17 * H, ClockState.WARNING),  # from the policy's warning timer
    ({}, "engage_more_due", T0 + 9 * H, ClockState.REACHED),
    ({"sla": SlaState(resolve=SlaOutcome.MET), "resolution_declared_at": T0 + H},
     "resolve_due", T0 + 30 * H, ClockState.MET),
    ({"status": Status.CANCELLED}, "resolve_due", T0 + H, ClockState.STOPPED),
])
def test_state_of_each_clock(changes: dict[str, object], key: str, at: datetime,
                             expected: ClockState) -> None:
    assert state_of(view(**changes), key, at) is expected


def test_the_resolve_warning_is_part_of_the_resolve_clock_not_a_clock_of_its_own() -> None:
    found = clocks(view(), now=T0)
    assert "resolve_warning_due" not in {c.key for c in found}
    assert next(c for c in found if c.key == "resolve_due").warn_from == T0 + 16 * H


def test_a_deadline_added_to_deadlines_later_appears_with_a_label_from_its_name() -> None:
    class MoreDeadlines(Deadlines):
        regulator_report_due: datetime | None = None

    v = view().model_copy(update={"deadlines": MoreDeadlines(
        **view().deadlines.model_dump(), regulator_report_due=T0 + 5 * H)})

    added = next(c for c in clocks(v, now=T0 + 6 * H) if c.key == "regulator_report_due")
    assert (added.label, added.state) == ("Regulator report", ClockState.BREACHED)


def test_rca_tasks_are_clocks_overdue_breached_and_submitted_met() -> None:
    task = RcaTask(id="esc-1.rca.internal", kind=RcaKind.INTERNAL, assignee="Priya",
                   due_at=T0 + 10 * H, created_at=T0, status=RcaStatus.OVERDUE)
    v = view(stage=Stage.CLOSE, rca=RcaView(required=True, internal=task))
    assert state_of(v, "rca_internal", T0) is ClockState.BREACHED
    done = task.model_copy(update={"status": RcaStatus.SUBMITTED, "submitted_at": T0 + H})
    v = view(stage=Stage.CLOSE, rca=RcaView(required=True, internal=done))
    assert state_of(v, "rca_internal", T0 + 20 * H) is ClockState.MET


def test_the_next_clock_is_the_earliest_someone_still_has_to_meet() -> None:
    v = view(notice_sent_at=T0, sla=SlaState(notice=SlaOutcome.MET))
    found = next_clock(v, now=T0)
    assert found is not None
    assert found.key == "acknowledge_due"


def test_after_a_declared_resolution_the_resolve_clocks_are_not_outstanding() -> None:
    v = view(notice_sent_at=T0, acknowledged_at=T0, resolution_declared_at=T0 + H,
             sla=SlaState(notice=SlaOutcome.MET, acknowledge=SlaOutcome.MET,
                          resolve=SlaOutcome.BREACHED),
             stage=Stage.RESOLVE, allowed_actions=[Action.VERIFY_RESOLUTION.value])
    assert next_due(v) is None


def test_next_due_does_not_depend_on_the_time_of_day() -> None:
    v = view()
    assert next_due(v) == T0 + H == next_due(v.model_copy(update={"updated_at": T0 + 99 * H}))


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(hours=1, minutes=5), "in 1h 5m"), (timedelta(seconds=-190), "3m 10s ago"),
    (timedelta(0), "in 0s"), (timedelta(days=2, hours=3, minutes=1), "in 2d 3h"),
])
def test_countdown_words(delta: timedelta, text: str) -> None:
    assert countdown(T0 + delta, T0) == text


def test_a_complaint_s_final_response_warns_from_its_delay_notice() -> None:
    deadlines = view().deadlines.model_copy(update={"final_response_due": T0 + 30 * H,
                                                    "delay_notice_due": T0 + 24 * H})
    v = view(sla=SlaState(final_response=SlaOutcome.PENDING)).model_copy(
        update={"deadlines": deadlines})

    assert state_of(v, "final_response_due", T0 + 25 * H) is ClockState.WARNING
    assert state_of(v, "delay_notice_due", T0 + 25 * H) is ClockState.REACHED


def test_a_declared_resolution_counts_down_to_its_verification() -> None:
    gate = view().deadlines.model_copy(update={"verify_reminder_due": T0 + 2 * H,
                                               "verify_due": T0 + 3 * H})
    v = view(notice_sent_at=T0, acknowledged_at=T0, resolution_declared_at=T0 + H,
             sla=SlaState(notice=SlaOutcome.MET, acknowledge=SlaOutcome.MET,
                          resolve=SlaOutcome.MET, verify=SlaOutcome.PENDING),
             stage=Stage.RESOLVE, allowed_actions=[Action.VERIFY_RESOLUTION.value],
             ).model_copy(update={"deadlines": gate})
    found = next_clock(v, now=T0 + H)
    assert found is not None
    assert (found.key, found.label) == ("verify_due", "Verify the resolution")
    assert state_of(v, "verify_due", T0 + 2.5 * H) is ClockState.WARNING  # past its reminder
    assert "verify_reminder_due" not in {c.key for c in clocks(v, now=T0)}


def test_while_paused_the_sla_clocks_stand_still_and_the_notice_counts_down() -> None:
    v = view(paused=True, paused_at=T0)
    assert state_of(v, "resolve_due", T0 + H) is ClockState.PAUSED
    assert state_of(v, "acknowledge_due", T0 + H) is ClockState.PAUSED
    assert state_of(v, "notice_due", T0 + 0.9 * H) is ClockState.WARNING
    found = next_clock(v, now=T0)
    assert found is not None
    assert found.key == "notice_due"
