"""Presence on a console page, kept in the store so every API process sees everyone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store.queries import Presence, touch_presence
from tests.unit.store.factories import T0

WINDOW = timedelta(seconds=30)


def touch(sessions: sessionmaker[Session], person: str, activity: str = "viewing",
          after: float = 0.0, escalation_id: str = "esc-1") -> list[Presence]:
    at = T0 + timedelta(seconds=after)
    with sessions() as session, session.begin():
        return touch_presence(session, escalation_id=escalation_id, person=person,
                              activity=activity, at=at, since=at - WINDOW)


def test_each_person_sees_the_others_but_not_themselves(sessions: sessionmaker[Session]) -> None:
    touch(sessions, "alice")
    seen = touch(sessions, "bob", "writing:post_status_update", after=1)
    assert [(p.person, p.activity) for p in seen] == [("alice", "viewing")]
    assert [p.person for p in touch(sessions, "alice", after=2)] == ["bob"]


def test_someone_not_seen_within_the_window_is_gone(sessions: sessionmaker[Session]) -> None:
    touch(sessions, "alice")
    assert touch(sessions, "bob", after=31) == []


def test_presence_is_per_escalation(sessions: sessionmaker[Session]) -> None:
    touch(sessions, "alice", escalation_id="esc-2")
    assert touch(sessions, "bob") == []
