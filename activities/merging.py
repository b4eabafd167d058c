"""Merging a duplicate: the absorb_duplicate update sent to the surviving escalation.

Sent by the duplicate's workflow before it closes itself, with the worker's client. The update
id (and the survivor's own record of the duplicates it took in) make a retried activity, or a
repeated merge, take the duplicate in once. A refusal by the survivor is final: the merge
fails with it and the duplicate stays as it was.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.casework import ABSORB_DUPLICATE_UPDATE, AbsorbRequest
from domain.errors import ActionNotAllowed, HandingOver, NotFound
from domain.messages import ActivityName
from domain.models import EscalationView


class MergeActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name=ActivityName.ABSORB_DUPLICATE.value)
    async def absorb_duplicate(self, input: AbsorbRequest) -> EscalationView:
        """The survivor after taking the duplicate in (the update by name: activities never
        import the workflow)."""
        handle = self._client.get_workflow_handle(input.into)
        try:
            survivor: EscalationView = await handle.execute_update(
                ABSORB_DUPLICATE_UPDATE, input.absorb, id=input.update_id,
                result_type=EscalationView)
            return survivor
        except WorkflowUpdateFailedError as failure:
            cause = failure.cause
            kind = cause.type if isinstance(cause, ApplicationError) else None
            message = cause.message if isinstance(cause, ApplicationError) else str(failure)
            # A survivor handing over to its next run takes the update in a moment: retry.
            raise ApplicationError(message, type=kind or ActionNotAllowed.type,
                                   non_retryable=kind != HandingOver.type) from None
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            # No running workflow: an escalation that ended (closed, cancelled, merged) or none.
            raise ApplicationError(f"merge is not allowed: {input.into} is not open",
                                   type=NotFound.type, non_retryable=True) from None
