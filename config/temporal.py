"""The one Temporal client of a process, with the pydantic converter every side must share."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from config.settings import Settings
from config.tracing import client_interceptors


def tls_config(settings: Settings) -> TLSConfig | bool:
    """What `Client.connect(tls=...)` gets: False for a plaintext frontend (the dev server,
    compose), True for TLS with the system's roots (Temporal Cloud with an API key), or a
    TLSConfig when a client certificate (mTLS), private roots or a server name are given."""
    files = (settings.temporal_tls_cert, settings.temporal_tls_key, settings.temporal_tls_ca)
    if any(path is not None for path in files) or settings.temporal_tls_server_name:
        if (settings.temporal_tls_cert is None) != (settings.temporal_tls_key is None):
            raise ValueError("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS)")
        return TLSConfig(
            server_root_ca_cert=_read(settings.temporal_tls_ca),
            client_cert=_read(settings.temporal_tls_cert),
            client_private_key=_read(settings.temporal_tls_key),
            domain=settings.temporal_tls_server_name,
        )
    # An API key is a bearer credential: it never travels in plaintext.
    return settings.temporal_tls or settings.temporal_api_key is not None


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    api_key = settings.temporal_api_key
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
        tls=tls_config(settings),
        api_key=api_key.get_secret_value() if api_key is not None else None,
        # On the client, so its worker traces too (the SDK hands a client's interceptors that
        # are also worker interceptors to every worker built on it).
        interceptors=client_interceptors(settings),
    )
