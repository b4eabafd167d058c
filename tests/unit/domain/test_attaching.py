"""Posts that join an open escalation: one timeline entry, customers and services merged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import lifecycle
from domain.enums import Role, Stage, TimelineType
from domain.errors import ActionNotAllowed
from domain.messages import AttachedPost, AttachPostsInput
from domain.models import Actor, AffectedCustomer, CancelInput
from tests.unit.domain.test_lifecycle import IM, T0, act, opened

LISTENER = Actor(name="listener", role=Role.INTAKE)


def attach(*customers: str, services: tuple[str, ...] = ()) -> AttachPostsInput:
    return AttachPostsInput(
        actor=LISTENER,
        posts=[AttachedPost(source=f"twitter:{c}", author=f"@{c}", customer_id=c, posted_at=T0)
               for c in customers],
        affected_customers=[AffectedCustomer(id=c) for c in customers],
        affected_services=list(services),
    )


def test_a_batch_is_one_entry_naming_its_posts_and_what_it_added() -> None:
    state = opened(affected_customers=[{"id": "c1"}])
    done = lifecycle.attach_posts(state, attach("c1", "c2", "c3", services=("app",)),
                                  at=T0 + timedelta(minutes=5))
    assert [e.type for e in done.entries] == [TimelineType.POSTS_ATTACHED]
    entry = done.entries[0]
    assert (entry.actor, entry.details["count"]) == ("listener", 3)
    assert entry.details["posts"] == ["twitter:c1", "twitter:c2", "twitter:c3"]
    assert entry.details["affected_customers"] == ["c2", "c3"]  # c1 was already there
    assert [c.id for c in done.state.affected_customers] == ["c1", "c2", "c3"]
    assert done.state.affected_services == ["app"]
    assert done.state.version == state.version + 1
    assert done.notifications == []  # grouping is quiet: the team heard of the escalation


@pytest.mark.parametrize("ending", ["cancelled", "close stage"])
def test_an_ended_escalation_takes_no_posts(ending: str) -> None:
    state = opened()
    if ending == "cancelled":
        state = act(state, CancelInput(actor=IM, reason="duplicate"))
    else:
        state = state.model_copy(update={"stage": Stage.CLOSE})
    with pytest.raises(ActionNotAllowed, match="posts cannot be attached"):
        lifecycle.ensure_attachable(state)
