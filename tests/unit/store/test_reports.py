"""The SLA report: known answers on a hand-made store, and agreement with a plain-Python reference
(statistics.quantiles, inclusive = percentile_cont) on random stores, SQLite and PostgreSQL."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from domain.enums import Priority, SlaOutcome, Status
from domain.models import SlaState
from domain.reports import UNASSIGNED, GroupBy, SlaFigures, SlaReport
from store.engine import create_engine_for, session_factory
from store.migrate import upgrade_to_head
from store.queries import upsert_escalation
from store.reports import sla_report
from store.tables import EscalationRow
from tests.unit.store.factories import T0, make_view

MET, BREACHED, PENDING = SlaOutcome.MET, SlaOutcome.BREACHED, SlaOutcome.PENDING
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _escalation(
    escalation_id: str,
    *,
    priority: Priority,
    team: str,
    created: datetime,
    sla: tuple[SlaOutcome, SlaOutcome, SlaOutcome],
    status: Status = Status.OPEN,
    acknowledged_after: float | None = None,
    declared_after: float | None = None,
) -> Any:
    notice, acknowledge, resolve = sla
    return make_view(
        escalation_id,
        created_at=created,
        priority=priority,
        team=team,
        status=status,
        sla=SlaState(notice=notice, acknowledge=acknowledge, resolve=resolve),
        acknowledged_at=(created + timedelta(seconds=acknowledged_after)
                         if acknowledged_after is not None else None),
        resolution_declared_at=(created + timedelta(seconds=declared_after)
                                if declared_after is not None else None),
    )


# Hand-made: every figure below was worked out on paper from these six.
KNOWN = [
    _escalation("esc-a", priority=Priority.P1, team="billing", created=T0,
                sla=(MET, MET, MET), status=Status.CLOSED,
                acknowledged_after=600, declared_after=3600),
    _escalation("esc-b", priority=Priority.P1, team="billing", created=T0 + HOUR,
                sla=(MET, BREACHED, BREACHED), status=Status.CLOSED,
                acknowledged_after=1200, declared_after=7200),
    _escalation("esc-c", priority=Priority.P1, team="billing", created=T0 + 2 * HOUR,
                sla=(BREACHED, BREACHED, PENDING)),  # open and breached
    _escalation("esc-d", priority=Priority.P2, team="support", created=T0,
                sla=(PENDING, MET, PENDING), acknowledged_after=300),
    _escalation("esc-e", priority=Priority.P2, team="support", created=T0 + DAY,
                sla=(MET, MET, MET), status=Status.CLOSED,
                acknowledged_after=900, declared_after=86400),
    _escalation("esc-f", priority=Priority.P3, team="billing", created=T0 + 3 * HOUR,
                sla=(PENDING, PENDING, PENDING), status=Status.CANCELLED),
]

P1 = SlaFigures(
    count=3, notice_within_sla=2 / 3, acknowledge_within_sla=1 / 3, resolve_within_sla=1 / 2,
    mean_seconds_to_acknowledge=900, p90_seconds_to_acknowledge=1140,
    mean_seconds_to_resolve=5400, p90_seconds_to_resolve=6840, open_breaches=1,
)
P2 = SlaFigures(
    count=2, notice_within_sla=1.0, acknowledge_within_sla=1.0, resolve_within_sla=1.0,
    mean_seconds_to_acknowledge=600, p90_seconds_to_acknowledge=840,
    mean_seconds_to_resolve=86400, p90_seconds_to_resolve=86400, open_breaches=0,
)
P3 = SlaFigures(count=1, notice_within_sla=None, acknowledge_within_sla=None,
                resolve_within_sla=None, open_breaches=0)
BILLING = P1.model_copy(update={"count": 4})  # P1's three plus the cancelled P3
OVERALL = SlaFigures(
    count=6, notice_within_sla=3 / 4, acknowledge_within_sla=3 / 5, resolve_within_sla=2 / 3,
    mean_seconds_to_acknowledge=750, p90_seconds_to_acknowledge=1110,  # 900 + 0.7 * 300
    mean_seconds_to_resolve=32400, p90_seconds_to_resolve=70560,  # 7200 + 0.8 * 79200
    open_breaches=1,
)


def _figures(figures: SlaFigures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in SlaFigures.model_fields}


def _approx(figures: SlaFigures) -> dict[str, Any]:
    return {name: value if value is None else pytest.approx(value, rel=1e-9, abs=1e-6)
            for name, value in _figures(figures).items()}


def _report(sessions: sessionmaker[Session], **filters: Any) -> SlaReport:
    with sessions() as s, s.begin():
        return sla_report(s, **filters)


class TestKnownAnswers:
    @pytest.fixture
    def stored(self, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
        with sessions() as s, s.begin():
            for view in KNOWN:
                upsert_escalation(s, view)
        return sessions

    def test_per_priority(self, stored: sessionmaker[Session]) -> None:
        report = _report(stored)
        by_priority = {row.priority: _figures(row) for row in report.by_priority}
        assert by_priority == {
            Priority.P1: _approx(P1),
            Priority.P2: _approx(P2),
            Priority.P3: _approx(P3),
            Priority.P4: _figures(SlaFigures.empty()),  # listed, though empty
        }

    def test_per_team(self, stored: sessionmaker[Session]) -> None:
        report = _report(stored)
        assert {row.team: _figures(row) for row in report.by_team} == {
            "billing": _approx(BILLING),
            "support": _approx(P2),
        }

    def test_overall(self, stored: sessionmaker[Session]) -> None:
        assert _figures(_report(stored).overall) == _approx(OVERALL)

    def test_window_keeps_since_and_drops_until(self, stored: sessionmaker[Session]) -> None:
        report = _report(stored, since=T0 + HOUR, until=T0 + DAY)
        # b (at since), c and f; a and d are earlier, e is at until.
        assert report.overall.count == 3
        assert {row.priority: row.count for row in report.by_priority} == {
            Priority.P1: 2, Priority.P2: 0, Priority.P3: 1, Priority.P4: 0,
        }
        assert (report.since, report.until) == (T0 + HOUR, T0 + DAY)

    def test_team_filter(self, stored: sessionmaker[Session]) -> None:
        report = _report(stored, team="support")
        assert [row.team for row in report.by_team] == ["support"]
        assert _figures(report.overall) == _approx(P2)
        assert {row.priority: row.count for row in report.by_priority}[Priority.P1] == 0

    def test_breach_of_a_closed_escalation_is_no_open_breach(
        self, stored: sessionmaker[Session]
    ) -> None:
        # b breached two clocks but is closed; only c counts.
        assert _report(stored, team="billing", since=T0 + HOUR).overall.open_breaches == 1


def test_empty_store_reports_every_priority_with_nothing_measured(
    sessions: sessionmaker[Session],
) -> None:
    report = _report(sessions)
    assert report.overall == SlaFigures.empty()
    assert [row.count for row in report.by_priority] == [0, 0, 0, 0]
    assert report.by_team == []


# Agreement with a reference computed in Python from the same rows.

TEAMS = ["billing", "support", "sre", "sales", "network"]
STATUSES = [Status.OPEN.value, Status.CLOSED.value, Status.CANCELLED.value]
OUTCOMES = [o.value for o in SlaOutcome]
CATEGORIES = ["billing", "outage", "other"]
OWNERS = ["Ana", "Bo", None]


def _random_rows(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Rows as the table holds them; times in whole milliseconds (what SQLite resolves)."""
    rng = random.Random(seed)
    for n in range(count):
        created = T0 + timedelta(milliseconds=rng.randrange(30 * 86_400_000))
        sla = [rng.choice(OUTCOMES) for _ in range(3)]
        acknowledged = (created + timedelta(milliseconds=rng.randrange(1, 8 * 3_600_000))
                        if rng.random() < 0.7 else None)
        declared = (created + timedelta(milliseconds=rng.randrange(1, 5 * 86_400_000))
                    if rng.random() < 0.5 else None)
        noticed = (created + timedelta(milliseconds=rng.randrange(1, 2 * 3_600_000))
                   if rng.random() < 0.8 else None)
        yield {
            "id": f"esc-{seed}-{n:06d}", "version": 1, "title": "t",
            "category": rng.choice(CATEGORIES), "owner": rng.choice(OWNERS),
            "status": rng.choice(STATUSES), "stage": "communicate",
            "priority": rng.choice(list(Priority)).value, "tier": rng.randint(1, 3),
            "level": "agent", "team": rng.choice(TEAMS), "temperature": "cold",
            "breached": SlaOutcome.BREACHED.value in sla,
            "sla_notice": sla[0], "sla_acknowledge": sla[1], "sla_resolve": sla[2],
            "created_at": created, "updated_at": created,
            "acknowledged_at": acknowledged, "resolution_declared_at": declared,
            "notice_sent_at": noticed,
            # Paused time is taken out of the times to acknowledge and resolve.
            "paused_before_acknowledgement": rng.choice([0, 0, 600]) if acknowledged else 0,
            "paused_before_resolution": rng.choice([0, 3600]) if declared else 0,
            "view_json": '{"tags": []}',  # only recurring issues read the view (its tags)
        }


def _bulk_insert(sessions: sessionmaker[Session], rows: Iterable[dict[str, Any]]) -> None:
    # Core executemany on the table: the ORM's bulk path would split the batch by which
    # columns are NULL and run thousands of statements.
    statement = insert(SQLModel.metadata.tables[EscalationRow.__tablename__])
    with sessions() as s, s.begin():
        s.connection().execute(statement, list(rows))


def _share(rows: list[dict[str, Any]], column: str) -> float | None:
    met = sum(r[column] == MET.value for r in rows)
    breached = sum(r[column] == BREACHED.value for r in rows)
    return met / (met + breached) if met + breached else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    # "inclusive" interpolates between ranks as percentile_cont does; the 9th decile is p90.
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def _reference_figures(rows: list[dict[str, Any]]) -> SlaFigures:
    def seconds(column: str, paused: str | None = None) -> list[float]:
        return [(r[column] - r["created_at"]).total_seconds() - (r[paused] if paused else 0)
                for r in rows if r[column]]

    acknowledge = seconds("acknowledged_at", "paused_before_acknowledgement")
    resolve = seconds("resolution_declared_at", "paused_before_resolution")
    notice = seconds("notice_sent_at")
    return SlaFigures(
        count=len(rows),
        notice_within_sla=_share(rows, "sla_notice"),
        acknowledge_within_sla=_share(rows, "sla_acknowledge"),
        resolve_within_sla=_share(rows, "sla_resolve"),
        mean_seconds_to_notice=statistics.fmean(notice) if notice else None,
        p90_seconds_to_notice=_p90(notice),
        mean_seconds_to_acknowledge=statistics.fmean(acknowledge) if acknowledge else None,
        p90_seconds_to_acknowledge=_p90(acknowledge),
        mean_seconds_to_resolve=statistics.fmean(resolve) if resolve else None,
        p90_seconds_to_resolve=_p90(resolve),
        open_breaches=sum(r["status"] == "open" and r["breached"] for r in rows),
    )


def _reference(
    rows: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool] = lambda _: True
) -> dict[str, Any]:
    kept = [r for r in rows if keep(r)]

    def grouped(column: str) -> dict[str, Any]:
        keys = sorted({r[column] for r in kept})
        return {k: _approx(_reference_figures([r for r in kept if r[column] == k])) for k in keys}

    by_priority = {p.value: _figures(SlaFigures.empty()) for p in Priority}
    by_priority.update(grouped("priority"))
    return {"overall": _approx(_reference_figures(kept)), "by_priority": by_priority,
            "by_team": grouped("team")}


def _answer(report: SlaReport) -> dict[str, Any]:
    return {
        "overall": _figures(report.overall),
        "by_priority": {row.priority.value: _figures(row) for row in report.by_priority},
        "by_team": {row.team: _figures(row) for row in report.by_team},
    }


class TestAgreesWithReference:
    ROWS = list(_random_rows(600, seed=7))

    @pytest.fixture
    def stored(self, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
        _bulk_insert(sessions, self.ROWS)
        return sessions

    def test_whole_store(self, stored: sessionmaker[Session]) -> None:
        assert _answer(_report(stored)) == _reference(self.ROWS)

    @pytest.mark.parametrize("group_by", [GroupBy.OWNER, GroupBy.TIER, GroupBy.CATEGORY,
                                          GroupBy.TEAM])
    def test_grouped_by(self, stored: sessionmaker[Session], group_by: GroupBy) -> None:
        report = _report(stored, group_by=group_by)
        assert report.group_by is group_by
        found = {row.value: _figures(row) for row in report.groups}

        def value(row: dict[str, Any]) -> str:
            return UNASSIGNED if row[group_by.value] is None else str(row[group_by.value])

        expected = {v: _approx(_reference_figures([r for r in self.ROWS if value(r) == v]))
                    for v in {value(r) for r in self.ROWS}}
        assert found == expected
        assert [row.value for row in report.groups] == sorted(expected)

    def test_window_and_team(self, stored: sessionmaker[Session]) -> None:
        since, until = T0 + 5 * DAY, T0 + 12 * DAY
        report = _report(stored, since=since, until=until, team="sre")
        assert _answer(report) == _reference(
            self.ROWS, lambda r: since <= r["created_at"] < until and r["team"] == "sre"
        )


def test_hundred_thousand_escalations_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    try:
        sessions = session_factory(engine)
        rows = list(_random_rows(100_000, seed=11))
        _bulk_insert(sessions, rows)
        started = time.perf_counter()
        report = _report(sessions)
        elapsed = time.perf_counter() - started
        print(f"\nbench: SLA report over 100,000 escalations on SQLite: {elapsed:.2f} s")
        assert _answer(report) == _reference(rows)
    finally:
        engine.dispose()
