"""`escalations policy check FILE`: exit 0 and a summary for a valid file, 1 and the errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.policy import policy_app
from config.policy_files import preset_text

WIDE = {"COLUMNS": "250"}  # rich wraps to the terminal; keep table cells on one line


def _check(path: Path) -> Result:
    return CliRunner().invoke(policy_app, ["check", str(path)], env=WIDE)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("default", ["Teams", "Billing and finance", "billing-vip", "category = billing",
                     "SLA per priority", "PT15M", "P7D", "valid policy"]),
        ("rg271", ["Complaints (IDR)", "financial-hardship", "superannuation_death_benefit",
                   "P118D", "business (Australia/Sydney, 09:00-17:00", "valid policy"]),
    ],
)
def test_valid_policy_prints_a_summary(tmp_path: Path, preset: str, expected: list[str]) -> None:
    path = tmp_path / f"{preset}.toml"
    path.write_text(preset_text(preset), encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.stdout


def test_broken_policy_exits_1_with_key_paths(tmp_path: Path) -> None:
    text = preset_text("default").replace(
        'then = { team = "billing", tier = 2, priority = "P2" }',
        'then = { team = "x", tier = 2, priority = "P2" }',
    ).replace('acknowledge_within = "PT15M"', 'acknowledge_within = "soon"')
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 1
    assert "is not a valid policy" in result.stderr
    assert "priorities.P1.acknowledge_within: not an ISO 8601 duration" in result.stderr
    assert result.stdout == ""


def test_cross_section_problem_is_shown_with_its_path(tmp_path: Path) -> None:
    text = preset_text("default").replace(
        'then = { team = "billing", tier = 2, priority = "P2" }',
        'then = { team = "x", tier = 2, priority = "P2" }',
    )
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 1
    assert "routing.rules[2].then.team: team 'x' is not defined in [teams]" in result.stderr


def test_invalid_toml_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[notice\n", encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 1
    assert "not valid TOML" in result.stderr


@pytest.mark.parametrize(("name", "message"), [("missing.toml", "no such file"),
                                               (".", "not a file")])
def test_missing_file_exits_1_with_a_clear_message(
    tmp_path: Path, name: str, message: str
) -> None:
    result = _check(tmp_path / name)
    assert result.exit_code == 1
    assert message in result.stderr


def test_related_systems_show_their_credentials_by_name_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = preset_text("default") + """
[[related_systems]]
name = "jira"
kind = "jira"
pattern = "[A-Z]+-\\\\d+"
base_url = "https://corp.atlassian.net"
email_env = "JIRA_EMAIL"
token_env = "JIRA_API_TOKEN"
transition = "Done"
"""
    path = tmp_path / "systems.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("JIRA_API_TOKEN", "jira-token-secret-value")
    monkeypatch.delenv("JIRA_EMAIL", raising=False)

    result = _check(path)

    assert result.exit_code == 0, result.output
    assert "Related systems" in result.stdout
    assert "JIRA_API_TOKEN, JIRA_EMAIL (not set here)" in result.stdout
    assert "transition 'Done'" in result.stdout
    assert "jira-token-secret-value" not in result.stdout
