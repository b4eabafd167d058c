"""At most one accepted delivery per notification id; anything but 2xx is a retryable failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from domain.enums import ContactChannel
from tests.support.receivers import HttpReceiver
from tests.unit.activities.builders import SHORT_TIMEOUT, delivery, stored
from tests.unit.activities.conftest import Build


class TestAlreadyDelivered:
    async def test_a_second_run_does_not_resend(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())
        await ActivityEnvironment().run(build().deliver_notification, payload)

        again = await ActivityEnvironment().run(build().deliver_notification, payload)

        assert (again.status, again.status_code) == ("already_delivered", 200)
        assert http_receiver.count == 1

    async def test_delivery_is_recorded_with_its_status_code(
        self, build: Build, http_receiver: HttpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        await ActivityEnvironment().run(build().deliver_notification, payload)

        row = stored(sessions, payload.notification.id)
        assert (row.status, row.status_code, row.attempts) == ("delivered", 200, 1)
        assert row.delivered_at is not None


class TestFailedAttempt:
    async def test_non_2xx_raises_a_retryable_error(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        http_receiver.fail(times=1, status=503)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(build().deliver_notification, payload)

        assert raised.value.type == "delivery_failed"
        assert not raised.value.non_retryable
        assert "503" in raised.value.message

    async def test_non_2xx_records_the_attempt(
        self, build: Build, http_receiver: HttpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        http_receiver.fail(times=1, status=500)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        with pytest.raises(ApplicationError):
            await ActivityEnvironment().run(build().deliver_notification, payload)

        row = stored(sessions, payload.notification.id)
        assert (row.status, row.attempts, row.status_code) == ("pending", 1, 500)
        assert "500" in (row.last_error or "")

    async def test_a_redirect_is_not_followed(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        # Following it would reach a host the rules never checked.
        http_receiver.fail(times=1, status=302, headers={"Location": "http://10.0.0.1/"})
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        with pytest.raises(ApplicationError, match="302"):
            await ActivityEnvironment().run(build().deliver_notification, payload)

        assert http_receiver.count == 1

    async def test_retry_after_sets_the_next_retry_delay(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        http_receiver.fail(times=1, status=429, headers={"Retry-After": "42"})
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(build().deliver_notification, payload)

        assert raised.value.next_retry_delay == timedelta(seconds=42)

    async def test_retries_send_the_same_id_until_one_is_accepted(
        self, build: Build, http_receiver: HttpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        http_receiver.fail(times=2, status=500)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())
        activities = build()
        for _ in range(2):
            with pytest.raises(ApplicationError):
                await ActivityEnvironment().run(activities.deliver_notification, payload)

        result = await ActivityEnvironment().run(activities.deliver_notification, payload)
        await ActivityEnvironment().run(activities.deliver_notification, payload)

        assert result.status == "delivered"
        assert {r.idempotency_key for r in http_receiver.requests} == {payload.notification.id}
        assert http_receiver.delivered_keys() == {payload.notification.id: 1}
        row = stored(sessions, payload.notification.id)
        assert (row.status, row.attempts) == ("delivered", 3)


    async def test_a_receiver_down_for_a_while_gets_it_once_when_back(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        http_receiver.fail_always(status=500)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())
        activities = build()
        for _ in range(3):
            with pytest.raises(ApplicationError):
                await ActivityEnvironment().run(activities.deliver_notification, payload)
        http_receiver.recover()

        await ActivityEnvironment().run(activities.deliver_notification, payload)
        await ActivityEnvironment().run(activities.deliver_notification, payload)

        assert http_receiver.count == 4
        assert http_receiver.unique_deliveries() == 1
        assert http_receiver.duplicates() == {}


class TestNoAnswer:
    async def test_a_hanging_receiver_fails_after_the_timeout(
        self, build: Build, http_receiver: HttpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        http_receiver.hang()
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(
                build(request_timeout=SHORT_TIMEOUT).deliver_notification, payload
            )

        assert raised.value.type == "delivery_failed"
        assert not raised.value.non_retryable
        assert "no answer" in raised.value.message
        row = stored(sessions, payload.notification.id)
        assert (row.status, row.attempts) == ("pending", 1)

    async def test_a_closed_port_is_a_retryable_failure(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        url = http_receiver.url()
        http_receiver.close()  # nothing listens on the port any more
        payload = delivery(ContactChannel.WEBHOOK, url)

        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(build().deliver_notification, payload)

        assert raised.value.type == "delivery_failed"
        assert not raised.value.non_retryable
