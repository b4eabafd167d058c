"""The rig for workflow tests: time-skipping server, our real worker (real activities on a
per-test SQLite store) and a real webhook receiver on 127.0.0.1 for every contact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.messages import IntakeResult
from domain.models import CancelInput, EscalationView, TimelineEntry
from domain.policy import Policy
from store import queries
from tests.support.escalations import IM, open_escalation
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from workflows.escalation import EscalationWorkflow

Handle = WorkflowHandle[EscalationWorkflow, Any]


@dataclass
class Rig:
    env: WorkflowEnvironment
    task_queue: str
    receiver: HttpReceiver
    sessions: sessionmaker[Session]
    policy: Policy
    opened: list[Handle] = field(default_factory=list)
    # Other workflows a test started (a spike watch): stopped and recorded like `opened`.
    others: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    async def open(self, body: dict[str, Any], *, policy: Policy | None = None,
                   prior_escalations: int | None = 0) -> tuple[Handle, IntakeResult]:
        """`prior_escalations` as the API counts it; None as an API from before the count."""
        handle, result = await open_escalation(self.env.client, task_queue=self.task_queue,
                                               policy=policy or self.policy, body=body,
                                               prior_escalations=prior_escalations)
        self.opened.append(handle)
        return handle, result

    def stakeholder(self, name: str) -> dict[str, str]:
        return {"name": name, "channel": "webhook", "address": self.receiver.url(f"/{name}")}

    def customer(self, customer_id: str) -> dict[str, Any]:
        return {"id": customer_id, "name": customer_id,
                "contact": {"channel": "webhook",
                            "address": self.receiver.url(f"/customer/{customer_id}")}}

    def timeline(self, escalation_id: str) -> list[TimelineEntry]:
        with self.sessions() as session:
            return queries.get_timeline(session, escalation_id)

    def count(self, escalation_id: str, entry_type: str) -> int:
        return sum(1 for e in self.timeline(escalation_id) if e.type.value == entry_type)

    def events_to(self, path: str) -> list[str]:
        """The `event` of every webhook that reached `path`, in arrival order."""
        return [r.json()["event"] for r in self.receiver.requests if r.path == path]

    def duplicate_keys(self) -> list[str]:
        keys = Counter(r.headers.get("idempotency-key") for r in self.receiver.requests)
        return [k for k, n in keys.items() if n > 1 and k]

    async def wait_for(self, handle: Handle, condition: Callable[[EscalationView], bool],
                       what: str) -> EscalationView:
        # Generous: on a loaded 2-core machine the worker may take seconds to react.
        return await until(lambda: handle.query(EscalationWorkflow.state), condition, what=what,
                           within=60)

    async def stored_entries(self, handle: Handle, entry_type: str, what: str,
                             **details: str) -> list[TimelineEntry]:
        """The entries of `entry_type` (with these details) once the store holds one: the
        workflow's state changes before the activity that writes its entries has run."""
        async def stored() -> list[TimelineEntry]:
            return [e for e in self.timeline(handle.id) if e.type.value == entry_type
                    and all(e.details.get(k) == v for k, v in details.items())]

        return await until(stored, bool, what=what, within=60)

    async def settle(self, handle: Handle) -> None:
        """Every notification queued so far has been delivered (or given up)."""
        await until(lambda: handle.query(EscalationWorkflow.pending_deliveries),
                    lambda pending: not pending, what="deliveries to finish", within=60)

    async def cancel(self, handle: Handle) -> None:
        """End the escalation and wait for its workflow to complete (deliveries included)."""
        await handle.execute_update(EscalationWorkflow.cancel, CancelInput(actor=IM, reason="done"))
        await handle.result()
