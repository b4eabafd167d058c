"""The webhook channel: the body and headers of api.md, "Outbound notifications"."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from pydantic import SecretStr
from standardwebhooks import Webhook, WebhookVerificationError
from temporalio.testing import ActivityEnvironment

from domain.enums import ContactChannel, NotificationAudience
from tests.support.receivers import HttpReceiver, ReceivedRequest
from tests.unit.activities.builders import delivery
from tests.unit.activities.conftest import Build


class TestWebhookBody:
    async def test_body_has_exactly_the_documented_fields(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url("/hook"))

        result = await ActivityEnvironment().run(build().deliver_notification, payload)

        assert (result.status, result.status_code) == ("delivered", 200)
        [request] = http_receiver.requests
        body = request.json()
        sent_at = body.pop("sent_at")
        assert datetime.fromisoformat(sent_at).utcoffset() is not None
        assert body == {
            "id": "esc-01:notice:3:0",
            "event": "notice",
            "escalation_id": "esc-01",
            "audience": "internal",
            "recipient": {"name": "Finance on-call"},
            "subject": "[P1] Charged twice for the March invoice",
            "message": "We are investigating a double charge.\nNext update within 30 minutes.",
            "escalation": {
                "id": "esc-01",
                "title": "Charged twice for the March invoice",
                "priority": "P1",
                "stage": "communicate",
                "status": "open",
                "links": {
                    "self": "/v1/escalations/esc-01",
                    "timeline": "/v1/escalations/esc-01/timeline",
                    "temporal_ui": "http://127.0.0.1:8233/namespaces/default/workflows/esc-01",
                    "console": "http://127.0.0.1:8000/console/escalations/esc-01",
                },
                "next_deadline": {"what": "status update due", "due": "2025-03-14T10:15:00.000Z"},
            },
        }

    async def test_a_customer_gets_no_internal_link_or_deadline(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url("/hook"),
                           audience=NotificationAudience.CUSTOMER)

        await ActivityEnvironment().run(build().deliver_notification, payload)

        escalation = http_receiver.requests[0].json()["escalation"]
        assert escalation["links"] == {}
        assert "next_deadline" not in escalation
        assert "/v1/" not in http_receiver.requests[0].body.decode()
        assert "8233" not in http_receiver.requests[0].body.decode()

    async def test_request_is_a_json_post_to_the_address(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url("/hooks/finance"))

        await ActivityEnvironment().run(build().deliver_notification, payload)

        [request] = http_receiver.requests
        assert (request.method, request.path) == ("POST", "/hooks/finance")
        assert request.headers["content-type"] == "application/json"

    async def test_idempotency_key_is_the_notification_id(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url(), id="esc-01:reminder:9:2")

        await ActivityEnvironment().run(build().deliver_notification, payload)

        assert http_receiver.requests[0].idempotency_key == "esc-01:reminder:9:2"


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the scheme's documented example form


async def signed(build: Build, receiver: HttpReceiver, **delivery_options: str
                 ) -> ReceivedRequest:
    """One delivery by a worker holding SECRET, as the receiver got it."""
    payload = delivery(ContactChannel.WEBHOOK, receiver.url(), **delivery_options)
    await ActivityEnvironment().run(
        build(webhook_secret=SecretStr(SECRET)).deliver_notification, payload
    )
    [request] = receiver.requests
    return request


def verified(request: ReceivedRequest, secret: str = SECRET) -> object:
    """What a receiver does: verify the exact bytes with the Standard Webhooks library."""
    return Webhook(secret).verify(request.body, request.headers)


class TestStandardWebhooksSignature:
    async def test_a_receiver_verifies_the_delivery_with_the_library(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        request = await signed(build, http_receiver)

        assert verified(request) == request.json()
        assert request.headers["webhook-signature"].startswith("v1,")

    async def test_the_message_id_is_the_notification_id(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        request = await signed(build, http_receiver, id="esc-01.notice.3.0")

        assert request.headers["webhook-id"] == "esc-01.notice.3.0"

    async def test_a_replayed_delivery_with_an_old_timestamp_fails_verification(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        request = await signed(build, http_receiver)
        # Captured, then sent again ten minutes later: the signed timestamp gives it away.
        later = time.time() + 600
        with patch("standardwebhooks.webhooks.datetime") as clock:
            clock.now.return_value = datetime.fromtimestamp(later, tz=UTC)
            clock.fromtimestamp = datetime.fromtimestamp
            with pytest.raises(WebhookVerificationError, match="too old"):
                verified(request)

    async def test_a_body_changed_in_transit_fails_verification(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        request = await signed(build, http_receiver)
        tampered = request.body.replace(b"double charge", b"triple charge")

        with pytest.raises(WebhookVerificationError):
            Webhook(SECRET).verify(tampered, request.headers)

    async def test_the_deprecated_header_is_still_sent_for_one_release(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        request = await signed(build, http_receiver)

        expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(
            request.headers["x-escalations-signature"], f"sha256={expected}"
        )

    async def test_no_signature_without_a_secret(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        await ActivityEnvironment().run(build().deliver_notification, payload)

        headers = http_receiver.requests[0].headers
        assert "webhook-signature" not in headers
        assert "x-escalations-signature" not in headers
