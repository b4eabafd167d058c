"""Case work in the console (issue 22): the pause form and its clocks, then resume."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ENGINEER, ConsoleStack

pytestmark = pytest.mark.browser


async def test_pause_and_resume_by_clicking(console: ConsoleStack) -> None:
    created = await console.open_escalation(title="Waiting on the customer's bank")
    page = await console.page(ENGINEER)
    await page.goto(f"/console/escalations/{created['id']}")

    await page.locator("#form-pause").get_by_label("Reason").fill("The bank answers Monday")
    await page.get_by_role("button", name="Pause the SLA clocks").click()
    await expect(page.get_by_role("status").filter(
        has_text="Done: Pause the SLA clocks")).to_be_visible()
    await page.reload()
    await expect(page.get_by_text("paused", exact=True).first).to_be_visible()
    await expect(page.get_by_role("button", name="Pause the SLA clocks")).to_have_count(0)

    await page.get_by_role("button", name="Resume the SLA clocks").click()
    await expect(page.get_by_role("status").filter(
        has_text="Done: Resume the SLA clocks")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("button", name="Pause the SLA clocks")).to_be_visible()
