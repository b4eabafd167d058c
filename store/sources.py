"""An escalation's sources: its posts, and each author's last posts and earlier escalations."""

from __future__ import annotations

from sqlmodel import Session

from domain.intake.sources import (
    AUTHOR_ESCALATIONS,
    AUTHOR_POSTS,
    AuthorHistory,
    EscalationBrief,
    Sources,
)
from store.escalations import briefs, ids_of_customers
from store.posts import (
    authors_escalations,
    authors_last_posts,
    escalation_posts,
    posts_by_source,
)
from store.spikes import spike_samples


def escalation_sources(session: Session, escalation_id: str, *, limit: int) -> Sources:
    posts, total = escalation_posts(session, escalation_id, limit=limit)
    samples = spike_samples(session, escalation_id)
    sample_posts = posts_by_source(session, samples) if samples else []
    shown = [*posts, *sample_posts]
    authors = list(dict.fromkeys((p.channel.value, p.author.handle) for p in shown))
    customers = {(p.channel.value, p.author.handle): p.customer for p in shown if p.customer}
    last_posts = authors_last_posts(session, authors, each=AUTHOR_POSTS)
    went_to = authors_escalations(session, authors)
    by_customer = ids_of_customers(session, [c.id for c in customers.values()],
                                   limit=AUTHOR_ESCALATIONS)
    wanted = {e for ids in went_to.values() for e in ids}
    wanted |= {e for ids in by_customer.values() for e in ids}
    wanted.discard(escalation_id)
    known = {b.id: b for b in briefs(session, sorted(wanted))}

    def earlier(author: tuple[str, str]) -> list[EscalationBrief]:
        customer = customers.get(author)
        ids = went_to.get(author, set()) | set(by_customer.get(customer.id, []) if customer
                                                else [])
        found = [known[i] for i in ids if i in known]
        found.sort(key=lambda b: (b.created_at, b.id), reverse=True)
        return found[:AUTHOR_ESCALATIONS]

    return Sources(
        escalation_id=escalation_id,
        total=total,
        posts=posts,
        authors=[AuthorHistory(channel=channel, handle=handle,
                               customer=customers.get((channel, handle)),
                               posts=last_posts.get((channel, handle), []),
                               escalations=earlier((channel, handle)))
                 for channel, handle in authors],
        spike_samples=sample_posts,
    )
