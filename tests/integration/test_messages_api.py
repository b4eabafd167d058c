"""Issue 20 at real receivers (an HTTP receiver and aiosmtpd on 127.0.0.1), through the API on a
real dev server: what the RCA-task e-mail says, what customers never see, a notice nobody can
receive, and each recipient's delivery state."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.integration.api_fixtures import ENGINEER, LEAD, ApiStack, api_stack
from tests.support.receivers import ReceivedMail, ReceivedRequest, SmtpReceiver
from tests.support.waiting import until

pytestmark = pytest.mark.integration

LEAD_MAIL = "sam@corp.example"
CUSTOMER_MAIL = "ops@acme.example"


def lead_by_email(text: str) -> str:
    """Billing's engagement lead (Sam) reads e-mail: the RCA-task message goes there."""
    return re.sub(r'engagement_lead = \{ name = "Sam", channel = "webhook", address = "[^"]*" \}',
                  f'engagement_lead = {{ name = "Sam", channel = "email", '
                  f'address = "{LEAD_MAIL}" }}', text)


@pytest_asyncio.fixture(loop_scope="session")
async def smtp() -> AsyncIterator[SmtpReceiver]:
    async with SmtpReceiver() as receiver:
        yield receiver


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str,
              smtp: SmtpReceiver) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url, edit_policy=lead_by_email,
                         settings_changes={"smtp_host": smtp.host, "smtp_port": smtp.port}
                         ) as stack:
        yield stack


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


async def to_close(api: ApiStack, escalation_id: str) -> None:
    for path, body, role in (
        ("acknowledge", {}, ENGINEER),
        ("notice", {"message": "We are on it", "audiences": ["internal", "customers"]}, None),
        ("action-plan", {"steps": [{"description": "Refund"}]}, ENGINEER),
        ("resolution", {"summary": "Refunded the duplicate charge"}, None),
        ("verification", {"verified": True}, ENGINEER),
        ("customer-access", {"confirmed": True}, LEAD),
    ):
        answer = await (api.act(escalation_id, path, body, role=role) if role
                        else api.act(escalation_id, path, body))
        assert answer.status_code == 200, (path, answer.text)


async def test_the_rca_task_email_carries_the_internal_rca_and_its_due_time(
    api: ApiStack, smtp: SmtpReceiver
) -> None:
    opened = await api.open()
    await to_close(api, opened["id"])
    answer = await api.act(opened["id"], "rca/internal", {
        "summary": "A retry storm charged some cards twice",
        "root_cause": "The payment call had no idempotency key",
        "corrective_actions": ["Send an idempotency key", "Alert on duplicate charges"]},
        role=ENGINEER)
    assert answer.status_code == 200, answer.text
    due = datetime.fromisoformat(answer.json()["rca"]["customer"]["due_at"])

    async def rca_mails() -> list[EmailMessage]:
        return [m.message for m in smtp.messages
                if LEAD_MAIL in m.rcpt_tos and "RCA" in str(m.message["Subject"])]

    (mail,) = await until(rca_mails, bool, what="the RCA-task e-mail")
    shown_due = due.strftime("%Y-%m-%d %H:%M UTC")
    assert shown_due in str(mail["Subject"])
    for text in (plain(mail), html(mail)):
        for fact in ("A retry storm charged some cards twice",
                     "The payment call had no idempotency key", "Send an idempotency key",
                     "Alert on duplicate charges", shown_due):
            assert fact in text, fact
    assert f"Next deadline: customer RCA due {shown_due}" in plain(mail)


async def test_customer_messages_carry_no_internal_link(api: ApiStack, smtp: SmtpReceiver
                                                        ) -> None:
    opened = await api.open(affected_customers=[
        {"id": "cust-42", "name": "Acme Ltd",
         "contact": {"channel": "webhook", "address": api.receiver.url("/customer")}},
        {"id": "cust-43", "name": "Acme Two", "contact": {"channel": "email",
                                                          "address": CUSTOMER_MAIL}},
    ])
    await to_close(api, opened["id"])  # a notice and the verified resolution reach customers

    async def hooks_seen() -> list[ReceivedRequest]:
        return [r for r in api.receiver.delivered() if r.path == "/customer"]

    async def mails_seen() -> list[ReceivedMail]:
        return [m for m in smtp.messages if CUSTOMER_MAIL in m.rcpt_tos]

    hooks = await until(hooks_seen, lambda found: len(found) >= 2, what="customer webhooks")
    mails = await until(mails_seen, lambda found: len(found) >= 2, what="customer e-mails")
    internal = ("/v1/", "/console/", api.settings.temporal_ui_url, "temporal_ui",
                api.settings.escalations_public_url)
    shown = [r.body.decode() for r in hooks]
    shown += [plain(m.message) + html(m.message) for m in mails]
    for text in shown:
        for link in internal:
            assert link not in text, (link, text[:200])
    assert all(r.json()["audience"] == "customer" for r in hooks)


async def test_a_notice_to_customers_with_no_contact_is_422_and_nothing_is_recorded(
    api: ApiStack,
) -> None:
    opened = await api.open(affected_customers=[{"id": "cust-42", "name": "Acme Ltd"}])
    async def entries() -> list[dict[str, Any]]:
        # Without each entry's deliveries: the new-escalation message may still be going out.
        items = (await api.get(f"/v1/escalations/{opened['id']}/timeline")).json()["items"]
        return [{k: v for k, v in item.items() if k != "deliveries"} for item in items]

    timeline = await entries()
    answer = await api.act(opened["id"], "notice",
                           {"message": "We are on it", "audiences": ["customers"]})

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["field"] == "audiences"
    assert "customers" in problem["detail"]
    assert "Acme Ltd has no contact" in problem["detail"]
    after = await api.get(f"/v1/escalations/{opened['id']}")
    assert after.json()["version"] == opened["version"]
    assert after.json()["notice_sent_at"] is None
    assert await entries() == timeline


async def test_each_recipient_shows_its_delivery_state(api: ApiStack) -> None:
    # Billing is private: a customer reachable only on Slack is skipped, with the reason.
    opened = await api.open(affected_customers=[
        {"id": "cust-42", "name": "Acme Ltd",
         "contact": {"channel": "webhook", "address": api.receiver.url("/customer")}},
        {"id": "cust-44", "name": "Slack Only",
         "contact": {"channel": "slack", "address": api.receiver.url("/slack-only")}},
    ])
    api.receiver.fail(times=1, status=503)  # the first delivery of the notice retries once
    answer = await api.act(opened["id"], "notice", {"message": "We are on it"})
    assert answer.status_code == 200, answer.text

    def notice_deliveries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [d for d in items if d["event"] == "notice"]

    async def states() -> dict[str | None, str]:
        items = (await api.get(f"/v1/escalations/{opened['id']}/deliveries")).json()["items"]
        return {d["recipient"]: d["state"] for d in notice_deliveries(items)}

    found = await until(states, lambda s: s.get("Acme Ltd") == "delivered"
                        and s.get("Finance on-call") == "delivered", what="notice delivered")
    assert found["Slack Only"] == "skipped"
    items = (await api.get(f"/v1/escalations/{opened['id']}/deliveries")).json()["items"]
    skipped = next(d for d in items if d["state"] == "skipped")
    assert "private" in skipped["reason"]
    assert max(d["attempts"] for d in notice_deliveries(items) if d["state"] == "delivered") == 2
    timeline = (await api.get(f"/v1/escalations/{opened['id']}/timeline")).json()["items"]
    notice = next(e for e in timeline if e["type"] == "notice_sent")
    assert {d["recipient"] for d in notice["deliveries"]} == {
        "Acme Ltd", "Finance on-call", "Slack Only"}
    assert any(e["type"] == "notification_skipped" for e in timeline)
