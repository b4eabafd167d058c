"""The store backend every integration test that touches the store runs on: once on a SQLite
file, once on a real PostgreSQL server started on 127.0.0.1 (tests/support/postgres.py).

A test asks for `database_url`: a SQLite file in its tmp_path, or a fresh, empty PostgreSQL
database created on the session's server and dropped afterwards. The database is empty on
purpose: the API and the worker bring it to head on start, as they do in production.
`store_backend` is module-scoped so that module-scoped stacks (`escalations up`) can follow it
too; pytest then runs a module's SQLite tests before its PostgreSQL ones.

Run once, on purpose (each says why where it builds its store): test_long_lived and
test_temporal_ui on SQLite (Temporal's history and UI are what they check, at a large cost),
test_up's dying-child test (the supervisor, not the store), and test_scale_out on PostgreSQL
only (the production shape it stands for).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import empty_store, requires_postgres

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgres, requires_postgres]),
]


@pytest.fixture(scope="module", params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def database_url(store_backend: str, request: pytest.FixtureRequest, tmp_path: Path
                 ) -> Iterator[str]:
    """The test's own store: a SQLite file, or a new PostgreSQL database."""
    with empty_store(store_backend, request, tmp_path) as url:
        yield url
