"""What the spike watch reads and writes: a category's hot posts over time, spike escalations."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from domain.enums import Stage, Status, Temperature
from domain.intake.posts import PostAuthor, source_id
from domain.intake.spike import (
    MAX_CUSTOMERS,
    MeasureSpikeInput,
    OpenSpike,
    SpikeMeasure,
    SpikeRecord,
    SpikeSample,
)
from domain.models import Customer
from store import statements
from store.tables import EscalationRow, IntakeSpikeRow, PostRow

POSTS = statements.POSTS
ESCALATIONS = statements.ESCALATIONS
SPIKES = IntakeSpikeRow.__table__  # type: ignore[attr-defined]


def measure_spike(session: Session, asked: MeasureSpikeInput) -> SpikeMeasure:
    hot = and_(POSTS.c.category == asked.category.value,
               POSTS.c.temperature == Temperature.HOT.value)
    start = asked.at - asked.window
    in_window = and_(hot, POSTS.c.posted_at > start, POSTS.c.posted_at <= asked.at)
    before = and_(hot, POSTS.c.posted_at > start - asked.baseline, POSTS.c.posted_at <= start)
    return SpikeMeasure(
        category=asked.category,
        at=asked.at,
        window_count=_count(session, in_window),
        baseline_count=_count(session, before),
        samples=_samples(session, in_window, asked.samples),
        customers=_customers(session, in_window),
        open_spike=_open_spike(session, asked),
        known_closed=asked.known_spike_id is not None and _closed(session, asked.known_spike_id),
    )


def _count(session: Session, where: ColumnElement[bool]) -> int:
    return int(session.execute(select_rows(func.count()).select_from(POSTS).where(where))
               .scalar_one())


def _samples(session: Session, where: ColumnElement[bool], limit: int) -> list[SpikeSample]:
    rows = session.exec(select(PostRow).where(where).order_by(
        col(PostRow.posted_at).desc(), col(PostRow.post_id).desc()).limit(limit))
    return [SpikeSample(
        source=source_id(row.channel, row.post_id),
        author=PostAuthor.model_validate_json(row.author_json).handle, text=row.text,
        posted_at=row.posted_at,
        customer=Customer.model_validate_json(row.customer_json) if row.customer_json else None,
    ) for row in rows]


def _customers(session: Session, where: ColumnElement[bool]) -> list[Customer]:
    rows = session.execute(
        select_rows(func.max(POSTS.c.customer_json)).where(where, POSTS.c.customer_id.is_not(None))
        .group_by(POSTS.c.customer_id).order_by(POSTS.c.customer_id).limit(MAX_CUSTOMERS))
    return [Customer.model_validate_json(value) for (value,) in rows]


def _open_spike(session: Session, asked: MeasureSpikeInput) -> OpenSpike | None:
    # Not stored yet counts as open: the spike escalation's first record may still be coming.
    still_open = or_(ESCALATIONS.c.id.is_(None), and_(
        ESCALATIONS.c.status == Status.OPEN.value, ESCALATIONS.c.stage != Stage.CLOSE.value))
    row = session.execute(
        select_rows(SPIKES.c.escalation_id, SPIKES.c.last_count, SPIKES.c.last_at)
        .outerjoin(ESCALATIONS, ESCALATIONS.c.id == SPIKES.c.escalation_id)
        .where(SPIKES.c.category == asked.category.value, still_open)
        .order_by(SPIKES.c.opened_at.desc()).limit(1)).first()
    if row is None:
        return None
    return OpenSpike(escalation_id=row.escalation_id, last_count=row.last_count,
                     last_at=row.last_at)


def _closed(session: Session, escalation_id: str) -> bool:
    row = session.get(EscalationRow, escalation_id)
    return row is not None and (row.status != Status.OPEN.value or row.stage == Stage.CLOSE.value)


def record_spike(session: Session, record: SpikeRecord) -> None:
    """Opened (a new row) or grown (the count, time and samples of the last report)."""
    row = session.get(IntakeSpikeRow, record.escalation_id)
    samples = json.dumps(record.samples)
    if row is None:
        session.add(IntakeSpikeRow(escalation_id=record.escalation_id,
                                   category=record.category.value, opened_at=record.at,
                                   last_count=record.count, last_at=record.at,
                                   samples_json=samples))
    elif record.at >= row.last_at:  # a retried earlier record never moves it back
        row.last_count, row.last_at, row.samples_json = record.count, record.at, samples
    session.flush()


def spike_samples(session: Session, escalation_id: str) -> list[str] | None:
    """The sample source ids of a spike escalation; None when it is not one."""
    row = session.get(IntakeSpikeRow, escalation_id)
    return None if row is None else list(json.loads(row.samples_json))


def spikes_opened(session: Session, *, since: datetime | None, until: datetime | None) -> int:
    conditions = []
    if since is not None:
        conditions.append(col(IntakeSpikeRow.opened_at) >= since)
    if until is not None:
        conditions.append(col(IntakeSpikeRow.opened_at) < until)
    return session.exec(select(func.count()).select_from(IntakeSpikeRow).where(*conditions)).one()
