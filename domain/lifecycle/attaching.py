"""Posts that join an open escalation (social intake, a growing spike): `attach_posts`.

Not a lifecycle action: nobody takes it over the action routes, it has no role table entry and
no 409 of its own. The intake service sends it for a whole batch at once, so an escalation gets
one timeline entry per batch, however many posts joined it.
"""

from __future__ import annotations

from datetime import datetime

from domain.enums import Stage, TimelineType
from domain.errors import ActionNotAllowed
from domain.lifecycle.rules import allowed_actions
from domain.lifecycle.steps import unique, unique_customers
from domain.messages import AttachPostsInput
from domain.state import EscalationState
from domain.transition import Transition, Tx


def ensure_attachable(state: EscalationState) -> None:
    """Open and not yet in close: once resolved, a new post is a new matter."""
    if not state.is_open or state.stage is Stage.CLOSE:
        why = (f"the escalation is {state.status.value}" if not state.is_open
               else "it is in stage close")
        raise ActionNotAllowed(f"posts cannot be attached: {why}", stage=state.stage.value,
                               allowed_actions=[a.value for a in allowed_actions(state)])


def attach_posts(state: EscalationState, command: AttachPostsInput, *, at: datetime
                 ) -> Transition:
    tx = Tx(state, at, command.actor.name)
    s = tx.state
    customers, services = len(s.affected_customers), len(s.affected_services)
    s.affected_customers = unique_customers(s.affected_customers, command.affected_customers)
    s.affected_services = unique(s.affected_services, command.affected_services)
    details: dict[str, object] = {
        "count": len(command.posts),
        "posts": [p.source for p in command.posts],
        "affected_customers": [c.id for c in s.affected_customers[customers:]],
        "affected_services": s.affected_services[services:],
    }
    if command.note:
        details["note"] = command.note
    tx.log(TimelineType.POSTS_ATTACHED, details)
    return tx.done()
