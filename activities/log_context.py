"""Every log line written while an activity runs names its escalation, workflow and run.

A worker interceptor binds them with structlog.contextvars around each activity, so neither
`activity.logger` calls nor library loggers (httpx, sqlalchemy) need to repeat them; the
processors of config.logging merge the bound context into each line.
"""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor


def activity_log_context(info: activity.Info) -> dict[str, Any]:
    # The workflow id is the escalation id (one workflow per escalation, named by it).
    return {
        "escalation_id": info.workflow_id,
        "workflow_id": info.workflow_id,
        "run_id": info.workflow_run_id,
        "activity": info.activity_type,
        "activity_id": info.activity_id,
        "attempt": info.attempt,
    }


class ActivityLogContext(Interceptor):
    """Pass to `Worker(interceptors=[ActivityLogContext()])`."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BindLogContext(next)


class _BindLogContext(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        # Sync activities run on the worker's thread pool in a copy of this context, so the
        # binding reaches them too; leaving the block unbinds, whatever the activity raised.
        with structlog.contextvars.bound_contextvars(**activity_log_context(activity.info())):
            return await super().execute_activity(input)
