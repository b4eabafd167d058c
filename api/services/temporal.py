"""The API's one Temporal client, and the deadline every call to Temporal runs under.

The client connects at start-up, or on first use when Temporal was down then: the API must start
(and answer /healthz, /readyz and 503s) without Temporal. Every call is bounded by
`temporal_rpc_timeout_seconds`, because an update or query waits for a worker that may not exist;
a missing worker or server becomes `TemporalUnavailable` (503), never a hang.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.client import Client, RPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from config.temporal import connect
from domain.errors import Unavailable

log = logging.getLogger("api.temporal")

# Statuses that mean "Temporal or a worker cannot answer now", as opposed to a refusal.
UNAVAILABLE = frozenset({
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.CANCELLED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
    RPCStatusCode.ABORTED,
    RPCStatusCode.UNKNOWN,
})


def workflow_not_ready(error: RPCError) -> bool:
    """The server's answer to an update whose workflow task failed before accepting it (for
    example a task completed just as new events arrived): nothing was written, a retry works."""
    return error.status is RPCStatusCode.FAILED_PRECONDITION and any(
        detail.type_url.endswith("WorkflowNotReadyFailure")
        for detail in error.grpc_status.details)


class TemporalUnavailable(Unavailable):
    """Temporal, or a worker for the escalation's task queue, did not answer in time (503).

    `cause` says which, for the log; callers only ever see the general message."""

    def __init__(self, cause: str) -> None:
        super().__init__(
            "Temporal, or a worker for escalations, did not answer in time; retry shortly.")
        self.cause = cause


class TemporalGateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = timedelta(seconds=settings.temporal_rpc_timeout_seconds)
        self._client: Client | None = None
        self._connecting = asyncio.Lock()

    async def start(self) -> None:
        try:
            await self.client()
        except TemporalUnavailable:
            log.warning("Temporal at %s is not reachable yet; will retry on use",
                        self.settings.temporal_address)

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._connecting:
            if self._client is None:
                try:
                    async with asyncio.timeout(self.timeout.total_seconds()):
                        self._client = await connect(self.settings)
                except (TimeoutError, RuntimeError, RPCError) as exc:
                    raise TemporalUnavailable("cannot connect to Temporal") from exc
            return self._client

    @asynccontextmanager
    async def deadline(self) -> AsyncIterator[None]:
        """Bound a call to Temporal; turn timeouts and unreachable servers into TemporalUnavailable.

        The SDK retries some RPCs internally and long-polls update outcomes, so the per-RPC
        `rpc_timeout` alone does not bound a call: this outer timeout does.
        """
        try:
            async with asyncio.timeout(self.timeout.total_seconds()):
                yield
        except (TimeoutError, RPCTimeoutOrCancelledError) as exc:
            raise TemporalUnavailable("Temporal did not answer in time") from exc
        except RPCError as exc:
            if exc.status in UNAVAILABLE:
                raise TemporalUnavailable(f"Temporal is unavailable ({exc.status.name})") from exc
            if workflow_not_ready(exc):
                raise TemporalUnavailable("the escalation's workflow task failed while taking "
                                          "the action; nothing was applied") from exc
            raise

    async def healthy(self) -> bool:
        try:
            client = await self.client()
            async with self.deadline():
                return await client.service_client.check_health(timeout=self.timeout)
        except (TemporalUnavailable, RPCError):
            return False
