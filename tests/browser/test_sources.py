"""Social intake in the console: the posts behind an escalation and each author's history on
its page, and the listening report on the report page (issue 21, items 5 and 6)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import IM, VIEWER, ConsoleStack

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(3)> the app is down again #AcmeDown"
ARABIC = "التطبيق لا يعمل منذ الصباح #AcmeDown"


def _post(run: str, n: int, text: str, *, at: datetime, handle: str) -> dict[str, Any]:
    return {"channel": "twitter", "post_id": f"{run}-{n}", "text": text,
            "author": {"handle": handle, "name": "Rania"},
            "customer": {"id": f"cust-{run}", "name": "Rania Co"},
            "posted_at": (at + timedelta(seconds=n)).isoformat(),
            "url": f"https://x.example/{run}/{n}"}


async def _send(console: ConsoleStack, posts: list[dict[str, Any]]) -> dict[str, Any]:
    async with console.api(IM) as http:
        answer = await http.post("/v1/intake/posts", json={"posts": posts})
    assert answer.status_code == 200, answer.text
    sent: dict[str, Any] = answer.json()
    return sent


async def test_the_escalation_page_shows_its_posts_and_each_author_s_history(
    console: ConsoleStack,
) -> None:
    run, at = uuid.uuid4().hex[:8], datetime.now(UTC) - timedelta(minutes=30)
    handle = f"@rania_{run}"
    await _send(console, [_post(run, 0, "Love the new colours in your store", at=at,
                                handle=handle)])
    answer = await _send(console, [_post(run, 1, HOSTILE, at=at, handle=handle),
                                   _post(run, 2, ARABIC, at=at, handle=handle)])
    escalation_id = answer["escalations"][0]
    assert [p["outcome"] for p in answer["posts"]] == ["escalated", "attached"]

    page = await console.page(VIEWER)  # posts carry no contact: every role reads them
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.goto(f"/console/escalations/{escalation_id}")

    sources = page.locator("#sources")
    await expect(sources.get_by_role("heading", name="Sources")).to_be_visible()
    await expect(sources).to_contain_text("2 posts attached")
    await expect(sources.get_by_text(HOSTILE).first).to_be_visible()
    assert await page.locator("img[src=x]").count() == 0
    arabic = sources.get_by_text(ARABIC).first
    assert await arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    await expect(sources.locator(f'a[href="https://x.example/{run}/1"]').first).to_be_visible()

    history = sources.locator("details.author").first
    await expect(history).to_contain_text(handle)
    await history.locator("summary").click()
    await expect(history.get_by_text("Love the new colours in your store")).to_be_visible()
    assert dialogs == []


async def test_the_report_page_shows_the_listening_report(console: ConsoleStack) -> None:
    run, at = uuid.uuid4().hex[:8], datetime.now(UTC) - timedelta(minutes=10)
    await _send(console, [_post(run, 0, "What time do you open on Sunday?", at=at,
                                handle=f"@sunday_{run}")])
    async with console.api(IM) as http:
        since = (datetime.now(UTC) - timedelta(weeks=12)).isoformat()
        figures = (await http.get("/v1/reports/intake", params={"since": since})).json()

    page = await console.page(IM)
    await page.goto("/console/reports")

    assert "Listening" not in await page.title()  # the section sits in the page, not its title
    listening = page.locator("#listening")
    await expect(listening.get_by_role("heading", name="Listening report")).to_be_visible()
    # Posts sent by other tests of the session may land between the two reads: at least.
    shown = await listening.locator("dt:text('Posts') + dd").first.inner_text()
    assert int(shown.split()[0]) >= figures["posts"] >= 1
    for title in ("Posts by channel", "Posts by category"):
        chart = listening.locator(f'svg[data-chart="{title}"]')
        await expect(chart).to_be_visible()
        assert await chart.locator("rect").count() > 2
