"""The open groups social intake may add posts to: escalations and the keys their posts carried.

A group whose escalation is not in the store yet (another batch is opening it) counts as open:
its founder's batch has claimed it, and a post that joins it must not open a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, text
from sqlalchemy import select as select_rows
from sqlmodel import Session

from domain.enums import Category, Stage, Status
from domain.intake.grouping import OpenGroup
from store import statements

KEYS = statements.INTAKE_KEYS
ESCALATIONS = statements.ESCALATIONS
# Any constant works as long as every API uses the same one ("escintk" in ASCII).
INTAKE_LOCK_KEY = 0x657363696E746B00


@dataclass(frozen=True)
class KeySeen:
    escalation_id: str
    key: str
    category: Category
    team: str
    at: datetime


def lock_intake(session: Session) -> None:
    """Serialise intake's grouping decisions until the transaction ends, so two batches about
    one matter cannot both decide to open it. SQLite's writers already queue (BEGIN IMMEDIATE);
    PostgreSQL takes an advisory lock released at commit."""
    if statements.dialect_of(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INTAKE_LOCK_KEY})


def open_groups(session: Session, keys: Iterable[str], *, since: datetime) -> list[OpenGroup]:
    """The groups that saw any of `keys` at or after `since`, whose escalation is still open
    and not yet in its close stage (or not stored yet), with every key they saw since then."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    still_open = or_(ESCALATIONS.c.id.is_(None), and_(
        ESCALATIONS.c.status == Status.OPEN.value, ESCALATIONS.c.stage != Stage.CLOSE.value))
    holders = (
        select_rows(KEYS.c.escalation_id)
        .outerjoin(ESCALATIONS, ESCALATIONS.c.id == KEYS.c.escalation_id)
        .where(KEYS.c.key.in_(wanted), KEYS.c.last_at >= since, still_open)
        .distinct()
    )
    rows = session.execute(
        select_rows(KEYS.c.escalation_id, KEYS.c.key, KEYS.c.category, KEYS.c.team,
                    KEYS.c.last_at)
        .where(KEYS.c.escalation_id.in_(holders), KEYS.c.last_at >= since)
    )
    groups: dict[str, OpenGroup] = {}
    for escalation_id, key, category, team, last_at in rows:
        group = groups.setdefault(escalation_id, OpenGroup(
            escalation_id=escalation_id, category=Category(category), team=team))
        group.seen[key] = last_at
    return list(groups.values())


def remember_keys(session: Session, seen: list[KeySeen]) -> None:
    if seen:
        session.execute(statements.remember_keys(statements.dialect_of(session)), [
            {"escalation_id": s.escalation_id, "key": s.key, "category": s.category.value,
             "team": s.team, "last_at": s.at} for s in seen])

