"""Real receivers, a real SQLite store (one file per test) and the activity under test."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

import store.tables  # noqa: F401  (registers the tables with SQLModel.metadata)
from activities.channels.config import NotifyConfig
from activities.channels.http import new_http_client
from activities.notify import NotifyActivities
from activities.records.activities import RecordActivities
from store.engine import create_engine_for, session_factory
from tests.support.receivers import http_receiver, smtp_receiver  # noqa: F401  (fixtures)
from tests.support.related_systems import ENV, RelatedSystems

Build = Callable[..., NotifyActivities]


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema, built once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("store") / "empty.db"
    engine = create_engine_for(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()  # the last connection to close folds the WAL back into the file
    return path


@pytest.fixture
def sessions(empty_store: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = Path(shutil.copy(empty_store, tmp_path / "store.db"))
    engine = create_engine_for(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client() as client:
        yield client


@pytest.fixture
def build(http_client: httpx.AsyncClient, sessions: sessionmaker[Session]) -> Build:
    """NotifyActivities over the shared client and store; each call is like a fresh worker."""

    def make(**config: object) -> NotifyActivities:
        return NotifyActivities(http_client, sessions, NotifyConfig(**config))  # type: ignore[arg-type]

    return make


@pytest.fixture
def systems() -> Iterator[RelatedSystems]:
    with RelatedSystems() as found:
        yield found


@pytest.fixture
def records(http_client: httpx.AsyncClient) -> RecordActivities:
    """The record activities with the systems' credentials in their environment."""
    return RecordActivities(http_client, NotifyConfig(), environ=dict(ENV))
