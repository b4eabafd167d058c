"""`escalations doctor` against a real dev server: a healthy deployment passes every check, and
each setting broken alone fails its own check (and only it) with a fix.
"""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from google.protobuf.duration_pb2 import Duration
from pydantic import SecretStr
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from cli.doctor_checks import Check, check_namespace, run_checks
from config.settings import Settings
from config.temporal import connect
from credentials.sealing import new_key
from store.migrate import upgrade_to_head
from tests.integration.api_fixtures import write_keys
from tests.support.processes import BIN, child_env, free_port
from tests.support.waiting import until

pytestmark = pytest.mark.integration

KEY = new_key()


def healthy(env: WorkflowEnvironment, directory: Path, **changes: Any) -> Settings:
    url = f"sqlite:///{directory / 'store.db'}"
    upgrade_to_head(url)
    write_keys(directory / "api-keys.toml")
    settings = Settings(
        temporal_address=env.client.service_client.config.target_host,
        temporal_namespace=env.client.namespace, database_url=url,
        escalations_sealing_key=KEY, escalations_api_keys=directory / "api-keys.toml",
        ESCALATIONS_DATA_DIR=directory,
    )
    return settings.model_copy(update=changes)


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def only_failure(checks: list[Check]) -> Check:
    failed = [check for check in checks if not check.ok]
    assert len(failed) == 1, failed
    assert failed[0].fix, failed[0]
    return failed[0]


async def test_a_healthy_deployment_passes(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    checks = await run_checks(healthy(dev_env, tmp_path))
    assert [c for c in checks if not c.ok] == []
    assert set(by_name(checks)) == {"Temporal reachable", "Temporal namespace",
                                    "search attributes", "store schema", "policy",
                                    "related-system credentials", "console secret",
                                    "sealing key", "SMTP"}


async def test_wrong_temporal_address(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    checks = await run_checks(healthy(dev_env, tmp_path,
                                      temporal_address=f"127.0.0.1:{free_port()}"))
    failure = only_failure(checks)
    assert failure.name == "Temporal reachable"
    assert "TEMPORAL_ADDRESS" in failure.fix


async def test_missing_namespace(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    checks = await run_checks(healthy(dev_env, tmp_path, temporal_namespace="no-such-ns"))
    failures = [c for c in checks if not c.ok]
    assert failures[0].name == "Temporal namespace"
    assert "temporal operator namespace create -n no-such-ns" in failures[0].fix
    # Listing the attributes of a namespace that is not there fails too; nothing else does.
    assert {c.name for c in failures} == {"Temporal namespace", "search attributes"}


async def test_search_attribute_missing_or_of_the_wrong_type(
    dev_env: WorkflowEnvironment, tmp_path: Path,
) -> None:
    namespace = f"doctor-{uuid.uuid4().hex[:8]}"
    service = dev_env.client
    await service.workflow_service.register_namespace(RegisterNamespaceRequest(
        namespace=namespace, workflow_execution_retention_period=Duration(seconds=86400)))
    settings = healthy(dev_env, tmp_path, temporal_namespace=namespace)
    client = await connect(settings)
    await until(lambda: check_namespace(settings, client), lambda check: check.ok,
                what="the new namespace to be served")
    await service.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={"EscalationTier": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD}),
        timeout=timedelta(seconds=10))
    failure = only_failure(await run_checks(settings))
    assert failure.name == "search attributes"
    assert "EscalationStage missing" in failure.detail
    assert "EscalationTier is INDEXED_VALUE_TYPE_KEYWORD, the workflow needs Int" in failure.detail
    assert (f"temporal operator search-attribute create --name EscalationStage --type Keyword "
            f"-n {namespace}") in failure.fix


async def test_database_behind_the_newest_migration(dev_env: WorkflowEnvironment,
                                                    tmp_path: Path) -> None:
    settings = healthy(dev_env, tmp_path, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    failure = only_failure(await run_checks(settings))
    assert failure.name == "store schema"
    assert "(none)" in failure.detail
    assert "escalations migrate" in failure.fix


async def test_invalid_policy(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[sla]\nnot = 'a policy'\n", encoding="utf-8")
    failure = only_failure(await run_checks(healthy(dev_env, tmp_path,
                                                    escalations_policy=policy)))
    assert failure.name == "policy"
    assert str(policy) in failure.detail


async def test_no_sealing_key(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    failure = only_failure(await run_checks(healthy(dev_env, tmp_path,
                                                    escalations_sealing_key=None)))
    assert failure.name == "sealing key"
    assert "escalations keys sealing-key" in failure.fix


async def test_the_api_holds_another_sealing_key(dev_env: WorkflowEnvironment,
                                                 tmp_path: Path) -> None:
    worker = healthy(dev_env, tmp_path)
    api = worker.model_copy(update={"escalations_sealing_key": SecretStr(new_key())})
    async with LifespanManager(create_app(api)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        failure = only_failure(await run_checks(worker, api_url="http://api.test",
                                                transport=transport))
        assert failure.name == "sealing key"
        assert "same ESCALATIONS_SEALING_KEY" in failure.fix
        same = await run_checks(api, api_url="http://api.test", transport=transport)
    assert by_name(same)["sealing key"].ok
    assert "the same on the API" in by_name(same)["sealing key"].detail


async def test_smtp_unreachable(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    failure = only_failure(await run_checks(healthy(
        dev_env, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port())))
    assert failure.name == "SMTP"
    assert "SMTP_HOST" in failure.fix


def test_the_command_exits_1_and_says_what_to_fix(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "escalations"), "doctor"], capture_output=True, text=True, timeout=120,
        env=child_env(TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
                      DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}",
                      ESCALATIONS_DATA_DIR=str(tmp_path)), check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL Temporal reachable" in done.stdout
    assert "fix: run `escalations migrate`" in done.stdout
    assert "failed" in done.stdout.splitlines()[-1]
