"""Screenshots of the console for the README, from a freshly seeded stack.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

Starts `escalations up` on free ports with a temporary data dir (the shipped policy, the dev
tokens it prints), opens a few escalations through the JSON API and takes them to different
stages, then photographs the board, an escalation, My tasks and Reports with Debian's Chromium
through Playwright. Everything runs on 127.0.0.1 and stops at the end.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ESCALATIONS: list[dict[str, Any]] = [
    {"title": "Charged twice for the March invoice", "category": "billing",
     "customer": {"id": "cust-42", "name": "Acme Ltd", "vip": True},
     "affected_services": ["billing-api"], "related_records": ["INC-1001"]},
    {"title": "Checkout returns 502 for EU customers", "category": "outage",
     "customer": {"id": "cust-7", "name": "Globex"}, "affected_services": ["checkout"]},
    {"title": "تم خصم المبلغ مرتين من حسابي", "category": "billing",
     "customer": {"id": "cust-88", "name": "شركة النور"}},
    {"title": "Order #5512 never arrived", "category": "undelivered",
     "customer": {"id": "cust-13", "name": "Initech"}},
    {"title": "Verified account says our app deletes photos", "category": "callout",
     "source": {"author": "@photofan", "verified": True, "followers": 250000}},
]


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    """`escalations up`, its output to a file (a pipe nobody reads would stall its logs)."""
    api, temporal, ui = _free_ports(3)
    data_dir.mkdir(parents=True)
    log = data_dir / "up.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [str(BIN / "escalations"), "up", "--api-port", str(api), "--temporal-port",
             str(temporal), "--ui-port", str(ui), "--data-dir", str(data_dir)],
            stdout=out, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items()
                 if not k.startswith(("ESCALATIONS_", "TEMPORAL_"))},
        )
    deadline = time.monotonic() + 300
    while "Ctrl-C stops everything" not in (text := log.read_text(encoding="utf-8")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"escalations up did not start:\n{text[-2000:]}")
        time.sleep(0.5)
    tokens = dict(re.findall(r"^\s+(incident_manager|engineer|engagement_lead|viewer)\s+(\S+)$",
                             text, flags=re.MULTILINE))
    return process, f"http://127.0.0.1:{api}", tokens


async def _seed(base: str, tokens: dict[str, str]) -> str:
    """Escalations in several stages; returns the one whose page is photographed."""
    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    async with httpx.AsyncClient(base_url=base, timeout=60, trust_env=False) as http:
        ids: list[str] = []
        for body in ESCALATIONS:
            answer = await http.post("/v1/escalations", json=body, headers=auth("incident_manager"))
            answer.raise_for_status()
            ids.append(answer.json()["id"])

        async def act(escalation_id: str, path: str, body: dict[str, Any], role: str) -> None:
            answer = await http.post(f"/v1/escalations/{escalation_id}/{path}", json=body,
                                     headers=auth(role))
            answer.raise_for_status()

        first, second, _, fourth, _ = ids
        await act(first, "acknowledge", {}, "engineer")
        await act(first, "notice", {"message": "We are aware and refunding the duplicates."},
                  "incident_manager")
        await act(first, "action-plan", {"steps": [{"description": "Refund the duplicates"},
                                                   {"description": "Find the retry bug"}]},
                  "engineer")
        await act(first, "status-updates", {"message": "Refunds are 60% done."}, "engineer")
        await act(fourth, "acknowledge", {}, "engineer")
        # The outage (P1, RCA required) to its customer-RCA task, for My tasks.
        await act(second, "acknowledge", {}, "engineer")
        await act(second, "notice", {}, "incident_manager")
        await act(second, "action-plan", {"steps": [{"description": "Roll back"}]}, "engineer")
        await act(second, "resolution", {"summary": "Rolled back the gateway"},
                  "incident_manager")
        await act(second, "verification", {"verified": True}, "engineer")
        await act(second, "customer-access", {"confirmed": True}, "engagement_lead")
        await act(second, "rca/internal", {"summary": "A bad gateway config in eu-west",
                                           "root_cause": "Config pushed without a canary",
                                           "corrective_actions": ["Canary every push"]},
                  "engineer")
        return first


async def _shoot(base: str, tokens: dict[str, str], escalation_id: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=ARGS)
        shots = [("incident_manager", "/console/", "board"),
                 ("incident_manager", f"/console/escalations/{escalation_id}", "escalation"),
                 ("engagement_lead", "/console/tasks", "my-tasks"),
                 ("incident_manager", "/console/reports", "reports")]
        for role, path, name in shots:
            context = await browser.new_context(base_url=base,
                                                viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            await page.goto("/console/sign-in")
            await page.get_by_label("API token").fill(tokens[role])
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(lambda url: "/sign-in" not in url)
            await page.goto(path)
            await page.wait_for_load_state("networkidle")
            await page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            await context.close()
            print(f"wrote {(OUT / f'{name}.png').relative_to(ROOT)}")
        await browser.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        process, base, tokens = _start(Path(tmp) / "data")
        try:
            escalation_id = asyncio.run(_seed(base, tokens))
            asyncio.run(_shoot(base, tokens, escalation_id))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
