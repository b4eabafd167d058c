"""A notification the workflow gave up delivering: recorded in the timeline, nothing else."""

from __future__ import annotations

from datetime import datetime

from domain.enums import TimelineType
from domain.state import EscalationState
from domain.transition import Transition, Tx


def notification_failed(
    state: EscalationState, notification_id: str, reason: str, *, at: datetime
) -> Transition:
    tx = Tx(state, at, "system")
    failed = next((n for n in state.outbox if n.id == notification_id), None)
    tx.log(
        TimelineType.NOTIFICATION_FAILED,
        {"notification_id": notification_id, "reason": reason,
         "event": failed.event.value if failed else None,
         "recipient": failed.recipient.name if failed else None,
         "channel": failed.recipient.channel.value if failed else None},
    )
    return tx.done()
