"""An escalation from the create form to closed, every step clicked by the role that takes it,
each role in its own browser; the engagement lead starts from the e-mail the SMTP server got."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import ENGINEER, IM, LEAD, LEAD_MAIL, ConsoleStack, sign_in
from tests.support.receivers import ReceivedMail
from tests.support.waiting import until

pytestmark = pytest.mark.browser


async def submit(page: Page, escalation_url: str, button: str) -> None:
    """Open the escalation and press the form's button (the form's own fields filled first)."""
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_role("status").filter(has_text=f"Done: {button}")).to_be_visible()


async def test_create_and_close_by_clicking(console: ConsoleStack) -> None:
    im = await console.page(IM)
    await im.goto("/console/escalations/new")
    await im.get_by_label("Title").fill("Charged twice for the March invoice")
    await im.get_by_label("Category").select_option("billing")
    await im.get_by_label("Customer id").fill("cust-lifecycle")
    await im.get_by_label("Affected customers").fill(
        f"cust-lifecycle | Acme Ltd | webhook | {console.hooks.url('/customer')}")
    # The notice goes to internal stakeholders and customers: both need someone to reach.
    await im.get_by_label("Stakeholders").fill(
        f"Finance on-call | webhook | {console.hooks.url('/finance')}")
    await expect(im.locator("#triage")).to_contain_text("billing")
    await im.get_by_role("button", name="Open the escalation").click()
    await im.wait_for_url(re.compile(r"/console/escalations/esc-"))
    url = im.url
    await expect(im.locator("hgroup")).to_contain_text("stage communicate")

    engineer = await console.page(ENGINEER)
    await engineer.goto(url)
    await submit(engineer, url, "Acknowledge")

    await im.goto(url)
    await submit(im, url, "Send the notice")

    await engineer.goto(url)
    await engineer.get_by_label("Steps").fill("Refund the duplicate charge | Bob")
    await submit(engineer, url, "Set the action plan")
    await expect(engineer.locator("hgroup")).to_contain_text("stage resolve")

    await im.goto(url)
    await im.locator("#form-declare_resolution").get_by_label("Summary").fill(
        "Duplicate charge refunded")
    await submit(im, url, "Declare the resolution")

    await engineer.goto(url)
    await engineer.locator("#form-verify_resolution").get_by_label("Yes").check()
    await submit(engineer, url, "Verify the resolution")

    lead = await console.page(LEAD)
    await lead.goto(url)
    await lead.locator("#form-confirm_customer_access").get_by_label("Yes").check()
    await submit(lead, url, "Confirm customer access")
    await expect(lead.locator("hgroup")).to_contain_text("stage close")

    await engineer.goto(url)
    form = engineer.locator("#form-submit_internal_rca")
    await form.get_by_label("Summary").fill("A retry storm")
    await form.get_by_label("Root cause").fill("Missing idempotency key")
    await form.get_by_label("Corrective actions").fill("Add the key\nAlert on retries")
    await submit(engineer, url, "Submit the internal RCA")

    # The customer-RCA task went to "Sam" by e-mail; its link opens the task after sign-in.
    # (Sam's first e-mail asked them to confirm the customer's access: issue 20.)
    async def rca_task_mails() -> list[ReceivedMail]:
        return [m for m in console.smtp.messages if LEAD_MAIL in str(m.message["To"])
                and "RCA" in str(m.message["Subject"])]

    mail = (await until(rca_task_mails, bool, what="the customer-RCA task e-mail"))[0]
    body = mail.message.get_body(("plain",))
    assert body is not None
    link = re.search(r"Open the RCA task: (\S+)", body.get_content())
    assert link is not None, body.get_content()
    fresh = await (await console.context()).new_page()
    await fresh.goto(link.group(1))
    await expect(fresh).to_have_url(re.compile(r"/console/sign-in\?next="))
    await fresh.get_by_label("API token").fill(console.tokens[LEAD])
    await fresh.get_by_role("button", name="Sign in").click()
    await expect(fresh).to_have_url(re.compile(r"/console/tasks/esc-[0-9a-z]+\.rca\.customer$"))
    await expect(fresh.get_by_text("Missing idempotency key")).to_be_visible()
    await fresh.get_by_label("Summary").fill("A retry charged some cards twice; all refunded.")
    await expect(fresh.locator("#preview")).to_contain_text(
        "A retry charged some cards twice; all refunded.")
    await fresh.get_by_role("button", name="Share the customer RCA").click()
    await expect(fresh.get_by_role("status").filter(has_text="Done")).to_be_visible()

    await im.goto(url)
    await expect(im.locator("hgroup")).to_contain_text("closed · stage close")
    await expect(im.get_by_text("Nothing for your role to do in this stage.")).to_be_visible()


async def test_sign_in_sends_back_to_the_page_asked_for(console: ConsoleStack) -> None:
    page = await (await console.context()).new_page()
    await page.goto("/console/reports")
    await expect(page).to_have_url(re.compile(r"/console/sign-in\?next=/console/reports"))

    await sign_in(page, console.tokens[IM], path=page.url)

    await expect(page).to_have_url(re.compile(r"/console/reports$"))
    await expect(page.get_by_role("heading", name="SLA report")).to_be_visible()
