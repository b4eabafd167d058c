"""The `escalations` command: up, worker, api, migrate, doctor, policy check, keys add, report
(and report intake).

Subcommands import their modules lazily so that `escalations policy check` stays quick and
does not need Temporal or the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli.doctor import doctor
from cli.intake_report import intake
from cli.keys import keys_app
from cli.migrate import migrate
from cli.policy import policy_app
from cli.policy_holidays import holidays_command
from cli.report import report_app
from cli.up import up

if TYPE_CHECKING:
    from config.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Escalation lifecycle service on Temporal.")
app.add_typer(policy_app, name="policy", help="Check policy files.")
app.add_typer(keys_app, name="keys", help="Manage API keys.")
app.add_typer(report_app, name="report",
              help="SLA report per priority and team (table or CSV); `report idr`: the IDR "
                   "file; `report intake`: the listening report.")
# Registered here: cli/intake_report.py builds on cli/report.py's helpers.
report_app.command("intake")(intake)
policy_app.command("holidays", help="Public holidays as a [calendar] holidays list.")(
    holidays_command)
app.command("up", help="Run the whole dev stack: Temporal dev server + UI, worker(s), API.")(up)
app.command("migrate", help="Bring the store to the newest migration (a one-shot job).")(migrate)
app.command("doctor", help="Check a deployment's settings, each failure with its fix.")(doctor)


def _settings() -> Settings:
    """The environment's settings, or exit 2 naming each variable that is wrong and why."""
    from pydantic import ValidationError

    from config.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            typer.echo(f"invalid setting {name}: {error['msg'].removeprefix('Value error, ')}",
                       err=True)
        raise typer.Exit(2) from None


@app.command("worker")
def worker_command() -> None:
    """Run one worker against an existing Temporal (TEMPORAL_ADDRESS)."""
    from worker.main import main

    main(_settings())


@app.command("api")
def api_command(
    host: str | None = typer.Option(None, help="Bind address (default API_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default API_PORT, 8000)."),
) -> None:
    """Run the HTTP API against an existing Temporal (TEMPORAL_ADDRESS)."""
    from cli.api_server import serve

    settings = _settings()
    updates = {k: v for k, v in {"api_host": host, "api_port": port}.items() if v is not None}
    serve(settings.model_copy(update=updates))
