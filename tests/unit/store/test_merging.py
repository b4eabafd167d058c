"""A merged duplicate's posts and group keys move to the escalation it was merged into."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Category
from store.merging import hand_over_posts
from store.posts import escalation_posts
from store.queries import KeySeen, insert_posts, open_groups, remember_keys
from tests.unit.store.factories import T0
from tests.unit.store.test_intake import stored, write


def keys_of(sessions: sessionmaker[Session], key: str) -> set[str]:
    groups = write(sessions, lambda s: open_groups(s, [key], since=T0 - timedelta(hours=1)))
    return {g.escalation_id for g in groups}


def test_posts_and_keys_follow_the_merge_and_a_second_call_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    write(sessions, lambda s: insert_posts(s, [stored(1, escalation_id="esc-dup"),
                                               stored(2, escalation_id="esc-dup"),
                                               stored(3, escalation_id="esc-keep")]))
    write(sessions, lambda s: remember_keys(s, [KeySeen(
        escalation_id="esc-dup", key="hashtag:down", category=Category.OUTAGE, team="sre",
        at=T0)]))
    for _ in range(2):
        write(sessions, lambda s: hand_over_posts(s, "esc-dup", "esc-keep"))
    posts, total = write(sessions, lambda s: escalation_posts(s, "esc-keep", limit=10))
    assert (total, sorted(p.source for p in posts)) == (3, ["twitter:1", "twitter:2",
                                                            "twitter:3"])
    assert write(sessions, lambda s: escalation_posts(s, "esc-dup", limit=10))[1] == 0
    assert "esc-keep" in keys_of(sessions, "hashtag:down")
