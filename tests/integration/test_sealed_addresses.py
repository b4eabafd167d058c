"""Credentials in recipient URLs (a stakeholder's `?token=`, a customer hook's key, a policy
contact's token) reach the receivers, yet appear nowhere in the workflow's Temporal history,
the store or an API answer: the API seals them (credentials/sealing.py) and the worker opens
them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

import store.tables  # noqa: F401  (registers the tables with SQLModel.metadata)
from credentials.sealing import new_key
from tests.integration.api_fixtures import ENGINEER, IM, api_stack
from tests.support.temporal import readable_history
from tests.support.waiting import until

pytestmark = pytest.mark.integration

STAKEHOLDER_TOKEN = "stakeholder-s3cret-0451"
CUSTOMER_KEY = "customer-s3cret-0452"
CONTACT_TOKEN = "contact-s3cret-0453"
SECRETS = (STAKEHOLDER_TOKEN, CUSTOMER_KEY, CONTACT_TOKEN)


def _tokens_on_contacts(text: str) -> str:
    """Every policy contact (a webhook on the receiver) carries a token in its query."""
    return re.sub(r'(/contact/\d+)"', rf'\1?token={CONTACT_TOKEN}"', text)


def store_text(database_url: str) -> str:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return "\n".join(
                repr(list(connection.execute(sa.select(table))))
                for table in SQLModel.metadata.sorted_tables
            )
    finally:
        engine.dispose()


async def test_url_credentials_reach_receivers_but_not_history_store_or_answers(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with api_stack(
        dev_env, tmp_path, database_url=database_url, edit_policy=_tokens_on_contacts,
        settings_changes={"escalations_sealing_key": SecretStr(new_key())},
    ) as api:
        receiver = api.receiver
        body = api.body(
            stakeholders=[{"name": "Finance on-call", "role": "finance", "channel": "webhook",
                           "address": receiver.url("/finance", f"token={STAKEHOLDER_TOKEN}")}],
            affected_customers=[{"id": "cust-42", "name": "Acme Ltd", "contact": {
                "channel": "webhook",
                "address": receiver.url("/customer", f"key={CUSTOMER_KEY}")}}],
        )
        created = await api.open(**body)
        esc = created["id"]
        assert (await api.act(esc, "acknowledge", {}, role=ENGINEER)).status_code == 200
        answer = await api.act(esc, "notice", {"message": "We are on it",
                                               "audiences": ["internal", "customers"]}, role=IM)
        assert answer.status_code == 200, answer.text

        async def delivered_queries() -> dict[str, str] | None:
            seen = {r.path: r.query for r in receiver.delivered()}
            wanted = ("/finance", "/customer")
            has_contact = any(p.startswith("/contact/") for p in seen)
            return seen if all(p in seen for p in wanted) and has_contact else None

        seen = await until(delivered_queries, lambda found: found is not None,
                           what="the notice and the new-escalation notification")
        assert seen is not None
        assert seen["/finance"] == f"token={STAKEHOLDER_TOKEN}"
        assert seen["/customer"] == f"key={CUSTOMER_KEY}"
        assert {q for p, q in seen.items() if p.startswith("/contact/")} == {
            f"token={CONTACT_TOKEN}"}

        history = readable_history(await api.temporal.get_workflow_handle(esc).fetch_history())
        assert "sealed=v1." in history  # the addresses are there, sealed
        answers = [(await api.get(f"/v1/escalations/{esc}")).text,
                   (await api.get(f"/v1/escalations/{esc}/timeline")).text]
        assert "token=***" in answers[0]
        assert "sealed=v1." not in answers[0]  # no ciphertext in answers either
        stored = store_text(database_url)
        for secret in SECRETS:
            assert secret not in history, secret
            assert secret not in stored, secret
            assert all(secret not in text for text in answers), secret


async def test_a_client_cannot_send_an_address_that_looks_sealed(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with api_stack(dev_env, tmp_path, database_url=database_url, worker=False) as api:
        forged = api.receiver.url("/finance") + "#sealed=v1.QUJD"
        answer = await api.create(api.body(stakeholders=[
            {"name": "x", "channel": "webhook", "address": forged}]))

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "stakeholders[0].address" in answer.text
