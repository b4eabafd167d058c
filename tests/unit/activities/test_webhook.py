"""The webhook channel: the body and headers of api.md, "Outbound notifications"."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from pydantic import SecretStr
from temporalio.testing import ActivityEnvironment

from domain.enums import ContactChannel
from tests.support.receivers import HttpReceiver
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
            },
        }

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


class TestSignature:
    async def test_signature_verifies_with_the_shared_secret(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        secret = "whsec-shared-between-us"
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        await ActivityEnvironment().run(
            build(webhook_secret=SecretStr(secret)).deliver_notification, payload
        )

        [request] = http_receiver.requests
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(
            request.headers["x-escalations-signature"], f"sha256={expected}"
        )

    async def test_no_signature_header_without_a_secret(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        payload = delivery(ContactChannel.WEBHOOK, http_receiver.url())

        await ActivityEnvironment().run(build().deliver_notification, payload)

        assert "x-escalations-signature" not in http_receiver.requests[0].headers
