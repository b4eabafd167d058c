"""Bodies over 1 MiB are refused (413), announced or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from api.http.limits import MAX_BODY_BYTES
from domain.enums import Role
from tests.unit.api.conftest import bearer


async def test_announced_oversized_body_is_413(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await client.post("/v1/escalations", content=b" " * (MAX_BODY_BYTES + 1),
                               headers={**bearer(tokens[Role.INCIDENT_MANAGER]),
                                        "content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


async def test_streamed_oversized_body_is_413(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(17):
            yield b" " * 65536

    answer = await client.post("/v1/escalations", content=chunks(),
                               headers={**bearer(tokens[Role.INCIDENT_MANAGER]),
                                        "content-type": "application/json"})
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413


async def test_body_at_the_limit_reaches_validation(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    padding = " " * (MAX_BODY_BYTES - 40)
    body = ('{"title": "t", "category": "nonsense"}' + padding).encode()[:MAX_BODY_BYTES]
    answer = await client.post("/v1/escalations", content=body,
                               headers={**bearer(tokens[Role.INCIDENT_MANAGER]),
                                        "content-type": "application/json"})
    assert answer.status_code == 422
