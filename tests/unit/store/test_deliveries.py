from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import ContactChannel, NotificationEvent, Stage, TimelineType
from domain.models import TimelineEntry
from store.queries import (
    Delivered,
    DeliveryItem,
    DeliveryState,
    DeliveryStatus,
    append_timeline,
    find_delivered,
    get_delivery,
    list_deliveries,
    mark_delivered,
    mark_failed,
    record_delivery_attempt,
)
from store.tables import DeliveryRow
from tests.unit.store.factories import T0

IDENTITY = {
    "notification_id": "esc-1:notice:3:finance",
    "escalation_id": "esc-1",
    "event": NotificationEvent.NOTICE,
    "channel": ContactChannel.WEBHOOK,
    "recipient_name": "Finance on-call",
}
NID = IDENTITY["notification_id"]


def _failed_attempt(sessions: sessionmaker[Session], minutes: int, error: str = "HTTP 503") -> None:
    with sessions() as s, s.begin():
        record_delivery_attempt(
            s, **IDENTITY, status_code=503, error=error, at=T0 + timedelta(minutes=minutes)
        )


def _delivered(sessions: sessionmaker[Session], minutes: int) -> None:
    with sessions() as s, s.begin():
        mark_delivered(s, **IDENTITY, status_code=200, at=T0 + timedelta(minutes=minutes))


def _row(sessions: sessionmaker[Session]) -> DeliveryRow:
    with sessions() as s, s.begin():
        row = get_delivery(s, NID)
    assert row is not None
    return row


class TestDeliveries:
    def test_unknown_notification_has_no_row(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            assert get_delivery(s, "nope") is None

    def test_failed_attempts_are_counted_and_stay_pending(
        self, sessions: sessionmaker[Session]
    ) -> None:
        _failed_attempt(sessions, 0)
        _failed_attempt(sessions, 1, error="timed out")
        row = _row(sessions)
        assert (row.status, row.attempts, row.last_error) == ("pending", 2, "timed out")
        assert (row.first_attempt_at, row.last_attempt_at) == (T0, T0 + timedelta(minutes=1))

    def test_enum_arguments_are_stored_as_their_values(
        self, sessions: sessionmaker[Session]
    ) -> None:
        _failed_attempt(sessions, 0)
        row = _row(sessions)
        assert (row.event, row.channel) == ("notice", "webhook")

    def test_delivery_after_failures_is_final(self, sessions: sessionmaker[Session]) -> None:
        _failed_attempt(sessions, 0)
        _delivered(sessions, 1)
        row = _row(sessions)
        assert (row.status, row.attempts, row.status_code) == (DeliveryStatus.DELIVERED, 2, 200)
        assert row.delivered_at == T0 + timedelta(minutes=1)

    def test_a_late_failed_attempt_never_downgrades_delivered(
        self, sessions: sessionmaker[Session]
    ) -> None:
        _delivered(sessions, 0)
        _failed_attempt(sessions, 1)
        row = _row(sessions)
        assert (row.status, row.attempts, row.status_code) == ("delivered", 1, 200)

    def test_giving_up_never_downgrades_delivered(self, sessions: sessionmaker[Session]) -> None:
        _delivered(sessions, 0)
        with sessions() as s, s.begin():
            mark_failed(s, NID, T0 + timedelta(hours=24), "retries exhausted")
        assert _row(sessions).status == "delivered"

    def test_delivering_twice_keeps_the_first_delivery(
        self, sessions: sessionmaker[Session]
    ) -> None:
        _delivered(sessions, 0)
        _delivered(sessions, 5)
        row = _row(sessions)
        assert (row.attempts, row.delivered_at) == (1, T0)

    def test_giving_up_marks_a_pending_delivery_failed(
        self, sessions: sessionmaker[Session]
    ) -> None:
        _failed_attempt(sessions, 0)
        with sessions() as s, s.begin():
            mark_failed(s, NID, T0 + timedelta(hours=24), "retries exhausted")
        row = _row(sessions)
        assert (row.status, row.last_error) == ("failed", "retries exhausted")
        assert row.failed_at == T0 + timedelta(hours=24)

    def test_a_long_error_is_clipped(self, sessions: sessionmaker[Session]) -> None:
        _failed_attempt(sessions, 0, error="x" * 5000)
        assert len(_row(sessions).last_error or "") == 500


class TestFindDelivered:
    def test_only_a_delivered_notification_is_found(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with sessions() as s, s.begin():
            assert find_delivered(s, NID) is None  # no row yet
        _failed_attempt(sessions, 0)
        with sessions() as s, s.begin():
            assert find_delivered(s, NID) is None  # pending
        _delivered(sessions, 1)
        with sessions() as s, s.begin():
            assert find_delivered(s, NID) == Delivered(status_code=200)


class TestListDeliveries:
    """GET .../deliveries: each recipient's state, from the rows and the timeline's entries."""

    ESC = "esc-1"

    def _listed(self, sessions: sessionmaker[Session]) -> list[DeliveryItem]:
        with sessions() as s, s.begin():
            return list_deliveries(s, self.ESC)

    def _entry(self, sessions: sessionmaker[Session], seq: int, type_: TimelineType,
               details: dict[str, object]) -> None:
        with sessions() as s, s.begin():
            append_timeline(s, self.ESC, [TimelineEntry(
                seq=seq, at=T0, type=type_, actor="system", stage=Stage.COMMUNICATE,
                details=details)])

    def test_states_follow_the_rows(self, sessions: sessionmaker[Session]) -> None:
        retrying = {**IDENTITY, "notification_id": "esc-1.notice.3.0"}
        delivered = {**IDENTITY, "notification_id": "esc-1.notice.3.1",
                     "recipient_name": "CFO"}
        with sessions() as s, s.begin():
            record_delivery_attempt(s, **retrying, status_code=503, error="HTTP 503", at=T0)
            mark_delivered(s, **delivered, status_code=200, at=T0)
        items = {i.recipient: i for i in self._listed(sessions)}
        assert (items["Finance on-call"].state, items["Finance on-call"].attempts,
                items["Finance on-call"].last_error) == (DeliveryState.RETRYING, 1, "HTTP 503")
        assert items["CFO"].state is DeliveryState.DELIVERED
        assert {i.seq for i in items.values()} == {3}

    def test_a_delivery_given_up_in_the_workflow_is_failed(self, sessions: sessionmaker[Session]
                                                           ) -> None:
        self._entry(sessions, 9, TimelineType.NOTIFICATION_FAILED, {
            "notification_id": "esc-1.reminder.8.0", "reason": "no answer",
            "event": "reminder", "recipient": "Owner", "channel": "webhook"})
        (item,) = self._listed(sessions)
        assert (item.state, item.seq, item.recipient, item.last_error) == (
            DeliveryState.FAILED, 8, "Owner", "no answer")

    def test_skipped_recipients_carry_why(self, sessions: sessionmaker[Session]) -> None:
        self._entry(sessions, 5, TimelineType.NOTIFICATION_SKIPPED, {
            "event": "notice", "audience": "customer", "cause_seq": 4, "reason": None,
            "unreached": [{"name": "Acme", "reason": "has no contact"}]})
        self._entry(sessions, 6, TimelineType.NOTIFICATION_SKIPPED, {
            "event": "escalated", "audience": "internal", "cause_seq": 4,
            "reason": "team sre lists no director contacts", "unreached": []})
        items = self._listed(sessions)
        assert [(i.state, i.seq, i.recipient, i.reason) for i in items] == [
            (DeliveryState.SKIPPED, 4, "Acme", "has no contact"),
            (DeliveryState.SKIPPED, 4, None, "team sre lists no director contacts"),
        ]
