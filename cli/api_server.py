"""`escalations api`: uvicorn serving the app factory by import string.

By import string so uvicorn can run several worker processes (and reload): each process builds
its own app, client and engine, and the CLI never imports the API itself. The factory reads
settings from the environment, so `serve` first writes the settings it was given there; every
process then sees the same configuration.

Logging is ours, as in the worker (config/logging.py): JSON lines when not on a terminal, and one
line per request from the app's own middleware, so uvicorn's access log is off.
"""

from __future__ import annotations

import os

import uvicorn
from pydantic import SecretStr

from config.logging import configure_logging
from config.settings import Settings

KEEP_ALIVE_SECONDS = 75


def export_settings(settings: Settings) -> None:
    """Put `settings` into os.environ under the names Settings reads them from."""
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        variable = field.validation_alias if isinstance(field.validation_alias, str) else name
        os.environ[variable.upper()] = str(value)


def serve(settings: Settings, *, workers: int = 1) -> None:
    export_settings(settings)
    configure_logging()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=workers,
        proxy_headers=False,  # links are built from settings, never from client headers
        server_header=False,
        # uvicorn closes an idle keep-alive connection after 5 s, the same as httpx's pool
        # expiry: a client reusing the connection at that instant gets a dropped request
        # (seen as httpx.ReadError in test_scale_out). Outlast clients and load balancers
        # (60 s is a common idle timeout) so that the server is never the one to close first.
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,  # keep the handlers configure_logging installed
        access_log=False,  # api/http/request_log.py logs each request once, with its context
        log_level="info",
    )
