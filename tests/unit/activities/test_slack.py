"""The Slack channel: an incoming-webhook message that reads at a glance."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from domain.enums import ContactChannel, NotificationAudience
from tests.support.receivers import HttpReceiver
from tests.unit.activities.builders import delivery
from tests.unit.activities.conftest import Build

PUBLIC_URL = "https://escalations.corp.example"


async def sent(build: Build, http_receiver: HttpReceiver, *,
               audience: NotificationAudience = NotificationAudience.INTERNAL,
               **target: object) -> dict[str, Any]:
    payload = delivery(ContactChannel.SLACK, http_receiver.url("/services/T1/B2/tok"),
                       target=target, audience=audience)
    result = await ActivityEnvironment().run(
        build(public_url=PUBLIC_URL).deliver_notification, payload
    )
    assert result.status == "delivered"
    body: dict[str, Any] = http_receiver.requests[0].json()
    return body


def texts(body: dict[str, Any]) -> str:
    """Everything a reader sees in the blocks, as one string."""
    found: list[str] = []
    for block in body["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [field["text"] for field in block.get("fields", [])]
        found += [element["text"] if isinstance(element["text"], str)
                  else element["text"]["text"] for element in block.get("elements", [])]
    return "\n".join(found)


class TestSlackMessage:
    async def test_payload_is_text_and_blocks(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver)

        assert set(body) == {"text", "blocks"}
        assert "Charged twice for the March invoice" in body["text"]
        assert all(block["type"] in {"header", "section", "actions", "context"}
                   for block in body["blocks"])

    async def test_header_names_priority_and_title(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver)

        header = body["blocks"][0]
        assert header["type"] == "header"
        assert header["text"]["text"] == "[P1] Charged twice for the March invoice"

    async def test_shows_stage_status_and_deadline(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver)

        shown = texts(body)
        assert "*Stage*\ncommunicate" in shown
        assert "*Status*\nopen" in shown
        assert "2025-03-14 10:15 UTC" in shown  # the fallback of Slack's localised date

    async def test_links_to_the_console_page_and_the_temporal_ui(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver)

        shown = texts(body)
        assert f"<{PUBLIC_URL}/console/escalations/esc-01|Open in the console>" in shown
        assert "<http://127.0.0.1:8233/namespaces/default/workflows/esc-01|Temporal UI>" in shown

    async def test_mrkdwn_control_characters_are_escaped(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver, title="Refunds <failing> & retried")

        assert "Refunds &lt;failing&gt; &amp; retried" in body["text"]

    async def test_a_failing_webhook_never_shows_the_token_in_its_path(
        self, build: Build, http_receiver: HttpReceiver, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        http_receiver.fail(times=1, status=404)
        token = "xoxb0SECRETp4thT0ken"
        payload = delivery(ContactChannel.SLACK, http_receiver.url(f"/services/T1/B2/{token}"))

        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(build().deliver_notification, payload)

        assert "404" in raised.value.message
        assert token not in raised.value.message
        assert token not in caplog.text


def buttons(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The buttons of the message's actions block, by action_id."""
    return {element["action_id"]: element for block in body["blocks"]
            if block["type"] == "actions" for element in block["elements"]}


class TestButtons:
    async def test_an_unacknowledged_escalation_offers_acknowledge(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver, awaiting_acknowledgement=True)

        acknowledge = buttons(body)["acknowledge"]
        assert (acknowledge["text"]["text"], acknowledge["value"]) == ("Acknowledge", "esc-01")

    async def test_an_acknowledged_one_offers_only_the_console(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver, awaiting_acknowledgement=False)

        assert set(buttons(body)) == {"open_console"}

    async def test_open_in_console_links_to_the_escalations_console_page(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver)

        assert buttons(body)["open_console"]["url"] == f"{PUBLIC_URL}/console/escalations/esc-01"

    async def test_the_deadline_says_what_is_due(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        assert "status update due: <!date^" in texts(await sent(build, http_receiver))


class TestCustomerMessage:
    async def test_carries_no_button_link_or_internal_fact(
        self, build: Build, http_receiver: HttpReceiver
    ) -> None:
        body = await sent(build, http_receiver, audience=NotificationAudience.CUSTOMER,
                          awaiting_acknowledgement=True)

        assert buttons(body) == {}
        shown = texts(body)
        for internal in ("Priority", "Stage", "Next deadline", PUBLIC_URL, "8233", "/v1/"):
            assert internal not in shown
        assert "We are investigating a double charge." in shown
        assert "Reference esc-01" in shown
