"""Which action each stage allows, who may take it, and the input it takes.

Read by the workflow's validators (`ensure_allowed`), by the view and the API's 409
(`allowed_actions`), by the API's role gates (`ROLES`) and by the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain import recipients as to
from domain.casework import MergeInput, NoteInput
from domain.enums import Action, EscalationType, Level, ResolutionState, Role, Stage
from domain.errors import (
    ActionNotAllowed,
    FieldProblem,
    InvalidAction,
    InvalidInput,
    RoleNotAllowed,
    UnreachableAudience,
    VersionConflict,
)
from domain.lifecycle import pausing
from domain.lifecycle.complaint_rules import (
    COMPLAINT_ACTIONS,
    complaint_precondition,
    input_problems,
)
from domain.lifecycle.replies import ensure_reply_usable
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlanInput,
    AddDetailsInput,
    CancelInput,
    ComplaintAckInput,
    CustomerAccessInput,
    CustomerRcaInput,
    DeescalateInput,
    DelayNoticeInput,
    EscalateInput,
    IdrResponseInput,
    InternalRcaInput,
    NoticeInput,
    PauseInput,
    ResolutionInput,
    ResolveEarlyInput,
    ResumeInput,
    RetriageInput,
    StatusUpdateInput,
    TaskForceInput,
    VerificationInput,
)
from domain.state import EscalationState

_ANY_TIME = frozenset({Action.ACKNOWLEDGE, Action.ADD_DETAILS, Action.CANCEL})
# Case work (issue 22) fits the working stages; a pause ends by itself when close begins.
_CASE_WORK = frozenset({Action.PAUSE, Action.RESUME, Action.RETRIAGE, Action.DEESCALATE})
# A complaint's regulatory actions run beside the escalation's own, until it closes.
_COMMUNICATE = _ANY_TIME | COMPLAINT_ACTIONS | _CASE_WORK | {
    Action.SEND_NOTICE,
    Action.POST_STATUS_UPDATE,
    Action.SET_ACTION_PLAN,
    Action.ESCALATE,
}

# Case work (issue 22): a note at any stage; a duplicate merges while it is being worked.
_NOTES = frozenset({Action.ADD_NOTE})
_MERGING = frozenset({Action.MERGE})

ALLOWED: Mapping[Stage, frozenset[Action]] = {
    Stage.START: _ANY_TIME | _NOTES,
    Stage.COMMUNICATE: _COMMUNICATE | _NOTES | _MERGING,
    Stage.RESOLVE: _COMMUNICATE | _NOTES | _MERGING
    | {
        Action.DEPLOY_TASK_FORCE,
        Action.DECLARE_RESOLUTION,
        Action.VERIFY_RESOLUTION,
        Action.CONFIRM_CUSTOMER_ACCESS,
    },
    Stage.CLOSE: frozenset({Action.SUBMIT_INTERNAL_RCA, Action.SHARE_CUSTOMER_RCA, Action.CANCEL})
    | _NOTES,
}

_IM = Role.INCIDENT_MANAGER
_HANDS_ON = frozenset({_IM, Role.ENGINEER})
ROLES: Mapping[Action, frozenset[Role]] = {
    Action.ACKNOWLEDGE: _HANDS_ON,
    Action.ADD_DETAILS: _HANDS_ON,
    Action.SEND_NOTICE: frozenset({_IM}),
    Action.POST_STATUS_UPDATE: _HANDS_ON,
    Action.SET_ACTION_PLAN: _HANDS_ON,
    Action.ESCALATE: _HANDS_ON,
    Action.DEPLOY_TASK_FORCE: frozenset({_IM}),
    Action.DECLARE_RESOLUTION: frozenset({_IM}),
    # Separation of duties: the engineer verifies what a manager declared (api.md's table).
    Action.VERIFY_RESOLUTION: frozenset({Role.ENGINEER}),
    Action.CONFIRM_CUSTOMER_ACCESS: frozenset({Role.ENGAGEMENT_LEAD}),
    Action.SUBMIT_INTERNAL_RCA: _HANDS_ON,
    Action.SHARE_CUSTOMER_RCA: frozenset({Role.ENGAGEMENT_LEAD}),
    Action.CANCEL: frozenset({_IM}),
    # Customer-facing complaint correspondence: the manager or the engagement lead.
    Action.ACKNOWLEDGE_COMPLAINT: frozenset({_IM, Role.ENGAGEMENT_LEAD}),
    Action.RESOLVE_EARLY: frozenset({_IM, Role.ENGAGEMENT_LEAD}),
    Action.SEND_DELAY_NOTICE: frozenset({_IM, Role.ENGAGEMENT_LEAD}),
    Action.SEND_IDR_RESPONSE: frozenset({_IM, Role.ENGAGEMENT_LEAD}),
    Action.PAUSE: _HANDS_ON,
    Action.RESUME: _HANDS_ON,
    Action.RETRIAGE: frozenset({_IM}),
    Action.DEESCALATE: frozenset({_IM}),
    Action.MERGE: frozenset({_IM}),
    # Every role that works an escalation; a viewer only reads.
    Action.ADD_NOTE: frozenset({_IM, Role.ENGINEER, Role.ENGAGEMENT_LEAD}),
}

INPUTS: Mapping[Action, type[ActionInput]] = {
    Action.ACKNOWLEDGE: AcknowledgeInput,
    Action.ADD_DETAILS: AddDetailsInput,
    Action.SEND_NOTICE: NoticeInput,
    Action.POST_STATUS_UPDATE: StatusUpdateInput,
    Action.SET_ACTION_PLAN: ActionPlanInput,
    Action.ESCALATE: EscalateInput,
    Action.DEPLOY_TASK_FORCE: TaskForceInput,
    Action.DECLARE_RESOLUTION: ResolutionInput,
    Action.VERIFY_RESOLUTION: VerificationInput,
    Action.CONFIRM_CUSTOMER_ACCESS: CustomerAccessInput,
    Action.SUBMIT_INTERNAL_RCA: InternalRcaInput,
    Action.SHARE_CUSTOMER_RCA: CustomerRcaInput,
    Action.CANCEL: CancelInput,
    Action.ACKNOWLEDGE_COMPLAINT: ComplaintAckInput,
    Action.RESOLVE_EARLY: ResolveEarlyInput,
    Action.SEND_DELAY_NOTICE: DelayNoticeInput,
    Action.SEND_IDR_RESPONSE: IdrResponseInput,
    Action.PAUSE: PauseInput,
    Action.RESUME: ResumeInput,
    Action.RETRIAGE: RetriageInput,
    Action.DEESCALATE: DeescalateInput,
    Action.MERGE: MergeInput,
    Action.ADD_NOTE: NoteInput,
}
# `apply` receives only the input; its type names the action.
ACTION_OF: Mapping[type[ActionInput], Action] = {cls: action for action, cls in INPUTS.items()}


def _precondition_holds(
    state: EscalationState, action: Action, now: datetime | None = None
) -> bool:
    if action in COMPLAINT_ACTIONS:
        return complaint_precondition(state, action, now) is None
    if action in pausing.PAUSE_ACTIONS:
        return pausing.why_not(state, action) is None
    match action:
        case Action.POST_STATUS_UPDATE:
            return state.notice_sent_at is not None
        case Action.DECLARE_RESOLUTION | Action.DEPLOY_TASK_FORCE:
            return state.resolution_state is ResolutionState.WORKING
        case Action.VERIFY_RESOLUTION:
            return state.resolution_state is ResolutionState.DECLARED
        case Action.CONFIRM_CUSTOMER_ACCESS:
            return state.resolution_state is ResolutionState.VERIFIED
        case Action.SUBMIT_INTERNAL_RCA:
            return state.rca_internal is not None and state.rca_internal.submitted_at is None
        case Action.SHARE_CUSTOMER_RCA:
            return state.rca_customer is not None and state.rca_customer.submitted_at is None
        case Action.DEESCALATE:
            return state.level is not Level.AGENT
        case _:
            return True


def allowed_actions(state: EscalationState, now: datetime | None = None) -> list[Action]:
    if not state.is_open:
        return []
    return [a for a in Action
            if a in ALLOWED[state.stage] and _precondition_holds(state, a, now)]


def ensure_allowed(
    state: EscalationState, action: Action, command: ActionInput, now: datetime | None = None
) -> None:
    """What every validator checks: role, then version, then stage and sub-state. `now` (the
    workflow's time) decides the complaint windows that close at an instant."""
    actor = command.actor
    if actor is not None and actor.role is not Role.SYSTEM and actor.role not in ROLES[action]:
        raise RoleNotAllowed(f"role {actor.role.value} may not {action.value}")
    if command.expected_version is not None and command.expected_version != state.version:
        raise VersionConflict(
            f"version {command.expected_version} is stale; the escalation is at "
            f"version {state.version}",
            current_version=state.version,
        )
    allowed = allowed_actions(state, now)
    if action not in allowed:
        if not state.is_open:
            why = f"the escalation is {state.status.value}"
        elif action not in ALLOWED[state.stage]:
            why = f"not in stage {state.stage.value}"
        elif action in COMPLAINT_ACTIONS:
            why = complaint_precondition(state, action, now) or ""
        elif action in pausing.PAUSE_ACTIONS:
            why = pausing.why_not(state, action) or ""
        else:
            why = _why_not(action)
        raise ActionNotAllowed(
            f"{action.value} is not allowed: {why}",
            stage=state.stage.value,
            allowed_actions=[a.value for a in allowed],
        )
    if isinstance(command, EscalateInput) and command.type is EscalationType.FUNCTIONAL:
        if command.team not in state.policy.teams:
            raise InvalidAction(f"team {command.team!r} is not in the policy")
        if command.team == state.team:
            raise InvalidAction(f"the escalation is already with team {command.team!r}")
    _case_work_checks(state, command, allowed, now)
    _complaint_checks(state, action, command, allowed)
    if isinstance(command, NoticeInput | StatusUpdateInput):
        ensure_reply_usable(state, command)
    if isinstance(command, MergeInput):
        _merge_checks(state, command, allowed)


def _merge_checks(state: EscalationState, command: MergeInput, allowed: list[Action]) -> None:
    """What the duplicate itself can tell; the survivor checks the rest when it is asked."""
    if command.into == state.id:
        raise InvalidInput("The merge is not valid.", problems=[FieldProblem(
            field="into", message="an escalation cannot be merged into itself")])
    if command.into in state.merged_from:
        raise ActionNotAllowed(
            f"merge is not allowed: {command.into} was merged into this escalation; merging "
            "back would make a loop", stage=state.stage.value,
            allowed_actions=[a.value for a in allowed])


def _case_work_checks(state: EscalationState, command: ActionInput, allowed: list[Action],
                      now: datetime | None) -> None:
    if isinstance(command, PauseInput) and command.until is not None and now is not None:
        if command.until <= now:
            raise InvalidInput("The pause would end before it starts.", problems=[
                FieldProblem("until", f"must be later than now ({now.isoformat()})")])
        refused = pausing.until_problem(state, command, now)
        if refused is not None:
            raise ActionNotAllowed(refused, stage=state.stage.value,
                                   allowed_actions=[a.value for a in allowed])
    if isinstance(command, RetriageInput):
        if command.team is not None and command.team not in state.policy.teams:
            raise InvalidAction(f"team {command.team!r} is not in the policy")
        if all(new is None or new == old for new, old in (
                (command.priority, state.priority), (command.category, state.category),
                (command.team, state.team))):
            raise InvalidAction("nothing to re-triage: the escalation already has that "
                                "priority, category and team")


def _complaint_checks(
    state: EscalationState, action: Action, command: ActionInput, allowed: list[Action]
) -> None:
    record = state.complaint
    if (isinstance(command, CustomerAccessInput) and command.confirmed
            and record is not None and not record.is_closed):
        # RG 271.53: a complaint not ended under the five-day rule closes after its response.
        raise ActionNotAllowed(
            f"{action.value} is not allowed: complaint {record.reference} has no IDR response "
            "yet (send it, or resolve it early within five business days)",
            stage=state.stage.value, allowed_actions=[a.value for a in allowed])
    problems = input_problems(state, command)
    if problems:
        raise InvalidInput("The request is not valid for this complaint.", problems=problems)


def ensure_reachable(state: EscalationState, command: ActionInput) -> None:
    """Every audience a notice or status update names must reach someone (issue 20): sent to
    nobody, it would still count as sent. Checked by the validators only, before anything is
    written; contacts are only ever added, so what was reachable then still is when the
    handler runs, and histories from before this check replay as they were."""
    if not isinstance(command, NoticeInput | StatusUpdateInput):
        return
    for audience in command.audiences:
        found = to.audience_reach(state, audience)
        if not found.recipients:
            raise UnreachableAudience(f"audience {audience.value} cannot be reached: "
                                      f"{found.nobody}", audience=audience.value)


def _why_not(action: Action) -> str:
    """The failed precondition of `_precondition_holds`, in the words of the 409."""
    match action:
        case Action.POST_STATUS_UPDATE:
            return "send the first notice before status updates"
        case Action.VERIFY_RESOLUTION:
            return "no resolution awaits verification"
        case Action.CONFIRM_CUSTOMER_ACCESS:
            return "the resolution is not verified yet"
        case Action.DECLARE_RESOLUTION | Action.DEPLOY_TASK_FORCE:
            return "a resolution is already declared"
        case Action.DEESCALATE:
            return "the escalation is already at the lowest level (agent)"
        case _:
            return "its RCA task is not open"
