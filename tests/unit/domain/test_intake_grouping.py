"""Grouping: which urgent posts found an escalation and which join one (domain.intake.grouping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.enums import Category
from domain.intake.grouping import Candidate, OpenGroup, place

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WITHIN = timedelta(hours=6)


def post(source: str, *keys: str, minutes: float = 0, category: Category = Category.OUTAGE,
         team: str = "sre") -> Candidate:
    return Candidate(source=source, category=category, team=team,
                     at=T0 + timedelta(minutes=minutes), keys=keys)


def group(escalation_id: str, seen: dict[str, float], *, category: Category = Category.OUTAGE,
          team: str = "sre") -> OpenGroup:
    return OpenGroup(escalation_id=escalation_id, category=category, team=team,
                     seen={k: T0 + timedelta(minutes=m) for k, m in seen.items()})


def placed(posts: list[Candidate], groups: list[OpenGroup]) -> list[tuple[str, str, bool]]:
    founded = {p.source: f"esc-{p.source}" for p in posts}
    return [(p.source, p.escalation_id, p.founder)
            for p in place(posts, groups, within=WITHIN, founded_id=founded)]


@pytest.mark.parametrize(("candidate", "expected"), [
    pytest.param(post("p", "hashtag:acmedown"), ("p", "esc-open", False), id="shared-hashtag"),
    pytest.param(post("p", "customer:c1"), ("p", "esc-open", False), id="same-customer"),
    pytest.param(post("p", "hashtag:other"), ("p", "esc-p", True), id="no-shared-key"),
    pytest.param(post("p", "hashtag:acmedown", minutes=6 * 60 + 1), ("p", "esc-p", True),
                 id="past-group-within"),
    pytest.param(post("p", "hashtag:acmedown", category=Category.BILLING), ("p", "esc-p", True),
                 id="other-category"),
    pytest.param(post("p", "hashtag:acmedown", team="support"), ("p", "esc-p", True),
                 id="other-team"),
    pytest.param(post("p"), ("p", "esc-p", True), id="no-keys-at-all"),
])
def test_a_post_joins_an_open_group_only_when_it_matches(
    candidate: Candidate, expected: tuple[str, str, bool]
) -> None:
    assert placed([candidate], [group("esc-open", {"hashtag:acmedown": 0, "customer:c1": 0})]
                  ) == [expected]


def test_the_batch_joins_the_escalation_its_first_post_opens() -> None:
    posts = [post("a", "hashtag:acmedown"), post("b", "hashtag:acmedown", "service:app",
                                                 minutes=1),
             post("c", "service:app", minutes=2)]
    assert placed(posts, []) == [("a", "esc-a", True), ("b", "esc-a", False),
                                 ("c", "esc-a", False)]


def test_the_earliest_post_founds_whatever_order_they_came_in() -> None:
    posts = [post("late", "hashtag:x", minutes=5), post("early", "hashtag:x")]
    assert placed(posts, []) == [("late", "esc-early", False), ("early", "esc-early", True)]


def test_of_two_matching_groups_the_one_that_saw_a_shared_key_last_wins() -> None:
    groups = [group("esc-old", {"hashtag:x": 0}), group("esc-new", {"customer:c1": 30})]
    assert placed([post("p", "hashtag:x", "customer:c1", minutes=40)], groups) == [
        ("p", "esc-new", False)]


def test_at_the_same_instant_the_smaller_id_wins_whatever_the_store_order() -> None:
    groups = [group("esc-b", {"hashtag:x": 0}), group("esc-a", {"hashtag:x": 0})]
    assert placed([post("p", "hashtag:x")], groups) == [("p", "esc-a", False)]


def test_a_joining_post_brings_its_keys_to_the_group() -> None:
    posts = [post("a", "hashtag:x"), post("b", "hashtag:x", "thread:twitter:9", minutes=1),
             post("c", "thread:twitter:9", minutes=2)]
    assert [founder for _, _, founder in placed(posts, [])] == [True, False, False]


def test_a_key_seen_long_ago_does_not_hold_the_group_together() -> None:
    groups = [group("esc-open", {"hashtag:x": -7 * 60, "customer:c1": 0})]
    assert placed([post("p", "hashtag:x")], groups) == [("p", "esc-p", True)]
