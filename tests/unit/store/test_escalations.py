from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Stage
from store.queries import count_prior_escalations, get_escalation, upsert_escalation
from store.tables import EscalationRow
from tests.unit.store.factories import T0, customer, make_view


class TestUpsertEscalation:
    def test_a_new_escalation_reads_back_equal(self, sessions: sessionmaker[Session]) -> None:
        view = make_view("esc-1", customer=customer("c1"))
        with sessions() as s, s.begin():
            assert upsert_escalation(s, view)
        with sessions() as s, s.begin():
            assert get_escalation(s, "esc-1") == view

    def test_a_newer_version_replaces_the_projection(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-1", version=1))
        with sessions() as s, s.begin():
            assert upsert_escalation(s, make_view("esc-1", version=2, stage=Stage.RESOLVE))
        with sessions() as s, s.begin():
            stored = get_escalation(s, "esc-1")
        assert stored is not None
        assert (stored.version, stored.stage) == (2, Stage.RESOLVE)

    def test_an_older_version_arriving_late_is_ignored(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-1", version=3, stage=Stage.RESOLVE))
        with sessions() as s, s.begin():
            assert not upsert_escalation(s, make_view("esc-1", version=2, stage=Stage.START))
        with sessions() as s, s.begin():
            stored = get_escalation(s, "esc-1")
        assert stored is not None
        assert (stored.version, stored.stage) == (3, Stage.RESOLVE)

    def test_the_same_version_again_is_written(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-1", version=2))
        with sessions() as s, s.begin():
            assert upsert_escalation(s, make_view("esc-1", version=2, title="Retitled"))
        with sessions() as s, s.begin():
            stored = get_escalation(s, "esc-1")
        assert stored is not None
        assert stored.title == "Retitled"

    def test_concurrent_writers_leave_the_newest_version(
        self, sessions: sessionmaker[Session]
    ) -> None:
        # The guard is inside the statement, so no interleaving lets an older write win.
        versions = list(range(1, 41))
        random.Random(7).shuffle(versions)

        def write(version: int) -> None:
            with sessions() as s, s.begin():
                upsert_escalation(s, make_view("esc-1", version=version, title=f"v{version}"))

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(write, versions))
        with sessions() as s, s.begin():
            stored = get_escalation(s, "esc-1")
        assert stored is not None
        assert (stored.version, stored.title) == (40, "v40")

    def test_an_unknown_id_reads_as_none(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            assert get_escalation(s, "esc-missing") is None

    def test_columns_come_back_as_aware_utc(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-1"))
        with sessions() as s, s.begin():
            row = s.get(EscalationRow, "esc-1")
        assert row is not None
        assert row.created_at == T0
        assert row.created_at.tzinfo == UTC
        assert row.notice_due == T0 + timedelta(hours=1)
        assert row.notice_due.tzinfo == UTC

    def test_a_naive_datetime_is_refused(self, sessions: sessionmaker[Session]) -> None:
        naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 (the point of the test)
        with pytest.raises(StatementError, match="naive datetime"), sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-1", created_at=naive))


class TestCountPriorEscalations:
    def test_counts_the_customers_other_escalations_since(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with sessions() as s, s.begin():
            for escalation_id, customer_id, days_ago in [
                ("esc-old", "c1", 100),
                ("esc-a", "c1", 30),
                ("esc-b", "c1", 1),
                ("esc-other", "c2", 1),
                ("esc-now", "c1", 0),
            ]:
                view = make_view(
                    escalation_id,
                    created_at=T0 - timedelta(days=days_ago),
                    customer=customer(customer_id),
                )
                upsert_escalation(s, view)
        with sessions() as s, s.begin():
            count = count_prior_escalations(
                s, customer_id="c1", since=T0 - timedelta(days=90), exclude_id="esc-now"
            )
        assert count == 2

    def test_a_first_escalation_has_no_prior(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-now", customer=customer("c1")))
        with sessions() as s, s.begin():
            since = datetime(2026, 1, 1, tzinfo=UTC)
            assert (
                count_prior_escalations(s, customer_id="c1", since=since, exclude_id="esc-now") == 0
            )
