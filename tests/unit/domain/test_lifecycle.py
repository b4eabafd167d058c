"""The lifecycle table and its decisions, without Temporal: table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.policy_files import load_policy
from domain import lifecycle, timers
from domain.enums import Action, Level, Role, Stage
from domain.errors import ActionNotAllowed, InvalidAction, RoleNotAllowed, VersionConflict
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlanInput,
    Actor,
    AddDetailsInput,
    CancelInput,
    CreateEscalationInput,
    CustomerAccessInput,
    EscalateInput,
    NoticeInput,
    ResolutionInput,
    VerificationInput,
)
from domain.routing import route
from domain.state import EscalationRequest, EscalationState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IM = Actor(name="alice", role=Role.INCIDENT_MANAGER)
ENG = Actor(name="bob", role=Role.ENGINEER)
LEAD = Actor(name="sam", role=Role.ENGAGEMENT_LEAD)
VIEWER = Actor(name="vic", role=Role.VIEWER)
POLICY = load_policy(None)


def opened(**body: Any) -> EscalationState:
    request = CreateEscalationInput.model_validate(
        {"title": "Charged twice", "category": "billing", **body})
    decision = route(POLICY, request)
    payload = EscalationRequest(id="esc-test", request=request, routing=decision, policy=POLICY,
                                created_by="alice", request_id="r", request_hash="h")
    return lifecycle.intake(payload, decision, T0).state


def act(state: EscalationState, command: ActionInput, minutes: int = 1) -> EscalationState:
    action = lifecycle.ACTION_OF[type(command)]
    lifecycle.ensure_allowed(state, action, command)
    return lifecycle.apply(state, command, at=T0 + timedelta(minutes=minutes)).state


def in_resolve() -> EscalationState:
    state = act(opened(), NoticeInput(actor=IM, message="hi"))
    return act(state, ActionPlanInput(actor=IM, steps=[{"description": "fix"}]))


# api.md's action table, written out independently of domain.lifecycle.ROLES.
# Open to every escalation in the working stages at the lowest level, not paused (issue 22).
CASE_WORK = {"pause", "retriage"}

API_ROLES = {
    Action.ACKNOWLEDGE: {"incident_manager", "engineer"},
    Action.ADD_DETAILS: {"incident_manager", "engineer"},
    Action.SEND_NOTICE: {"incident_manager"},
    Action.POST_STATUS_UPDATE: {"incident_manager", "engineer"},
    Action.SET_ACTION_PLAN: {"incident_manager", "engineer"},
    Action.ESCALATE: {"incident_manager", "engineer"},
    Action.DEPLOY_TASK_FORCE: {"incident_manager"},
    Action.DECLARE_RESOLUTION: {"incident_manager"},
    Action.VERIFY_RESOLUTION: {"engineer"},
    Action.CONFIRM_CUSTOMER_ACCESS: {"engagement_lead"},
    Action.SUBMIT_INTERNAL_RCA: {"engineer", "incident_manager"},
    Action.SHARE_CUSTOMER_RCA: {"engagement_lead"},
    Action.CANCEL: {"incident_manager"},
    Action.ACKNOWLEDGE_COMPLAINT: {"incident_manager", "engagement_lead"},
    Action.RESOLVE_EARLY: {"incident_manager", "engagement_lead"},
    Action.SEND_DELAY_NOTICE: {"incident_manager", "engagement_lead"},
    Action.SEND_IDR_RESPONSE: {"incident_manager", "engagement_lead"},
    Action.PAUSE: {"incident_manager", "engineer"},
    Action.RESUME: {"incident_manager", "engineer"},
    Action.RETRIAGE: {"incident_manager"},
    Action.DEESCALATE: {"incident_manager"},
    Action.MERGE: {"incident_manager"},
    Action.ADD_NOTE: {"incident_manager", "engineer", "engagement_lead"},
}


@pytest.mark.parametrize("action", list(Action))
def test_roles_match_the_api_contract(action: Action) -> None:
    assert {r.value for r in lifecycle.ROLES[action]} == API_ROLES[action]


# Merging and notes are allowed while an escalation is being worked (issue 22).
MERGE_AND_NOTES = {"add_note", "merge"}


@pytest.mark.parametrize(
    ("state_of", "expected"),
    [
        (lambda: opened(), {"acknowledge", "add_details", "send_notice", "set_action_plan",
                            "escalate", "cancel", *CASE_WORK, *MERGE_AND_NOTES}),
        (lambda: act(opened(), NoticeInput(actor=IM)),
         {"acknowledge", "add_details", "send_notice", "post_status_update", "set_action_plan",
          "escalate", "cancel", *CASE_WORK, *MERGE_AND_NOTES}),
        (in_resolve, {"acknowledge", "add_details", "send_notice", "post_status_update",
                      "set_action_plan", "escalate", "deploy_task_force", "declare_resolution",
                      "cancel", *CASE_WORK, *MERGE_AND_NOTES}),
        (lambda: act(in_resolve(), ResolutionInput(actor=IM, summary="done")),
         {"acknowledge", "add_details", "send_notice", "post_status_update", "set_action_plan",
          "escalate", "verify_resolution", "cancel", *CASE_WORK, *MERGE_AND_NOTES}),
        (lambda: act(act(in_resolve(), ResolutionInput(actor=IM, summary="done")),
                     VerificationInput(actor=ENG, verified=True)),
         {"acknowledge", "add_details", "send_notice", "post_status_update", "set_action_plan",
          "escalate", "confirm_customer_access", "cancel", *CASE_WORK, *MERGE_AND_NOTES}),
        (lambda: act(opened(), CancelInput(actor=IM, reason="dup")), set()),
    ],
    ids=["communicate", "after-notice", "resolve", "declared", "verified", "cancelled"],
)
def test_allowed_actions_follow_stage_and_sub_state(state_of: Any, expected: set[str]) -> None:
    assert {a.value for a in lifecycle.allowed_actions(state_of())} == expected


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (AcknowledgeInput(actor=VIEWER), RoleNotAllowed),
        (AcknowledgeInput(actor=ENG, expected_version=99), VersionConflict),
        (VerificationInput(actor=ENG, verified=True), ActionNotAllowed),
        (CustomerAccessInput(actor=LEAD, confirmed=True), ActionNotAllowed),
        (EscalateInput(actor=ENG, type="functional", team="nobody", reason="x"), InvalidAction),
        (EscalateInput(actor=ENG, type="functional", team="billing", reason="x"), InvalidAction),
    ],
    ids=["viewer", "stale-version", "verify-too-early", "confirm-too-early", "unknown-team",
         "same-team"],
)
def test_refusals(command: ActionInput, error: type[Exception]) -> None:
    state = opened(customer={"id": "c", "vip": True})
    with pytest.raises(error):
        lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[type(command)], command)


def test_a_stale_version_is_refused_before_the_stage_is_checked() -> None:
    state = opened()
    with pytest.raises(VersionConflict):
        lifecycle.ensure_allowed(state, Action.VERIFY_RESOLUTION,
                                 VerificationInput(actor=ENG, verified=True, expected_version=0))


def test_details_merge_without_duplicates() -> None:
    state = opened(related_records=["INC-1"], affected_services=["api"])
    state = act(state, AddDetailsInput(actor=ENG, related_records=["INC-1", "INC-2"],
                                       affected_services=["api", "web"]))
    assert state.related_records == ["INC-1", "INC-2"]
    assert state.affected_services == ["api", "web"]


def test_hierarchical_escalation_climbs_and_stops_at_director() -> None:
    state = opened()
    levels = []
    for minute in range(1, 5):
        state = act(state, EscalateInput(actor=ENG, type="hierarchical", reason="slow"), minute)
        levels.append(state.level)
    assert levels == [Level.TEAM_LEAD, Level.MANAGER, Level.DIRECTOR, Level.DIRECTOR]


@pytest.mark.parametrize(
    ("channel", "address", "notified"),
    [("email", "ops@acme.example", True), ("webhook", "https://hooks.acme.example/x", True),
     ("slack", "https://hooks.slack.example/T1", False)],
)
def test_billing_notices_reach_customers_only_on_private_channels(
    channel: str, address: str, notified: bool
) -> None:
    state = opened(affected_customers=[{"id": "c", "contact": {"channel": channel,
                                                               "address": address}}])
    transition = lifecycle.apply(state, NoticeInput(actor=IM, audiences=["customers"]), at=T0)
    assert bool(transition.notifications) is notified


def test_notification_ids_are_deterministic_and_unique() -> None:
    state = opened(stakeholders=[{"name": "a", "channel": "webhook", "address": "http://x.example/a"},
                                 {"name": "b", "channel": "webhook", "address": "http://x.example/b"}])
    first = lifecycle.apply(state, NoticeInput(actor=IM), at=T0)
    again = lifecycle.apply(state, NoticeInput(actor=IM), at=T0 + timedelta(hours=1))
    assert [n.id for n in first.notifications] == [n.id for n in again.notifications]
    assert len({n.id for n in first.notifications}) == len(first.notifications) == 2


def test_a_cancelled_escalation_has_no_timers() -> None:
    assert timers.pending_timers(opened()) != []
    assert timers.pending_timers(act(opened(), CancelInput(actor=IM, reason="dup"))) == []


def test_creation_lands_in_communicate_with_every_deadline_armed() -> None:
    state = opened(customer={"id": "c", "vip": True})  # billing-vip: P1
    assert (state.stage, state.priority.value, state.version) == (Stage.COMMUNICATE, "P1", 1)
    d = state.deadlines
    assert (d.notice_due, d.acknowledge_due, d.engage_more_due, d.resolve_due) == (
        T0 + timedelta(hours=1), T0 + timedelta(minutes=15), T0 + timedelta(hours=2),
        T0 + timedelta(hours=4))
    assert d.resolve_warning_due == T0 + timedelta(hours=3, minutes=12)


def test_a_transition_copies_the_state_but_shares_the_policy() -> None:
    before = opened()
    snapshot = before.policy.model_dump_json()
    after = act(before, NoticeInput(actor=IM, message="hi"))
    assert after is not before
    assert after.policy is before.policy
    assert before.notice_sent_at is None  # the original state is untouched
    assert before.policy.model_dump_json() == snapshot
