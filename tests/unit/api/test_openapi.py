"""The published contract: documented errors, summaries, and no server-filled fields."""

from __future__ import annotations

import httpx

PROBLEM = "application/problem+json"


async def schema(client: httpx.AsyncClient) -> dict:  # type: ignore[type-arg]
    answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


async def test_every_operation_has_a_summary_and_problem_errors(client: httpx.AsyncClient) -> None:
    for path, item in (await schema(client))["paths"].items():
        for method, operation in item.items():
            assert operation.get("description"), f"{method} {path} has no docstring"
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and not path.startswith("/readyz"):
                    assert list(answer["content"]) == [PROBLEM], (method, path, status)


async def test_authenticated_operations_document_401_and_403(client: httpx.AsyncClient) -> None:
    for path, item in (await schema(client))["paths"].items():
        # Integrations are authenticated by their sender's signature, and answer it in its own
        # terms (Slack: 200 with an ephemeral refusal), not with a bearer token's 401/403.
        if not path.startswith("/v1/") or path.startswith("/v1/integrations/"):
            continue
        for method, operation in item.items():
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            assert operation.get("security"), (method, path)


async def test_actor_and_expected_version_are_not_in_any_input(client: httpx.AsyncClient) -> None:
    components = (await schema(client))["components"]["schemas"]
    for name, component in components.items():
        if name.endswith("Input"):
            assert "actor" not in component.get("properties", {}), name
            assert "expected_version" not in component.get("properties", {}), name
            assert component.get("additionalProperties") is False, name


async def test_docs_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
