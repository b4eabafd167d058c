"""What the workflow hands the outside: search attribute upserts (only what changed), the
Temporal UI's details and each delivery's brief."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from domain import lifecycle
from domain.enums import Priority
from domain.models import PauseInput, ResumeInput, RetriageInput
from domain.state import EscalationState, Notification
from tests.unit.domain.test_lifecycle import ENG, IM, T0, in_resolve
from workflows import effects
from workflows import search_attributes as sa


def test_only_changed_search_attributes_are_upserted() -> None:
    current = TypedSearchAttributes([
        SearchAttributePair(sa.STAGE, "communicate"),
        SearchAttributePair(sa.TIER, 1),
        SearchAttributePair(sa.CUSTOMERS, ["cust-1", "cust-2"]),
    ])
    updates = [sa.STAGE.value_set("resolve"), sa.TIER.value_set(1),
               sa.CUSTOMERS.value_set(["cust-1", "cust-2"]), sa.SLA_BREACHED.value_set(False)]
    changed = effects.changed(updates, current)
    # A value never set counts as changed: False is not "unset".
    assert [u.key.name for u in changed] == ["EscalationStage", "SlaBreached"]


def test_nothing_changed_means_no_upsert() -> None:
    current = TypedSearchAttributes([SearchAttributePair(sa.STAGE, "communicate")])
    assert effects.changed([sa.STAGE.value_set("communicate")], current) == []


def _declared() -> EscalationState:
    from tests.unit.domain.test_gates import declared

    return declared()


def test_a_delivery_carries_the_current_stages_deadline_and_what_it_is() -> None:
    state = _declared()
    notification = Notification(id="n", escalation_id=state.id, event="reminder",
                                audience="internal", recipient=state.policy.teams[
                                    state.team].contacts.agent[0], subject="s", message="m", seq=1)
    target = effects.delivery_input(state, notification).target
    assert (target.deadline, target.deadline_what) == (state.deadlines.verify_due,
                                                       "verification due")
    assert target.awaiting_acknowledgement is False  # the engineer acknowledged it


def test_the_temporal_ui_details_show_the_gates_sla() -> None:
    state = _declared()
    details = effects.current_details(state, None)
    assert "verify pending" in details


def test_the_temporal_ui_details_and_search_attributes_show_a_pause_and_a_retriage() -> None:
    state = in_resolve()
    state = lifecycle.apply(state, RetriageInput(actor=IM, priority=Priority.P1, reason="worse"),
                            at=T0 + timedelta(minutes=5)).state
    paused = lifecycle.apply(state, PauseInput(actor=ENG, reason="waiting"),
                             at=T0 + timedelta(minutes=10)).state
    details = effects.current_details(paused, None)
    assert details.startswith("**P1 · open")
    assert "- re-triaged by alice: priority P2 -> P1 (worse)" in details
    assert "SLA clocks paused since 2026-03-02 09:10:00 UTC" in details
    assert "notice and complaint clocks run on" in details
    status = {u.key.name: u.value for u in sa.of_state(paused)}["EscalationStatus"]
    assert status == "paused"
    resumed = lifecycle.apply(paused, ResumeInput(actor=ENG),
                              at=T0 + timedelta(minutes=70)).state
    assert "paused in all: 1h" in effects.current_details(resumed, None)
    assert {u.key.name: u.value for u in sa.of_state(resumed)}["EscalationStatus"] == "open"
def test_the_ui_details_say_where_a_merged_one_went_and_what_a_survivor_took_in() -> None:
    from tests.unit.domain.test_lifecycle import opened

    fresh = opened()
    fitting = sum(r.fits(fresh.category, fresh.tags) for r in fresh.policy.saved_replies)
    assert effects.casework_lines(fresh) == [f"- saved replies that fit: {fitting}"]
    merged = fresh.model_copy(update={"merged_into": "esc-x", "notes": 2})
    details = effects.current_details(merged, None)
    assert "- merged into esc-x (a duplicate)" in details
    assert "- internal notes: 2" in details
    survivor = fresh.model_copy(update={"merged_from": [f"esc-{n}" for n in range(7)]})
    assert "- duplicates merged in: 7 (esc-0, esc-1, esc-2, esc-3, esc-4, …)" in (
        effects.casework_lines(survivor))
