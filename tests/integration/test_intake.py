"""Social intake against a real dev server and worker: grouping, duplicates and spikes.

200 posts about one outage from 150 customers in 4 batches, and 30 unrelated cold posts: one
escalation holding the 150 customers, 30 recorded; a repeated batch is all duplicates; a spike
over the threshold opens one spike escalation, and the next batch grows it instead of opening a
second.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.enums import Role
from tests.integration.api_fixtures import ApiStack, api_stack
from tests.support.waiting import until

pytestmark = pytest.mark.integration

OUTAGE = [
    "The app is down again, nothing loads #AcmeDown",
    "#AcmeDown still not working for me",
    "App keeps crashing, it is down for everyone?",
    "التطبيق لا يعمل منذ الصباح #AcmeDown",
    "اپلیکیشن از صبح قطعه و باز نمیشه",
]
COLD = ["Love the new colours in your store", "Thanks for the quick reply yesterday",
        "What time do you open on Sunday?"]


def _spike(enabled: bool) -> Any:
    def edit(text: str) -> str:
        return text.replace("enabled = true", f"enabled = {'true' if enabled else 'false'}")
    return edit


def post(run: str, n: int, text: str, *, customer: str | None, at: datetime,
         **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "twitter", "post_id": f"{run}-{n}", "text": text,
        "author": {"handle": f"@user{n}", "followers": 120},
        "posted_at": (at + timedelta(milliseconds=n)).isoformat(), **extra,
    }
    if customer is not None:
        body["customer"] = {"id": customer, "name": customer.title()}
    return body


async def send(api: ApiStack, posts: list[dict[str, Any]], role: Role = Role.INTAKE
               ) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api.tokens[role]}"}
    answer = await api.http.post("/v1/intake/posts", json={"posts": posts}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def escalations(api: ApiStack, **params: Any) -> list[dict[str, Any]]:
    answer = await api.get("/v1/escalations", params={"limit": 200, **params})
    return answer.json()["items"]  # type: ignore[no-any-return]


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str,
              request: pytest.FixtureRequest) -> AsyncIterator[ApiStack]:
    """The stack with spike detection on only for tests marked `spikes`: 200 hot posts about
    one outage are a spike too, and the grouping test counts escalations."""
    spikes = request.node.get_closest_marker("spikes") is not None
    async with api_stack(dev_env, tmp_path, database_url=database_url,
                         edit_policy=_spike(enabled=spikes)) as stack:
        yield stack


class TestGrouping:

    async def test_one_outage_from_150_customers_is_one_escalation(self, api: ApiStack
                                                                   ) -> None:
        run, now = uuid.uuid4().hex[:8], datetime.now(UTC) - timedelta(minutes=5)
        outage = [post(run, n, OUTAGE[n % len(OUTAGE)], customer=f"cust-{n % 150:03d}", at=now)
                  for n in range(200)]
        cold = [post(run, 1000 + n, COLD[n % len(COLD)], customer=None, at=now)
                for n in range(30)]
        batches = [outage[k * 50:(k + 1) * 50] + cold[k * 8:(k + 1) * 8] for k in range(4)]
        answers = [await send(api, batch) for batch in batches]

        outcomes = Counter(p["outcome"] for a in answers for p in a["posts"])
        assert outcomes == {"escalated": 1, "attached": 199, "recorded": 30}
        opened = await escalations(api)
        assert len(opened) == 1
        escalation_id = opened[0]["id"]
        view = (await api.get(f"/v1/escalations/{escalation_id}")).json()
        assert len({c["id"] for c in view["affected_customers"]}) == 150
        assert "app" in view["affected_services"]
        timeline = (await api.get(f"/v1/escalations/{escalation_id}/timeline")).json()["items"]
        assert [e["type"] for e in timeline].count("posts_attached") == 4  # one per batch

        again = await send(api, batches[1])
        assert {p["outcome"] for p in again["posts"]} == {"duplicate"}
        assert {p["escalation_id"] for p in again["posts"][:50]} == {escalation_id}
        after = (await api.get(f"/v1/escalations/{escalation_id}")).json()
        assert after["version"] == view["version"]

        sources = (await api.get(f"/v1/escalations/{escalation_id}/sources",
                                 params={"limit": 10})).json()
        assert sources["total"] == 200
        assert all(len(a["posts"]) <= 7 for a in sources["authors"])
        report = (await api.get("/v1/reports/intake")).json()
        assert (report["posts"], report["escalated"], report["attached"],
                report["recorded"]) == (230, 1, 199, 30)


class TestSpike:
    @pytest.mark.spikes
    async def test_a_spike_opens_one_escalation_and_the_next_batch_grows_it(
        self, api: ApiStack
    ) -> None:
        run, now = uuid.uuid4().hex[:8], datetime.now(UTC) - timedelta(minutes=2)
        # Each from its own customer with its own words: 25 separate matters, one surge.
        first = [post(run, n, f"I was charged twice for order {n}, refund please",
                      customer=f"spk-{n:03d}", at=now) for n in range(25)]
        await send(api, first)
        spikes = await until(lambda: escalations(api, q="Spike"), lambda found: len(found) == 1,
                             what="the spike escalation", within=60)
        spike_id = spikes[0]["id"]
        assert spikes[0]["title"] == "Spike: 25 hot billing posts in 10 min"

        second = [post(run, 100 + n, f"Double charged again on invoice {n}, refund",
                       customer=f"spk-{100 + n:03d}", at=now) for n in range(25)]
        await send(api, second)

        async def grown() -> list[str]:
            answer = await api.get(f"/v1/escalations/{spike_id}/timeline")
            return [e["type"] for e in answer.json()["items"]]

        await until(grown, lambda types: "posts_attached" in types, what="the spike to grow",
                    within=60)
        assert [e["id"] for e in await escalations(api, q="Spike")] == [spike_id]
        sources = (await api.get(f"/v1/escalations/{spike_id}/sources")).json()
        assert len(sources["spike_samples"]) == 5

