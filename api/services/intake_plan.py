"""A batch of posts triaged and decided: what each post is, and what intake will do with it.

`triaged` runs the triage (CPU only); `decide` is the one write transaction that stores the new
posts with their decision and claims the groups they found, under the intake lock, so two
batches about one matter never both decide to open it. Carrying the decisions out (opening,
attaching) happens after the commit, outside any transaction (api/services/intake.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.intake.grouping import Candidate, place
from domain.intake.keys import group_keys, services
from domain.intake.posts import (
    IntakePost,
    PostOutcome,
    StoredPost,
    founded_escalation_id,
)
from domain.policy import Policy
from domain.triage import triage
from store.queries import (
    KeySeen,
    find_posts,
    insert_posts,
    lock_intake,
    open_groups,
    remember_keys,
)


def triaged(policy: Policy, posts: list[IntakePost], prior: dict[str, int], *,
            received_at: datetime) -> list[StoredPost]:
    """Each post triaged, as it will be stored (recorded, until `decide` places it)."""
    stored = []
    for post in posts:
        customer = post.customer
        result = triage(policy, post.triage_input(),
                        prior_escalations=prior.get(customer.id, 0) if customer else 0)
        named = services(post.text, policy.intake)
        stored.append(StoredPost(
            channel=post.channel, post_id=post.post_id, text=post.text, author=post.author,
            customer=customer, posted_at=post.posted_at, thread_id=post.thread_id,
            url=post.url, category=result.category, temperature=result.temperature,
            priority=result.priority, team=result.team, outcome=PostOutcome.RECORDED,
            received_at=received_at, urgent=result.should_escalate, founder=False,
            keys=group_keys(text=post.text, channel=post.channel.value,
                            thread_id=post.thread_id,
                            customer_id=customer.id if customer else None,
                            named_services=named, policy=policy.intake),
            services=named,
        ))
    return stored


@dataclass(frozen=True)
class Decided:
    """The batch's posts by source id: the ones this call stored, and the ones stored before
    (settled: duplicates; unsettled: an interrupted call's, finished by this one)."""

    new: dict[str, StoredPost]
    earlier: dict[str, StoredPost]


def decide(session: Session, posts: list[StoredPost], policy: Policy, *, now: datetime
           ) -> Decided:
    lock_intake(session)
    earlier = find_posts(session, [(p.channel.value, p.post_id) for p in posts])
    new = [p for p in posts if p.source not in earlier]
    urgent = [p for p in new if p.urgent]
    within = policy.intake.group_within
    placements = []
    if urgent:
        since = min(p.posted_at for p in urgent) - within
        groups = open_groups(session, {k for p in urgent for k in p.keys}, since=since)
        candidates = [Candidate(source=p.source, category=p.category, team=p.team,
                                at=p.posted_at, keys=tuple(p.keys)) for p in urgent]
        placements = place(candidates, groups, within=within,
                           founded_id={p.source: founded_escalation_id(p.source)
                                       for p in urgent})
    placed = {p.source: p for p in placements}
    stored: dict[str, StoredPost] = {}
    for post in new:
        where = placed.get(post.source)
        if where is None:  # not urgent: nothing more to do
            stored[post.source] = post.model_copy(update={"settled_at": now})
        else:
            stored[post.source] = post.model_copy(update={
                "outcome": PostOutcome.ESCALATED if where.founder else PostOutcome.ATTACHED,
                "escalation_id": where.escalation_id, "founder": where.founder})
    insert_posts(session, list(stored.values()))
    remember_keys(session, claimed_keys([stored[p.source] for p in urgent]))
    return Decided(new=stored, earlier=earlier)


def claimed_keys(posts: list[StoredPost]) -> list[KeySeen]:
    """The group keys of posts placed in escalations: later posts find the groups by them."""
    seen: dict[tuple[str, str], KeySeen] = {}
    for post in posts:
        if post.escalation_id is None:
            continue
        for key in post.keys:
            earlier = seen.get((post.escalation_id, key))
            if earlier is None or earlier.at < post.posted_at:
                seen[(post.escalation_id, key)] = KeySeen(
                    escalation_id=post.escalation_id, key=key, category=post.category,
                    team=post.team, at=post.posted_at)
    return list(seen.values())
