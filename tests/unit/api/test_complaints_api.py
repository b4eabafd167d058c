"""Complaints over HTTP under the rg271 preset: a complaint's codes checked against the preset's
code tables (422 naming the field, before Temporal is asked), and GET /v1/reports/idr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from config.policy_files import preset_text
from config.settings import Settings
from domain.enums import Role
from store.engine import create_engine_for, session_factory
from store.queries import upsert_escalation
from tests.support.complaints import complaint_body
from tests.support.idr_seed import H2_START, complaint_view, period_views
from tests.unit.api.conftest import bearer, closed_port

URL = "/v1/reports/idr"
JO = {"channel": "email", "address": "jo@example.com"}


@pytest.fixture(scope="module")
def settings(data_dir: Path, tokens: dict[Role, str]) -> Settings:
    policy = data_dir / "rg271.toml"
    policy.write_text(preset_text("rg271"), encoding="utf-8")
    return Settings(
        temporal_address=f"127.0.0.1:{closed_port()}", temporal_rpc_timeout_seconds=2.0,
        database_url=f"sqlite:///{data_dir / 'store.db'}",
        escalations_api_keys=data_dir / "api-keys.toml", ESCALATIONS_DATA_DIR=data_dir,
        escalations_policy=policy,
    )


@pytest.fixture(scope="module")
def seeded(client: httpx.AsyncClient, settings: Settings) -> None:
    engine = create_engine_for(settings.resolved_database_url)
    with session_factory(engine)() as s, s.begin():
        for view in period_views():
            upsert_escalation(s, view)
    engine.dispose()


@pytest.mark.parametrize(("change", "field"), [
    ({"products": ["credit_card", "crypto"]}, "complaint.products[1]"),
    ({"issues": ["moonbeams"]}, "complaint.issues[0]"),
    ({"received_via": "pigeon"}, "complaint.received_via"),
    ({"received_at": "2099-01-01T00:00:00+10:00"}, "complaint.received_at"),
    ({"received_at": "0001-01-01T00:00:00+00:00"}, "complaint.received_at"),
])
async def test_a_code_outside_the_tables_is_422_naming_the_field(
    client: httpx.AsyncClient, tokens: dict[Role, str], change: dict[str, Any], field: str
) -> None:
    body = complaint_body(JO)
    body["complaint"] |= change
    answer = await client.post("/v1/escalations", json=body,
                               headers=bearer(tokens[Role.INCIDENT_MANAGER]))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_complaint_kind_without_its_record_is_422(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    body = complaint_body(JO)
    del body["complaint"]
    answer = await client.post("/v1/escalations", json=body,
                               headers=bearer(tokens[Role.INCIDENT_MANAGER]))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["complaint"]


async def test_a_complainant_on_a_team_channel_is_422(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    body = complaint_body({"channel": "slack", "address": "https://hooks.example.com/x"})
    answer = await client.post("/v1/escalations", json=body,
                               headers=bearer(tokens[Role.INCIDENT_MANAGER]))
    assert answer.status_code == 422
    assert any("email or webhook" in e["message"] for e in answer.json()["errors"])


@pytest.mark.parametrize("role", [Role.INCIDENT_MANAGER, Role.VIEWER])
async def test_managers_and_viewers_get_the_file(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None, role: Role
) -> None:
    answer = await client.get(URL, params={"period": "2026H2", "format": "csv"},
                              headers=bearer(tokens[role]))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert len(answer.text.splitlines()) == 61
    report = (await client.get(URL, params={"period": "2026H2"},
                               headers=bearer(tokens[role]))).json()
    assert (report["row_count"], report["nil"]) == (60, False)


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.ENGAGEMENT_LEAD])
async def test_other_roles_may_not(
    client: httpx.AsyncClient, tokens: dict[Role, str], role: Role
) -> None:
    answer = await client.get(URL, params={"period": "2026H2"}, headers=bearer(tokens[role]))
    assert answer.status_code == 403
    assert "read IDR data files" in answer.json()["detail"]


async def test_a_nil_period_says_so(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None
) -> None:
    answer = await client.get(URL, params={"period": "2024H2", "format": "csv"},
                              headers=bearer(tokens[Role.VIEWER]))
    assert answer.status_code == 200
    assert (answer.json()["nil"], answer.json()["row_count"]) == (True, 0)


async def test_a_bad_period_is_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    answer = await client.get(URL, params={"period": "H2-2026"},
                              headers=bearer(tokens[Role.VIEWER]))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["query.period"]


async def test_a_broken_row_is_a_422_listing_it(
    client: httpx.AsyncClient, tokens: dict[Role, str], seeded: None, settings: Settings
) -> None:
    engine = create_engine_for(settings.resolved_database_url)
    with session_factory(engine)() as s, s.begin():
        upsert_escalation(s, complaint_view(400, H2_START.replace(year=2027), "open",
                                            issues=["moonbeams"]))
    engine.dispose()
    answer = await client.get(URL, params={"period": "2027H2", "format": "csv"},
                              headers=bearer(tokens[Role.VIEWER]))
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert [(p["reference"], p["column"]) for p in problems] == [("CMP-0400", "complaint_issue")]
