"""The SLA report's channel groups and recurring issues (issue 22, item 7), on SQLite and
PostgreSQL: an escalation's channel is its first post's, and recurring issues count each
ISO week's escalations by category and by tag."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Category, Priority, SourceChannel, Status, Temperature
from domain.intake.posts import PostAuthor, PostOutcome, StoredPost
from domain.reports import DIRECT, GroupBy, RecurringCount
from store.queries import insert_posts, upsert_escalation
from store.reports import sla_report
from tests.unit.store.factories import T0, make_view

MONDAY = T0.date()  # T0 is a Monday, 09:00 UTC


def _post(post_id: str, escalation_id: str, channel: SourceChannel, minutes: int) -> StoredPost:
    at = T0 + timedelta(minutes=minutes)
    return StoredPost(
        channel=channel, post_id=post_id, text="down again", author=PostAuthor(handle="@a"),
        posted_at=at, category=Category.OUTAGE, temperature=Temperature.HOT,
        priority=Priority.P2, team="sre", outcome=PostOutcome.ATTACHED,
        escalation_id=escalation_id, received_at=at, settled_at=at, urgent=True,
        founder=False, keys=[], services=[])


def test_each_escalation_counts_in_its_first_post_s_channel(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s, s.begin():
        for escalation_id in ("esc-social", "esc-mail", "esc-direct"):
            upsert_escalation(s, make_view(escalation_id))
        insert_posts(s, [
            _post("p2", "esc-social", SourceChannel.FACEBOOK, minutes=5),
            _post("p1", "esc-social", SourceChannel.TWITTER, minutes=1),  # the first
            _post("p3", "esc-mail", SourceChannel.EMAIL, minutes=2),
        ])
    with sessions() as s, s.begin():
        report = sla_report(s, group_by=GroupBy.CHANNEL)

    assert {g.value: g.count for g in report.groups} == {"twitter": 1, "email": 1, DIRECT: 1}


def test_recurring_issues_count_categories_and_tags_per_week(
    sessions: sessionmaker[Session],
) -> None:
    views = [
        make_view("esc-1", category=Category.BILLING, tags=["invoice", "march"]),
        make_view("esc-2", created_at=T0 + timedelta(days=6, hours=14),  # Sunday night
                  category=Category.BILLING, tags=["invoice"]),
        make_view("esc-3", created_at=T0 + timedelta(days=1), category=Category.OUTAGE),
        make_view("esc-4", created_at=T0 + timedelta(days=7), category=Category.BILLING,
                  tags=["invoice"]),  # the next Monday
    ]
    with sessions() as s, s.begin():
        for view in views:
            upsert_escalation(s, view)
    with sessions() as s, s.begin():
        recurring = sla_report(s).recurring
        windowed = sla_report(s, since=T0 + timedelta(days=7)).recurring

    next_week = MONDAY + timedelta(days=7)
    assert recurring == [
        RecurringCount(week=MONDAY, kind="category", name="billing", count=2),
        RecurringCount(week=MONDAY, kind="category", name="outage", count=1),
        RecurringCount(week=MONDAY, kind="tag", name="invoice", count=2),
        RecurringCount(week=MONDAY, kind="tag", name="march", count=1),
        RecurringCount(week=next_week, kind="category", name="billing", count=1),
        RecurringCount(week=next_week, kind="tag", name="invoice", count=1),
    ]
    assert {c.week for c in windowed} == {next_week}
    assert isinstance(recurring[0].week, date)


def test_time_paused_before_each_event_is_not_counted(sessions: sessionmaker[Session]) -> None:
    waited = make_view("esc-waited", acknowledged_at=T0 + timedelta(hours=2),
                       resolution_declared_at=T0 + timedelta(hours=10),
                       paused_before_acknowledgement=3600, paused_before_resolution=7 * 3600,
                       paused_total=7 * 3600)
    with sessions() as s, s.begin():
        upsert_escalation(s, waited)
    with sessions() as s, s.begin():
        overall = sla_report(s).overall

    assert overall.mean_seconds_to_acknowledge == 3600  # 2 h, 1 h of it paused
    assert overall.mean_seconds_to_resolve == 3 * 3600  # 10 h, 7 h of it paused


def test_a_merged_duplicate_is_counted_in_its_survivor_only(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s, s.begin():
        upsert_escalation(s, make_view("esc-survivor", tags=["outage"]))
        upsert_escalation(s, make_view("esc-duplicate", status=Status.MERGED, tags=["outage"]))
    with sessions() as s, s.begin():
        report = sla_report(s, group_by=GroupBy.TEAM)

    assert report.overall.count == 1
    assert [(g.value, g.count) for g in report.groups] == [("support", 1)]
    assert [(c.name, c.count) for c in report.recurring if c.kind == "tag"] == [("outage", 1)]
