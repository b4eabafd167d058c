"""The listening report in SQL: counts grouped in the database, never a loop over posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, extract, func
from sqlalchemy import select as select_rows
from sqlmodel import Session

from domain.enums import Category, SourceChannel, Temperature
from domain.intake.posts import PostOutcome
from domain.intake.reports import HourCount, IntakeReport, TimeToEscalation
from store import statements
from store.spikes import spikes_opened

POSTS = statements.POSTS
PERCENTILE = 0.9


def intake_report(session: Session, *, since: datetime | None, until: datetime | None
                  ) -> IntakeReport:
    """Posts made in [since, until)."""
    window: list[ColumnElement[bool]] = []
    if since is not None:
        window.append(POSTS.c.posted_at >= since)
    if until is not None:
        window.append(POSTS.c.posted_at < until)
    totals = session.execute(select_rows(
        func.count().label("posts"),
        _sum(POSTS.c.temperature == Temperature.HOT.value).label("hot"),
        _sum(POSTS.c.urgent).label("urgent"),
        _sum(and_(POSTS.c.outcome == PostOutcome.ESCALATED.value,
                  POSTS.c.settled_at.is_not(None))).label("escalated"),
        _sum(and_(POSTS.c.outcome == PostOutcome.ATTACHED.value,
                  POSTS.c.settled_at.is_not(None))).label("attached"),
        _sum(POSTS.c.outcome == PostOutcome.RECORDED.value).label("recorded"),
        _sum(POSTS.c.settled_at.is_(None)).label("unsettled"),
    ).where(*window)).one()
    posts = int(totals.posts)
    return IntakeReport(
        since=since, until=until, posts=posts, hot=int(totals.hot or 0),
        urgent=int(totals.urgent or 0),
        urgent_share=(int(totals.urgent or 0) / posts) if posts else None,
        escalated=int(totals.escalated or 0), attached=int(totals.attached or 0),
        recorded=int(totals.recorded or 0), unsettled=int(totals.unsettled or 0),
        spikes_opened=spikes_opened(session, since=since, until=until),
        to_escalation=_to_escalation(session, window),
        by_hour=_by_hour(session, window),
    )


def _sum(condition: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _by_hour(session: Session, window: list[ColumnElement[bool]]) -> list[HourCount]:
    keys = (POSTS.c.posted_hour, POSTS.c.channel, POSTS.c.category, POSTS.c.temperature)
    rows = session.execute(select_rows(*keys, func.count().label("posts"))
                           .where(*window).group_by(*keys).order_by(*keys))
    return [HourCount(hour=row.posted_hour, channel=SourceChannel(row.channel),
                      category=Category(row.category), temperature=Temperature(row.temperature),
                      posts=int(row.posts)) for row in rows]


def _to_escalation(session: Session, window: list[ColumnElement[bool]]) -> TimeToEscalation:
    reached = [*window, POSTS.c.settled_at.is_not(None),
               POSTS.c.outcome.in_([PostOutcome.ESCALATED.value, PostOutcome.ATTACHED.value])]
    seconds = _seconds(session)
    count, mean = session.execute(
        select_rows(func.count(), func.avg(seconds)).where(*reached)).one()
    if not count:
        return TimeToEscalation(count=0)
    # Nearest rank: the value at 0-based position ceil(0.9 * n) - 1, one indexed query on
    # either database.
    position = max(0, -(-int(count) * 9 // 10) - 1)
    p90 = session.execute(select_rows(seconds).where(*reached).order_by(seconds)
                          .offset(position).limit(1)).scalar_one()
    return TimeToEscalation(count=int(count), mean_seconds=float(mean),
                            p90_seconds=float(p90))


def _seconds(session: Session) -> ColumnElement[Any]:
    """Seconds from the post to its settling."""
    if statements.dialect_of(session) == "postgresql":
        return cast(extract("epoch", POSTS.c.settled_at - POSTS.c.posted_at), Float)
    # julianday() resolves milliseconds; rounding drops the float noise of two day numbers.
    return func.round((func.julianday(POSTS.c.settled_at) - func.julianday(POSTS.c.posted_at))
                      * 86_400_000.0) / 1000.0
