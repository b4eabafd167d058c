"""What every page must hold for every person: roles, escaping, CSRF, accessibility, layout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import ENGINEER, IM, LEAD, VIEWER, ConsoleStack, axe_violations

pytestmark = pytest.mark.browser

XSS_TITLES = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]


async def test_a_viewer_sees_no_form_and_customer_contacts_masked(console: ConsoleStack) -> None:
    created = await console.open_escalation(title="Viewer reads only")
    page = await console.page(VIEWER)
    await page.goto(f"/console/escalations/{created['id']}")

    await expect(page.get_by_text("Viewers read only.")).to_be_visible()
    assert await page.locator("form[data-action]").count() == 0
    facts = page.locator("dl.facts").first
    await expect(facts).to_contain_text("http://127.0.0.1/***")
    await expect(facts).not_to_contain_text(console.hooks.url("/customer"))


async def test_a_form_posted_for_an_action_the_role_may_not_take_is_refused_with_the_api_reason(
    console: ConsoleStack,
) -> None:
    created = await console.open_escalation(title="Refused by role")
    page = await console.page(LEAD)
    await page.goto(f"/console/escalations/{created['id']}")
    token = await page.locator("input[name=csrf_token]").first.input_value()

    answer = await page.request.post(
        f"/console/escalations/{created['id']}/actions/cancel",
        form={"csrf_token": token, "reason": "not mine to cancel",
              "version": str(created["version"])})

    assert answer.status == 403
    async with console.api(LEAD) as http:
        api = await http.post(f"/v1/escalations/{created['id']}/cancel",
                              json={"reason": "not mine to cancel"})
    assert api.json()["detail"] in await answer.text()


@pytest.mark.parametrize("title", XSS_TITLES)
async def test_a_hostile_title_shows_as_text_and_runs_nothing(
    console: ConsoleStack, title: str,
) -> None:
    created = await console.open_escalation(title=title)
    page = await console.page(IM)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    for path in (f"/console/?q={created['title'][:8]}", f"/console/escalations/{created['id']}"):
        await page.goto(path)
        await expect(page.get_by_text(title).first).to_be_visible()
        assert await page.locator("img[src=x]").count() == 0

    assert dialogs == []


async def test_a_post_without_the_csrf_token_changes_nothing(console: ConsoleStack) -> None:
    created = await console.open_escalation(title="No token, no change")
    page = await console.page(IM)
    await page.goto(f"/console/escalations/{created['id']}")

    answer = await page.request.post(
        f"/console/escalations/{created['id']}/actions/cancel",
        form={"reason": "forged", "version": str(created["version"])})

    assert answer.status == 403
    async with console.api() as http:
        after = (await http.get(f"/v1/escalations/{created['id']}")).json()
    assert (after["status"], after["version"]) == ("open", created["version"])


async def test_the_report_draws_its_charts(console: ConsoleStack) -> None:
    created = await console.open_escalation(title="Counted in the report")
    await console.act(created["id"], "notice", {"message": "We are on it"})  # notice SLA met
    page = await console.page(IM)
    await page.goto("/console/reports")

    charts = page.get_by_role("img")
    await expect(charts.first).to_be_visible()
    assert await charts.count() >= 6
    share = page.locator('svg[data-chart="Share within SLA by priority"]')
    assert await share.locator("rect").count() > 3
    box = await share.bounding_box()
    assert box is not None
    assert box["height"] > 50


async def test_the_report_splits_by_a_chosen_group_and_lists_recurring_issues(
    console: ConsoleStack,
) -> None:
    await console.open_escalation(title="Tagged for the recurring view", tags=["invoice-run"])
    page = await console.page(IM)
    await page.goto("/console/reports")

    await page.get_by_label("Also per").select_option("tier")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url("**group_by=tier**")

    await expect(page.locator('svg[data-chart="Share within SLA by tier"]')).to_be_visible()
    recurring = page.locator("#recurring")
    await expect(recurring.get_by_role("cell", name="#invoice-run").first).to_be_visible()
    csv_link = page.get_by_role("link", name="Download CSV")
    assert "group_by=tier" in (await csv_link.get_attribute("href") or "")


async def test_user_text_in_arabic_reads_right_to_left(console: ConsoleStack) -> None:
    title = "تم خصم المبلغ مرتين من حسابي"
    created = await console.open_escalation(title=title)
    page = await console.page(IM)
    await page.goto(f"/console/escalations/{created['id']}")

    heading = page.get_by_role("heading", name=title)
    assert await heading.evaluate("el => getComputedStyle(el).direction") == "rtl"


async def _pages(console: ConsoleStack) -> dict[str, list[str]]:
    created = await console.open_escalation(title="Every page checked")
    escalation = f"/console/escalations/{created['id']}"
    return {
        "sign-in": ["/console/sign-in"],
        "incident_manager": ["/console/", "/console/escalations/new", escalation,
                             "/console/tasks?who=all", "/console/reports"],
        "engineer": [escalation, "/console/tasks"],
        "viewer": [escalation],
    }


async def _every_page(console: ConsoleStack, check: object,
                      watch: Callable[[Page], None] | None = None, **options: object
                      ) -> list[str]:
    found: list[str] = []
    roles = {"incident_manager": IM, "engineer": ENGINEER, "viewer": VIEWER, "sign-in": None}
    for who, paths in (await _pages(console)).items():
        page: Page = await console.page(roles[who], **options)  # type: ignore[arg-type]
        if watch is not None:
            watch(page)
        for path in paths:
            await page.goto(path)
            await page.wait_for_load_state("networkidle")
            found += [f"{who} {path}: {problem}" for problem in await check(page)]  # type: ignore[operator]
    return found


async def test_axe_finds_nothing_serious_on_any_page(console: ConsoleStack) -> None:
    assert await _every_page(console, axe_violations, bypass_csp=True) == []


async def test_pages_fit_a_phone_without_sideways_scrolling(console: ConsoleStack) -> None:
    async def overflow(page: Page) -> list[str]:
        width = await page.evaluate("document.documentElement.scrollWidth")
        culprits = await page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
            .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
        return [f"{width}px wide: {culprits}"] if width > 390 else []

    assert await _every_page(console, overflow, phone=True) == []


async def test_no_page_breaks_its_own_content_security_policy(console: ConsoleStack) -> None:
    messages: list[str] = []

    async def violations(page: Page) -> list[str]:
        found = [m for m in messages if "Content Security Policy" in m]
        messages.clear()
        return found

    def watch(page: Page) -> None:
        page.on("console", lambda message: messages.append(message.text))

    assert await _every_page(console, violations, watch=watch) == []
