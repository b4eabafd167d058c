"""How an escalation ends: the close stage with its RCA hand-off, and cancel.

Cancel lives here, not with the working-stage actions, because it is the other way out: like
`_close` it sets the final status and its time, after which `is_open` is false, no action is
allowed and no timer is pending. Keeping the two side by side shows everything that stops an
escalation in one place.
"""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.enums import (
    Level,
    NotificationAudience,
    NotificationEvent,
    RcaKind,
    RcaStatus,
    Status,
    TimelineType,
)
from domain.lifecycle.sla import rca_due
from domain.models import InternalRcaInput, RcaTask, Recipient
from domain.state import EscalationState
from domain.transition import Transition, Tx


def records_closed(state: EscalationState, closed: list[str], *, at: datetime) -> Transition:
    """Close-stage entry, after the related records were closed by an activity."""
    tx = Tx(state, at, "system")
    s = tx.state
    s.related_records_closed = True
    tx.log(TimelineType.RELATED_RECORDS_CLOSED, {"records": closed})
    request_rca_or_close(tx)
    return tx.done()


def request_rca_or_close(tx: Tx) -> None:
    """What follows the related records: the internal RCA task, or the end."""
    s = tx.state
    if s.rca_required:
        coordinators = to.problem_coordinator(s)
        s.rca_internal = _rca_task(tx, RcaKind.INTERNAL, coordinators[0] if coordinators else None,
                                   brief=_internal_brief(s))
        s.deadlines.internal_rca_due = s.rca_internal.due_at
    else:
        _close(tx)


def _rca_task(tx: Tx, kind: RcaKind, assignee: Recipient | None, *, brief: str) -> RcaTask:
    """The task, and the message that tells its assignee everything it needs: what to write,
    by when, and what to write it from."""
    s = tx.state
    due = rca_due(s, kind, tx.at)
    task = RcaTask(id=f"{s.id}.rca.{kind.value}", kind=kind,
                   assignee=assignee.name if assignee else "unassigned",
                   due_at=due, created_at=tx.at)
    tx.log(TimelineType.RCA_REQUESTED,
           {"kind": kind.value, "assignee": task.assignee, "due_at": due.isoformat()})
    role = "problem_coordinator" if kind is RcaKind.INTERNAL else "engagement_lead"
    who = to.reach([assignee] if assignee else [], f"team {s.team} has no {role} in the policy")
    what = ("internal root cause analysis" if kind is RcaKind.INTERNAL
            else "customer-facing root cause analysis")
    tx.notify(NotificationEvent.RCA_TASK, who,
              subject=f"{kind.value.capitalize()} RCA due {to.when(due)}: {s.title}",
              message=f"Please write the {what} for {s.title}, due {to.when(due)}.\n\n{brief}")
    return task


def _internal_brief(s: EscalationState) -> str:
    return f"The resolution, as declared and verified:\n{s.resolution or '(none recorded)'}"


def _customer_brief(command: InternalRcaInput, author: str) -> str:
    """The internal RCA the customer RCA is written from (issue 20: the message carries it)."""
    actions = "\n".join(f"- {a}" for a in command.corrective_actions) or "- (none listed)"
    return (f"The internal RCA, by {author}:\n\nSummary:\n{command.summary}\n\n"
            f"Root cause:\n{command.root_cause}\n\nCorrective actions:\n{actions}\n\n"
            "Write for the customers: what happened, how it affected them, what we changed. "
            "Leave out internal names and systems.")


def submit_internal_rca(tx: Tx, command: InternalRcaInput) -> None:
    s = tx.state
    assert s.rca_internal is not None
    s.rca_internal = s.rca_internal.model_copy(
        update={"status": RcaStatus.SUBMITTED, "submitted_at": tx.at, "summary": command.summary,
                "root_cause": command.root_cause,
                "corrective_actions": command.corrective_actions})
    tx.log(TimelineType.INTERNAL_RCA_SUBMITTED,
           {"summary": command.summary, "root_cause": command.root_cause,
            "corrective_actions": command.corrective_actions})
    leads = to.engagement_lead(s)
    s.rca_customer = _rca_task(tx, RcaKind.CUSTOMER, leads[0] if leads else None,
                               brief=_customer_brief(command, tx.actor))
    s.deadlines.customer_rca_due = s.rca_customer.due_at


def share_customer_rca(tx: Tx, summary: str) -> None:
    s = tx.state
    assert s.rca_customer is not None
    s.rca_customer = s.rca_customer.model_copy(
        update={"status": RcaStatus.SUBMITTED, "submitted_at": tx.at, "summary": summary})
    tx.log(TimelineType.CUSTOMER_RCA_SHARED, {"summary": summary})
    text = to.fill(s.policy.templates.rca_shared, s, summary=summary)
    tx.notify(NotificationEvent.RCA_SHARED, to.customer_reach(s), subject=f"Root cause: {s.title}",
              message=text, audience=NotificationAudience.CUSTOMER)
    _close(tx)


def _close(tx: Tx) -> None:
    s = tx.state
    s.status = Status.CLOSED
    s.closed_at = tx.at
    tx.log(TimelineType.CLOSED, {"sla": s.sla.model_dump(mode="json")})


def cancel(tx: Tx, reason: str) -> None:
    s = tx.state
    s.status = Status.CANCELLED
    s.cancelled_at = tx.at
    s.task_force.active = False
    tx.log(TimelineType.CANCELLED, {"reason": reason})
    tx.notify(NotificationEvent.CANCELLED, to.stakeholder_reach(s) + to.team_reach(s, Level.AGENT),
              subject=f"Cancelled: {s.title}", message=f"{s.title} was cancelled: {reason}")
