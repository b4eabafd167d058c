"""Where the store's schema stands against the migrations this code ships.

`escalations migrate` upgrades; processes started with ESCALATIONS_MIGRATE_ON_START=false only
check (`prepare_schema(url, upgrade=False)`), and `escalations doctor` reports the same check.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from store.engine import create_engine_for
from store.migrate import alembic_config, upgrade_to_head


class SchemaNotAtHead(RuntimeError):
    """The database is behind (or ahead of) this code's newest migration."""


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the store ships at least one migration"
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty (never migrated) database."""
    engine = create_engine_for(url, read_only=True)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def require_head(url: str) -> None:
    current, head = current_revision(url), head_revision()
    if current != head:
        raise SchemaNotAtHead(
            f"the store is at migration {current or '(none)'}, this code needs {head}: "
            "run `escalations migrate` first")


def prepare_schema(url: str, *, upgrade: bool) -> None:
    """At start-up: migrate (under the store's lock), or only insist that someone did."""
    if upgrade:
        upgrade_to_head(url)
    else:
        require_head(url)
