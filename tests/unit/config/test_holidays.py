"""The rg271 preset's holidays are New South Wales' public holidays, as python-holidays computes
them, for every year the preset lists; `escalations policy holidays` prints the same list."""

from __future__ import annotations

from datetime import date

import holidays
from typer.testing import CliRunner

from cli.main import app
from config.policy_files import preset_text
from domain.policy import parse_policy

LISTED = parse_policy(preset_text("rg271")).calendar.holidays
YEARS = range(2026, 2031)


def test_the_preset_lists_nsw_public_holidays_2026_to_2030() -> None:
    computed = holidays.country_holidays("AU", subdiv="NSW", years=YEARS)
    assert sorted(LISTED) == sorted(computed)


def test_the_nsw_anzac_day_mondays_are_in() -> None:
    # Public Holidays Amendment (Anzac Day) Order 2026: Anzac Day on a weekend in 2026 and 2027.
    assert {date(2026, 4, 27), date(2027, 4, 26)} <= set(LISTED)


def test_the_command_prints_the_same_dates() -> None:
    result = CliRunner().invoke(app, ["policy", "holidays", "--country", "AU",
                                      "--subdivision", "NSW", "--years", "2026-2030"])
    assert result.exit_code == 0, result.output
    printed = [date.fromisoformat(line.split(",")[0].strip())
               for line in result.stdout.splitlines() if line.startswith("    ")]
    assert printed == sorted(LISTED)
