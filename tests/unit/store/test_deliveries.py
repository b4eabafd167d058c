from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import ContactChannel, NotificationEvent
from store.queries import (
    Delivered,
    DeliveryStatus,
    find_delivered,
    get_delivery,
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
