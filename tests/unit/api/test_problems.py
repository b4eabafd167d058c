"""Every error is application/problem+json, says what is wrong, and leaks nothing internal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from api.app import create_app
from config.settings import Settings
from domain.enums import Role
from tests.unit.api.conftest import bearer

PROBLEM = "application/problem+json"


def assert_problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert isinstance(body["title"], str)
    assert "Traceback" not in answer.text
    return body  # type: ignore[no-any-return]


@pytest.fixture
def im(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.INCIDENT_MANAGER])


async def test_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v2/nothing"), 404)


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    answer = await client.delete("/healthz")
    assert_problem(answer, 405)
    assert answer.headers["allow"] == "GET"


async def test_validation_errors_name_each_field(
    client: httpx.AsyncClient, im: dict[str, str]
) -> None:
    answer = await client.post("/v1/escalations", headers=im, json={
        "title": "  ", "category": "nonsense", "surprise": 1,
        "stakeholders": [{"name": "x", "channel": "email", "address": "not-an-address"}],
    })
    body = assert_problem(answer, 422)
    fields = {e["field"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"title", "category", "surprise", "stakeholders[0]"} <= fields


async def test_server_filled_fields_are_unknown_to_clients(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await client.post(
        "/v1/escalations/esc-01jd5k7q3mz8x4c9v2b6n0p1rt/acknowledge",
        headers=bearer(tokens[Role.ENGINEER]),
        json={"actor": {"name": "mallory", "role": "system"}, "expected_version": 3},
    )
    body = assert_problem(answer, 422)
    assert {e["field"] for e in body["errors"]} == {"actor", "expected_version"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("content", "status"), [
    (b"{", 422), (b"[1, 2]", 422), (b"null", 422), (b'"text"', 422),
    ("é".encode("latin-1"), 400),  # not UTF-8: FastAPI cannot even decode it
])
async def test_malformed_json_is_4xx(
    client: httpx.AsyncClient, im: dict[str, str], content: bytes, status: int
) -> None:
    answer = await client.post("/v1/escalations", content=content,
                               headers={**im, "content-type": "application/json"})
    assert_problem(answer, status)


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "limit=x", "status=nope", "stage=done", "priority=P9", "tier=4",
    "breached=perhaps", "cursor=%%%", "cursor=bm90LWEtY3Vyc29y", "q=" + "x" * 201,
])
async def test_bad_query_parameters_are_422(
    client: httpx.AsyncClient, im: dict[str, str], query: str
) -> None:
    assert_problem(await client.get(f"/v1/escalations?{query}", headers=im), 422)


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "ключ".encode()])
async def test_bad_idempotency_keys_are_422(
    client: httpx.AsyncClient, im: dict[str, str], key: str | bytes
) -> None:
    answer = await client.post("/v1/escalations", json={"title": "t", "category": "billing"},
                               headers=[*im.items(), ("Idempotency-Key", key)])
    assert_problem(answer, 422)


async def test_malformed_escalation_id_is_404(
    client: httpx.AsyncClient, im: dict[str, str]
) -> None:
    for path in ("/v1/escalations/esc-nope", "/v1/escalations/1%20or%201=1/timeline"):
        assert_problem(await client.get(path, headers=im), 404)


async def test_refused_notification_hosts_are_422_naming_the_field(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, im: dict[str, str]
) -> None:
    policy = tmp_path_factory.mktemp("policy") / "policy.toml"
    from config.policy_files import preset_text

    policy.write_text(preset_text("default").replace("allowed_hosts = []",
                                                     'allowed_hosts = ["hooks.corp.example"]'))
    app = create_app(settings.model_copy(update={"escalations_policy": policy}))
    async with LifespanManager(app) as manager, httpx.AsyncClient(
        transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test"
    ) as http:
        answer = await http.post("/v1/escalations", headers=im, json={
            "title": "t", "category": "billing",
            "stakeholders": [{"name": "x", "channel": "webhook",
                              "address": "https://elsewhere.example/hook"}],
        })
    body = assert_problem(answer, 422)
    assert body["errors"] == [{"field": "stakeholders[0].address",  # type: ignore[comparison-overlap]
                               "message": "host 'elsewhere.example' is not in allowed_hosts"}]


@pytest_asyncio.fixture(loop_scope="session")
async def failing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    async with LifespanManager(app) as manager, httpx.AsyncClient(
        transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test"
    ) as http:
        yield http


async def test_unexpected_errors_are_bare_500_problems(failing_client: httpx.AsyncClient) -> None:
    answer = await failing_client.get("/boom")
    assert_problem(answer, 500)
    assert "secret" not in answer.text
    assert "RuntimeError" not in answer.text


async def test_without_temporal_actions_are_503_not_hangs(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await client.post("/v1/escalations/esc-01jd5k7q3mz8x4c9v2b6n0p1rt/acknowledge",
                               headers=bearer(tokens[Role.ENGINEER]))
    assert_problem(answer, 503)
    assert answer.headers["retry-after"] == "1"
