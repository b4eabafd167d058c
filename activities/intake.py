"""The spike watch's activities: counting hot posts in the store, recording a spike escalation,
and adding a growing spike's posts to its escalation (an update sent with the worker's client).

The store ones are sync (SQLModel blocks; the worker's thread pool runs them); attach_posts is
async because it only awaits Temporal.
"""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import NotFound
from domain.intake.spike import MeasureSpikeInput, SpikeMeasure, SpikeRecord
from domain.messages import ATTACH_POSTS_UPDATE, ActivityName, AttachRequest
from domain.models import EscalationView
from store.queries import measure_spike, record_spike


class IntakeActivities:
    def __init__(self, sessions: sessionmaker[Session], client: Client) -> None:
        self._sessions = sessions
        self._client = client

    @activity.defn(name=ActivityName.MEASURE_SPIKE.value)
    def measure_spike(self, input: MeasureSpikeInput) -> SpikeMeasure:
        with self._sessions() as session, session.begin():
            return measure_spike(session, input)

    @activity.defn(name=ActivityName.RECORD_SPIKE.value)
    def record_spike(self, input: SpikeRecord) -> None:
        with self._sessions() as session, session.begin():
            record_spike(session, input)

    @activity.defn(name=ActivityName.ATTACH_POSTS.value)
    async def attach_posts(self, input: AttachRequest) -> None:
        """The update by name (activities never import the workflow); its id makes a retry
        of this activity reach the handler once."""
        handle = self._client.get_workflow_handle(input.escalation_id)
        try:
            await handle.execute_update(ATTACH_POSTS_UPDATE, input.attach, id=input.update_id,
                                        result_type=EscalationView)
        except WorkflowUpdateFailedError as failure:
            cause = failure.cause
            kind = cause.type if isinstance(cause, ApplicationError) else None
            raise ApplicationError(str(cause or failure), type=kind or "update_failed",
                                   non_retryable=True) from None
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            raise ApplicationError(f"no running escalation {input.escalation_id}",
                                   type=NotFound.type, non_retryable=True) from None
