"""`escalations keys add`: prints the token once and stores only its digest."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from credentials.api_keys import load_keys
from domain.enums import Role
from domain.models import Actor


def test_keys_add_prints_a_working_token(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    result = CliRunner().invoke(app, ["keys", "add", "Alice", "engineer", "--file", str(path)])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token not in path.read_text()
    assert load_keys(path).authenticate(token) == Actor(name="Alice", role=Role.ENGINEER)


def test_keys_add_refuses_unknown_roles(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    result = CliRunner().invoke(app, ["keys", "add", "Alice", "admin", "--file", str(path)])
    assert result.exit_code == 2
    assert not path.exists()
