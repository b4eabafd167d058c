"""With ESCALATIONS_MIGRATE_ON_START off, a process checks the schema and never migrates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.revision import SchemaNotAtHead, current_revision, head_revision, prepare_schema


def test_an_empty_store_is_refused_naming_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(SchemaNotAtHead, match="escalations migrate"):
        prepare_schema(url, upgrade=False)
    assert current_revision(url) is None  # the check changed nothing


def test_a_migrated_store_passes_the_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    prepare_schema(url, upgrade=True)
    assert current_revision(url) == head_revision()
    prepare_schema(url, upgrade=False)
