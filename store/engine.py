"""Engines and sessions. Store functions never commit: one activity or one request owns the
transaction, as `with sessions() as s, s.begin(): ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

# How long a SQLite writer waits for another one before failing (and the activity retrying).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def create_engine_for(url: str, *, read_only: bool = False) -> Engine:
    """`read_only` engines (the API's) begin deferred on SQLite, so reads never queue behind
    the worker's writes; WAL gives them a consistent snapshot."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, read_only=read_only)
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; a bare postgresql:// URL would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for in-memory databases and other backends."""
    return _database_file(make_url(url))


def _database_file(url: URL) -> Path | None:
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # URI filenames: leave them to SQLite
        return None
    return Path(database)


def _sqlite_engine(url: URL, *, read_only: bool) -> Engine:
    path = _database_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin_read if read_only else _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN comes only before a write, so reads earlier in the same
    # transaction would see no snapshot; turn it off and begin explicitly (SQLAlchemy's recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
    # fails at once (SQLITE_BUSY, no waiting) when another writer committed in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _on_sqlite_begin_read(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")
