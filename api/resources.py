"""What the app lifespan owns and every request borrows: settings, the Temporal gateway, the
store's sessions, the policy loaded at start-up, the host rules derived from it and the keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.keys import KeyRing
from api.temporal import TemporalGateway
from config.sealing import AddressSealer
from config.settings import Settings
from domain.hosts import HostRules
from domain.policy import Policy

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The database did not answer (503)."""


@dataclass(frozen=True, kw_only=True)
class Resources:
    settings: Settings
    temporal: TemporalGateway
    sessions: Callable[[], Session]
    policy: Policy
    host_rules: HostRules
    keys: KeyRing
    sealer: AddressSealer | None  # None: recipient URLs enter workflows as given

    @cached_property
    def policy_snapshot(self) -> Policy:
        """The part of the policy every new escalation carries (computed once, not per create)."""
        return self.policy.snapshot()

    async def read(self, query: Callable[[Session], T]) -> T:
        """Run a store query in one read transaction on a worker thread (sessions block)."""
        return await to_thread.run_sync(self._read, query)

    def _read(self, query: Callable[[Session], T]) -> T:
        with self._session() as session, session.begin():
            return query(session)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self.sessions() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreUnavailable(str(exc.__class__.__name__)) from exc
