"""Shared fixtures: the real Temporal servers every workflow and integration test runs against."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.support.postgres import PostgresServer, running_postgres
from tests.support.temporal import binary, register_search_attributes, search_attribute_keys

# The modules whose tests take a minute or more each (`pytest --durations=25`), run first: under
# `make test`'s `-n 2 --dist worksteal` the other worker meanwhile runs the short tests and then
# takes over the rest of this one's queue, so the run never ends waiting on one long test.
LONG_FIRST = (
    "tests/integration/test_long_lived.py",
    "tests/faults/test_worker_killed.py",
    "tests/integration/test_scale_out.py",
    "tests/integration/test_api_schema.py",
    "tests/faults/test_server_restarted.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long modules first, each in its own order; everything else as collected."""
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONG_FIRST.index(path) if path in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: the order within each group is kept


@pytest_asyncio.fixture(loop_scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Java test server: timers of hours and days pass in milliseconds. One per test: its
    clock is global, and a test that fails half-way must not leave a workflow behind that holds
    the next test's clock still."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real dev server (visibility, search attributes, UI metadata) on free ports, in memory."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        search_attributes=search_attribute_keys(),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL on 127.0.0.1 (Debian's binaries), or ESCALATIONS_TEST_POSTGRES_URL."""
    with running_postgres() as server:
        yield server
