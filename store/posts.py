"""Posts taken in by social intake: stored once per source id, settled once carried out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, and_, bindparam, func, tuple_, update
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from domain.enums import SourceChannel
from domain.intake.posts import PostAuthor, PostOutcome, PostView, StoredPost, source_id
from domain.models import Customer
from store import statements
from store.tables import PostRow

POSTS: Table = statements.POSTS


@dataclass(frozen=True)
class Settlement:
    """What a post came to once intake carried it out."""

    source: str
    outcome: PostOutcome
    escalation_id: str | None
    founder: bool


def _values(post: StoredPost) -> dict[str, object]:
    hour = post.posted_at.replace(minute=0, second=0, microsecond=0)
    return {
        "channel": post.channel.value, "post_id": post.post_id, "text": post.text,
        "author_handle": post.author.handle, "author_json": post.author.model_dump_json(),
        "customer_id": post.customer.id if post.customer else None,
        "customer_json": post.customer.model_dump_json() if post.customer else None,
        "thread_id": post.thread_id, "url": post.url, "posted_at": post.posted_at,
        "posted_hour": hour, "received_at": post.received_at, "category": post.category.value,
        "temperature": post.temperature.value, "priority": post.priority.value,
        "team": post.team, "urgent": post.urgent, "outcome": post.outcome.value,
        "escalation_id": post.escalation_id, "founder": post.founder,
        "keys_json": json.dumps(post.keys), "services_json": json.dumps(post.services),
        "settled_at": post.settled_at,
    }


def _stored(row: PostRow) -> StoredPost:
    return StoredPost(
        channel=SourceChannel(row.channel), post_id=row.post_id, text=row.text,
        author=PostAuthor.model_validate_json(row.author_json),
        customer=Customer.model_validate_json(row.customer_json) if row.customer_json else None,
        posted_at=row.posted_at, thread_id=row.thread_id, url=row.url, category=row.category,
        temperature=row.temperature, priority=row.priority, team=row.team,
        outcome=PostOutcome(row.outcome), escalation_id=row.escalation_id,
        received_at=row.received_at, settled_at=row.settled_at, urgent=row.urgent,
        founder=row.founder, keys=json.loads(row.keys_json),
        services=json.loads(row.services_json),
    )


def view_of(post: StoredPost) -> PostView:
    return PostView.model_validate(post.model_dump(include=set(PostView.model_fields)))


def find_posts(session: Session, sources: Iterable[tuple[str, str]]) -> dict[str, StoredPost]:
    """The stored posts among `sources` ((channel, post_id) pairs), by source id."""
    wanted = list(sources)
    if not wanted:
        return {}
    rows = session.exec(select(PostRow).where(
        tuple_(col(PostRow.channel), col(PostRow.post_id)).in_(wanted)))
    return {source_id(row.channel, row.post_id): _stored(row) for row in rows}


def insert_posts(session: Session, posts: list[StoredPost]) -> None:
    """New posts; one already stored (a concurrent call got there first) stays as it was."""
    if posts:
        statement = statements.insert_posts(statements.dialect_of(session))
        session.execute(statement, [_values(post) for post in posts])


def settle_posts(session: Session, settled: list[Settlement], *, at: datetime) -> None:
    if not settled:
        return
    statement = (
        update(POSTS)
        .where(and_(POSTS.c.channel == bindparam("b_channel"),
                    POSTS.c.post_id == bindparam("b_post_id")))
        .values(outcome=bindparam("b_outcome"), escalation_id=bindparam("b_escalation"),
                founder=bindparam("b_founder"), settled_at=at)
    )
    session.execute(statement, [
        {"b_channel": s.source.split(":", 1)[0], "b_post_id": s.source.split(":", 1)[1],
         "b_outcome": s.outcome.value, "b_escalation": s.escalation_id, "b_founder": s.founder}
        for s in settled
    ])


def founder_of(session: Session, escalation_id: str) -> StoredPost | None:
    """The post that opens (or opened) the escalation, if intake opened it."""
    row = session.exec(select(PostRow).where(
        col(PostRow.escalation_id) == escalation_id, col(PostRow.founder))).first()
    return _stored(row) if row else None


def escalation_posts(session: Session, escalation_id: str, *, limit: int
                     ) -> tuple[list[PostView], int]:
    """The first `limit` posts that went to the escalation, oldest first, and how many did."""
    where = col(PostRow.escalation_id) == escalation_id
    total = session.exec(select(func.count()).select_from(PostRow).where(where)).one()
    rows = session.exec(select(PostRow).where(where).order_by(
        col(PostRow.posted_at), col(PostRow.channel), col(PostRow.post_id)).limit(limit))
    return [view_of(_stored(row)) for row in rows], total


def posts_by_source(session: Session, sources: list[str]) -> list[PostView]:
    pairs = [tuple(s.split(":", 1)) for s in sources]
    found = find_posts(session, [(c, p) for c, p in pairs])
    return [view_of(found[s]) for s in sources if s in found]


def authors_last_posts(session: Session, authors: list[tuple[str, str]], *, each: int
                       ) -> dict[tuple[str, str], list[PostView]]:
    """Each author's (channel, handle) `each` newest posts, newest first."""
    if not authors:
        return {}
    rank = func.row_number().over(
        partition_by=(POSTS.c.channel, POSTS.c.author_handle),
        order_by=(POSTS.c.posted_at.desc(), POSTS.c.post_id.desc()),
    ).label("rank")
    ranked = select_rows(POSTS.c.channel, POSTS.c.post_id, rank).where(
        tuple_(POSTS.c.channel, POSTS.c.author_handle).in_(authors)).subquery()
    latest = select(PostRow).join(ranked, and_(
        col(PostRow.channel) == ranked.c.channel, col(PostRow.post_id) == ranked.c.post_id,
    )).where(ranked.c.rank <= each).order_by(col(PostRow.posted_at).desc())
    found: dict[tuple[str, str], list[PostView]] = {}
    for row in session.exec(latest):
        found.setdefault((row.channel, row.author_handle), []).append(view_of(_stored(row)))
    return found


def authors_escalations(session: Session, authors: list[tuple[str, str]]
                        ) -> dict[tuple[str, str], set[str]]:
    """The escalations each author's posts went to."""
    if not authors:
        return {}
    rows = session.execute(
        select_rows(POSTS.c.channel, POSTS.c.author_handle, POSTS.c.escalation_id)
        .where(tuple_(POSTS.c.channel, POSTS.c.author_handle).in_(authors),
               POSTS.c.escalation_id.is_not(None))
        .distinct())
    found: dict[tuple[str, str], set[str]] = {}
    for channel, handle, escalation_id in rows:
        found.setdefault((channel, handle), set()).add(escalation_id)
    return found
