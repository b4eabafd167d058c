"""The complainant's three letters (acknowledgement, delay notice, IDR response) reach a real
webhook receiver and a real SMTP server, each once, with what RG 271 says they must carry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.models import ComplaintAckInput, DelayNoticeInput, IdrResponseInput
from domain.policy import Policy
from tests.support.complaints import complaint_body, complaints_policy
from tests.support.escalations import IM, LEAD, open_escalation
from tests.support.receivers import HttpReceiver, SmtpReceiver
from tests.support.waiting import until
from worker.build import create_worker
from workflows.escalation import EscalationWorkflow

REASONS = "We are waiting for the card scheme's records of the two charges."
AFCA = ("www.afca.org.au", "1800 931 678", "info@afca.org.au", "GPO Box 3, Melbourne VIC 3001")


@dataclass
class Letters:
    env: WorkflowEnvironment
    queue: str
    hook: HttpReceiver
    smtp: SmtpReceiver
    policy: Policy


@pytest_asyncio.fixture
async def letters(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Letters]:
    with SmtpReceiver() as smtp:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                            temporal_task_queue=f"test-{uuid.uuid4()}",
                            smtp_host=smtp.host, smtp_port=smtp.port)
        async with HttpReceiver() as hook, create_worker(time_skipping_env.client, settings):
            yield Letters(time_skipping_env, settings.temporal_task_queue, hook, smtp,
                          complaints_policy(hook.url("")))


async def _write_all_three(letters: Letters, contact: dict[str, str]) -> None:
    handle, _ = await open_escalation(letters.env.client, task_queue=letters.queue,
                                      policy=letters.policy, body=complaint_body(contact))
    for update, command in (
        (EscalationWorkflow.acknowledge_complaint, ComplaintAckInput(actor=LEAD)),
        (EscalationWorkflow.send_delay_notice, DelayNoticeInput(actor=LEAD, reasons=REASONS)),
        (EscalationWorkflow.send_idr_response, IdrResponseInput(
            actor=IM, outcome="resolved_in_favour_of_complainant",
            reasons="The second charge was our error; we refunded it on 3 March.")),
    ):
        await handle.execute_update(update, command)  # type: ignore[arg-type]
    await until(lambda: handle.query(EscalationWorkflow.pending_deliveries),
                lambda pending: not pending, what="deliveries", within=60)
    view = await handle.query(EscalationWorkflow.state)
    assert view.complaint is not None
    assert view.complaint.closed_under is not None
    await handle.terminate("test finished")


def _check(texts: dict[str, str]) -> None:
    assert set(texts) == {"complaint_acknowledgement", "delay_notice", "idr_response"}
    assert "CMP-" in texts["complaint_acknowledgement"]
    assert REASONS in texts["delay_notice"]
    assert "Resolved in favour of the complainant" in texts["idr_response"]
    for text in (texts["delay_notice"], texts["idr_response"]):
        for fact in AFCA:
            assert fact in text


async def test_each_letter_reaches_the_complainants_webhook_once(letters: Letters) -> None:
    await _write_all_three(letters, {"channel": "webhook",
                                     "address": letters.hook.url("/complainant")})
    received: list[Any] = [r.json() for r in letters.hook.delivered() if r.path == "/complainant"]
    assert sorted(r["event"] for r in received) == [
        "complaint_acknowledgement", "delay_notice", "idr_response"]
    assert {r["audience"] for r in received} == {"customer"}
    _check({r["event"]: r["message"] for r in received})


async def test_each_letter_reaches_the_complainants_inbox_once(letters: Letters) -> None:
    await _write_all_three(letters, {"channel": "email", "address": "jo@example.com"})
    mails = letters.smtp.wait_for(3)
    assert len(mails) == 3
    assert all(m.rcpt_tos == ["jo@example.com"] for m in mails)
    by_subject = {m.message["subject"]: m.message.get_body(("plain",)) for m in mails}
    texts = {
        event: str(next(body.get_content() for subject, body in by_subject.items()
                        if body is not None and marker in subject))
        for event, marker in (("complaint_acknowledgement", "received your complaint"),
                              ("delay_notice", "Delay"), ("idr_response", "final response"))
    }
    _check(texts)
    assert all("Temporal UI" not in text for text in texts.values())  # the letter alone
