"""Schemathesis against the app's own OpenAPI document, in process (ASGI), with a real worker.

Stateless: every operation gets generated valid and invalid requests with an incident manager's
token, then the actions get valid requests against one real escalation. No answer may be a 5xx and
every answer must match the document (status, media type, body schema, headers). Invalid requests
may still succeed where the mutation is harmless (an unknown query parameter is ignored, as HTTP
APIs do), so only the document is asserted for them.

Schemathesis serves the app on its own event-loop thread, so the worker runs in the app's lifespan
there too. Generated addresses can only reach localhost: the policy's allowed_hosts names nothing
else, and the API refuses other hosts before anything starts.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
from config.temporal import connect
from domain.enums import Role
from tests.integration.api_fixtures import stack_settings, write_keys, write_policy
from tests.support.receivers import HttpReceiver
from worker.build import create_worker

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def app_with_worker(config: Settings) -> FastAPI:
    """The API whose lifespan also runs a worker, on whatever loop serves the app."""
    app = create_app(config)
    api_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = await connect(config)
        async with create_worker(client, config), api_lifespan(app):
            yield

    app.router.lifespan_context = lifespan
    return app


def fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    auth: dict[str, str],
    statuses: Counter[tuple[str, int]],
    path_parameters: dict[str, str] | None = None,
    stack: str = "",
) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: schemathesis.Case) -> None:
        headers = case.headers or {}
        if mode is GenerationMode.POSITIVE and "Idempotency-Key" in headers:
            # Generated keys repeat across cases; one key per case keeps them apart.
            headers["Idempotency-Key"] = uuid.uuid4().hex
        elif stack and isinstance(headers.get("Idempotency-Key"), str):
            # A key (valid or not) fixes a workflow id on the dev server every stack of the
            # session shares: one that another stack started waits for that stack's worker.
            headers["Idempotency-Key"] += f"-{stack}"
        if mode is GenerationMode.POSITIVE and stack:
            _own_post_ids(case.body, stack)
        # The token always holds, so invalid cases reach validation, not just auth.
        case.headers = {**headers, **auth}
        response = case.call()
        statuses[mode.value, response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=auth)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): only positive cases.
        assert mode is GenerationMode.NEGATIVE


def _own_post_ids(body: object, stack: str) -> None:
    """A post's id fixes the id of the escalation it opens (intake's Idempotency-Key), and the
    generated ids are the same for every stack of the session on the one dev server: a stack
    suffix keeps them apart, while repeats within this stack stay repeats."""
    posts = body.get("posts") if isinstance(body, dict) else None
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and isinstance(post.get("post_id"), str):
            post["post_id"] = f"{post['post_id'][:180]}-{stack}"


def test_schemathesis_finds_no_5xx_and_no_schema_violation(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    statuses: Counter[tuple[str, int]] = Counter()
    with HttpReceiver() as receiver:
        base = receiver.url("").replace("127.0.0.1", "localhost")
        policy = write_policy(tmp_path / "policy.toml", base, ["localhost"])
        config = stack_settings(dev_env, tmp_path, policy, database_url=database_url)
        token = write_keys(tmp_path / "api-keys.toml")[Role.INCIDENT_MANAGER]
        auth = {"Authorization": f"Bearer {token}"}
        app = app_with_worker(config)
        try:
            schema = schemathesis.openapi.from_asgi("/openapi.json", app)
            operations = [op.ok() for op in schema.get_all_operations()]
            stack = uuid.uuid4().hex[:8]
            for operation, mode in itertools.product(operations, GenerationMode):
                fuzz(operation, mode, auth, statuses, stack=stack)
            # Random ids only meet 404s; one real escalation lets the actions reach the workflow
            # (200, 409, 412, 422 from Temporal), cancel last of all.
            with asgi.get_client(app) as http:
                created = http.post("/v1/escalations", headers=auth,
                                    json={"title": "Fuzzed", "category": "billing"})
            assert created.status_code == 201, created.text
            real = {"escalation_id": created.json()["id"]}
            for operation in operations:
                if "{escalation_id}" in operation.path:
                    fuzz(operation, GenerationMode.POSITIVE, auth, statuses, real)
        finally:
            asgi.shutdown_lifespans()
    total = sum(statuses.values())
    print(f"schemathesis: {total} cases over {len(operations)} operations: {dict(statuses)}")
    assert len(operations) >= 22
    assert not [s for s in statuses if s[1] >= 500]
    assert statuses["positive", 200]
    assert statuses["positive", 409]
