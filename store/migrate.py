"""Bring the store's schema to the newest migration; the API and the worker call this on start.

Several processes may start at once (`--scale worker=3`), so the upgrade runs under a lock:
a PostgreSQL advisory lock held by the migrating transaction, or for SQLite an fcntl lock on
a file beside the database. The others wait, then find the schema at head and do nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from store.engine import create_engine_for, sqlite_file

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# Any constant works as long as every process uses the same one ("escmigr" in ASCII).
ADVISORY_LOCK_KEY = 0x6573636D69677200


def upgrade_to_head(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with _file_lock(sqlite_file(url)), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Released when this transaction ends, i.e. after the migration commits.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration from the installed package, whatever the current directory."""
    config = Config(str(ALEMBIC_INI))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _file_lock(database: Path | None) -> Iterator[None]:
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".migrate.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
