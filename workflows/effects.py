"""How the workflow talks to the outside: activity options, search attribute changes, UI
details, and the translation of domain errors into Temporal failures. Sandbox-safe (no I/O)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate, TypedSearchAttributes
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.enums import Action
    from domain.errors import (
        ActionNotAllowed,
        DomainError,
        InvalidInput,
        UnreachableAudience,
        VersionConflict,
    )
    from domain.lifecycle import allowed_actions
    from domain.lifecycle.sla import current_deadline, human
    from domain.messages import DeliveryFailure, DeliveryInput, DeliveryTarget
    from domain.state import EscalationState, Notification
    from domain.timers import PendingTimer

# Store writes retry until the database is back: a projection must never be lost.
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
STORE_TIMEOUT = timedelta(seconds=30)

# api.md, "Outbound notifications": 1 s doubling to 5 min, for up to notifications.retry_for.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=[DeliveryFailure.TARGET_REFUSED.value,
                               DeliveryFailure.CHANNEL_NOT_CONFIGURED.value],
)
# A receiver gets 10 s to answer; the attempt as a whole a little more (DNS, TLS, SMTP).
DELIVERY_ATTEMPT_TIMEOUT = timedelta(seconds=30)


def to_application_error(error: DomainError) -> ApplicationError:
    """Typed failure the API maps by `type` (validators and handlers alike)."""
    details: dict[str, object] = {}
    if isinstance(error, ActionNotAllowed):
        details = {"stage": error.stage, "allowed_actions": error.allowed_actions}
    elif isinstance(error, VersionConflict):
        details = {"current_version": error.current_version}
    elif isinstance(error, InvalidInput):
        details = {"problems": [{"field": p.field, "message": p.message}
                                for p in error.problems]}
    elif isinstance(error, UnreachableAudience):
        details = {"audience": error.audience}
    return ApplicationError(str(error), details, type=error.type, non_retryable=True)


def changed(
    updates: list[SearchAttributeUpdate[Any]], current: TypedSearchAttributes
) -> list[SearchAttributeUpdate[Any]]:
    """The updates whose value differs from the workflow's current search attributes."""
    return [u for u in updates if current.get(u.key) != u.value]


def current_details(state: EscalationState, next_timer: PendingTimer | None) -> str:
    """Markdown shown as the workflow's current details in the Temporal UI."""
    lines = [
        f"**{state.priority.value} · {state.status.value} · stage {state.stage.value}**",
        f"- owner: {state.owner or 'unassigned'} · team {state.team} · tier {state.tier}"
        f" · level {state.level.value}",
        f"- SLA: notice {state.sla.notice.value}, acknowledge {state.sla.acknowledge.value}, "
        f"resolve {state.sla.resolve.value}"
        + "".join(f", {gate} {outcome.value}" for gate, outcome in
                  (("verify", state.sla.verify), ("confirm", state.sla.confirm)) if outcome),
    ]
    record = state.complaint
    if record is not None:
        ack = state.sla.complaint_acknowledge.value if state.sla.complaint_acknowledge else "-"
        final = state.sla.final_response.value if state.sla.final_response else "-"
        lines.append(f"- complaint {record.reference}: acknowledgement {ack}, final response "
                     f"{final}, five-day rule {record.five_day_rule.value}")
    lines += pause_lines(state)
    lines.extend(casework_lines(state))
    if next_timer is not None:
        due = f"{next_timer.due:%Y-%m-%d %H:%M:%S} UTC"
        lines.append(f"- next deadline: {next_timer.summary} at {due}")
    else:
        lines.append("- next deadline: none")
    return "\n".join(lines)


def pause_lines(state: EscalationState) -> list[str]:
    """Case work (issue 22): the pause of the SLA clocks, while one runs or once one ran, and
    the latest re-triage."""
    lines = []
    if state.paused_at is not None:
        ends = (f", ends by itself at {state.paused_until:%Y-%m-%d %H:%M:%S} UTC"
                if state.paused_until else "")
        lines.append(f"- SLA clocks paused since {state.paused_at:%Y-%m-%d %H:%M:%S} UTC{ends}"
                     " (the notice and complaint clocks run on)")
    if state.pauses:
        lines.append(f"- paused in all: {human(timedelta(seconds=state.paused_total))}")
    retriaged = [r for r in state.routing.reasons if r.startswith("re-triaged by ")]
    if retriaged:  # the latest re-triage (issue 22): who, what changed, why
        lines.append(f"- {retriaged[-1]}")
    return lines


def casework_lines(state: EscalationState) -> list[str]:
    """Merges, notes and saved replies (issue 22), each line only once there is something."""
    lines: list[str] = []
    if state.merged_into:
        lines.append(f"- merged into {state.merged_into} (a duplicate)")
    if state.merged_from:
        more = ", …" if len(state.merged_from) > 5 else ""
        lines.append(f"- duplicates merged in: {len(state.merged_from)} "
                     f"({', '.join(state.merged_from[:5])}{more})")
    if state.notes:
        lines.append(f"- internal notes: {state.notes}")
    fit = sum(r.fits(state.category, state.tags) for r in state.policy.saved_replies)
    if fit:
        lines.append(f"- saved replies that fit: {fit}")
    return lines


def delivery_input(state: EscalationState, notification: Notification) -> DeliveryInput:
    links = state.links.links_for(state.id)
    deadline = current_deadline(state)
    return DeliveryInput(
        notification=notification,
        target=DeliveryTarget(
            title=state.title,
            priority=state.priority.value,
            stage=state.stage.value,
            status=state.status.value,
            deadline=deadline.due if deadline else None,
            deadline_what=deadline.what if deadline else None,
            awaiting_acknowledgement=state.acknowledged_at is None
            and Action.ACKNOWLEDGE in allowed_actions(state),
            links={
                "self": links.self,
                "timeline": links.timeline,
                "temporal_ui": links.temporal_ui,
                "api": state.links.api,
            },
            allowed_hosts=state.policy.notifications.allowed_hosts,
            block_private_addresses=state.policy.notifications.block_private_addresses,
        ),
    )
