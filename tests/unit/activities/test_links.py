"""Links in messages, by audience, as real receivers get them: internal messages link to the
console (an RCA task's message to the task), customer messages to nothing of ours."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from activities.channels.config import SmtpConfig
from domain.enums import ContactChannel, NotificationAudience, NotificationEvent
from domain.messages import DeliveryInput
from tests.support.receivers import HttpReceiver, SmtpReceiver
from tests.unit.activities.builders import delivery
from tests.unit.activities.conftest import Build

PUBLIC_URL = "https://escalations.corp.example"
TEMPORAL_UI = "http://127.0.0.1:8233"
# Anything that would take a reader to one of our own systems.
INTERNAL = (PUBLIC_URL, TEMPORAL_UI, "/v1/", "/console/", "127.0.0.1:8000")


def for_audience(channel: ContactChannel, address: str, audience: NotificationAudience,
                 event: NotificationEvent = NotificationEvent.NOTICE,
                 id: str = "esc-01.notice.3.0") -> DeliveryInput:
    payload = delivery(channel, address, id=id)
    notification = payload.notification.model_copy(update={"audience": audience,
                                                           "event": event})
    return payload.model_copy(update={"notification": notification})


async def run(build: Build, payload: DeliveryInput, **config: Any) -> None:
    result = await ActivityEnvironment().run(
        build(public_url=PUBLIC_URL, **config).deliver_notification, payload)
    assert result.status == "delivered"


def _mail_text(receiver: SmtpReceiver) -> str:
    [received] = receiver.messages
    parts = [received.message.get_body((kind,)) for kind in ("plain", "html")]
    return "\n".join(part.get_content() for part in parts if part is not None)


class TestCustomerMessagesCarryNoInternalLink:
    async def test_webhook_body(self, build: Build, http_receiver: HttpReceiver) -> None:
        await run(build, for_audience(ContactChannel.WEBHOOK, http_receiver.url("/customer"),
                                      NotificationAudience.CUSTOMER))

        body = http_receiver.requests[0].body.decode()
        assert http_receiver.requests[0].json()["escalation"]["links"] == {}
        assert not [marker for marker in INTERNAL if marker in body]

    async def test_email_body(self, build: Build, smtp_receiver: SmtpReceiver) -> None:
        smtp = SmtpConfig(host=smtp_receiver.host, port=smtp_receiver.port)
        await run(build, for_audience(ContactChannel.EMAIL, "ops@acme.example",
                                      NotificationAudience.CUSTOMER), smtp=smtp)

        text = _mail_text(smtp_receiver)
        assert "We are investigating a double charge." in text
        assert not [marker for marker in INTERNAL if marker in text]

    async def test_slack_payload(self, build: Build, http_receiver: HttpReceiver) -> None:
        await run(build, for_audience(ContactChannel.SLACK,
                                      http_receiver.url("/services/T1/B2/tok"),
                                      NotificationAudience.CUSTOMER))

        body = http_receiver.requests[0].body.decode()
        assert not [marker for marker in INTERNAL if marker in body]


class TestInternalMessagesLinkToTheConsole:
    @pytest.mark.parametrize("channel", [ContactChannel.WEBHOOK, ContactChannel.SLACK])
    async def test_the_escalation_page(self, build: Build, http_receiver: HttpReceiver,
                                       channel: ContactChannel) -> None:
        await run(build, for_audience(channel, http_receiver.url("/services/T1/B2/tok"),
                                      NotificationAudience.INTERNAL))

        assert f"{PUBLIC_URL}/console/escalations/esc-01" in http_receiver.requests[0].body.decode()

    async def test_an_rca_task_message_links_to_the_task(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        smtp = SmtpConfig(host=smtp_receiver.host, port=smtp_receiver.port)
        await run(build, for_audience(ContactChannel.EMAIL, "lead@acme.example",
                                      NotificationAudience.INTERNAL, NotificationEvent.RCA_TASK,
                                      id="esc-01.rca_task.9.0"), smtp=smtp)

        assert f"{PUBLIC_URL}/console/tasks/from/esc-01.rca_task.9.0" in _mail_text(smtp_receiver)
