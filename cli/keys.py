"""`escalations keys add NAME ROLE`: append a hashed API key and print its token once;
`escalations keys sealing-key`: a new key for sealing recipient URLs (credentials/sealing.py);
`escalations keys webhook-secret`: a new Standard Webhooks signing secret."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings
from credentials.api_keys import TOKEN_ROLES, KeysFileError, add_key, ensure_dev_keys
from credentials.console_secret import new_console_secret
from credentials.sealing import new_key
from credentials.webhook_secret import new_webhook_secret
from domain.enums import Role

__all__ = ["default_keys_path", "ensure_dev_keys", "keys_app"]

keys_app = typer.Typer(no_args_is_help=True)


def default_keys_path() -> Path:
    """ESCALATIONS_API_KEYS, else the file `escalations up` creates under the data dir."""
    return Settings().resolved_api_keys


@keys_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Who holds the key; recorded as the actor.")],
    role: Annotated[str, typer.Argument(help=" | ".join(r.value for r in TOKEN_ROLES))],
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Keys file (default: ESCALATIONS_API_KEYS or "
                     ".escalations/api-keys.toml)."),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", help="Another name work is assigned to, e.g. the policy "
                     "contact name of RCA tasks (repeat for several)."),
    ] = None,
    slack_user_id: Annotated[
        str | None,
        typer.Option("--slack-user-id", help="Slack member id (U0123ABCD) whose clicks on the "
                     "Slack buttons act as this person."),
    ] = None,
) -> None:
    """Add an API key; the token is printed once and only its SHA-256 is stored."""
    if role not in {r.value for r in TOKEN_ROLES}:
        typer.echo(f"role must be one of: {', '.join(r.value for r in TOKEN_ROLES)}", err=True)
        raise typer.Exit(2)
    path = file or default_keys_path()
    try:
        token = add_key(path, name, Role(role), aliases=alias or (),
                        slack_user_id=slack_user_id)
    except KeysFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"added key {name!r} ({role}) to {path}")
    typer.echo("token (shown once, store it now):")
    typer.echo(token)


@keys_app.command("console-secret")
def console_secret() -> None:
    """Print a new ESCALATIONS_CONSOLE_SECRET (give every API process the same one)."""
    typer.echo(new_console_secret())


@keys_app.command("sealing-key")
def sealing_key() -> None:
    """Print a new ESCALATIONS_SEALING_KEY (give the API and every worker the same one)."""
    typer.echo(new_key())


@keys_app.command("webhook-secret")
def webhook_secret() -> None:
    """Print a new ESCALATIONS_WEBHOOK_SECRET (whsec_<base64>); give receivers the same one."""
    typer.echo(new_webhook_secret())
