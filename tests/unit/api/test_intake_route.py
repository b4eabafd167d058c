"""POST /v1/intake/posts and the listening report without Temporal: cold posts are triaged and
stored (no workflow needed), bad batches are a 422 naming the field, hot ones wait for Temporal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from domain.enums import Role
from tests.unit.api.conftest import bearer

URL = "/v1/intake/posts"
NOW = datetime.now(UTC)


def post(n: int, text: str = "Love the new colours in your store", **changes: Any
         ) -> dict[str, Any]:
    return {"channel": "twitter", "post_id": f"{RUN}-{n}", "text": text,
            "author": {"handle": f"@u{n}"}, "posted_at": NOW.isoformat(), **changes}


RUN = uuid.uuid4().hex[:8]


async def send(client: httpx.AsyncClient, tokens: dict[Role, str], posts: list[Any]
               ) -> httpx.Response:
    return await client.post(URL, json={"posts": posts}, headers=bearer(tokens[Role.INTAKE]))


async def test_cold_posts_are_recorded_and_sent_again_are_duplicates(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    batch = [post(n) for n in range(1, 4)]
    first = await send(client, tokens, batch)
    assert first.status_code == 200, first.text
    assert [p["outcome"] for p in first.json()["posts"]] == ["recorded"] * 3
    assert first.json()["recorded"] == 3
    again = await send(client, tokens, batch)
    assert [p["outcome"] for p in again.json()["posts"]] == ["duplicate"] * 3
    assert [p["category"] for p in again.json()["posts"]] == ["other"] * 3


async def test_a_post_twice_in_one_batch_is_a_duplicate_the_second_time(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await send(client, tokens, [post(10), post(10, text="edited")])
    assert [p["outcome"] for p in answer.json()["posts"]] == ["recorded", "duplicate"]


async def test_a_hot_post_waits_for_temporal_and_is_not_a_duplicate_on_retry(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    hot = [post(20, text="The app is down again #AcmeDown")]
    assert (await send(client, tokens, hot)).status_code == 503
    assert (await send(client, tokens, hot)).status_code == 503  # finished, not skipped
    report = await client.get("/v1/reports/intake", headers=bearer(tokens[Role.VIEWER]),
                              params={"since": (NOW - timedelta(seconds=1)).isoformat()})
    assert report.json()["unsettled"] >= 1


@pytest.mark.parametrize(("posts", "field"), [
    pytest.param([post(n) for n in range(501)], "posts", id="over-500"),
    pytest.param([], "posts", id="empty"),
    pytest.param([post(1, posted_at=(NOW + timedelta(hours=1)).isoformat())],
                 "posts[0].posted_at", id="in-the-future"),
    pytest.param([post(1, posted_at="2026-03-01T09:00:00")], "posts[0].posted_at",
                 id="no-offset"),
    pytest.param([post(1, posted_at="0001-01-01T00:00:00Z")], "posts[0].posted_at",
                 id="before-social-media"),
    pytest.param([post(1, post_id="has space")], "posts[0].post_id", id="bad-post-id"),
    pytest.param([post(1, channel="myspace")], "posts[0].channel", id="unknown-channel"),
    pytest.param([post(1, text="nul \x00 here")], "posts[0].text", id="nul"),
    pytest.param([post(1, text="   ")], "posts[0].text", id="blank"),
    pytest.param([post(1, colour="blue")], "posts[0].colour", id="unknown-field"),
    pytest.param([post(1, url="javascript:alert(1)")], "posts[0].url", id="not-a-web-url"),
])
async def test_a_bad_batch_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tokens: dict[Role, str], posts: list[Any], field: str
) -> None:
    answer = await send(client, tokens, posts)
    assert answer.status_code == 422, answer.text
    assert field in {e["field"] for e in answer.json()["errors"]}, answer.text


async def test_a_batch_may_be_larger_than_other_bodies(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    long = "Love the new colours in your store. " * 80  # ~2.9 KB each: 1.4 MiB in all
    answer = await send(client, tokens, [post(1000 + n, text=long) for n in range(500)])
    assert answer.status_code == 200, answer.text[:300]
    elsewhere = await client.post("/v1/triage", json={"text": long * 400},
                                  headers=bearer(tokens[Role.ENGINEER]))
    assert elsewhere.status_code == 413


async def test_the_report_refuses_an_empty_window(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await client.get("/v1/reports/intake", headers=bearer(tokens[Role.VIEWER]),
                              params={"since": NOW.isoformat(), "until": NOW.isoformat()})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "query.until", "message": "must be after since"}]


async def test_sources_of_an_unknown_escalation_are_404(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    answer = await client.get("/v1/escalations/esc-01jd5k7q3mz8x4c9v2b6n0p1rt/sources",
                              headers=bearer(tokens[Role.VIEWER]))
    assert answer.status_code == 404
