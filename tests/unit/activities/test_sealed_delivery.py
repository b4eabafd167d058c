"""Delivery opens sealed addresses (credentials/sealing.py): the receiver gets the real URL, history
only ever held the sealed one, and a worker without the API's key refuses instead of guessing."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from credentials.sealing import AddressSealer, decode_key, new_key
from domain.enums import ContactChannel
from tests.support.receivers import HttpReceiver
from tests.unit.activities.builders import delivery
from tests.unit.activities.conftest import Build

TOKEN = "s3cret-token-value"


@pytest.fixture
def sealer() -> AddressSealer:
    return AddressSealer(decode_key(new_key()))


async def test_a_sealed_webhook_reaches_the_url_with_its_token(
    build: Build, http_receiver: HttpReceiver, sealer: AddressSealer
) -> None:
    address = sealer.seal(ContactChannel.WEBHOOK, http_receiver.url("/hooks/finance",
                                                                     f"token={TOKEN}"))
    assert TOKEN not in address

    result = await ActivityEnvironment().run(
        build(sealer=sealer).deliver_notification, delivery(ContactChannel.WEBHOOK, address))

    assert result.status == "delivered"
    [request] = http_receiver.requests
    assert (request.path, request.query) == ("/hooks/finance", f"token={TOKEN}")


async def test_a_sealed_slack_hook_reaches_its_secret_path(
    build: Build, http_receiver: HttpReceiver, sealer: AddressSealer
) -> None:
    address = sealer.seal(ContactChannel.SLACK, http_receiver.url("/services/T0/B0/XYZ"))
    assert "/services/T0/B0/XYZ" not in address

    await ActivityEnvironment().run(
        build(sealer=sealer).deliver_notification, delivery(ContactChannel.SLACK, address))

    [request] = http_receiver.requests
    assert request.path == "/services/T0/B0/XYZ"


@pytest.mark.parametrize("worker_key", ["none", "another"])
async def test_a_worker_that_cannot_open_it_refuses_for_good(
    build: Build, http_receiver: HttpReceiver, sealer: AddressSealer, worker_key: str
) -> None:
    address = sealer.seal(ContactChannel.WEBHOOK, http_receiver.url("/hook", f"token={TOKEN}"))
    other = AddressSealer(decode_key(new_key())) if worker_key == "another" else None

    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            build(sealer=other).deliver_notification, delivery(ContactChannel.WEBHOOK, address))

    assert raised.value.type == "channel_not_configured"
    assert raised.value.non_retryable
    assert "ESCALATIONS_SEALING_KEY" in str(raised.value)
    assert http_receiver.requests == []
