"""Collision detection: presence across browsers, and a stale form answered with what changed,
the person's text kept."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ENGINEER, IM, PEOPLE, ConsoleStack

pytestmark = pytest.mark.browser


async def _noticed(console: ConsoleStack) -> str:
    created = await console.open_escalation(title="Presence and conflicts")
    await console.act(created["id"], "notice", {"message": "We are on it"})
    return f"/console/escalations/{created['id']}"


async def test_two_people_see_each_other_and_what_the_other_writes(
    console: ConsoleStack,
) -> None:
    url = await _noticed(console)
    alice, bob = await console.page(IM), await console.page(ENGINEER)
    await alice.goto(url)
    await bob.goto(url)

    await expect(bob.locator("#presence")).to_contain_text(f"{PEOPLE[IM][0]} is also viewing")
    await expect(alice.locator("#presence")).to_contain_text(
        f"{PEOPLE[ENGINEER][0]} is also viewing", timeout=15_000)

    await bob.locator("#form-post_status_update").get_by_label("Message").fill("Refunds running")
    await expect(alice.locator("#presence")).to_contain_text(
        f"{PEOPLE[ENGINEER][0]} is writing a status update", timeout=15_000)


async def test_the_second_submit_on_a_stale_page_shows_what_changed_and_keeps_the_text(
    console: ConsoleStack,
) -> None:
    url = await _noticed(console)
    alice, bob = await console.page(IM), await console.page(ENGINEER)
    await alice.goto(url)
    await bob.goto(url)
    first = alice.locator("#form-post_status_update")
    await first.get_by_label("Message").fill("First update")
    await first.get_by_role("button", name="Post a status update").click()
    await expect(alice.get_by_role("status").filter(has_text="Done")).to_be_visible()

    second = bob.locator("#form-post_status_update")
    await second.get_by_label("Message").fill("Second update, typed on the old page")
    async with bob.expect_response(lambda r: r.request.method == "POST") as answer:
        await second.get_by_role("button", name="Post a status update").click()

    assert (await answer.value).status == 412
    changed = bob.get_by_role("heading", name="Changed since you loaded the page")
    await expect(changed).to_be_visible()
    await expect(bob.locator(".conflict")).to_contain_text("status update by Alice")
    kept = bob.locator("#form-post_status_update").get_by_label("Message")
    await expect(kept).to_have_value("Second update, typed on the old page")
    await bob.locator("#form-post_status_update").get_by_role(
        "button", name="Post a status update").click()
    await expect(bob.get_by_role("status").filter(has_text="Done")).to_be_visible()
