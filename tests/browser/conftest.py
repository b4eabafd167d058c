"""The console in a real browser: Debian's Chromium driven by Playwright (nothing downloaded),
against the whole stack in this process: the dev server, a worker, the API served by uvicorn
on 127.0.0.1, a webhook receiver and an SMTP server.

One stack and one browser for all these tests (starting them is most of the cost); each
test opens its own escalations, and each role browses in its own context. The store is one
SQLite file: these tests are about the pages, the store's two backends are covered below them.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
from credentials.api_keys import add_key
from domain.enums import Role
from domain.policy import Policy
from tests.support.policies import loopback_policy, write_policy_file
from tests.support.receivers import HttpReceiver, SmtpReceiver
from tests.support.waiting import until
from worker.build import create_worker

IM, ENGINEER, LEAD, VIEWER = (Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD,
                              Role.VIEWER)
# The lead's key goes by the billing team's engagement-lead contact name ("Sam") as an alias:
# the RCA task is assigned to "Sam", and "My tasks" must find it for "Sam Lead".
PEOPLE = {IM: ("Alice", ()), ENGINEER: ("Bob", ("Priya",)), LEAD: ("Sam Lead", ("Sam",)),
          VIEWER: ("Vic", ())}
LEAD_MAIL = "sam@corp.example"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _policy(receiver_url: str) -> Policy:
    """Every contact a webhook on the receiver, but billing's engagement lead is an e-mail
    address, so the customer-RCA task's message reaches the SMTP server."""
    raw = loopback_policy(receiver_url).model_dump(mode="json")
    raw["teams"]["billing"]["engagement_lead"] = {"name": "Sam", "channel": "email",
                                                  "address": LEAD_MAIL}
    return Policy.model_validate(raw)


@dataclass
class ConsoleStack:
    base_url: str
    tokens: dict[Role, str]
    browser: Browser
    hooks: HttpReceiver
    smtp: SmtpReceiver
    settings: Settings
    states: dict[Role, Any] = field(default_factory=dict)  # signed-in storage, per role

    def api(self, role: Role = IM) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=30, trust_env=False,
                                 headers={"Authorization": f"Bearer {self.tokens[role]}"})

    async def context(self, role: Role | None = None, *, phone: bool = False,
                      bypass_csp: bool = False) -> BrowserContext:
        """A fresh browser profile; signed in as `role` when given (signed in once per
        session through the sign-in page, then its cookies reused)."""
        options: dict[str, Any] = {"base_url": self.base_url,
                                   "viewport": PHONE if phone else DESKTOP,
                                   "bypass_csp": bypass_csp}
        if role is not None and role not in self.states:
            context = await self.browser.new_context(**options)
            await sign_in(await context.new_page(), self.tokens[role])
            self.states[role] = await context.storage_state()
            await context.close()
        if role is not None:
            options["storage_state"] = self.states[role]
        return await self.browser.new_context(**options)

    async def page(self, role: Role | None = None, **options: Any) -> Page:
        return await (await self.context(role, **options)).new_page()

    async def open_escalation(self, **changes: Any) -> dict[str, Any]:
        """An escalation opened through the JSON API (the tests' quick way to a state)."""
        body: dict[str, Any] = {
            "title": "Charged twice for the March invoice", "category": "billing",
            "customer": {"id": f"cust-{uuid.uuid4().hex[:8]}", "name": "Acme Ltd"},
            "affected_customers": [{"id": "cust-42", "name": "Acme Ltd",
                                    "contact": {"channel": "webhook",
                                                "address": self.hooks.url("/customer")}}],
            # A notice goes to both audiences by default: each needs someone to reach.
            "stakeholders": [{"name": "Finance on-call", "channel": "webhook",
                              "address": self.hooks.url("/finance")}],
        }
        body.update(changes)
        async with self.api() as http:
            answer = await http.post("/v1/escalations", json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    async def act(self, escalation_id: str, path: str, body: dict[str, Any],
                  role: Role = IM) -> dict[str, Any]:
        async with self.api(role) as http:
            answer = await http.post(f"/v1/escalations/{escalation_id}/{path}", json=body)
        assert answer.status_code == 200, answer.text
        view: dict[str, Any] = answer.json()
        return view


async def sign_in(page: Page, token: str, path: str = "/console/sign-in") -> None:
    await page.goto(path)
    await page.get_by_label("API token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)


def _write_keys(path: Path) -> dict[Role, str]:
    return {role: add_key(path, name, role, aliases=aliases)
            for role, (name, aliases) in PEOPLE.items()}


# Package scope: the stack and the browser stop once these tests are done, not at the end of
# the whole run.
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def console(dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[ConsoleStack]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    directory = tmp_path_factory.mktemp("console")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with AsyncExitStack() as stack:
        hooks = await stack.enter_async_context(HttpReceiver())
        smtp = await stack.enter_async_context(SmtpReceiver())
        policy = write_policy_file(directory / "policy.toml", _policy(hooks.url("")))
        tokens = _write_keys(directory / "api-keys.toml")
        settings = Settings(
            temporal_address=dev_env.client.service_client.config.target_host,
            temporal_namespace=dev_env.client.namespace,
            temporal_task_queue=f"console-{uuid.uuid4()}",
            database_url=f"sqlite:///{directory / 'store.db'}",
            escalations_api_keys=directory / "api-keys.toml",
            escalations_policy=policy,
            escalations_public_url=base_url,
            escalations_console_secret="console-tests-" + "s" * 40,
            smtp_host=smtp.host, smtp_port=smtp.port,
            ESCALATIONS_DATA_DIR=directory,
        )
        await stack.enter_async_context(create_worker(dev_env.client, settings))
        server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning",
                                               lifespan="on"))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        async def started() -> bool:
            return bool(server.started)

        await until(started, bool, within=60, what="the API to serve")
        playwright = await async_playwright().start()
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield ConsoleStack(base_url=base_url, tokens=tokens, browser=browser, hooks=hooks,
                               smtp=smtp, settings=settings)
        finally:
            await browser.close()
            await playwright.stop()
            server.should_exit = True
            await serving
            sock.close()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on the page as it is now (needs bypass_csp)."""
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
