"""The store's INSERT ... ON CONFLICT statements, built once per dialect and then only executed.

SQLite and PostgreSQL spell the upsert alike, but SQLAlchemy keeps one Insert class per dialect.
Each statement is built at its first use with a dialect and cached; the values go in as bound
parameters (a list of them is one executemany). Building `insert(Row).values(dict)` per call
instead re-coerced every value, built a fresh `excluded` alias and a new cache key, so every
write compiled its SQL anew: a record (projection and timeline) took 8.8 ms, 2.9 ms like this.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session

from store.schemas import DeliveryStatus
from store.tables import (
    ClosedRecordRow,
    DeliveryRow,
    EscalationRow,
    IntakeKeyRow,
    PostRow,
    PresenceRow,
    RcaTaskRow,
    TimelineRow,
)

# SQLModel declares `__table__` on table classes only at run time.
ESCALATIONS: Table = EscalationRow.__table__  # type: ignore[attr-defined]
TIMELINE: Table = TimelineRow.__table__  # type: ignore[attr-defined]
RCA_TASKS: Table = RcaTaskRow.__table__  # type: ignore[attr-defined]
DELIVERIES: Table = DeliveryRow.__table__  # type: ignore[attr-defined]
CLOSED_RECORDS: Table = ClosedRecordRow.__table__  # type: ignore[attr-defined]
PRESENCE: Table = PresenceRow.__table__  # type: ignore[attr-defined]
POSTS: Table = PostRow.__table__  # type: ignore[attr-defined]
INTAKE_KEYS: Table = IntakeKeyRow.__table__  # type: ignore[attr-defined]

Insert = postgresql.Insert | sqlite.Insert


def dialect_of(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {name}")
    return name


def _insert(dialect: str, table: Table) -> Insert:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def upsert_escalation(dialect: str, *, keep_request_hash: bool) -> ReturningInsert[Any]:
    """Write the projection unless a newer version is stored; RETURNING the id when written.

    The version guard sits in the statement itself: two writers never both read-then-write.
    With `keep_request_hash`, an update leaves the stored request_hash as the first write set it.
    """
    insert = _insert(dialect, ESCALATIONS)
    fixed = {"id", "request_hash"} if keep_request_hash else {"id"}
    return insert.on_conflict_do_update(
        index_elements=[ESCALATIONS.c.id],
        set_={c.name: insert.excluded[c.name] for c in ESCALATIONS.columns if c.name not in fixed},
        where=ESCALATIONS.c.version <= insert.excluded.version,
    ).returning(ESCALATIONS.c.id)


@cache
def append_timeline(dialect: str) -> ReturningInsert[Any]:
    """Entries keyed by (escalation_id, seq): a retried write adds nothing and returns no seq."""
    return _insert(dialect, TIMELINE).on_conflict_do_nothing(
        index_elements=[TIMELINE.c.escalation_id, TIMELINE.c.seq],
    ).returning(TIMELINE.c.seq)


@cache
def upsert_rca_task(dialect: str) -> Insert:
    insert = _insert(dialect, RCA_TASKS)
    return insert.on_conflict_do_update(
        index_elements=[RCA_TASKS.c.id],
        set_={c.name: insert.excluded[c.name] for c in RCA_TASKS.columns if c.name != "id"},
    )


@cache
def close_record(dialect: str) -> Insert:
    """A record closed again is a no-op: the first closing time stays."""
    return _insert(dialect, CLOSED_RECORDS).on_conflict_do_nothing(
        index_elements=[CLOSED_RECORDS.c.escalation_id, CLOSED_RECORDS.c.record],
    )


def count_delivery_attempt(dialect: str, outcome: Collection[str]) -> Insert:
    """Insert the first attempt, or add one to `attempts` and take this attempt's `outcome`
    columns; a row already delivered never changes (the guard sits in the statement)."""
    return _count_delivery_attempt(dialect, tuple(sorted(outcome)))


@cache
def _count_delivery_attempt(dialect: str, outcome: tuple[str, ...]) -> Insert:
    insert = _insert(dialect, DELIVERIES)
    return insert.on_conflict_do_update(
        index_elements=[DELIVERIES.c.notification_id],
        set_={"attempts": DELIVERIES.c.attempts + 1,
              **{name: insert.excluded[name] for name in outcome}},
        where=DELIVERIES.c.status != DeliveryStatus.DELIVERED.value,
    )



@cache
def touch_presence(dialect: str) -> Insert:
    """A person's presence on an escalation's page: inserted, or its activity and time renewed."""
    insert = _insert(dialect, PRESENCE)
    return insert.on_conflict_do_update(
        index_elements=[PRESENCE.c.escalation_id, PRESENCE.c.person],
        set_={"activity": insert.excluded.activity, "seen_at": insert.excluded.seen_at},
    )


@cache
def insert_posts(dialect: str) -> Insert:
    """A post already stored stays as the first call stored it (its source id is its key)."""
    return _insert(dialect, POSTS).on_conflict_do_nothing(
        index_elements=[POSTS.c.channel, POSTS.c.post_id])


@cache
def remember_keys(dialect: str) -> Insert:
    """A group key seen again keeps the later of the two times."""
    insert = _insert(dialect, INTAKE_KEYS)
    later = case((insert.excluded.last_at > INTAKE_KEYS.c.last_at, insert.excluded.last_at),
                 else_=INTAKE_KEYS.c.last_at)
    return insert.on_conflict_do_update(
        index_elements=[INTAKE_KEYS.c.escalation_id, INTAKE_KEYS.c.key],
        set_={"last_at": later},
    )
