"""Secrets stay secrets (issue #4): the webhook signing secret and the SMTP password are used
(the receivers prove it) yet appear nowhere in the Temporal history, the timeline or the logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from standardwebhooks import Webhook
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from credentials.webhook_secret import new_webhook_secret
from domain.models import NoticeInput
from store import queries
from store.engine import create_engine_for, session_factory
from tests.support.escalations import IM, open_escalation
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver, SmtpReceiver
from tests.support.temporal import readable_history
from tests.support.waiting import until
from worker.build import create_worker
from workflows.escalation import EscalationWorkflow

WEBHOOK_SECRET = new_webhook_secret()
SMTP_PASSWORD = "smtp-" + uuid.uuid4().hex


async def test_secrets_are_used_but_never_recorded(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpReceiver(credentials=("escalations", SMTP_PASSWORD)) as smtp:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'store.db'}",
            temporal_task_queue=f"test-{uuid.uuid4()}",
            escalations_webhook_secret=SecretStr(WEBHOOK_SECRET),
            smtp_host=smtp.host, smtp_port=smtp.port, smtp_username="escalations",
            smtp_password=SecretStr(SMTP_PASSWORD),
        )
        async with HttpReceiver() as receiver, create_worker(time_skipping_env.client, settings):
            handle, _ = await open_escalation(
                time_skipping_env.client, task_queue=settings.temporal_task_queue,
                policy=loopback_policy(receiver.url("")),
                body={"title": "Refund stuck", "category": "billing", "stakeholders": [
                    {"name": "finance", "channel": "webhook", "address": receiver.url("/fin")},
                    {"name": "cfo", "channel": "email", "address": "cfo@acme.example"}]})
            await handle.execute_update(EscalationWorkflow.send_notice,
                                        NoticeInput(actor=IM, message="on it",
                                                    audiences=["internal"]))
            await until(lambda: handle.query(EscalationWorkflow.pending_deliveries),
                        lambda pending: not pending, what="deliveries")

            signed = next(r for r in receiver.delivered() if r.path == "/fin")
            Webhook(WEBHOOK_SECRET).verify(signed.body, signed.headers)
            expected = hmac.new(WEBHOOK_SECRET.encode(), signed.body, hashlib.sha256).hexdigest()
            assert signed.headers["x-escalations-signature"] == f"sha256={expected}"
            assert len(smtp.messages) == 1  # logged in with the password

            history = readable_history(await handle.fetch_history())
            engine = create_engine_for(settings.resolved_database_url)
            with session_factory(engine)() as session:
                timeline = repr(queries.get_timeline(session, handle.id))
            engine.dispose()

    assert "Finance on-call" in history or "/fin" in history  # the payloads were read
    for secret in (WEBHOOK_SECRET, SMTP_PASSWORD):
        assert secret not in history
        assert secret not in timeline
        assert secret not in caplog.text
