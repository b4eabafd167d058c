"""The Temporal Web UI explains an escalation (lifecycle.md, "What the Temporal UI shows").

A dev server with its UI, a worker and the API; an escalation opened over HTTP whose
acknowledge timer (1 s here) has fired. Debian's headless Chromium, driven over the DevTools
protocol on a pipe (no port, no download), reads the pages' text until the expected words
appear, then saves screenshots under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from tests.integration.api_fixtures import (
    IM,
    escalation_body,
    stack_settings,
    write_keys,
    write_policy,
)
from tests.support.receivers import HttpReceiver
from tests.support.temporal import binary, search_attribute_keys
from tests.support.waiting import until
from worker.build import create_worker

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PAGE_WAIT = 60.0  # seconds a page may take to render what we wait for (2 cores, busy CI)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None,
                       reason="Chromium not installed (Debian: apt-get install -y chromium)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Chromium:
    """Headless Chromium over --remote-debugging-pipe: commands on fd 3, replies on fd 4,
    each a JSON message ended by NUL. One page, one command at a time."""

    def __init__(self, process: asyncio.subprocess.Process, replies: asyncio.StreamReader,
                 commands: int) -> None:
        self._process = process
        self._replies = replies
        self._commands = commands
        self._last_id = 0
        self._session: str | None = None

    @classmethod
    @asynccontextmanager
    async def launch(cls, profile: Path, *, width: int, height: int) -> AsyncIterator[Chromium]:
        assert CHROMIUM is not None
        to_child, commands = os.pipe()
        replies_fd, from_child = os.pipe()
        # Moved above 9 so that the 3/4 redirections below cannot overwrite them.
        child_in = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
        os.close(to_child)
        os.close(from_child)
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--lang=en-US", f"--user-data-dir={profile}",
            f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank",
        ]
        # bash, not sh: dash refuses file descriptors above 9 in redirections.
        process = await asyncio.create_subprocess_exec(
            "/bin/bash", "-c",
            f'exec "$0" "$@" 3<&{child_in} 4>&{child_out} {child_in}<&- {child_out}>&-',
            CHROMIUM, *flags, pass_fds=(child_in, child_out),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        replies = asyncio.StreamReader(limit=64 * 1024 * 1024)  # screenshots are large
        transport, _ = await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(replies), os.fdopen(replies_fd, "rb", 0))
        browser = cls(process, replies, commands)
        try:
            await browser._open_page(width, height)
            yield browser
        finally:
            await browser._close()
            transport.close()

    async def _open_page(self, width: int, height: int) -> None:
        target = await self._send("Target.createTarget", {"url": "about:blank"})
        attached = await self._send("Target.attachToTarget",
                                    {"targetId": target["targetId"], "flatten": True})
        self._session = attached["sessionId"]
        await self._send("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1,
                          "mobile": False})

    async def _send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if self._session is not None:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:  # events arrive between replies: skip them
            raw = await asyncio.wait_for(self._replies.readuntil(b"\0"), timeout=30)
            reply = json.loads(raw[:-1])
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result

    async def goto(self, url: str) -> None:
        await self._send("Page.navigate", {"url": url})

    async def evaluate(self, expression: str) -> Any:
        answer = await self._send("Runtime.evaluate",
                                  {"expression": expression, "returnByValue": True})
        return answer["result"].get("value")

    async def text(self) -> str:
        """The rendered text, SVG labels included, and that of same-origin frames (the UI
        renders markdown such as the workflow's summary in iframes)."""
        return str(await self.evaluate(
            "[document.body, ...[...document.querySelectorAll('iframe')]"
            ".map(f => f.contentDocument && f.contentDocument.body)]"
            ".filter(b => b).map(b => b.innerText).join('\\n')"))

    async def wait_for_text(self, *words: str) -> str:
        return await until(self.text, lambda text: all(w in text for w in words),
                           within=PAGE_WAIT, what=f"the page to show {words}")

    async def click(self, label: str) -> None:
        clicked = await self.evaluate(
            "(() => { const el = [...document.querySelectorAll('a, button')]"
            f".find(e => e.innerText.trim() === {json.dumps(label)});"
            " if (el) { el.click(); } return !!el; })()")
        assert clicked, f"nothing labelled {label!r} to click"

    async def scroll_to_heading(self, heading: str) -> None:
        await self.evaluate(
            "(() => { const el = [...document.querySelectorAll('h1, h2, h3')]"
            f".find(e => e.innerText.trim().startsWith({json.dumps(heading)}));"
            " if (el) { el.scrollIntoView(); } })()")

    async def screenshot(self, path: Path) -> Path:
        shot = await self._send("Page.captureScreenshot", {"format": "png"})
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path

    async def _close(self) -> None:
        try:
            await self._send("Browser.close")
        except (RuntimeError, OSError, asyncio.IncompleteReadError, TimeoutError):
            pass  # already gone: nothing to close
        os.close(self._commands)
        try:
            await asyncio.wait_for(self._process.wait(), timeout=10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()


@dataclass
class Escalation:
    id: str  # in stage communicate, its acknowledge deadline passed
    run_id: str
    resolving_id: str  # another one, already moved on to stage resolve
    ui: str  # the Web UI's base URL


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ui_env() -> AsyncIterator[tuple[WorkflowEnvironment, str]]:
    """A dev server of this module's own, with its Web UI (the shared one is headless)."""
    ui_port = _free_port()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"), search_attributes=search_attribute_keys(),
        data_converter=pydantic_data_converter, ui=True, ui_port=ui_port,
    )
    yield env, f"http://127.0.0.1:{ui_port}"
    await env.shutdown()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def escalation(
    ui_env: tuple[WorkflowEnvironment, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Escalation]:
    """A P1 opened over HTTP, past its acknowledge deadline (1 s here), still in communicate;
    and a second one that has already moved on to resolve."""
    env, ui = ui_env
    directory = tmp_path_factory.mktemp("ui")
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(HttpReceiver())
        policy = write_policy(directory / "policy.toml", receiver.url(""), ["127.0.0.1"])
        text = policy.read_text(encoding="utf-8")
        assert 'acknowledge_within = "PT15M"' in text, "the P1 SLA moved"
        policy.write_text(text.replace('acknowledge_within = "PT15M"',
                                       'acknowledge_within = "PT1S"'), encoding="utf-8")
        # SQLite only, not both backends: every page read here is Temporal's (history, user
        # metadata, visibility) and the API answers live from the workflow; nothing reads the
        # store back, so a PostgreSQL run would repeat the same browser session to prove
        # nothing new.
        settings = stack_settings(env, directory, policy,
                                  database_url=f"sqlite:///{directory / 'store.db'}")
        tokens = write_keys(directory / "api-keys.toml")
        await stack.enter_async_context(create_worker(env.client, settings))
        manager = await stack.enter_async_context(LifespanManager(create_app(settings)))
        http = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test",
            headers={"Authorization": f"Bearer {tokens[IM]}"}, timeout=60))
        created = await http.post("/v1/escalations", json=escalation_body(receiver))
        assert created.status_code == 201, created.text
        escalation_id = created.json()["id"]

        async def current() -> dict[str, Any]:
            answer = await http.get(f"/v1/escalations/{escalation_id}")
            return answer.json()  # type: ignore[no-any-return]

        await until(current, lambda v: v["sla"]["acknowledge"] == "breached",
                    what="the acknowledge timer to fire")
        description = await env.client.get_workflow_handle(escalation_id).describe()
        resolving = await http.post("/v1/escalations",
                                    json=escalation_body(receiver, title="Refund never arrived"))
        assert resolving.status_code == 201, resolving.text
        resolving_id = resolving.json()["id"]
        for action, body in (("notice", {}),
                             ("action-plan", {"steps": [{"description": "trace the refund"}]})):
            answer = await http.post(f"/v1/escalations/{resolving_id}/{action}", json=body)
            assert answer.status_code == 200, answer.text
        assert answer.json()["stage"] == "resolve"

        async def ui_answers() -> int:
            async with httpx.AsyncClient() as probe:
                try:
                    return (await probe.get(ui)).status_code
                except httpx.TransportError:
                    return 0

        await until(ui_answers, lambda status: status == 200, what="the Web UI to answer")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield Escalation(id=escalation_id, run_id=description.run_id, resolving_id=resolving_id,
                         ui=ui)
        for workflow_id in (escalation_id, resolving_id):
            await env.client.get_workflow_handle(workflow_id).cancel()


@pytest_asyncio.fixture(loop_scope="session")
async def browser(tmp_path: Path) -> AsyncIterator[Chromium]:
    async with Chromium.launch(tmp_path / "profile", width=1400, height=1200) as chromium:
        yield chromium


async def test_list_filtered_by_stage_shows_the_escalation(
    escalation: Escalation, browser: Chromium
) -> None:
    query = quote("EscalationStage='communicate'")
    await browser.goto(f"{escalation.ui}/namespaces/default/workflows?query={query}")
    # Visibility follows the workflow shortly after: wait until the list says it all.
    await until(browser.text,
                lambda text: escalation.id in text and escalation.resolving_id not in text
                and 'EscalationStage = "communicate"' in text,
                within=PAGE_WAIT, what="the list of escalations in communicate")
    await browser.screenshot(ARTIFACTS / "temporal-ui-list-stage-communicate.png")


async def test_history_shows_the_fired_timer_and_activity_summaries(
    escalation: Escalation, browser: Chromium
) -> None:
    page = f"{escalation.ui}/namespaces/default/workflows/{escalation.id}/{escalation.run_id}"
    await browser.goto(f"{page}/history")
    await browser.wait_for_text(
        "Timer Started", "acknowledge due (1s)", "Timer Fired",  # the timer that passed
        "stakeholder notice due (1h)",  # the one still armed
        "record created, routed, stage_changed", "record sla_breached",  # store activities
        "new_escalation to",  # a notification, to whom and how
    )
    await browser.click("Compact")
    await browser.wait_for_text("Timer", "Activity", "deliver_notification")
    await browser.scroll_to_heading("Event History")
    await browser.screenshot(ARTIFACTS / "temporal-ui-history-compact.png")

    await browser.goto(f"{page}/timeline")
    # The timeline's labels are SVG text: present once it is drawn.
    await browser.wait_for_text("acknowledge due (1s)", "record_escalation • record created")
    await browser.scroll_to_heading("Timeline")
    await browser.screenshot(ARTIFACTS / "temporal-ui-timeline.png")


async def test_user_metadata_shows_summary_and_current_details(
    escalation: Escalation, browser: Chromium
) -> None:
    await browser.goto(f"{escalation.ui}/namespaces/default/workflows/{escalation.id}/"
                       f"{escalation.run_id}/user-metadata")
    await browser.wait_for_text(
        "[P1] Charged twice for the March invoice (Acme Ltd)",  # static summary
        "team billing, tier 2 (rule billing-vip)", "opened by alice",  # static details
        "P1 · open · stage communicate", "acknowledge breached",  # current details
        "next deadline: stakeholder notice due (1h)",
    )
    await browser.screenshot(ARTIFACTS / "temporal-ui-user-metadata.png")
