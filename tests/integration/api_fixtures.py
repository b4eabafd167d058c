"""The API against a real dev server, a real worker and a real store, one stack per test.

    async with api_stack(dev_env, tmp_path, database_url=database_url) as api:
        created = await api.create(key="k-1")
        await api.act(created.json()["id"], "acknowledge", role=Role.ENGINEER)

Every notification goes to a loopback receiver: the policy's contacts are rewritten to it and
its allowed_hosts admit nothing else.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.policy_files import preset_text
from config.settings import Settings
from credentials.api_keys import add_key
from domain.enums import Role
from tests.support.receivers import HttpReceiver
from worker.build import create_worker

IM, ENGINEER, LEAD, VIEWER = (Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD,
                              Role.VIEWER)
NAMES = {IM: "alice", ENGINEER: "bob", LEAD: "sam", VIEWER: "vic", Role.INTAKE: "listener"}
_CONTACT = re.compile(r'channel = "(?:webhook|slack|email)", address = "[^"]*"')


def write_policy(path: Path, receiver_base: str, allowed_hosts: Iterable[str],
                 preset: str = "default") -> Path:
    """A shipped preset with every contact a webhook under `receiver_base`."""
    counter = iter(range(1_000_000))
    text = _CONTACT.sub(
        lambda _: f'channel = "webhook", address = "{receiver_base}/contact/{next(counter)}"',
        preset_text(preset),
    )
    hosts = ", ".join(f'"{h}"' for h in allowed_hosts)
    text = text.replace("allowed_hosts = []", f"allowed_hosts = [{hosts}]")
    text = text.replace("block_private_addresses = true", "block_private_addresses = false")
    path.write_text(text, encoding="utf-8")
    return path


def write_keys(path: Path) -> dict[Role, str]:
    return {role: add_key(path, name, role) for role, name in NAMES.items()}


def stack_settings(
    env: WorkflowEnvironment, directory: Path, policy: Path, *, database_url: str,
    rpc_timeout: float = 10.0,
) -> Settings:
    """`database_url` is the `database_url` fixture (tests/integration/conftest.py): SQLite or
    PostgreSQL, each test on its own empty store."""
    return Settings(
        temporal_address=env.client.service_client.config.target_host,
        temporal_namespace=env.client.namespace,
        temporal_task_queue=f"api-{uuid.uuid4()}",
        temporal_rpc_timeout_seconds=rpc_timeout,
        database_url=database_url,
        escalations_api_keys=directory / "api-keys.toml",
        escalations_policy=policy,
        ESCALATIONS_DATA_DIR=directory,
    )


def escalation_body(receiver: HttpReceiver, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Charged twice for the March invoice",
        "description": "Customer reports a double charge.",
        "category": "billing",
        "channel": "twitter",
        "customer": {"id": "cust-42", "name": "Acme Ltd", "vip": True},
        "affected_customers": [{"id": "cust-42", "name": "Acme Ltd",
                                "contact": {"channel": "webhook",
                                            "address": receiver.url("/customer")}}],
        "affected_services": ["billing-api"],
        "related_records": ["INC-1001"],
        "stakeholders": [{"name": "Finance on-call", "role": "finance", "channel": "webhook",
                          "address": receiver.url("/finance")}],
        "tags": ["double-billing"],
    }
    body.update(changes)
    return body


@dataclass
class ApiStack:
    http: httpx.AsyncClient
    tokens: dict[Role, str]
    settings: Settings
    temporal: Client
    receiver: HttpReceiver

    def auth(self, role: Role = IM) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def body(self, **changes: Any) -> dict[str, Any]:
        return escalation_body(self.receiver, **changes)

    async def create(
        self, body: dict[str, Any] | None = None, *, key: str | None = None, role: Role = IM
    ) -> httpx.Response:
        headers = self.auth(role) | ({"Idempotency-Key": key} if key else {})
        return await self.http.post("/v1/escalations", json=body or self.body(), headers=headers)

    async def open(self, **changes: Any) -> dict[str, Any]:
        answer = await self.create(self.body(**changes))
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    async def act(
        self, escalation_id: str, path: str, body: dict[str, Any] | None = None, *,
        role: Role = IM, if_match: str | int | None = None,
    ) -> httpx.Response:
        headers = self.auth(role) | ({"If-Match": str(if_match)} if if_match is not None else {})
        return await self.http.post(f"/v1/escalations/{escalation_id}/{path}", json=body,
                                    headers=headers)

    async def get(
        self, path: str, *, role: Role = IM, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.http.get(path, headers=self.auth(role), params=params)


@asynccontextmanager
async def api_stack(
    env: WorkflowEnvironment, directory: Path, *, database_url: str, worker: bool = True,
    rpc_timeout: float = 10.0, edit_policy: Callable[[str], str] | None = None,
    settings_changes: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None,
    preset: str = "default",
) -> AsyncIterator[ApiStack]:
    """`edit_policy` rewrites the policy file's text; `settings_changes` apply to the API's and
    the worker's settings alike; `environ` is where the worker reads related systems'
    credentials (none by default)."""
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(HttpReceiver())
        policy = write_policy(directory / "policy.toml", receiver.url(""), ["127.0.0.1"],
                              preset)
        if edit_policy is not None:
            policy.write_text(edit_policy(policy.read_text(encoding="utf-8")), encoding="utf-8")
        settings = stack_settings(env, directory, policy, database_url=database_url,
                                  rpc_timeout=rpc_timeout)
        settings = settings.model_copy(update=settings_changes or {})
        tokens = write_keys(directory / "api-keys.toml")
        if worker:
            await stack.enter_async_context(create_worker(env.client, settings,
                                                          environ=environ or {}))
        manager = await stack.enter_async_context(LifespanManager(create_app(settings)))
        http = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test",
            timeout=60,
        ))
        yield ApiStack(http=http, tokens=tokens, settings=settings, temporal=env.client,
                       receiver=receiver)
