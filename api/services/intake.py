"""Batch intake (`POST /v1/intake/posts`): many posts in, the right few escalations out.

1. Triage every post (off the event loop).
2. One write transaction (`intake_plan.decide`): store the new posts with their decision,
   claim the groups they found. A post stored before is a duplicate, unless its call was
   interrupted before finishing it (not settled): then this call finishes it.
3. Carry the decisions out, outside any transaction: a founder opens its escalation through
   `Escalations.open` with an Idempotency-Key derived from its source id (a retried batch never
   opens two), then each escalation gets the batch's other posts in one `attach_posts` update
   (one timeline entry per batch) whose update id is derived from them.
4. Settle what was carried out (a second write transaction), and tell each hot category's spike
   watch that posts arrived.
If Temporal fails half-way, what was done is settled and the call answers 503: the
connector's retry finishes the rest and reports the finished ones as duplicates.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime

from anyio import to_thread

from api.services.escalations import Escalations
from api.services.intake_plan import Decided, claimed_keys, decide, triaged
from api.services.policy import ActivePolicy
from api.services.spikes import SpikeWatches
from api.services.store import StoreReader, StoreWriter
from domain.errors import ActionNotAllowed, DomainError, NotFound
from domain.intake.posts import (
    IntakeAnswer,
    IntakeBatch,
    IntakePost,
    PostAnswer,
    PostOutcome,
    StoredPost,
    founded_escalation_id,
    idempotency_key,
)
from domain.messages import AttachedPost, AttachPostsInput
from domain.models import Actor, AffectedCustomer, CreateEscalationInput, Source
from domain.triage import title_of
from store.queries import (
    Settlement,
    count_prior_escalations_by_customer,
    founder_of,
    remember_keys,
    settle_posts,
)

log = logging.getLogger("api.intake")
# Escalations opened at once by one batch (each is an update-with-start and a workflow).
OPEN_AT_ONCE = 8


@dataclass
class _Done:
    settled: list[Settlement]
    escalations: list[str]
    failure: DomainError | None = None


class Intake:
    def __init__(self, *, escalations: Escalations, store: StoreReader, writer: StoreWriter,
                 policy: ActivePolicy, spikes: SpikeWatches) -> None:
        self._escalations = escalations
        self._store = store
        self._writer = writer
        self._policy = policy
        self._spikes = spikes

    async def receive(self, batch: IntakeBatch, *, actor: Actor) -> IntakeAnswer:
        now = datetime.now(UTC)
        batch.ensure_plausible_times(now)
        firsts: dict[str, IntakePost] = {}
        for post in batch.posts:  # a post twice in one batch is one post (and a duplicate)
            firsts.setdefault(post.source, post)
        prior = await self._prior(list(firsts.values()), now)
        policy = self._policy.policy
        posts = await to_thread.run_sync(
            lambda: triaged(policy, list(firsts.values()), prior, received_at=now))
        decided = await self._writer.write(lambda s: decide(s, posts, policy, now=now))
        work = [p for p in [*decided.new.values(), *decided.earlier.values()]
                if p.settled_at is None]
        done = await self._carry_out(work, actor)
        if done.settled:
            settled_at = datetime.now(UTC)
            await self._writer.write(lambda s: settle_posts(s, done.settled, at=settled_at))
        if done.failure is not None:
            raise done.failure
        await self._spikes.posts_arrived(list(decided.new.values()))
        return _answer(batch, decided, done)

    async def _prior(self, posts: list[IntakePost], now: datetime) -> dict[str, int]:
        """Each customer's recent escalations: the repeat-customer signal, one query."""
        signal = self._policy.policy.priority_signals.repeat_customer
        ids = [p.customer.id for p in posts if p.customer is not None]
        if signal is None or not ids:
            return {}
        since = now - signal.within
        return await self._store.read(
            lambda s: count_prior_escalations_by_customer(s, ids, since=since))

    async def _carry_out(self, work: list[StoredPost], actor: Actor) -> _Done:
        done = _Done(settled=[], escalations=[])
        founders = [p for p in work if p.founder]
        opened: set[str] = set()
        gate = asyncio.Semaphore(OPEN_AT_ONCE)

        async def opening(post: StoredPost) -> None:
            async with gate:
                await self._open(post, actor)
            opened.add(post.escalation_id or "")
            done.settled.append(_settled(post, post.escalation_id))

        await _each([opening(p) for p in founders], done)
        failed = {p.escalation_id for p in founders} - opened
        joining: dict[str, list[StoredPost]] = {}
        for post in work:
            # A founder's batch-mates join once it is open; if its opening failed, they wait
            # for the retry with it.
            if not post.founder and post.escalation_id not in failed | {None}:
                joining.setdefault(post.escalation_id or "", []).append(post)
        await _each([self._join(eid, posts, actor, done)
                     for eid, posts in joining.items()], done)
        done.escalations = sorted({s.escalation_id for s in done.settled if s.escalation_id})
        return done

    async def _open(self, post: StoredPost, actor: Actor) -> None:
        await self._escalations.open(create_input(post), actor=actor,
                                     idempotency_key=idempotency_key(post.source))

    async def _join(self, escalation_id: str, posts: list[StoredPost], actor: Actor,
                    done: _Done) -> None:
        try:
            await self._attach(escalation_id, posts, actor)
        except NotFound:
            # Claimed by a batch still opening it (or interrupted before it did): open it from
            # its founder, under the founder's own key, then join.
            founder = await self._store.read(lambda s: founder_of(s, escalation_id))
            if founder is None:
                raise
            await self._open(founder, actor)
            await self._attach(escalation_id, posts, actor)
        except ActionNotAllowed:
            # Resolved or cancelled since it was found open: the posts are a new matter. The
            # earliest founds it; the same choice on a retry, so the same escalation.
            await self._refound(posts, actor, done)
            return
        done.settled += [_settled(p, escalation_id) for p in posts]

    async def _refound(self, posts: list[StoredPost], actor: Actor, done: _Done) -> None:
        first, *rest = sorted(posts, key=lambda p: (p.posted_at, p.source))
        escalation_id = founded_escalation_id(first.source)
        founder = first.model_copy(update={"escalation_id": escalation_id, "founder": True})
        await self._open(founder, actor)
        if rest:
            await self._attach(escalation_id, rest, actor)
        moved = [founder, *(p.model_copy(update={"escalation_id": escalation_id}) for p in rest)]
        await self._writer.write(lambda s: remember_keys(s, claimed_keys(moved)))
        done.settled += [_settled(founder, escalation_id, founder=True),
                         *(_settled(p, escalation_id) for p in rest)]

    async def _attach(self, escalation_id: str, posts: list[StoredPost], actor: Actor) -> None:
        sources = sorted(p.source for p in posts)
        digest = hashlib.sha256("\n".join([escalation_id, *sources]).encode()).hexdigest()
        command = AttachPostsInput(
            actor=actor,
            posts=[AttachedPost(source=p.source, author=p.author.handle, posted_at=p.posted_at,
                                customer_id=p.customer.id if p.customer else None)
                   for p in posts],
            affected_customers=_customers(posts),
            affected_services=sorted({s for p in posts for s in p.services})[:100],
        )
        await self._escalations.attach(escalation_id, command, update_id=f"intake-{digest[:40]}")


async def _each(calls: list[Awaitable[None]], done: _Done) -> None:
    """Run all; keep the first failure for the answer (503 or the domain's own error)."""
    for outcome in await asyncio.gather(*calls, return_exceptions=True):
        if isinstance(outcome, DomainError):
            done.failure = done.failure or outcome
        elif isinstance(outcome, BaseException):
            raise outcome


def _settled(post: StoredPost, escalation_id: str | None, *, founder: bool | None = None
             ) -> Settlement:
    is_founder = post.founder if founder is None else founder
    return Settlement(source=post.source, escalation_id=escalation_id, founder=is_founder,
                      outcome=PostOutcome.ESCALATED if is_founder else PostOutcome.ATTACHED)


def _customers(posts: list[StoredPost]) -> list[AffectedCustomer]:
    found = {p.customer.id: p.customer for p in posts if p.customer}
    return [AffectedCustomer(id=c.id, name=c.name) for c in found.values()][:500]


def create_input(post: StoredPost) -> CreateEscalationInput:
    """The escalation a founding post opens; from its stored form alone, so that a retry
    sends the same body under the same Idempotency-Key."""
    author = post.author
    return CreateEscalationInput(
        title=title_of(post.text),
        description=post.text.strip(),
        category=post.category,
        channel=post.channel,
        customer=post.customer,
        source=Source(author=author.handle, verified=author.verified,
                      followers=author.followers, url=post.url),
        affected_customers=_customers([post]),
        affected_services=post.services[:100],
    )


def _answer(batch: IntakeBatch, decided: Decided, done: _Done) -> IntakeAnswer:
    everything = {**decided.earlier, **decided.new}
    carried = {s.source: s for s in done.settled}  # a refounded post moved escalation
    answered: set[str] = set()
    answers = []
    for post in batch.posts:
        stored = everything[post.source]
        earlier = decided.earlier.get(post.source)
        duplicate = post.source in answered or (earlier is not None
                                                and earlier.settled_at is not None)
        answered.add(post.source)
        outcome, escalation_id = stored.outcome, stored.escalation_id
        if (settled := carried.get(post.source)) is not None:
            outcome, escalation_id = settled.outcome, settled.escalation_id
        answers.append(PostAnswer(
            channel=post.channel, post_id=post.post_id,
            outcome=PostOutcome.DUPLICATE if duplicate else outcome,
            escalation_id=escalation_id, category=stored.category,
            temperature=stored.temperature, priority=stored.priority))
    counts = {o: sum(1 for a in answers if a.outcome is o) for o in PostOutcome}
    return IntakeAnswer(posts=answers, escalated=counts[PostOutcome.ESCALATED],
                        attached=counts[PostOutcome.ATTACHED],
                        recorded=counts[PostOutcome.RECORDED],
                        duplicate=counts[PostOutcome.DUPLICATE], escalations=done.escalations)
