"""Issue #25 end to end: the API, a real dev server and worker, and local PagerDuty, Jira,
ServiceNow and record-webhook servers that answer like the vendors. Records are linked at the
start, closed at the close stage (retried through a 5xx spell, given up after retry_for), each
outcome in the API and the timeline; a problem record follows the internal RCA; and the
credentials the worker reads from its environment appear in no history, store or log.

SQLite only, on purpose: what is tested is the calls into the systems; the projection that
carries the outcomes is the one every other integration test checks on both stores.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.integration.api_fixtures import ENGINEER, LEAD, ApiStack, api_stack
from tests.support.related_systems import (
    ENV,
    JIRA_ISSUE,
    PD_INCIDENT,
    RECORDS,
    SECRETS,
    SNOW_INCIDENT,
    RelatedSystems,
    linked_and_closed_once,
)
from tests.support.waiting import until

pytestmark = pytest.mark.integration
UNKNOWN = "CASE-77-A"
NO_RCA = {"priority": "P4", "category": "question", "customer": None}  # closed at confirm
STEPS_TO_CLOSE: list[tuple[str, dict[str, Any], Any]] = [
    ("notice", {"message": "We are on it"}, None),
    ("action-plan", {"steps": [{"description": "refund"}]}, ENGINEER),
    ("resolution", {"summary": "refunded the double charges"}, None),
    ("verification", {"verified": True}, ENGINEER),
    ("customer-access", {"confirmed": True}, LEAD),
]


@pytest.fixture
def systems() -> Iterator[RelatedSystems]:
    with RelatedSystems() as found:
        yield found


@asynccontextmanager
async def stack(env: WorkflowEnvironment, directory: Path, systems: RelatedSystems, *,
                retry_for: str = "PT30S") -> AsyncIterator[ApiStack]:
    async with api_stack(env, directory, database_url=f"sqlite:///{directory / 'store.db'}",
                         edit_policy=lambda text: text + systems.toml(retry_for=retry_for),
                         environ=systems.env) as api:
        yield api


async def view(api: ApiStack, escalation_id: str) -> dict[str, Any]:
    answer = await api.get(f"/v1/escalations/{escalation_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def settled(api: ApiStack, escalation_id: str, key: str) -> dict[str, Any]:
    """The escalation once every entry of `key` (record_links, record_outcomes) is final."""
    return await until(lambda: view(api, escalation_id), lambda v: bool(v[key]) and all(
        o["outcome"] != "pending" for o in v[key]), what=f"every {key} final", within=90)


async def to_close(api: ApiStack, escalation_id: str) -> None:
    for path, body, role in STEPS_TO_CLOSE:
        answer = await api.act(escalation_id, path, body, **({"role": role} if role else {}))
        assert answer.status_code == 200, (path, answer.text)


def store_bytes(directory: Path) -> bytes:
    """The SQLite store as stored: the file and whatever WAL is left beside it."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("store.db*")))


def by_record(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {e["record"]: e["outcome"] for e in entries}


async def test_each_record_is_linked_closed_and_shown_with_a_problem_record_after_the_rca(
    dev_env: WorkflowEnvironment, tmp_path: Path, systems: RelatedSystems
) -> None:
    async with stack(dev_env, tmp_path, systems) as api:
        esc = (await api.open(related_records=[*RECORDS, UNKNOWN]))["id"]
        linked = await settled(api, esc, "record_links")
        assert by_record(linked["record_links"]) == dict.fromkeys(RECORDS, "linked")

        await to_close(api, esc)
        closed = await settled(api, esc, "record_outcomes")
        answer = await api.act(esc, "rca/internal", {
            "summary": "retry", "root_cause": "no idempotency key",
            "corrective_actions": ["send an idempotency key"]}, role=ENGINEER)
        assert answer.status_code == 200, answer.text
        with_problem = await until(lambda: view(api, esc), lambda v: bool(v["problem_records"]),
                                   what="the problem record", within=60)
        # The view shows the problem record before the store write of its entry lands.

        async def entries() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (
                await api.get(f"/v1/escalations/{esc}/timeline")).json()["items"]
            return items

        timeline = await until(entries, lambda items: any(
            e["type"] == "problem_record_opened" for e in items),
            what="the problem record's entry", within=60)

    assert by_record(closed["record_outcomes"]) == {**dict.fromkeys(RECORDS, "closed"),
                                                    UNKNOWN: "kept"}
    assert with_problem["problem_records"] == ["PRB-1"]
    assert systems.effects() == linked_and_closed_once()
    assert systems.jira.effects_of("create") == {"PRB-1": 1}
    types = [e["type"] for e in timeline]
    assert (types.count("related_record_linked"), types.count("related_record_outcome"),
            types.count("related_records_closed"), types.count("problem_record_opened")) == (
        4, 5, 1, 1)


async def test_a_system_answering_5xx_for_a_while_is_retried_and_the_record_closes(
    dev_env: WorkflowEnvironment, tmp_path: Path, systems: RelatedSystems
) -> None:
    async with stack(dev_env, tmp_path, systems) as api:
        esc = (await api.open(related_records=[SNOW_INCIDENT], **NO_RCA))["id"]
        await settled(api, esc, "record_links")
        systems.servicenow.fail(times=2, status=502)

        await to_close(api, esc)
        closed = await settled(api, esc, "record_outcomes")

    assert by_record(closed["record_outcomes"]) == {SNOW_INCIDENT: "closed"}
    assert [c.status for c in systems.servicenow.calls].count(502) == 2
    assert systems.servicenow.effects_of("state") == {SNOW_INCIDENT: 1}


async def test_a_system_down_past_retry_for_is_failed_and_the_escalation_closes(
    dev_env: WorkflowEnvironment, tmp_path: Path, systems: RelatedSystems
) -> None:
    async with stack(dev_env, tmp_path, systems, retry_for="PT4S") as api:
        esc = (await api.open(related_records=[JIRA_ISSUE, f"PD-{PD_INCIDENT}"], **NO_RCA))["id"]
        await settled(api, esc, "record_links")
        systems.jira.down()

        await to_close(api, esc)
        closed = await settled(api, esc, "record_outcomes")
        await dev_env.client.get_workflow_handle(esc).result()

    assert closed["status"] == "closed"
    assert by_record(closed["record_outcomes"]) == {JIRA_ISSUE: "failed",
                                                    f"PD-{PD_INCIDENT}": "closed"}
    [failed] = [o for o in closed["record_outcomes"] if o["outcome"] == "failed"]
    assert failed["answer"].startswith("gave up after PT4S: jira answered 503")


async def test_credentials_appear_in_no_history_store_or_log(
    dev_env: WorkflowEnvironment, tmp_path: Path, systems: RelatedSystems,
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level("DEBUG")
    # A system that echoes a credential in its refusal, as careless ones do: the link fails
    # for good, so its answer is in history, the timeline and the log, scrubbed.
    systems.servicenow.fail(status=401, method="GET", body={"error": {
        "message": f"login {ENV['SERVICENOW_PASSWORD']} refused", "detail": ""}})
    async with stack(dev_env, tmp_path, systems) as api:
        esc = (await api.open(related_records=RECORDS, **NO_RCA))["id"]
        await settled(api, esc, "record_links")
        await to_close(api, esc)
        await settled(api, esc, "record_outcomes")
        await dev_env.client.get_workflow_handle(esc).result()
        history = (await dev_env.client.get_workflow_handle(esc).fetch_history()).to_json()

    store = store_bytes(tmp_path)
    logs = caplog.text + "".join(capfd.readouterr())
    forms = [*SECRETS, *(base64.b64encode(f"{ENV[u]}:{ENV[p]}".encode()).decode() for u, p in
                         (("JIRA_EMAIL", "JIRA_API_TOKEN"),
                          ("SERVICENOW_USER", "SERVICENOW_PASSWORD")))]
    # The refusal was recorded, scrubbed, in each place looked at.
    assert "login <redacted> refused" in history
    assert b"login <redacted> refused" in store
    assert "login <redacted> refused" in logs
    assert [f for f in forms if f in history] == []
    assert [f for f in forms if f.encode() in store] == []
    assert [f for f in forms if f in logs] == []
