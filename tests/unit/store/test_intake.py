"""Social intake's store: posts once per source id, open groups, spike counts, the listening
report and an escalation's sources, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Category, Priority, SourceChannel, Stage, Status, Temperature
from domain.intake.grouping import OpenGroup
from domain.intake.posts import PostAuthor, PostOutcome, StoredPost
from domain.intake.spike import MeasureSpikeInput, SpikeRecord
from domain.models import Customer
from store.queries import (
    KeySeen,
    Settlement,
    escalation_sources,
    find_posts,
    insert_posts,
    intake_report,
    measure_spike,
    open_groups,
    record_spike,
    remember_keys,
    settle_posts,
    upsert_escalation,
)
from tests.unit.store.factories import T0, make_view


def stored(n: int, *, minutes: float = 0, author: str | None = None, hot: bool = True,
           outcome: PostOutcome = PostOutcome.RECORDED, escalation_id: str | None = None,
           customer: str | None = None, settled: bool = True, **changes: Any) -> StoredPost:
    at = T0 + timedelta(minutes=minutes)
    post = StoredPost(
        channel=SourceChannel.TWITTER, post_id=str(n), text=f"post {n}",
        author=PostAuthor(handle=author or f"@u{n}"),
        customer=Customer(id=customer) if customer else None, posted_at=at,
        category=Category.OUTAGE if hot else Category.OTHER,
        temperature=Temperature.HOT if hot else Temperature.COLD,
        priority=Priority.P1 if hot else Priority.P3, team="sre" if hot else "support",
        outcome=outcome, escalation_id=escalation_id, received_at=at + timedelta(seconds=30),
        settled_at=at + timedelta(seconds=30) if settled else None, urgent=hot,
        founder=outcome is PostOutcome.ESCALATED, keys=["hashtag:down"] if hot else [],
        services=[],
    )
    return post.model_copy(update=changes)


def write(sessions: sessionmaker[Session], work: Any) -> Any:
    with sessions() as session, session.begin():
        return work(session)


class TestPosts:
    def test_a_post_is_stored_once_per_source_id(self, sessions: sessionmaker[Session]) -> None:
        write(sessions, lambda s: insert_posts(s, [stored(1)]))
        write(sessions, lambda s: insert_posts(s, [stored(1, text="changed"), stored(2)]))
        found = write(sessions, lambda s: find_posts(s, [("twitter", "1"), ("twitter", "2"),
                                                         ("facebook", "1")]))
        assert sorted(found) == ["twitter:1", "twitter:2"]
        assert found["twitter:1"].text == "post 1"

    def test_settling_records_the_outcome_and_its_time(
        self, sessions: sessionmaker[Session]
    ) -> None:
        write(sessions, lambda s: insert_posts(s, [stored(1, settled=False)]))
        at = T0 + timedelta(minutes=3)
        write(sessions, lambda s: settle_posts(s, [Settlement(
            source="twitter:1", outcome=PostOutcome.ESCALATED, escalation_id="esc-a",
            founder=True)], at=at))
        post = write(sessions, lambda s: find_posts(s, [("twitter", "1")]))["twitter:1"]
        assert (post.outcome, post.escalation_id, post.founder, post.settled_at) == (
            PostOutcome.ESCALATED, "esc-a", True, at)


class TestGroups:
    def seen(self, escalation_id: str, key: str, minutes: float) -> KeySeen:
        return KeySeen(escalation_id=escalation_id, key=key, category=Category.OUTAGE,
                       team="sre", at=T0 + timedelta(minutes=minutes))

    def groups(self, sessions: sessionmaker[Session], *keys: str) -> dict[str, OpenGroup]:
        found = write(sessions, lambda s: open_groups(s, keys, since=T0 - timedelta(hours=1)))
        return {g.escalation_id: g for g in found}

    def test_a_key_seen_again_keeps_the_later_time(self, sessions: sessionmaker[Session]
                                                   ) -> None:
        write(sessions, lambda s: remember_keys(s, [self.seen("esc-a", "hashtag:x", 10)]))
        write(sessions, lambda s: remember_keys(s, [self.seen("esc-a", "hashtag:x", 5)]))
        assert self.groups(sessions, "hashtag:x")["esc-a"].seen == {
            "hashtag:x": T0 + timedelta(minutes=10)}

    def test_a_group_comes_with_every_key_it_saw(self, sessions: sessionmaker[Session]) -> None:
        write(sessions, lambda s: remember_keys(s, [self.seen("esc-a", "hashtag:x", 0),
                                                    self.seen("esc-a", "service:app", 1)]))
        assert set(self.groups(sessions, "hashtag:x")["esc-a"].seen) == {"hashtag:x",
                                                                          "service:app"}

    def test_closed_or_closing_escalations_are_no_group_but_unstored_ones_are(
        self, sessions: sessionmaker[Session]
    ) -> None:
        write(sessions, lambda s: remember_keys(s, [
            self.seen(e, "hashtag:x", 0) for e in ("esc-open", "esc-closing", "esc-done",
                                                   "esc-opening")]))
        write(sessions, lambda s: [upsert_escalation(s, v) for v in (
            make_view("esc-open"), make_view("esc-closing", stage=Stage.CLOSE),
            make_view("esc-done", status=Status.CANCELLED))])
        assert sorted(self.groups(sessions, "hashtag:x")) == ["esc-open", "esc-opening"]


class TestSpikes:
    def asked(self, **changes: Any) -> MeasureSpikeInput:
        return MeasureSpikeInput(category=Category.OUTAGE, at=T0 + timedelta(minutes=10),
                                 window=timedelta(minutes=10), baseline=timedelta(hours=1),
                                 samples=3).model_copy(update=changes)

    def test_the_window_and_the_baseline_are_counted_apart(
        self, sessions: sessionmaker[Session]
    ) -> None:
        posts = [stored(n, minutes=n / 10, customer=f"c{n % 4}") for n in range(1, 30)]
        posts += [stored(100 + n, minutes=-30 - n) for n in range(5)]  # the baseline
        posts += [stored(200, minutes=5, hot=False), stored(201, minutes=11)]  # cold; later
        write(sessions, lambda s: insert_posts(s, posts))
        found = write(sessions, lambda s: measure_spike(s, self.asked()))
        assert (found.window_count, found.baseline_count) == (29, 5)
        assert [s.source for s in found.samples] == ["twitter:29", "twitter:28", "twitter:27"]
        assert sorted(c.id for c in found.customers) == ["c0", "c1", "c2", "c3"]
        assert found.open_spike is None

    def test_a_recorded_spike_is_the_open_one_until_its_escalation_ends(
        self, sessions: sessionmaker[Session]
    ) -> None:
        record = SpikeRecord(escalation_id="esc-spike", category=Category.OUTAGE, at=T0,
                             count=25, samples=["twitter:1"])
        write(sessions, lambda s: record_spike(s, record))
        found = write(sessions, lambda s: measure_spike(s, self.asked()))
        assert found.open_spike is not None
        assert (found.open_spike.escalation_id, found.open_spike.last_count) == ("esc-spike", 25)
        write(sessions, lambda s: upsert_escalation(s, make_view(
            "esc-spike", status=Status.CANCELLED)))
        gone = write(sessions, lambda s: measure_spike(s, self.asked(
            known_spike_id="esc-spike")))
        assert (gone.open_spike, gone.known_closed) == (None, True)

    def test_an_earlier_record_arriving_late_does_not_move_the_count_back(
        self, sessions: sessionmaker[Session]
    ) -> None:
        def record(count: int, minutes: int) -> SpikeRecord:
            return SpikeRecord(escalation_id="esc-spike", category=Category.OUTAGE,
                               at=T0 + timedelta(minutes=minutes), count=count, samples=[])

        for count, minutes in ((25, 0), (60, 5), (40, 2)):
            write(sessions, lambda s, c=count, m=minutes: record_spike(s, record(c, m)))
        found = write(sessions, lambda s: measure_spike(s, self.asked()))
        assert found.open_spike is not None
        assert found.open_spike.last_count == 60


class TestReportAndSources:
    def test_the_listening_report_counts_outcomes_hours_and_time_to_escalation(
        self, sessions: sessionmaker[Session]
    ) -> None:
        posts = [
            stored(1, outcome=PostOutcome.ESCALATED, escalation_id="esc-a"),
            stored(2, minutes=1, outcome=PostOutcome.ATTACHED, escalation_id="esc-a"),
            stored(3, minutes=2, outcome=PostOutcome.ATTACHED, escalation_id="esc-a",
                   settled=False),
            stored(4, minutes=70, hot=False),
        ]
        write(sessions, lambda s: insert_posts(s, posts))
        report = write(sessions, lambda s: intake_report(s, since=None, until=None))
        assert (report.posts, report.hot, report.urgent, report.escalated, report.attached,
                report.recorded, report.unsettled) == (4, 3, 3, 1, 1, 1, 1)
        assert report.urgent_share == 0.75
        assert [(h.hour, h.temperature.value, h.posts) for h in report.by_hour] == [
            (T0, "hot", 3), (T0 + timedelta(hours=1), "cold", 1)]
        assert (report.to_escalation.count, report.to_escalation.mean_seconds,
                report.to_escalation.p90_seconds) == (2, 30.0, 30.0)
        later = write(sessions, lambda s: intake_report(
            s, since=T0 + timedelta(minutes=30), until=None))
        assert (later.posts, later.to_escalation.count) == (1, 0)

    def test_sources_give_each_author_their_last_seven_posts_and_other_escalations(
        self, sessions: sessionmaker[Session]
    ) -> None:
        history = [stored(n, minutes=-n, author="@ann", hot=False) for n in range(10, 20)]
        earlier = stored(30, minutes=-600, author="@ann", outcome=PostOutcome.ESCALATED,
                         escalation_id="esc-before")
        now = [stored(1, author="@ann", customer="c1", outcome=PostOutcome.ESCALATED,
                      escalation_id="esc-now"),
               stored(2, minutes=1, author="@bob", outcome=PostOutcome.ATTACHED,
                      escalation_id="esc-now")]
        write(sessions, lambda s: insert_posts(s, [*history, earlier, *now]))
        write(sessions, lambda s: [upsert_escalation(s, make_view(e, created_at=at)) for e, at in
                                   (("esc-before", T0 - timedelta(hours=10)),
                                    ("esc-now", T0),
                                    ("esc-c1", T0 - timedelta(days=3)))])
        write(sessions, lambda s: upsert_escalation(s, make_view(
            "esc-c1", created_at=T0 - timedelta(days=3), customer=Customer(id="c1"))))
        sources = write(sessions, lambda s: escalation_sources(s, "esc-now", limit=100))
        assert sources.total == 2
        assert [p.post_id for p in sources.posts] == ["1", "2"]
        ann, bob = sources.authors
        assert ann.handle == "@ann"
        assert len(ann.posts) == 7
        assert [p.post_id for p in ann.posts] == ["1", "10", "11", "12", "13", "14", "15"]
        assert [e.id for e in ann.escalations] == ["esc-before", "esc-c1"]
        assert (bob.handle, [p.post_id for p in bob.posts], bob.escalations) == ("@bob", ["2"],
                                                                                 [])

