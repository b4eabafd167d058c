"""The worker's fast runner looks up serialization contexts without entering the sandbox.

The stock runner `exec`s a code string under the sandbox importer for every payload of every
workflow task, only to read the workflow's pending commands (docs/benchmarks.md). The fast one
(worker/fast_runner.py) reads them directly. What must not change is the answer: a payload
codec that depends on the context (encryption keyed by workflow, say) must see the same
contexts under both. These tests are about the fast runner's internals: where worker/runner.py
would not pick it (another temporalio), they are skipped and say why.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import CommandType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner

from tests.support.escalations import open_escalation
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver
from tests.support.runners import fast_choice, runner_settings
from worker.build import create_worker
from workflows.escalation import EscalationWorkflow

# What a context-aware codec can tell apart: the kind of context, and whose it is.
Seen = tuple[str, str, str]


class RecordingCodec(PayloadCodec, WithSerializationContext):
    """Changes no payload; notes the context of every payload it encodes or decodes."""

    def __init__(self, seen: set[Seen], context: SerializationContext | None = None) -> None:
        self.seen, self.context = seen, context

    def with_context(self, context: SerializationContext) -> RecordingCodec:
        return RecordingCodec(self.seen, context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self._note()
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self._note()
        return list(payloads)

    def _note(self) -> None:
        match self.context:
            case ActivitySerializationContext() as context:
                self.seen.add(("activity", context.workflow_id or "", context.activity_type or ""))
            case WorkflowSerializationContext() as context:
                self.seen.add(("workflow", context.workflow_id, ""))
            case other:
                self.seen.add((type(other).__name__, "", ""))


async def _contexts_of_one_opening(env: WorkflowEnvironment, tmp_path: Path,
                                   runner: str) -> set[Seen]:
    seen: set[Seen] = set()
    converter = dataclasses.replace(pydantic_data_converter, payload_codec=RecordingCodec(seen))
    config = env.client.config()
    config["data_converter"] = converter
    client = Client(**config)
    settings = runner_settings(runner,
                               database_url=f"sqlite:///{tmp_path / f'{uuid.uuid4()}.db'}",
                               temporal_task_queue=f"test-{uuid.uuid4()}")
    async with HttpReceiver() as receiver, create_worker(client, settings):
        handle, _ = await open_escalation(
            client, task_queue=settings.temporal_task_queue,
            policy=loopback_policy(receiver.url("")), escalation_id="ESC-CONTEXTS",
            body={"title": "Export question", "category": "question", "priority": "P4"})
        await handle.terminate("test finished")
    return seen


async def test_a_codec_sees_the_same_contexts_as_under_the_stock_sandbox(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path,
) -> None:
    ours = await _contexts_of_one_opening(time_skipping_env, tmp_path, "fast")
    theirs = await _contexts_of_one_opening(time_skipping_env, tmp_path, "stock")
    assert ours == theirs
    # Intake's store write and the team's notice went out under their activities' contexts.
    assert {("activity", "ESC-CONTEXTS", "record_escalation"),
            ("activity", "ESC-CONTEXTS", "deliver_notification"),
            ("workflow", "ESC-CONTEXTS", "")} <= ours


def _instance(monkeypatch: pytest.MonkeyPatch) -> WorkflowInstance:
    """An escalation workflow instance as the worker creates it (with the SDK's stand-in info,
    as its own validation does); entering the sandbox afterwards fails the test."""
    runner = fast_choice().runner
    runner_class = type(runner)
    instances: list[WorkflowInstance] = []
    original = runner_class.create_instance

    def keep(runner: WorkflowRunner, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instances.append(original(runner, det))
        return instances[-1]

    monkeypatch.setattr(runner_class, "create_instance", keep)
    runner.prepare_workflow(workflow._Definition.must_from_class(EscalationWorkflow))
    instance = instances[0]

    def no_entry(code: str, **extra: object) -> None:
        raise AssertionError(f"entered the sandbox to run {code!r}")

    monkeypatch.setattr(instance, "_run_code", no_entry)
    return instance


def _command(command_type: CommandType.ValueType) -> Any:
    # The SDK's private class: imported once fast_choice() has found the release tested.
    from temporalio.worker._command_aware_visitor import CommandInfo

    return CommandInfo(command_type=command_type, command_seq=1)


async def test_contexts_are_looked_up_without_entering_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = _instance(monkeypatch)
    timer = _command(CommandType.COMMAND_TYPE_START_TIMER)
    for command in (None, timer):
        assert isinstance(instance.get_serialization_context(command),
                          WorkflowSerializationContext)
        instance.get_external_store_context(command)


async def test_nexus_operations_still_resolve_inside_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Their context may import at run time, which only the sandbox's importer may do.
    instance = _instance(monkeypatch)
    nexus = _command(CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION)
    with pytest.raises(AssertionError, match="entered the sandbox"):
        instance.get_serialization_context(nexus)
