from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio.testing import ActivityEnvironment

from activities.store import StoreActivities
from domain.enums import Stage
from domain.messages import CloseRecordsInput, PriorEscalationsInput, RecordInput
from store.queries import get_escalation, get_timeline
from tests.unit.store.factories import T0, customer, entry, make_view


class TestRecordEscalation:
    def test_a_retried_record_writes_once(self, sessions: sessionmaker[Session]) -> None:
        activities = StoreActivities(sessions)
        record = RecordInput(view=make_view("esc-1"), entries=[entry(1), entry(2)])
        ActivityEnvironment().run(activities.record_escalation, record)
        ActivityEnvironment().run(activities.record_escalation, record)
        with sessions() as s, s.begin():
            assert get_escalation(s, "esc-1") == record.view
            assert [e.seq for e in get_timeline(s, "esc-1")] == [1, 2]

    def test_a_late_older_record_adds_its_entries_but_not_its_view(
        self, sessions: sessionmaker[Session]
    ) -> None:
        activities = StoreActivities(sessions)
        newer = RecordInput(
            view=make_view("esc-1", version=3, stage=Stage.RESOLVE), entries=[entry(3)]
        )
        older = RecordInput(view=make_view("esc-1", version=2), entries=[entry(2)])
        ActivityEnvironment().run(activities.record_escalation, newer)
        ActivityEnvironment().run(activities.record_escalation, older)
        with sessions() as s, s.begin():
            stored = get_escalation(s, "esc-1")
            seqs = [e.seq for e in get_timeline(s, "esc-1")]
        assert stored is not None
        assert stored.version == 3
        assert seqs == [2, 3]


class TestLookups:
    def test_count_prior_escalations(self, sessions: sessionmaker[Session]) -> None:
        activities = StoreActivities(sessions)
        for n, escalation_id in enumerate(["esc-1", "esc-2", "esc-3"]):
            view = make_view(
                escalation_id, created_at=T0 + timedelta(days=n), customer=customer("c1")
            )
            ActivityEnvironment().run(activities.record_escalation, RecordInput(view=view))
        asked = PriorEscalationsInput(customer_id="c1", since=T0, exclude_id="esc-3")
        assert ActivityEnvironment().run(activities.count_prior_escalations, asked) == 2

    def test_close_related_records_answers_the_same_on_retry(
        self, sessions: sessionmaker[Session]
    ) -> None:
        activities = StoreActivities(sessions)
        asked = CloseRecordsInput(escalation_id="esc-1", records=["INC-1", "PRB-7"])
        first = ActivityEnvironment().run(activities.close_related_records, asked)
        again = ActivityEnvironment().run(activities.close_related_records, asked)
        assert first == again == ["INC-1", "PRB-7"]
