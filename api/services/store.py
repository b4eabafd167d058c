"""Reads from the store for the service layer: one read transaction per call, off the event loop.

SQLModel sessions block, so every query runs on a worker thread (`to_thread`), where the hop is
visible, never through a sync FastAPI dependency (tests/unit/api/test_no_thread_hops.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from domain.errors import Unavailable

T = TypeVar("T")


class StoreUnavailable(Unavailable):
    """The database did not answer (503)."""

    def __init__(self, cause: str = "") -> None:
        super().__init__("The database did not answer; retry shortly.")
        self.cause = cause


class StoreReader:
    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions

    async def read(self, query: Callable[[Session], T]) -> T:
        """Run a store query in one read transaction on a worker thread."""
        return await to_thread.run_sync(self._read, query)

    async def write(self, change: Callable[[Session], T]) -> T:
        """Run a change in one transaction (the console's presence; intake's posts take a
        StoreWriter, below)."""
        return await to_thread.run_sync(self._read, change)

    def _read(self, query: Callable[[Session], T]) -> T:
        with self._session() as session, session.begin():
            return query(session)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreUnavailable(exc.__class__.__name__) from exc


class StoreWriter:
    """Social intake's writes, on an engine that is not the API's read-only one: its transactions
    read and then write, so on SQLite they take the write lock up front (BEGIN IMMEDIATE) and
    queue behind another writer instead of failing when one commits in between; that lock also
    serialises intake's grouping decisions there (store/intake_groups.py)."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._runner = StoreReader(sessions)

    async def write(self, work: Callable[[Session], T]) -> T:
        return await self._runner.write(work)
