"""Issue 22 over HTTP on a real dev server: pause, resume, retriage and deescalate, with their
409s, 422s and role refusals, and the list's `paused` filter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.enums import Role
from tests.integration.api_fixtures import ENGINEER, LEAD, VIEWER, ApiStack, api_stack

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url) as stack:
        yield stack


async def listed(api: ApiStack, **params: Any) -> set[str]:
    answer = await api.get("/v1/escalations", params=params)
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


async def test_pause_and_resume_show_in_the_view_and_the_list(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, "pause", {"reason": "waiting on the customer"}, role=ENGINEER)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["status"], view["paused"], view["paused_total"]) == ("open", True, 0)
    assert view["paused_until"] is not None  # the default policy caps every priority
    assert esc in await listed(api, paused="true")
    assert esc not in await listed(api, paused="false")

    answer = await api.act(esc, "resume", {"note": "they answered"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["paused"] is False
    assert esc in await listed(api, paused="false")
    timeline = (await api.get(f"/v1/escalations/{esc}/timeline")).json()
    types = [e["type"] for e in timeline["items"]]
    assert ["paused", "resumed"] == [t for t in types if t in ("paused", "resumed")]


async def test_pause_twice_is_409_saying_which_clocks_keep_running(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    assert (await api.act(esc, "pause", {"reason": "wait"})).status_code == 200
    again = await api.act(esc, "pause", {"reason": "wait more"})
    assert again.status_code == 409
    assert "already paused" in again.json()["detail"]
    assert "keep running" in again.json()["detail"]


async def test_resume_when_not_paused_is_409(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, "resume", {})
    assert answer.status_code == 409
    assert "not paused" in answer.json()["detail"]


async def test_a_pause_past_the_cap_is_409_naming_it(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    answer = await api.act(esc, "pause", {"reason": "long wait", "until": until})
    assert answer.status_code == 409
    assert "pause.max_total" in answer.json()["detail"]


async def test_an_until_in_the_past_is_422_naming_until(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, "pause", {"reason": "x", "until": "2020-01-01T00:00:00Z"})
    assert answer.status_code == 422, answer.text
    assert "until" in answer.text


async def test_an_until_without_offset_is_utc(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    until = (datetime.now(UTC) + timedelta(minutes=30)).replace(tzinfo=None, microsecond=0)
    answer = await api.act(esc, "pause", {"reason": "x", "until": until.isoformat()})
    assert answer.status_code == 200, answer.text
    assert datetime.fromisoformat(answer.json()["paused_until"]) == until.replace(tzinfo=UTC)


async def test_retriage_changes_priority_and_says_before_and_after(api: ApiStack) -> None:
    opened = await api.open()
    new = "P4" if opened["priority"] != "P4" else "P3"
    answer = await api.act(opened["id"], "retriage", {"priority": new, "reason": "minor"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["priority"] == new
    assert view["deadlines"]["resolve_due"] != opened["deadlines"]["resolve_due"]
    assert opened["id"] in await listed(api, priority=new)


@pytest.mark.parametrize("body", [
    {"reason": "nothing named"},
    {"team": "no-such-team", "reason": "x"},
    {"priority": "P9", "reason": "x"},
], ids=["nothing", "unknown-team", "bad-priority"])
async def test_retriage_with_nothing_or_something_unknown_is_422(api: ApiStack,
                                                                  body: dict[str, Any]) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, "retriage", body)
    assert answer.status_code == 422, answer.text


async def test_retriage_to_what_it_already_is_is_422(api: ApiStack) -> None:
    opened = await api.open()
    answer = await api.act(opened["id"], "retriage",
                           {"priority": opened["priority"], "reason": "same"})
    assert answer.status_code == 422, answer.text


async def test_deescalate_is_409_at_the_lowest_level_and_one_down_after(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    lowest = await api.act(esc, "deescalate", {"reason": "calm"})
    assert lowest.status_code == 409
    assert "lowest level" in lowest.json()["detail"]
    up = await api.act(esc, "escalate", {"type": "hierarchical", "reason": "upset"})
    assert up.json()["level"] == "team_lead"
    down = await api.act(esc, "deescalate", {"reason": "calm again"})
    assert down.status_code == 200, down.text
    assert down.json()["level"] == "agent"


@pytest.mark.parametrize(("path", "body", "role"), [
    ("pause", {"reason": "x"}, VIEWER),
    ("pause", {"reason": "x"}, LEAD),
    ("resume", {}, VIEWER),
    ("retriage", {"priority": "P4", "reason": "x"}, ENGINEER),
    ("deescalate", {"reason": "x"}, ENGINEER),
    ("deescalate", {"reason": "x"}, LEAD),
], ids=lambda v: v if isinstance(v, str) else "")
async def test_roles_outside_the_action_are_403(api: ApiStack, path: str, body: dict[str, Any],
                                                role: Role) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, path, body, role=role)
    assert answer.status_code == 403, answer.text


async def test_retriage_runs_the_routing_rules_again_for_the_new_category(api: ApiStack) -> None:
    opened = await api.open()  # billing, VIP: rule billing-vip, team billing, tier 2
    answer = await api.act(opened["id"], "retriage",
                           {"category": "outage", "team": "sre", "reason": "it is an outage"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["team"], view["tier"], view["routing"]["rule"]) == ("sre", 3, "outage")
    assert view["routing"]["reasons"][0].startswith("rule 'outage' matched")
    assert "category billing -> outage" in view["routing"]["reasons"][-1]


async def test_retriage_refuses_a_routing_sent_by_the_client(api: ApiStack) -> None:
    esc = (await api.open())["id"]
    answer = await api.act(esc, "retriage", {"priority": "P4", "reason": "x", "routing": {
        "rule": "mine", "team": "billing", "tier": 3}})
    assert answer.status_code == 422, answer.text
