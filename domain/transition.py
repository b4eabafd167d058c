"""Transition: the outcome of one decision, as data the workflow turns into effects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.enums import NotificationAudience, NotificationEvent, TimelineType
from domain.models import Recipient, TimelineEntry
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
        self.state = state.model_copy(deep=True)
        self.at = at
        self.actor = actor
        self.entries: list[TimelineEntry] = []
        self.notifications: list[Notification] = []

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
        recipients: Iterable[Recipient],
        *,
        subject: str,
        message: str,
        audience: NotificationAudience = NotificationAudience.INTERNAL,
    ) -> int:
        """Queue one delivery per distinct recipient, keyed by the last timeline entry."""
        seq = self.state.seq
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
        if self.entries:
            self.state.version += 1
            self.state.updated_at = self.at
        self.state.outbox = [*self.state.outbox, *self.notifications]
        return Transition(state=self.state, entries=self.entries, notifications=self.notifications)
