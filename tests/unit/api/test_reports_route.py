"""GET /v1/reports/sla over HTTP: roles, the figures of the store, and 422 for a bad window."""

from __future__ import annotations

import httpx
import pytest

from config.settings import Settings
from domain.enums import Priority, Role, SlaOutcome
from domain.models import SlaState
from store.engine import create_engine_for, session_factory
from store.queries import upsert_escalation
from tests.unit.api.conftest import bearer
from tests.unit.store.factories import T0, make_view

URL = "/v1/reports/sla"


@pytest.fixture(scope="module")
def seeded(client: httpx.AsyncClient, settings: Settings) -> None:
    # After the lifespan migrated the store (the client fixture started it).
    engine = create_engine_for(settings.resolved_database_url)
    with session_factory(engine)() as s, s.begin():
        upsert_escalation(s, make_view("esc-report-1", priority=Priority.P2, team="billing",
                                       sla=SlaState(notice=SlaOutcome.MET)))
    engine.dispose()


@pytest.mark.parametrize("role", [Role.INCIDENT_MANAGER, Role.VIEWER])
async def test_managers_and_viewers_read_the_report(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None, role: Role
) -> None:
    answer = await client.get(URL, headers=bearer(tokens[role]), params={"team": "billing"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    p2 = next(row for row in report["by_priority"] if row["priority"] == "P2")
    assert (p2["count"], p2["notice_within_sla"], p2["acknowledge_within_sla"]) == (1, 1.0, None)
    assert [row["team"] for row in report["by_team"]] == ["billing"]


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.ENGAGEMENT_LEAD])
async def test_other_roles_are_403(
    client: httpx.AsyncClient, tokens: dict[Role, str], role: Role
) -> None:
    assert (await client.get(URL, headers=bearer(tokens[role]))).status_code == 403


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-03-02T09:00:00"}, "query.since"),  # no offset
        ({"until": "tomorrow"}, "query.until"),
        ({"since": "2026-03-03T00:00:00Z", "until": "2026-03-02T00:00:00Z"}, "query.until"),
        ({"team": ""}, "query.team"),
        ({"group_by": "colour"}, "query.group_by"),
    ],
)
async def test_bad_window_is_422_naming_the_parameter(
    client: httpx.AsyncClient, tokens: dict[Role, str], params: dict[str, str], field: str
) -> None:
    answer = await client.get(URL, headers=bearer(tokens[Role.VIEWER]), params=params)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_window_reaches_the_store(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None
) -> None:
    answer = await client.get(URL, headers=bearer(tokens[Role.VIEWER]),
                              params={"since": (T0.replace(year=2027)).isoformat()})
    assert answer.json()["overall"]["count"] == 0


async def test_group_by_splits_the_figures_and_recurring_issues_come_along(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None
) -> None:
    answer = await client.get(URL, headers=bearer(tokens[Role.VIEWER]),
                              params={"team": "billing", "group_by": "tier"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["group_by"] == "tier"
    assert [(g["value"], g["count"]) for g in report["groups"]] == [("1", 1)]
    assert {(r["kind"], r["name"], r["count"]) for r in report["recurring"]} == {
        ("category", "other", 1)}
    assert "mean_seconds_to_notice" in report["overall"]
