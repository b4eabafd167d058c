from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from store.queries import close_records
from store.tables import ClosedRecordRow
from tests.unit.store.factories import T0


class TestCloseRecords:
    def test_returns_each_record_once_in_order(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            closed = close_records(
                s, escalation_id="esc-1", records=["INC-2", "INC-1", "INC-2"], at=T0
            )
        assert closed == ["INC-2", "INC-1"]

    def test_a_retry_changes_nothing_and_answers_the_same(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with sessions() as s, s.begin():
            first = close_records(s, escalation_id="esc-1", records=["INC-1", "PRB-7"], at=T0)
        with sessions() as s, s.begin():
            again = close_records(
                s, escalation_id="esc-1", records=["INC-1", "PRB-7"], at=T0 + timedelta(hours=1)
            )
            rows = s.exec(select(ClosedRecordRow)).all()
        assert again == first
        assert sorted((r.record, r.closed_at) for r in rows) == [("INC-1", T0), ("PRB-7", T0)]

    def test_no_records_is_a_no_op(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            assert close_records(s, escalation_id="esc-1", records=[], at=T0) == []
