from __future__ import annotations

from datetime import UTC, timedelta, timezone

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store.queries import append_timeline, get_timeline
from tests.unit.store.factories import T0, entry


class TestAppendTimeline:
    def test_entries_come_back_in_seq_order(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [entry(3), entry(1), entry(2)])
        with sessions() as s, s.begin():
            assert [e.seq for e in get_timeline(s, "esc-1")] == [1, 2, 3]

    def test_a_retried_append_adds_nothing(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [entry(1), entry(2)])
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [entry(1), entry(2), entry(3)])
        with sessions() as s, s.begin():
            assert [e.seq for e in get_timeline(s, "esc-1")] == [1, 2, 3]

    def test_the_first_write_of_a_seq_wins(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [entry(1, actor="alice")])
            append_timeline(s, "esc-1", [entry(1, actor="mallory")])
        with sessions() as s, s.begin():
            assert [e.actor for e in get_timeline(s, "esc-1")] == ["alice"]

    def test_entries_round_trip_with_details_and_aware_times(
        self, sessions: sessionmaker[Session]
    ) -> None:
        written = entry(1, reason="double charge", records=["INC-1"], nested={"tier": 2})
        written.at = T0.astimezone(timezone(timedelta(hours=5)))
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [written])
        with sessions() as s, s.begin():
            (read,) = get_timeline(s, "esc-1")
        assert read == written
        assert read.at.tzinfo == UTC

    def test_timelines_are_kept_apart(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            append_timeline(s, "esc-1", [entry(1)])
            append_timeline(s, "esc-2", [entry(1), entry(2)])
        with sessions() as s, s.begin():
            assert len(get_timeline(s, "esc-1")) == 1
            assert get_timeline(s, "esc-unknown") == []
