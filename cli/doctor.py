"""`escalations doctor`: check a deployment's settings before (or while) it serves.

Run it with the environment of a worker (e.g. `docker compose run --rm worker doctor --api-url
http://api:8000`, or `kubectl exec deploy/escalations-worker -- escalations doctor ...`): each
check prints ok or what is wrong and how to fix it; the exit status is 1 if any check failed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from cli.doctor_checks import Check, run_checks
from config.settings import Settings


def report(console: Console, checks: list[Check]) -> int:
    for check in checks:
        mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
        console.print(f"{mark} {check.name}: {escape(check.detail)}")
        for line in check.fix.splitlines():
            console.print(f"       fix: {escape(line)}")
    failures = sum(1 for check in checks if not check.ok)
    console.print(f"{len(checks) - failures} ok, {failures} failed")
    return 1 if failures else 0


def doctor(
    api_url: Annotated[str | None, typer.Option(
        help="The API's base URL, to compare its sealing key with these settings'.")] = None,
) -> None:
    """Check Temporal, the namespace, search attributes, the store, the policy, the sealing key
    and SMTP, as these settings (the environment) see them."""
    console = Console(highlight=False, soft_wrap=True)
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]).upper()
            console.print(f"[red]FAIL[/] setting {field}: {escape(error['msg'])}")
        raise typer.Exit(1) from None
    code = report(console, asyncio.run(run_checks(settings, api_url=api_url)))
    sys.stdout.flush()
    # Not a normal exit: a short script that used the SDK's client can abort in the Rust core at
    # interpreter shutdown (temporal-notes, "Pitfalls"), which would turn a pass into a crash.
    os._exit(code)
