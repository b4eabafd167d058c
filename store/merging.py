"""A merged duplicate's social posts and group keys go to the escalation it was merged into
(issue 22): its posts are listed there, and a later post about the same matter joins there."""

from __future__ import annotations

from sqlalchemy import select as select_rows
from sqlalchemy import update
from sqlmodel import Session

from domain.enums import Category
from store import statements
from store.intake_groups import KeySeen, remember_keys

POSTS = statements.POSTS
KEYS = statements.INTAKE_KEYS


def hand_over_posts(session: Session, duplicate_id: str, into_id: str) -> None:
    """Idempotent: a second call finds no post left on the duplicate and keeps the keys'
    later times."""
    session.execute(update(POSTS).where(POSTS.c.escalation_id == duplicate_id)
                    .values(escalation_id=into_id))
    rows = session.execute(select_rows(KEYS.c.key, KEYS.c.category, KEYS.c.team, KEYS.c.last_at)
                           .where(KEYS.c.escalation_id == duplicate_id)).all()
    remember_keys(session, [KeySeen(escalation_id=into_id, key=key, category=Category(category),
                                    team=team, at=last_at)
                            for key, category, team, last_at in rows])
