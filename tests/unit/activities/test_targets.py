"""The policy's host rules at delivery: refused targets are final and nothing is sent."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from domain.enums import ContactChannel
from domain.messages import DeliveryInput
from tests.support.receivers import HttpReceiver
from tests.unit.activities.builders import delivery, stored
from tests.unit.activities.conftest import Build


async def refused(build: Build, payload: DeliveryInput) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(build().deliver_notification, payload)
    assert raised.value.type == "target_refused"
    assert raised.value.non_retryable
    return raised.value


class TestAllowedHosts:
    async def test_a_host_outside_the_list_is_refused(
        self, build: Build, http_receiver: HttpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url(),
                           target={"allowed_hosts": ["hooks.corp.example"]})

        error = await refused(build, payload)

        assert "allowed_hosts" in error.message
        assert http_receiver.count == 0
        row = stored(sessions, payload.notification.id)
        assert row.status == "failed"

    @pytest.mark.parametrize(
        "allowed", [["127.0.0.1"], ["127.0.0.0/8"], ["10.0.0.0/8", "127.0.0.1/32"]]
    )
    async def test_a_listed_host_or_network_is_delivered(
        self, build: Build, http_receiver: HttpReceiver, allowed: list[str]
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url(),
                           target={"allowed_hosts": allowed})

        result = await ActivityEnvironment().run(build().deliver_notification, payload)

        assert result.status == "delivered"

    async def test_a_name_is_pinned_to_the_address_that_was_checked(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        # "localhost" resolves (from /etc/hosts) into the allowed network; the request goes to
        # that address and still names the host the recipient gave.
        url = f"http://localhost:{http_receiver.port}/hook"
        payload = delivery(ContactChannel.WEBHOOK, url,
                           target={"allowed_hosts": ["127.0.0.0/8", "::1/128"]})

        result = await ActivityEnvironment().run(build().deliver_notification, payload)

        assert result.status == "delivered"
        assert http_receiver.requests[0].headers["host"] == f"localhost:{http_receiver.port}"

    async def test_slack_targets_follow_the_same_rules(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.SLACK, http_receiver.url("/services/T1/B2/XYZ"),
                           target={"allowed_hosts": ["hooks.slack.com"]})

        await refused(build, payload)

        assert http_receiver.count == 0


class TestBlockPrivateAddresses:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    async def test_loopback_is_refused(
        self, build: Build, http_receiver: HttpReceiver, host: str
    ) -> None:
        url = f"http://{host}:{http_receiver.port}/hook"
        payload = delivery(ContactChannel.WEBHOOK, url,
                           target={"block_private_addresses": True})

        error = await refused(build, payload)

        assert host in error.message
        assert http_receiver.count == 0

    async def test_without_the_rule_loopback_is_delivered(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url(),
                           target={"block_private_addresses": False})

        result = await ActivityEnvironment().run(build().deliver_notification, payload)

        assert result.status == "delivered"


class TestScheme:
    @pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "file:///etc/passwd"])
    async def test_only_http_and_https_are_sent(self, build: Build, url: str) -> None:
        # Recipient validation refuses these at the API; this is the check at delivery.
        payload = delivery(ContactChannel.WEBHOOK, url, validate=False)

        error = await refused(build, payload)

        assert "http" in error.message
