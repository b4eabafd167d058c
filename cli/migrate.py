"""`escalations migrate`: bring the store's schema to the newest migration, then exit.

The one-shot job of docker-compose.yml and the Kubernetes Job (deploy/k8s): it runs before any
API or worker starts, and those run with ESCALATIONS_MIGRATE_ON_START=false, so they only check
that the store is at head. Safe to run again, and beside running processes (the upgrade takes
the store's lock; at head it does nothing).
"""

from __future__ import annotations

import typer
from pydantic import ValidationError

from config.settings import Settings


def migrate() -> None:
    """Upgrade the store (DATABASE_URL) to the newest migration and exit."""
    from store.migrate import upgrade_to_head
    from store.revision import current_revision, head_revision

    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"invalid settings in the environment: {exc}", err=True)
        raise typer.Exit(2) from exc
    url = settings.resolved_database_url
    before = current_revision(url)
    upgrade_to_head(url)
    head = head_revision()
    if before == head:
        typer.echo(f"store already at {head}")
    else:
        typer.echo(f"store migrated from {before or '(empty)'} to {head}")
