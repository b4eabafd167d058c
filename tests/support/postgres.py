"""A real PostgreSQL for tests: Debian's server binaries, started on 127.0.0.1 in a temp dir.

Set ESCALATIONS_TEST_POSTGRES_URL (a `postgresql+psycopg://` URL of a role that may CREATE
DATABASE) to use a server that is already running instead, e.g. one that CI provides.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

ENV_URL = "ESCALATIONS_TEST_POSTGRES_URL"


def find_postgres_bin() -> Path | None:
    """The newest Debian server install that has both initdb and pg_ctl."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    for bin_dir in reversed(candidates):
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists():
            return bin_dir
    return None


POSTGRES_BIN = find_postgres_bin()
requires_postgres = pytest.mark.skipif(
    POSTGRES_BIN is None and not os.environ.get(ENV_URL),
    reason=(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
        f"(apt-get install postgresql) and {ENV_URL} is not set"
    ),
)


@dataclass(frozen=True)
class PostgresServer:
    url: str  # the maintenance database; tests get their own via create_database()

    def create_database(self, *, template: str | None = None) -> str:
        """A new, uniquely named database; a copy of `template` (a database URL) if given."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            source = make_url(template).database
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(source))
        with self._admin() as connection:
            connection.execute(statement)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        plain = make_url(self.url).set(drivername="postgresql")
        return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """The server of ESCALATIONS_TEST_POSTGRES_URL, or a throwaway one for this session."""
    external = os.environ.get(ENV_URL)
    if external:
        yield PostgresServer(url=external)
        return
    if POSTGRES_BIN is None:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    with _throwaway_server(POSTGRES_BIN) as server:
        yield server


@contextmanager
def _throwaway_server(bin_dir: Path) -> Iterator[PostgresServer]:
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="escalations-pg-"))
    as_postgres = _as_postgres_user(root)
    data = root / "data"
    port = _free_port()
    try:
        _run(
            [
                *as_postgres,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        # -w waits until the server accepts connections.
        _run(
            [
                *as_postgres,
                str(bin_dir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(data),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
            ]
        )
        try:
            yield PostgresServer(url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        finally:
            _run(
                [
                    *as_postgres,
                    str(bin_dir / "pg_ctl"),
                    "stop",
                    "-w",
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                ]
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _as_postgres_user(root: Path) -> list[str]:
    """initdb refuses to run as root: as root, run the server as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    shutil.chown(root, user="postgres", group="postgres")
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


@contextmanager
def empty_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file under `tmp_path`, or a fresh database
    on the session's PostgreSQL server (looked up lazily, so a run without the PostgreSQL tests
    never starts it), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)
