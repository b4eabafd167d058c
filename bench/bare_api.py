"""The bare FastAPI app: routes that only reach the baseline workflows (no auth, policy, store).

Served by uvicorn with the same defaults as `escalations api`, so ours/bare compares the apps.
The lifecycle routes mirror ours path for path, so one driver walks both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.bare_models import LIFECYCLE_PLAN, BareInput, BareView, HoldInput, Sizes
from bench.bare_workflows import BareHoldWorkflow, BareLifecycleWorkflow

# Our action paths (api.md) -> the bare workflow's update names.
UPDATES = {
    "notice": "send_notice",
    "action-plan": "set_action_plan",
    "resolution": "declare_resolution",
    "verification": "verify_resolution",
    "customer-access": "confirm_customer_access",
    "rca/internal": "submit_internal_rca",
    "rca/customer": "share_customer_rca",
}
JsonBody = Annotated[dict[str, Any], Body()]


def _client(request: Request) -> Client:
    client: Client = request.app.state.client
    return client


def _queue() -> str:
    return os.environ["BENCH_TASK_QUEUE"]


def _local_awaited() -> bool:
    return os.environ.get("BENCH_BARE_LOCAL") == "1"


def _lifecycle_input(body: dict[str, Any]) -> BareInput:
    if os.environ.get("BENCH_BARE_SIZED") != "1":
        return BareInput(plan=LIFECYCLE_PLAN, body=body, local_awaited=_local_awaited())
    sizes = Sizes()
    return BareInput(plan=LIFECYCLE_PLAN, body=body, local_awaited=_local_awaited(),
                     sizes=sizes, pad="x" * sizes.start)


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.client = await Client.connect(os.environ["BENCH_TEMPORAL_ADDRESS"],
                                                data_converter=pydantic_data_converter)
        yield

    app = FastAPI(title="bare baseline", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare/escalations", status_code=201)
    async def create(request: Request, body: JsonBody) -> BareView:
        """Update-with-start, answered once intake ran: our create's Temporal shape."""
        start = WithStartWorkflowOperation(
            BareLifecycleWorkflow.run, _lifecycle_input(body),
            id=f"bare-{uuid.uuid4().hex}", task_queue=_queue(),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
        # By name with result_type: the SDK types an async handler's result as its coroutine.
        view: BareView = await _client(request).execute_update_with_start_workflow(
            "intake", body, start_workflow_operation=start, result_type=BareView)
        return view

    @app.post("/bare/starts", status_code=201)
    async def start_only(request: Request, body: JsonBody) -> dict[str, str]:
        """Only starts the baseline workflow (answered before any worker saw it)."""
        handle = await _client(request).start_workflow(
            BareLifecycleWorkflow.run, BareInput(plan=LIFECYCLE_PLAN, body=body),
            id=f"bare-{uuid.uuid4().hex}", task_queue=_queue())
        return {"id": handle.id}

    @app.post("/bare/holds", status_code=201)
    async def hold(request: Request, body: JsonBody) -> dict[str, str]:
        """Opened and parked on one long timer by the time it answers."""
        due = datetime.fromisoformat(body["due"])
        start = WithStartWorkflowOperation(
            BareHoldWorkflow.run, HoldInput(due=due, body=body),
            id=f"hold-{uuid.uuid4().hex}", task_queue=_queue(),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
        workflow_id: str = await _client(request).execute_update_with_start_workflow(
            "opened", start_workflow_operation=start, result_type=str)
        return {"id": workflow_id}

    @app.post("/bare/intake/posts")
    async def intake(body: JsonBody) -> dict[str, int]:
        """Only parses the batch of posts our intake takes (the intake section's baseline)."""
        return {"posts": len(body["posts"])}

    @app.post("/bare/escalations/{workflow_id}/{action:path}")
    async def act(request: Request, workflow_id: str, action: str, body: JsonBody) -> BareView:
        handle = _client(request).get_workflow_handle(workflow_id)
        view: BareView = await handle.execute_update(UPDATES[action], body,
                                                     result_type=BareView)
        return view

    return app
