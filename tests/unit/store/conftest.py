from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store.engine import create_engine_for, session_factory
from store.migrate import upgrade_to_head
from tests.support.postgres import PostgresServer, empty_store, requires_postgres

BACKENDS = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres])]


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server: PostgresServer) -> Iterator[str]:
    """A database at head, copied for each test: cheaper than migrating each one."""
    url = postgres_server.create_database()
    upgrade_to_head(url)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file, or a fresh PostgreSQL database."""
    with empty_store(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like store_url, with the schema at head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        upgrade_to_head(url)
        yield url
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database(template=request.getfixturevalue("migrated_postgres"))
    yield url
    server.drop_database(url)


@pytest.fixture
def sessions(migrated_url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine_for(migrated_url)
    yield session_factory(engine)
    engine.dispose()
