"""An API app for unit tests: real SQLite, real keys file, and a Temporal address where nothing
listens, so every call that needs Temporal answers 503 at once (the app must degrade cleanly)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from api.app import create_app
from config.settings import Settings
from credentials.api_keys import add_key
from domain.enums import Role

NAMES = {
    Role.INCIDENT_MANAGER: "alice",
    Role.ENGINEER: "bob",
    Role.ENGAGEMENT_LEAD: "sam",
    Role.VIEWER: "vic",
    Role.INTAKE: "listener",
}


def closed_port() -> int:
    """A port nothing listens on: bound, read, released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[Role, str]:
    path = data_dir / "api-keys.toml"
    return {role: add_key(path, name, role) for role, name in NAMES.items()}


@pytest.fixture(scope="module")
def settings(data_dir: Path, tokens: dict[Role, str]) -> Settings:
    tmp_path = data_dir
    return Settings(
        temporal_address=f"127.0.0.1:{closed_port()}",
        temporal_rpc_timeout_seconds=2.0,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        escalations_api_keys=tmp_path / "api-keys.toml",
        ESCALATIONS_DATA_DIR=tmp_path,
    )


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
