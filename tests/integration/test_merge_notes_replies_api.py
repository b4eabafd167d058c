"""Merge, notes and saved replies over HTTP against a real dev server (issue 22)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.integration.api_fixtures import ENGINEER, LEAD, VIEWER, ApiStack, api_stack
from tests.support.waiting import until

pytestmark = pytest.mark.integration
UNKNOWN = "esc-01jd5k7q3mz8x4c9v2b6n0p1rt"


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url) as stack:
        yield stack


def customer(api: ApiStack, customer_id: str) -> dict[str, object]:
    return {"id": customer_id, "contact": {"channel": "webhook",
                                           "address": api.receiver.url(f"/c/{customer_id}")}}


async def test_a_merged_duplicate_says_where_it_went_and_the_survivor_holds_its_customers(
    api: ApiStack,
) -> None:
    survivor = await api.open(affected_customers=[customer(api, "c1")])
    duplicate = await api.open(affected_customers=[customer(api, "c1"), customer(api, "c2")],
                               related_records=["INC-2"], tags=["refund"])
    body = {"into": survivor["id"], "note": "same double charge"}
    answer = await api.act(duplicate["id"], "merge", body)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["merged_into"]) == ("merged", survivor["id"])
    again = await api.act(duplicate["id"], "merge", body)  # a retry: the same answer
    assert again.status_code == 200, again.text
    assert again.json()["version"] == answer.json()["version"]
    shown = (await api.get(f"/v1/escalations/{duplicate['id']}")).json()
    assert (shown["status"], shown["merged_into"]) == ("merged", survivor["id"])
    alive = (await api.get(f"/v1/escalations/{survivor['id']}")).json()
    assert [c["id"] for c in alive["affected_customers"]] == ["c1", "c2"]
    assert alive["related_records"] == ["INC-1001", "INC-2"]
    assert alive["merged_from"] == [duplicate["id"]]
    listed = (await api.get("/v1/escalations", params={"status": "merged"})).json()
    assert [i["id"] for i in listed["items"]] == [duplicate["id"]]
    timeline = (await api.get(f"/v1/escalations/{survivor['id']}/timeline")).json()["items"]
    assert [e["details"]["duplicate"] for e in timeline if e["type"] == "duplicate_merged"] == [
        duplicate["id"]]


async def test_merges_that_cannot_be_are_refused(api: ApiStack) -> None:
    a = await api.open()
    b = await api.open()
    c = await api.open()
    assert (await api.act(a["id"], "merge", {"into": b["id"]})).status_code == 200
    back = await api.act(b["id"], "merge", {"into": a["id"]})  # a loop: a is merged into b
    assert back.status_code == 409, back.text
    assert back.headers["content-type"] == "application/problem+json"
    closed_target = await api.act(c["id"], "merge", {"into": a["id"]})
    assert closed_target.status_code == 409
    itself = await api.act(c["id"], "merge", {"into": c["id"]})
    assert itself.status_code == 422
    assert itself.json()["errors"][0]["field"] == "into"
    unknown = await api.act(c["id"], "merge", {"into": UNKNOWN})
    assert unknown.status_code == 422
    not_an_id = await api.act(c["id"], "merge", {"into": "nope"})
    assert not_an_id.status_code == 422
    as_engineer = await api.act(c["id"], "merge", {"into": b["id"]}, role=ENGINEER)
    assert as_engineer.status_code == 403
    untouched = (await api.get(f"/v1/escalations/{c['id']}")).json()
    assert (untouched["status"], untouched["version"]) == ("open", c["version"])


async def test_notes_are_for_the_team_only(api: ApiStack) -> None:
    opened = await api.open()
    for role in (ENGINEER, LEAD):
        answer = await api.act(opened["id"], "notes", {"text": "@Lee please look"}, role=role)
        assert answer.status_code == 200, answer.text
    refused = await api.act(opened["id"], "notes", {"text": "hi"}, role=VIEWER)
    assert refused.status_code == 403
    blank = await api.act(opened["id"], "notes", {"text": "   "})
    assert blank.status_code == 422
    timeline = (await api.get(f"/v1/escalations/{opened['id']}/timeline")).json()["items"]
    notes = [e for e in timeline if e["type"] == "note"]
    assert [(n["actor"], n["details"]["mentioned"]) for n in notes] == [("bob", ["Lee"]),
                                                                         ("sam", ["Lee"])]
    await until(lambda: _events(api), lambda events: events.count("mention") >= 2,
                what="both mentions delivered", within=30)
    assert "mention" not in [r.json()["event"] for r in api.receiver.requests
                             if r.path == "/customer"]


async def _events(api: ApiStack) -> list[str]:
    return [r.json()["event"] for r in api.receiver.requests]


async def test_saved_replies_are_listed_rendered_and_sent_by_name(api: ApiStack) -> None:
    opened = await api.open()
    listed = await api.get(f"/v1/escalations/{opened['id']}/saved-replies", role=VIEWER)
    assert listed.status_code == 200, listed.text
    replies = {r["name"]: r for r in listed.json()["items"]}
    assert "double-charge-refund" in replies  # billing
    assert "fix-deploying" not in replies  # outages only
    assert opened["title"] in replies["need-more-details"]["text"]
    sent = await api.act(opened["id"], "notice", {"saved_reply": "double-charge-refund"})
    assert sent.status_code == 200, sent.text
    timeline = (await api.get(f"/v1/escalations/{opened['id']}/timeline")).json()["items"]
    notice = next(e for e in timeline if e["type"] == "notice_sent")
    assert notice["details"]["message"] == replies["double-charge-refund"]["text"]
    update = await api.act(opened["id"], "status-updates", {"saved_reply": "still-working"})
    assert update.status_code == 200, update.text
    both = await api.act(opened["id"], "status-updates",
                         {"saved_reply": "still-working", "message": "x"})
    assert both.status_code == 422
    neither = await api.act(opened["id"], "status-updates", {})
    assert neither.status_code == 422
    unknown = await api.act(opened["id"], "status-updates", {"saved_reply": "no-such-reply"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "saved_reply"
    internal_only = await api.act(opened["id"], "notice", {"saved_reply": "internal-handover"})
    assert internal_only.status_code == 422  # the default audiences include customers
