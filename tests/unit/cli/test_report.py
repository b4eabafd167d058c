"""`escalations report`: the store's SLA figures as a table or CSV, read via DATABASE_URL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from cli.report import report
from domain.enums import Priority, SlaOutcome, Status
from domain.models import SlaState
from store.engine import create_engine_for, session_factory
from store.migrate import upgrade_to_head
from store.queries import upsert_escalation
from tests.unit.store.factories import T0, make_view

MET, BREACHED = SlaOutcome.MET, SlaOutcome.BREACHED


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(report)
    return app


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Two P1 billing escalations (one acknowledged late and still open) and a P3 support one."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    views = [
        make_view("esc-a", priority=Priority.P1, team="billing", status=Status.CLOSED,
                  sla=SlaState(notice=MET, acknowledge=MET, resolve=MET),
                  acknowledged_at=T0 + timedelta(minutes=10),
                  resolution_declared_at=T0 + timedelta(hours=2)),
        make_view("esc-b", created_at=T0 + timedelta(hours=1), priority=Priority.P1,
                  team="billing", sla=SlaState(notice=MET, acknowledge=BREACHED),
                  acknowledged_at=T0 + timedelta(hours=1, minutes=30)),
        make_view("esc-c", created_at=T0 + timedelta(days=1), priority=Priority.P3,
                  team="support"),
    ]
    engine = create_engine_for(url)
    with session_factory(engine)() as s, s.begin():
        for view in views:
            upsert_escalation(s, view)
    engine.dispose()
    return url


def _run(url: str, *args: str) -> Result:
    # COLUMNS: rich wraps to the terminal; keep each table row on one line.
    return CliRunner().invoke(_app(), list(args), env={"DATABASE_URL": url, "COLUMNS": "200"})


def _csv(result: Result) -> dict[tuple[str, str], dict[str, str]]:
    assert result.exit_code == 0, result.output
    return {(row["group"], row["key"]): row for row in csv.DictReader(io.StringIO(result.stdout))}


def test_csv_has_a_row_per_priority_and_team_with_raw_figures(database_url: str) -> None:
    rows = _csv(_run(database_url, "--format", "csv"))
    assert list(rows) == [("all", "all"), ("priority", "P1"), ("priority", "P2"),
                          ("priority", "P3"), ("priority", "P4"), ("team", "billing"),
                          ("team", "support")]
    p1 = rows[("priority", "P1")]
    assert (p1["count"], p1["notice_within_sla"], p1["acknowledge_within_sla"]) == (
        "2", "1.0", "0.5")
    assert float(p1["mean_seconds_to_acknowledge"]) == 1200.0  # 10 and 30 minutes
    assert float(p1["p90_seconds_to_acknowledge"]) == 600 + 0.9 * 1200
    assert p1["open_breaches"] == "1"
    # Nothing measured is an empty cell, never 0.
    assert rows[("priority", "P3")]["resolve_within_sla"] == ""
    assert rows[("team", "support")]["mean_seconds_to_resolve"] == ""


def test_table_shows_shares_and_readable_durations(database_url: str) -> None:
    result = _run(database_url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "SLA report (all escalations)" in result.stdout
    p1 = next(line for line in lines if "│ P1" in line)
    for cell in ("100%", "50%", "20m 00s", "28m 00s", "2h 00m"):
        assert cell in p1
    assert any("billing" in line for line in lines)


def test_window_and_team_filter_the_rows(database_url: str) -> None:
    rows = _csv(_run(database_url, "--format", "csv", "--since", "2026-03-02T09:30:00Z",
                     "--until", "2026-03-03T09:00:00+00:00", "--team", "billing"))
    assert rows[("all", "all")]["count"] == "1"  # esc-b only
    assert [key for group, key in rows if group == "team"] == ["billing"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-03-02T09:00:00"], "has no offset"),
        (["--since", "last tuesday"], "is not an RFC 3339 time"),
        (["--since", "2026-03-03T00:00:00Z", "--until", "2026-03-02T00:00:00Z"],
         "--until must be after --since"),
    ],
)
def test_bad_window_exits_2(database_url: str, args: list[str], message: str) -> None:
    result = _run(database_url, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_store_exits_1_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "store.db"
    result = _run(f"sqlite:///{missing}")
    assert result.exit_code == 1
    assert "no store at" in result.stderr
    assert not missing.exists()


def test_group_by_adds_a_row_per_owner(database_url: str) -> None:
    rows = _csv(_run(database_url, "--format", "csv", "--group-by", "owner"))
    assert rows[("owner", "(unassigned)")]["count"] == "3"
    assert "mean_seconds_to_notice" in rows[("all", "all")]


def test_the_table_is_followed_by_recurring_issues(database_url: str) -> None:
    result = _run(database_url)
    assert result.exit_code == 0, result.output
    assert "Recurring issues (escalations per week)" in result.stdout
    week = next(line for line in result.stdout.splitlines() if "2026-03-02" in line)
    assert "other" in week
    assert week.rstrip(" │").endswith("3")


def test_an_unknown_group_is_refused(database_url: str) -> None:
    result = _run(database_url, "--group-by", "colour")
    assert result.exit_code == 2
