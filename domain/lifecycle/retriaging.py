"""Re-triage and de-escalation (issue 22): a person corrects what triage or the chain decided.

Re-triage sets a new priority, category or team. A new priority recomputes every deadline not
yet met or fired from the new priority's SLA as if it had applied since creation (its pauses
included): one already past fires at once, through the run loop like any due timer; one that
already fired stays fired, its breach stands. A new category recomputes the temperature; a new
team is told. The routing reasons gain the change, and the timeline entry holds before and after.
The routing rules run again in the API (the policy snapshot does not carry them) for the new
category and priority: their reasons replace the old ones, and their tier applies when their team
is the escalation's (a team changes only when the re-triage names one).

De-escalation moves the level one step down and tells the contacts of the level left. Only a
person does it: timers only ever raise the level.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import recipients as to
from domain.enums import Gate, Level, NotificationEvent, SlaOutcome, TimelineType
from domain.lifecycle import pausing
from domain.lifecycle.sla import arm_deadlines, gate_deadlines, next_update_due
from domain.models import RetriageInput, Routing
from domain.routing import temperature_of
from domain.state import EscalationState
from domain.timer_kinds import TimerKind
from domain.transition import Tx


def _facts(s: EscalationState) -> dict[str, Any]:
    return {"priority": s.priority.value, "category": s.category.value, "team": s.team,
            "tier": s.tier, "temperature": s.temperature.value}


def retriage(tx: Tx, command: RetriageInput) -> None:
    s = tx.state
    before = _facts(s)
    if command.priority is not None:
        s.priority = command.priority
    if command.category is not None:
        s.category = command.category
        s.temperature = temperature_of(s.policy, s.category)
    if command.team is not None:
        s.team = command.team
    moved = recompute_deadlines(s) if s.priority.value != before["priority"] else {}
    routed = command.routing
    if routed is not None and routed.team == s.team:
        s.tier = routed.tier  # a rule's tier belongs to the rule's team
    after = _facts(s)
    changes = ", ".join(f"{k} {before[k]} -> {after[k]}" for k in before if before[k] != after[k])
    line = f"re-triaged by {tx.actor}: {changes} ({command.reason})"
    s.routing = (Routing(rule=routed.rule, reasons=[*routed.reasons, line]) if routed is not None
                 else s.routing.model_copy(update={"reasons": [*s.routing.reasons, line]}))
    tx.log(TimelineType.RETRIAGED, {"reason": command.reason, "before": before, "after": after,
                                    "deadlines": moved})
    if s.team != before["team"]:
        tx.notify(NotificationEvent.RETRIAGED,
                  to.team_reach(s, Level.AGENT) + to.team_reach(s, s.level),
                  subject=f"[{s.priority.value}] Re-triaged to your team: {s.title}",
                  message=f"{tx.actor} re-triaged {s.title} from team {before['team']} to "
                  f"{s.team} ({changes}): {command.reason}")


def recompute_deadlines(s: EscalationState) -> dict[str, str | None]:
    """Every deadline not yet met or fired, from the current priority's SLA since its clock
    started, moved by the pauses since; the new values by field (changed ones only)."""
    fired, d = set(s.fired), s.deadlines
    fresh = arm_deadlines(s, s.created_at)
    new: dict[str, datetime] = {}

    def put(field: str, kind: TimerKind, due: datetime | None, since: datetime | None = None
            ) -> None:
        if getattr(d, field) is not None and due is not None and kind.value not in fired:
            new[field] = pausing.shifted(s, due, s.pauses, since=since)

    if s.acknowledged_at is None:
        put("acknowledge_due", TimerKind.ACKNOWLEDGE, fresh.acknowledge_due)
    put("engage_more_due", TimerKind.ENGAGE_MORE, fresh.engage_more_due)
    if s.sla.resolve is SlaOutcome.PENDING:
        put("resolve_warning_due", TimerKind.RESOLVE_WARNING, fresh.resolve_warning_due)
        put("resolve_due", TimerKind.RESOLVE_DEADLINE, fresh.resolve_due)
    if s.last_update_at is not None:
        put("next_update_due", TimerKind.UPDATE_CADENCE, next_update_due(s, s.last_update_at),
            since=s.last_update_at)
    for gate, opened, fields in (
        (Gate.VERIFY, s.resolution_declared_at, ("verify_reminder_due", "verify_due")),
        (Gate.CONFIRM, s.resolved_at, ("confirm_reminder_due", "confirm_due")),
    ):
        if opened is not None:
            kinds = (TimerKind(f"{gate.value}_reminder"), TimerKind(f"{gate.value}_overdue"))
            for field, kind, due in zip(fields, kinds, gate_deadlines(s, gate, opened),
                                        strict=True):
                put(field, kind, due, since=opened)
    changed: dict[str, str | None] = {}
    for field, due in new.items():
        if getattr(d, field) != due:
            setattr(d, field, due)
            changed[field] = due.isoformat()
    return changed


def deescalate(tx: Tx, reason: str) -> None:
    s = tx.state
    previous = s.level
    left = to.team_reach(s, previous)
    s.level = previous.lowered()
    tx.log(TimelineType.DEESCALATED,
           {"reason": reason, "from_level": previous.value, "to_level": s.level.value})
    tx.notify(NotificationEvent.DEESCALATED, left,
              subject=f"[{s.priority.value}] De-escalated to {s.level.value}: {s.title}",
              message=f"{tx.actor} de-escalated {s.title} from {previous.value} to "
              f"{s.level.value}: {reason}. The {previous.value} level is no longer on it.")
