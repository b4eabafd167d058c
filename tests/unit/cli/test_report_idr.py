"""`escalations report idr`: the IDR file from the store, refused row by row when it breaks the
mapping, a nil period said as such; `escalations report` alone is still the SLA report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.report import report_app
from config.policy_files import preset_text
from store.engine import create_engine_for, session_factory
from store.migrate import upgrade_to_head
from store.queries import upsert_escalation
from tests.support.idr_seed import H2_START, complaint_view, period_views


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    with session_factory(engine)() as s, s.begin():
        for view in period_views():
            upsert_escalation(s, view)
    engine.dispose()
    policy = tmp_path / "rg271.toml"
    policy.write_text(preset_text("rg271"), encoding="utf-8")
    return {"DATABASE_URL": url, "ESCALATIONS_POLICY": str(policy), "COLUMNS": "200"}


def _run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(report_app, list(args), env=env)


def test_the_period_is_written_as_csv(env: dict[str, str]) -> None:
    result = _run(env, "idr", "--period", "2026H2", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 60
    assert rows[0]["complaint_unique_identifier"] == "CMP-0102"  # received first, still open


def test_a_broken_row_is_listed_and_nothing_is_written(env: dict[str, str]) -> None:
    engine = create_engine_for(env["DATABASE_URL"])
    with session_factory(engine)() as s, s.begin():
        upsert_escalation(s, complaint_view(300, H2_START + timedelta(days=9), "open",
                                            received_via="carrier_pigeon"))
    engine.dispose()
    result = _run(env, "idr", "--period", "2026H2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "(CMP-0300), method_received: 'carrier_pigeon' is not in code table channel" in (
        result.stderr)


def test_a_nil_period_says_so(env: dict[str, str]) -> None:
    result = _run(env, "idr", "--period", "2024H1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "nil period" in result.stderr


def test_a_period_that_is_not_one_exits_2(env: dict[str, str]) -> None:
    result = _run(env, "idr", "--period", "2026Q3")
    assert result.exit_code == 2
    assert "YYYYH1 or YYYYH2" in result.output


def test_report_alone_is_still_the_sla_report(env: dict[str, str]) -> None:
    result = _run(env, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("group,key,count")
