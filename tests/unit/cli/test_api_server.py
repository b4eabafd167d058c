"""`escalations api`'s `serve` hands its settings to the app factory through the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.api_server import export_settings
from config.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                    escalations_api_keys=tmp_path / "api-keys.toml",
                    ESCALATIONS_DATA_DIR=tmp_path)


@pytest.fixture
def environment() -> Iterator[None]:
    """os.environ as it was before the test, whatever the test wrote."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("environment")
def test_export_settings_round_trips_through_the_environment(settings: Settings) -> None:
    custom = settings.model_copy(update={"api_port": 8123, "smtp_host": "127.0.0.1"})
    export_settings(custom)
    assert Settings() == custom
