"""A complaint over HTTP against a real dev server under the rg271 preset: its record, the
four complaint actions, a code refused by the escalation's snapshot, and the IDR export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.integration.api_fixtures import LEAD, VIEWER, ApiStack, api_stack
from tests.support.complaints import SYDNEY, complaint_body

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url, preset="rg271") as stack:
        yield stack


async def test_a_complaint_from_receipt_to_its_idr_response_and_the_file(api: ApiStack) -> None:
    body = complaint_body({"channel": "webhook", "address": api.receiver.url("/jo")},
                          products=["credit_card", "personal_loan"])
    created = await api.create(body)
    assert created.status_code == 201, created.text
    opened = created.json()
    assert opened["complaint"]["reference"].startswith("CMP-")
    assert opened["deadlines"]["final_response_due"] is not None
    assert "acknowledge_complaint" in opened["allowed_actions"]
    esc = opened["id"]

    assert (await api.act(esc, "complaint-ack", role=LEAD)).status_code == 200
    again = await api.act(esc, "complaint-ack", role=LEAD)
    assert again.status_code == 409  # acknowledged once
    notice = await api.act(esc, "delay-notice", {"reasons": "Waiting for the card scheme."},
                           role=LEAD)
    assert notice.status_code == 200, notice.text
    refused = await api.act(esc, "idr-response", {"outcome": "maybe", "reasons": "r"})
    assert refused.status_code == 422  # the escalation's own code table said no
    assert [e["field"] for e in refused.json()["errors"]] == ["outcome"]
    answer = await api.act(esc, "idr-response", {
        "outcome": "resolved_in_favour_of_complainant", "reasons": "We refunded the fee."})
    assert answer.status_code == 200, answer.text
    assert answer.json()["complaint"]["closed_under"] == "idr_response"
    late = await api.act(esc, "resolve-early", {"note": "n", "satisfied": True})
    assert late.status_code == 409

    today = datetime.now(SYDNEY)
    period = f"{today.year}H{1 if today.month <= 6 else 2}"
    report = await api.get("/v1/reports/idr", role=VIEWER, params={"period": period})
    assert report.status_code == 200, report.text
    row = dict(zip(report.json()["columns"], report.json()["rows"][0], strict=True))
    assert (row["complaint_unique_identifier"], row["complaint_status"]) == (
        opened["complaint"]["reference"], "closed")
    assert row["product_or_service"] == "credit_card;personal_loan"
