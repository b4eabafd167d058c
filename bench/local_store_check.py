"""pytest plugin: can the SDK replay our store writes as local activities beside updates?

    .venv/bin/python -m pytest -p bench.local_store_check tests/integration/test_long_lived.py

Store writes as local activities lifted the lifecycle ratio by about 0.2 (docs/benchmarks.md)
and stay out of the product because the SDK replays them wrongly next to concurrent updates.
This plugin applies the bench's `local-store` experiment to the test's in-process worker and
keeps no workflow in the worker's cache, so every workflow task is a replay of the history so
far. On temporalio 1.35.0 the test fails within seconds: a workflow task completed a local
activity's marker without the update completion that followed it, and on replay the SDK core
puts that completion first ("UpdateMachine in state CompletedCommandCreated says the
transition is invalid during event ... WorkflowExecutionUpdateAccepted"). With remote store
activities and the same empty cache the test passes (about 7 minutes). When a new SDK passes
it too, local store activities are worth measuring again.
"""

from __future__ import annotations

from typing import Any

import temporalio.worker

from bench.ours_worker import PATCHES, patch

_worker_init = temporalio.worker.Worker.__init__


def _replaying_worker(self: temporalio.worker.Worker, *args: Any, **kwargs: Any) -> None:
    _worker_init(self, *args, **{**kwargs, "max_cached_workflows": 0})


PATCHES["local-store"]()
patch(temporalio.worker.Worker, "__init__", _replaying_worker)
