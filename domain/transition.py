"""Transition: the outcome of one decision, as data the workflow turns into effects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.enums import NotificationAudience, NotificationEvent, TimelineType
from domain.models import Recipient, TimelineEntry
from domain.reach import Reach
from domain.state import EscalationState, Notification


class Transition(BaseModel):
    state: EscalationState
    entries: list[TimelineEntry] = []
    notifications: list[Notification] = []

    @property
    def changed(self) -> bool:
        return bool(self.entries)


class Tx:
    """Builds one Transition over a private copy of the state; never touches the original."""

    def __init__(self, state: EscalationState, at: datetime, actor: str) -> None:
        # The outbox is copied as a list, not deeply: its notifications are values nothing
        # changes in place, and a recipient slower than the updates can leave hundreds of them
        # queued; copying each on every transition made a workflow task too slow to finish.
        self.state = state.model_copy(update={"outbox": []}).model_copy(deep=True)
        self.state.outbox = list(state.outbox)
        self.at = at
        self.actor = actor
        self.entries: list[TimelineEntry] = []
        self.notifications: list[Notification] = []
        self._skipped: list[dict[str, Any]] = []  # logged last, by done()

    def log(self, type_: TimelineType, details: dict[str, Any] | None = None) -> int:
        self.state.seq += 1
        self.entries.append(
            TimelineEntry(
                seq=self.state.seq,
                at=self.at,
                type=type_,
                actor=self.actor,
                stage=self.state.stage,
                details=details or {},
            )
        )
        return self.state.seq

    def notify(
        self,
        event: NotificationEvent,
        recipients: Iterable[Recipient] | Reach,
        *,
        subject: str,
        message: str,
        audience: NotificationAudience = NotificationAudience.INTERNAL,
    ) -> int:
        """Queue one delivery per distinct recipient, keyed by the last timeline entry.

        Whoever it cannot reach (nobody at all, or some of a Reach's people) is recorded as a
        `notification_skipped` entry with the reason: no message is dropped in silence."""
        found = recipients if isinstance(recipients, Reach) else Reach(recipients=list(recipients))
        recipients = found.recipients
        seq = self.state.seq
        if not recipients or found.unreached:
            self._skipped.append({
                "event": event.value, "audience": audience.value, "subject": subject,
                "cause_seq": seq, "reason": None if recipients else found.nobody,
                "unreached": [u.model_dump() for u in found.unreached],
            })
        seen: set[tuple[str, str]] = {
            (n.recipient.channel.value, n.recipient.address)
            for n in self.notifications
            if n.event is event and n.seq == seq
        }
        count = 0
        for recipient in recipients:
            key = (recipient.channel.value, recipient.address)
            if key in seen:
                continue
            seen.add(key)
            index = sum(1 for n in self.notifications if n.seq == seq and n.event is event)
            self.notifications.append(
                Notification(
                    id=f"{self.state.id}.{event.value}.{seq}.{index}",
                    escalation_id=self.state.id,
                    event=event,
                    audience=audience,
                    recipient=recipient,
                    subject=subject,
                    message=message,
                    seq=seq,
                )
            )
            count += 1
        return count

    def done(self) -> Transition:
        for skipped in self._skipped:
            self.log(TimelineType.NOTIFICATION_SKIPPED, skipped)
        self._skipped = []
        if self.entries:
            self.state.version += 1
            self.state.updated_at = self.at
        self.state.outbox = [*self.state.outbox, *self.notifications]
        return Transition(state=self.state, entries=self.entries, notifications=self.notifications)
