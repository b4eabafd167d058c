"""Merging duplicates, decided without Temporal: the survivor's absorb and the duplicate's merge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import lifecycle, timers
from domain.casework import MergeInput
from domain.enums import NotificationEvent, Stage, Status, TimelineType
from domain.errors import ActionNotAllowed, InvalidInput
from domain.lifecycle import merging
from domain.models import AddDetailsInput, PauseInput
from domain.state import EscalationState
from tests.unit.domain.test_lifecycle import IM, T0, act, opened

SURVIVOR = "esc-01j9aaaaaaaaaaaaaaaaaaaaaa"
DUPLICATE = "esc-01j9bbbbbbbbbbbbbbbbbbbbbb"
STAKEHOLDER = {"name": "Finance", "channel": "webhook", "address": "https://hooks.example/fin"}


def escalation(escalation_id: str, *customers: str, **body: object) -> EscalationState:
    state = opened(affected_customers=[{"id": c} for c in customers], **body)
    return state.model_copy(update={"id": escalation_id})


def merged_into(duplicate: EscalationState, survivor: EscalationState
                ) -> tuple[EscalationState, EscalationState]:
    command = MergeInput(actor=IM, into=survivor.id, note="same outage")
    lifecycle.ensure_allowed(duplicate, lifecycle.ACTION_OF[MergeInput], command)
    absorb = merging.absorb_input(duplicate, command)
    merging.ensure_absorbable(survivor, absorb, merging=None)
    survivor = merging.absorb(survivor, absorb, at=T0 + timedelta(minutes=5)).state
    duplicate = lifecycle.apply(duplicate, command, at=T0 + timedelta(minutes=5)).state
    return duplicate, survivor


def test_the_survivor_takes_everything_in_once_and_the_duplicate_closes_as_merged() -> None:
    survivor = escalation(SURVIVOR, "c1", "c2", tags=["app"], related_records=["INC-1"])
    duplicate = escalation(DUPLICATE, "c2", "c3", tags=["app", "login"],
                           related_records=["INC-1", "INC-2"], problem_records=["PRB-9"],
                           stakeholders=[STAKEHOLDER])
    duplicate, survivor = merged_into(duplicate, survivor)
    assert [c.id for c in survivor.affected_customers] == ["c1", "c2", "c3"]
    assert survivor.tags == ["app", "login"]
    assert survivor.related_records == ["INC-1", "INC-2"]
    assert survivor.problem_records == ["PRB-9"]
    assert [s.name for s in survivor.stakeholders] == ["Finance"]
    assert survivor.merged_from == [DUPLICATE]
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, SURVIVOR)
    assert duplicate.closed_at is not None
    assert lifecycle.allowed_actions(duplicate) == []
    assert timers.pending_timers(duplicate) == []


def test_the_survivor_records_the_merge_and_the_duplicate_tells_its_people_where_it_went() -> None:
    survivor = escalation(SURVIVOR, "c1")
    duplicate = escalation(DUPLICATE, "c2", stakeholders=[STAKEHOLDER])
    command = MergeInput(actor=IM, into=SURVIVOR, note="same outage")
    absorbed = merging.absorb(survivor, merging.absorb_input(duplicate, command), at=T0)
    entry = absorbed.entries[0]
    assert entry.type is TimelineType.DUPLICATE_MERGED
    assert entry.details["duplicate"] == DUPLICATE
    assert entry.details["added"] == {"affected_customers": ["c2"],
                                      "stakeholders": ["Finance"]}
    closed = lifecycle.apply(duplicate, command, at=T0)
    assert closed.entries[0].type is TimelineType.MERGED
    told = [n for n in closed.notifications if n.event is NotificationEvent.MERGED]
    assert "Finance" in {n.recipient.name for n in told}
    assert all(SURVIVOR in n.message for n in told)


def test_absorbing_the_same_duplicate_again_changes_nothing() -> None:
    survivor = escalation(SURVIVOR, "c1")
    duplicate = escalation(DUPLICATE, "c2")
    absorb = merging.absorb_input(duplicate, MergeInput(actor=IM, into=SURVIVOR))
    once = merging.absorb(survivor, absorb, at=T0).state
    merging.ensure_absorbable(once, absorb, merging=None)  # a repeat is not refused
    again = merging.absorb(once, absorb, at=T0 + timedelta(minutes=1))
    assert again.entries == []
    assert again.state.version == once.version
    assert again.state.affected_customers == once.affected_customers


def test_a_repeated_merge_is_recognised_and_a_different_one_is_not() -> None:
    duplicate, _ = merged_into(escalation(DUPLICATE, "c2"), escalation(SURVIVOR, "c1"))
    assert merging.is_repeat(duplicate, MergeInput(actor=IM, into=SURVIVOR))
    elsewhere = "esc-01j9cccccccccccccccccccccc"
    assert not merging.is_repeat(duplicate, MergeInput(actor=IM, into=elsewhere))
    with pytest.raises(ActionNotAllowed, match="merged"):
        lifecycle.ensure_allowed(duplicate, lifecycle.ACTION_OF[MergeInput],
                                 MergeInput(actor=IM, into=elsewhere))


def test_a_merge_into_itself_is_refused() -> None:
    state = escalation(DUPLICATE, "c1")
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[MergeInput],
                                 MergeInput(actor=IM, into=DUPLICATE))
    assert refused.value.problems[0].field == "into"


@pytest.mark.parametrize(
    ("target_of", "merging_into", "why"),
    [
        (lambda s: lifecycle.apply(s, MergeInput(actor=IM, into="esc-01j9cccccccccccccccccccccc"),
                                   at=T0).state, None, "merged into esc-01j9ccc"),
        (lambda s: s.model_copy(update={"status": Status.CANCELLED}), None, "cancelled"),
        (lambda s: s.model_copy(update={"stage": Stage.CLOSE}), None, "stage close"),
        (lambda s: s, DUPLICATE, "itself being merged"),
    ],
    ids=["merged-target", "cancelled-target", "target-in-close", "target-merging-elsewhere"],
)
def test_the_survivor_refuses(target_of: object, merging_into: str | None, why: str) -> None:
    survivor = target_of(escalation(SURVIVOR, "c1"))  # type: ignore[operator]
    absorb = merging.absorb_input(escalation("esc-01j9dddddddddddddddddddddd", "c9"),
                                  MergeInput(actor=IM, into=SURVIVOR))
    with pytest.raises(ActionNotAllowed, match=why):
        merging.ensure_absorbable(survivor, absorb, merging=merging_into)


def test_a_loop_back_into_a_duplicate_already_taken_in_is_refused() -> None:
    # A went into B; B cannot then go into A (A is merged: it refuses as a survivor too).
    a, b = merged_into(escalation(DUPLICATE, "c2"), escalation(SURVIVOR, "c1"))
    with pytest.raises(ActionNotAllowed, match="loop"):
        lifecycle.ensure_allowed(b, lifecycle.ACTION_OF[MergeInput],
                                 MergeInput(actor=IM, into=DUPLICATE))
    with pytest.raises(ActionNotAllowed, match="merged"):
        merging.ensure_absorbable(a, merging.absorb_input(b, MergeInput(actor=IM, into=a.id)),
                                  merging=None)


def test_a_chain_carries_what_the_duplicate_had_taken_in() -> None:
    c = "esc-01j9cccccccccccccccccccccc"
    _, b = merged_into(escalation(DUPLICATE, "c2"), escalation(SURVIVOR, "c1"))
    b_closed, c_state = merged_into(b, escalation(c, "c3"))
    assert c_state.merged_from == [SURVIVOR, DUPLICATE]
    assert [x.id for x in c_state.affected_customers] == ["c3", "c1", "c2"]
    assert b_closed.merged_into == c


def test_details_after_a_merge_are_refused() -> None:
    duplicate, _ = merged_into(escalation(DUPLICATE, "c2"), escalation(SURVIVOR, "c1"))
    with pytest.raises(ActionNotAllowed):
        act(duplicate, AddDetailsInput(actor=IM, affected_services=["x"]))


def test_a_paused_duplicate_s_pause_ends_with_the_merge() -> None:
    paused = act(escalation(DUPLICATE, "c2"), PauseInput(actor=IM, reason="waiting"))
    assert paused.is_paused
    duplicate, _ = merged_into(paused, escalation(SURVIVOR, "c1"))
    assert (duplicate.status, duplicate.is_paused) == (Status.MERGED, False)
