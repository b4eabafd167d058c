"""Secrets never reach error text: it lands in Temporal history, the store and the logs."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.channels.redact import redact_url
from domain.enums import ContactChannel
from domain.messages import DeliveryInput
from tests.support.receivers import HttpReceiver
from tests.unit.activities.builders import SHORT_TIMEOUT, delivery, stored
from tests.unit.activities.conftest import Build

TOKEN = "tok3n-s3cr3t-value"


async def failure(build: Build, payload: DeliveryInput, **config: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(build(**config).deliver_notification, payload)
    return raised.value


class TestFailingUrlIsRedacted:
    async def test_query_token_is_not_in_the_error_the_store_or_the_logs(
        self,
        build: Build,
        http_receiver: HttpReceiver,
        sessions: sessionmaker[Session],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        # The processes quiet httpx to WARNING (config.logging); here it logs every request,
        # so the filter on its URLs is what keeps the token out.
        caplog.set_level(logging.DEBUG, logger="httpx")
        http_receiver.fail(times=1, status=500)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url("/hook", f"token={TOKEN}"))

        error = await failure(build, payload)

        assert "/hook?<redacted>" in error.message
        assert TOKEN not in error.message
        assert TOKEN not in (stored(sessions, payload.notification.id).last_error or "")
        assert TOKEN not in caplog.text
        assert any(r.name == "httpx" for r in caplog.records), "httpx logged nothing to check"

    async def test_query_token_is_not_in_a_timeout_error(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        http_receiver.hang()
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url("/hook", f"key={TOKEN}"))

        error = await failure(build, payload, request_timeout=SHORT_TIMEOUT)

        assert "no answer" in error.message
        assert TOKEN not in error.message

    async def test_userinfo_is_not_in_a_connection_error(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        url = f"http://hook-user:{TOKEN}@127.0.0.1:{http_receiver.port}/hook"
        http_receiver.close()  # a connection error: the library's own text is in play
        payload = delivery(ContactChannel.WEBHOOK, url, validate=False)

        error = await failure(build, payload)

        assert TOKEN not in error.message
        assert "hook-user" not in error.message

    async def test_the_webhook_secret_is_never_in_the_error(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        http_receiver.fail(times=1, status=401)
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        error = await failure(build, payload, webhook_secret=SecretStr(TOKEN))

        assert TOKEN not in str(error)

    async def test_the_failure_written_to_history_holds_no_token(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        url = f"http://127.0.0.1:{http_receiver.port}/hook?token={TOKEN}"
        http_receiver.close()  # a library exception is raised inside: its chain must not follow
        error = await failure(build, delivery(ContactChannel.WEBHOOK, url))

        recorded = Failure()
        await pydantic_data_converter.encode_failure(error, recorded)

        assert recorded.application_failure_info.type == "delivery_failed"
        assert not recorded.HasField("cause")
        assert TOKEN not in str(recorded)


class TestRedactUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://hooks.example/a/b", "https://hooks.example/a/b"),
            ("https://hooks.example/a?token=x", "https://hooks.example/a?<redacted>"),
            ("https://u:p@hooks.example:8443/a", "https://<redacted>@hooks.example:8443/a"),
            ("https://hooks.example/a#frag", "https://hooks.example/a#<redacted>"),
            ("http://[::1]:8080/h?x=1", "http://[::1]:8080/h?<redacted>"),
        ],
    )
    def test_keeps_where_it_went_and_drops_credentials(self, url: str, expected: str) -> None:
        assert redact_url(url) == expected

    def test_drops_the_path_when_the_path_is_the_token(self) -> None:
        shown = redact_url("https://hooks.slack.com/services/T1/B2/secret", keep_path=False)

        assert shown == "https://hooks.slack.com/<redacted>"
