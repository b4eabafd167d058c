"""Grouping instead of duplicates: which urgent posts open an escalation, which join one.

A post that triage says to escalate joins an open group (an escalation opened or grown by
intake) when the group has the post's category and team and saw one of the post's keys
(`domain.intake.keys`) within `[intake] group_within` of the post's time. Of several such
groups, the one that saw a shared key last wins. A post that joins no group founds one: it opens
an escalation whose id is derived from its source id, and later posts of the same batch can
join it. Posts are placed in the order they were posted, so the earliest one founds the group
whichever order the connector sent them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.enums import Category


@dataclass(frozen=True)
class Candidate:
    """An urgent post to place: only urgent posts (triage's `should_escalate`) are grouped."""

    source: str
    category: Category
    team: str
    at: datetime
    keys: tuple[str, ...]


@dataclass
class OpenGroup:
    """An open escalation intake may add to: its category, team and when it last saw each key."""

    escalation_id: str
    category: Category
    team: str
    seen: dict[str, datetime] = field(default_factory=dict)

    def last_shared(self, post: Candidate, within: timedelta) -> datetime | None:
        """When the group last saw a key of `post` within `within` of it; None if it did not."""
        if (post.category, post.team) != (self.category, self.team):
            return None
        times = [self.seen[k] for k in post.keys
                 if k in self.seen and abs(post.at - self.seen[k]) <= within]
        return max(times, default=None)

    def add(self, post: Candidate) -> None:
        for key in post.keys:
            seen = self.seen.get(key)
            self.seen[key] = post.at if seen is None else max(seen, post.at)


@dataclass(frozen=True)
class Placement:
    source: str
    escalation_id: str
    founder: bool  # True: the post opens the escalation; False: it joins it


def place(posts: list[Candidate], groups: list[OpenGroup], *, within: timedelta,
          founded_id: dict[str, str]) -> list[Placement]:
    """Place every post, earliest first; `groups` grow as posts join or found them.

    `founded_id` maps a source id to the id of the escalation it would open.
    """
    placements: list[Placement] = []
    holding: dict[str, list[OpenGroup]] = {}  # key -> the groups that saw it
    for group in groups:
        for key in group.seen:
            holding.setdefault(key, []).append(group)
    ordered = sorted(enumerate(posts), key=lambda item: (item[1].at, item[0]))
    for _, post in ordered:
        near = {g.escalation_id: g for key in post.keys for g in holding.get(key, ())}
        best: tuple[datetime, OpenGroup] | None = None
        # By id, and only a later time displaces: at the same instant the smaller id wins, so
        # the choice never depends on the order the store listed the groups in.
        for _, group in sorted(near.items()):
            seen = group.last_shared(post, within)
            if seen is not None and (best is None or seen > best[0]):
                best = (seen, group)
        if best is None:
            group = OpenGroup(escalation_id=founded_id[post.source], category=post.category,
                              team=post.team)
            groups.append(group)
        else:
            group = best[1]
        placements.append(Placement(post.source, group.escalation_id, founder=best is None))
        for key in post.keys:
            if key not in group.seen:
                holding.setdefault(key, []).append(group)
        group.add(post)
    by_source = {p.source: p for p in placements}
    return [by_source[post.source] for post in posts]

