"""Steps that actions and fired timers share, each applied to an open `Tx`.

An action and a timer that do the same thing (a notice, an escalation up the chain, the move to
resolve) go through the same step, so both write the same timeline entries and notifications.
"""

from __future__ import annotations

from domain import recipients as to
from domain.enums import (
    Audience,
    EscalationType,
    Level,
    NotificationAudience,
    NotificationEvent,
    ResolutionState,
    SlaOutcome,
    Stage,
    TimelineType,
)
from domain.lifecycle.sla import next_update_due
from domain.models import AffectedCustomer, Recipient
from domain.transition import Tx


def change_stage(tx: Tx, stage: Stage) -> None:
    previous = tx.state.stage
    tx.state.stage = stage
    tx.log(TimelineType.STAGE_CHANGED, {"from": previous.value, "to": stage.value})


def advance(tx: Tx) -> None:
    """communicate -> resolve once a notice went out and an action plan exists."""
    s = tx.state
    if (
        s.is_open
        and s.stage is Stage.COMMUNICATE
        and s.notice_sent_at is not None
        and s.action_plan is not None
    ):
        change_stage(tx, Stage.RESOLVE)


def restart_cadence(tx: Tx) -> None:
    s = tx.state
    s.last_update_at = tx.at
    s.missed_updates = 0
    s.deadlines.next_update_due = next_update_due(s, tx.at)


def escalate_level(tx: Tx, to_level: Level, *, kind: EscalationType, reason: str,
                   tier: int | None = None) -> None:
    """Move up the chain (never down) and tell the new level's contacts."""
    s = tx.state
    previous_level, previous_tier = s.level, s.tier
    s.level = s.level.at_least(to_level)
    if tier is not None:
        s.tier = max(s.tier, min(tier, 3))
    tx.log(
        TimelineType.ESCALATED,
        {"type": kind.value, "reason": reason, "from_level": previous_level.value,
         "to_level": s.level.value, "from_tier": previous_tier, "to_tier": s.tier},
    )
    tx.notify(
        NotificationEvent.ESCALATED,
        to.team_reach(s, s.level),
        subject=f"[{s.priority.value}] Escalated to {s.level.value}: {s.title}",
        message=f"{s.title} was escalated ({kind.value}): {reason}",
    )


def notify_audiences(
    tx: Tx, event: NotificationEvent, audiences: list[Audience], *, subject: str, message: str
) -> dict[str, int]:
    sent: dict[str, int] = {}
    if Audience.INTERNAL in audiences:
        sent["internal"] = tx.notify(event, to.stakeholder_reach(tx.state), subject=subject,
                                     message=message)
    if Audience.CUSTOMERS in audiences:
        sent["customers"] = tx.notify(
            event, to.customer_reach(tx.state), subject=subject, message=message,
            audience=NotificationAudience.CUSTOMER,
        )
    return sent


def send_notice(tx: Tx, message: str | None, audiences: list[Audience], *, automatic: bool) -> None:
    s = tx.state
    first = s.notice_sent_at is None
    if first:
        s.notice_sent_at = tx.at
        if s.sla.notice is SlaOutcome.PENDING:
            s.sla.notice = SlaOutcome.MET
        if s.resolution_state is ResolutionState.WORKING:
            restart_cadence(tx)
    text = message or to.fill(s.policy.templates.notice, s)
    tx.log(
        TimelineType.NOTICE_SENT,
        {"message": text, "audiences": [a.value for a in audiences], "automatic": automatic,
         "first": first},
    )
    notify_audiences(tx, NotificationEvent.NOTICE, audiences,
                     subject=f"Notice: {s.title}", message=text)


def unique(existing: list[str], new: list[str]) -> list[str]:
    return list(dict.fromkeys([*existing, *new]))


def unique_recipients(existing: list[Recipient], new: list[Recipient]) -> list[Recipient]:
    """One recipient per channel and address: the same inbox named twice is told once."""
    seen = {(r.channel, r.address) for r in existing}
    merged = list(existing)
    for r in new:
        if (r.channel, r.address) not in seen:
            seen.add((r.channel, r.address))
            merged.append(r)
    return merged


def unique_customers(
    existing: list[AffectedCustomer], new: list[AffectedCustomer]
) -> list[AffectedCustomer]:
    seen = {c.id for c in existing}
    merged = list(existing)
    for c in new:
        if c.id not in seen:
            seen.add(c.id)
            merged.append(c)
    return merged
