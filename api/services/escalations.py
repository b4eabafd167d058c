"""Opening an escalation and taking an action: what the JSON routes and the console both call.

Every call reaches the escalation's workflow through one update (update-with-start for a new
one); the workflow validates and serialises. Failures come back as the domain's typed errors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from pydantic import BaseModel
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.services import failures
from api.services.hosts import check_addresses
from api.services.idempotency import escalation_id_for, request_hash
from api.services.policy import ActivePolicy
from api.services.roles import ensure_role
from api.services.store import StoreReader
from api.services.temporal import TemporalGateway
from credentials.sealing import AddressSealer, seal_addresses
from domain.casework import MergeInput
from domain.complaint_codes import complaint_problems
from domain.enums import Action, Status
from domain.errors import Conflict, DomainError, FieldProblem, InvalidInput, NotFound
from domain.messages import AttachPostsInput, IntakeInput, IntakeResult
from domain.models import (
    ActionInput,
    Actor,
    AddDetailsInput,
    CreateEscalationInput,
    EscalationView,
    RetriageInput,
    TaskForceInput,
)
from domain.routing import RoutingDecision, apply_repeat_customer, reroute, route
from domain.state import EscalationRequest, LinkBases
from store.queries import count_prior_escalations, get_escalation, get_request_hash
from workflows.escalation import EscalationWorkflow
from workflows.start import settle, start_operation
from workflows.updates import ATTACH_POSTS, UPDATES, Update

# Filled by the API from the token and If-Match; a client sending them is sending unknown fields.
_SERVER_FIELDS = ("actor", "expected_version", "routing")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Opened:
    escalation: EscalationView
    created: bool  # False: an earlier request with the same Idempotency-Key opened it


class Escalations:
    def __init__(self, *, temporal: TemporalGateway, store: StoreReader, policy: ActivePolicy,
                 sealer: AddressSealer | None, links: LinkBases, task_queue: str) -> None:
        self._temporal = temporal
        self._store = store
        self._policy = policy
        self._sealer = sealer
        self._links = links
        self._task_queue = task_queue

    async def stored(self, escalation_id: str) -> EscalationView | None:
        return await self._store.read(lambda s: get_escalation(s, escalation_id))

    async def prior_escalations(self, customer_id: str, *, exclude_id: str = "") -> int:
        """The customer's escalations inside the policy's repeat-customer window (0 without)."""
        signal = self._policy.policy.priority_signals.repeat_customer
        if signal is None:
            return 0
        since = datetime.now(UTC) - signal.within
        return await self._store.read(lambda s: count_prior_escalations(
            s, customer_id=customer_id, since=since, exclude_id=exclude_id))

    async def _final_routing(
        self, body: CreateEscalationInput, escalation_id: str
    ) -> tuple[RoutingDecision, int | None]:
        """The rules, the request's signals and the customer's history, all decided before the
        start: its search attributes and static summary then show the final priority, and
        intake needs no store round trip of its own."""
        decision = route(self._policy.policy, body)
        if body.customer is None or decision.priority_locked:
            return decision, None
        prior = await self.prior_escalations(body.customer.id, exclude_id=escalation_id)
        return apply_repeat_customer(decision, self._policy.policy, prior), prior

    async def open(
        self, body: CreateEscalationInput, *, actor: Actor, idempotency_key: str | None
    ) -> Opened:
        check_addresses(body, self._policy.host_rules)
        refused = complaint_problems(self._policy.policy, body, now=datetime.now(UTC))
        if refused:
            raise InvalidInput("The complaint cannot be recorded.", problems=refused)
        escalation_id = escalation_id_for(idempotency_key)
        fingerprint = request_hash(body)
        if idempotency_key is not None:
            # A workflow that completed long ago may be gone from Temporal; the store knows it.
            stored = await self.stored(escalation_id)
            if stored is not None and stored.status is not Status.OPEN:
                await self._same_request_as_stored(escalation_id, fingerprint)
                return Opened(stored, created=False)
        decision, prior = await self._final_routing(body, escalation_id)
        request = EscalationRequest(
            id=escalation_id,
            # Sealed after the fingerprint: a retry with the same body still matches it.
            request=self._sealed(body),
            routing=decision,
            routing_final=True,
            prior_escalations=prior,
            policy=self._policy.snapshot,
            links=self._links,
            created_by=actor.name,
            request_id=uuid.uuid4().hex,
            request_hash=fingerprint,
        )
        client = await self._temporal.client()
        start = start_operation(request, task_queue=self._task_queue)
        try:
            async with self._temporal.deadline():
                # cast: the SDK types an async update's result as its coroutine.
                result = cast(IntakeResult, await client.execute_update_with_start_workflow(
                    EscalationWorkflow.intake,
                    IntakeInput(request_id=request.request_id, request_hash=fingerprint),
                    start_workflow_operation=start,
                    rpc_timeout=self._temporal.timeout,
                ))
        except WorkflowAlreadyStartedError:
            stored = await self.stored(escalation_id)
            if stored is None:
                raise Conflict(
                    "An escalation with this Idempotency-Key existed and is gone.") from None
            await self._same_request_as_stored(escalation_id, fingerprint)
            return Opened(stored, created=False)
        except WorkflowUpdateFailedError as failure:
            raise failures.update_failure(failure) from None
        finally:
            await settle(start)
        if not result.same_request:
            raise _key_reused()
        return Opened(result.escalation, created=result.created)

    async def act(
        self,
        escalation_id: str,
        action: Action,
        command: ActionInput,
        *,
        actor: Actor,
        expected_version: int | None,
        update_id: str | None = None,
    ) -> EscalationView:
        """Run `action` as its workflow update; the view after it. The same `update_id` twice
        runs the update once (a click delivered twice, api/services/slack.py)."""
        ensure_role(actor, action)
        _server_fields_refused(command)
        if isinstance(command, MergeInput):
            repeated = await self._merge_precheck(escalation_id, command)
            if repeated is not None:
                return repeated
        if isinstance(command, AddDetailsInput | TaskForceInput):
            check_addresses(command, self._policy.host_rules)
            command = self._sealed(command)
        if isinstance(command, RetriageInput):
            command = await self._rerouted(escalation_id, command)
        command = command.model_copy(update={"actor": actor, "expected_version": expected_version})
        return await self._update(escalation_id, UPDATES[action], command, update_id=update_id)

    async def _merge_precheck(self, escalation_id: str, command: MergeInput
                              ) -> EscalationView | None:
        """A merge into an escalation nobody knows is a bad `into` (422); a merge repeated
        after the duplicate's workflow completed answers as the first one did (the stored
        view); anything else the workflows decide (domain/lifecycle/merging.py)."""
        duplicate = await self.stored(escalation_id)
        if (duplicate is not None and duplicate.status is Status.MERGED
                and duplicate.merged_into == command.into):
            return duplicate
        if command.into != escalation_id and await self.stored(command.into) is None:
            raise InvalidInput("The merge is not valid.", problems=[FieldProblem(
                field="into", message=f"no escalation {command.into}")])
        return None

    async def attach(self, escalation_id: str, command: AttachPostsInput, *, update_id: str
                     ) -> EscalationView:
        """Attach posts (social intake). `update_id` makes a retried batch attach them once."""
        return await self._update(escalation_id, ATTACH_POSTS, command, update_id=update_id)

    async def _update(self, escalation_id: str, update: Update, command: BaseModel, *,
                      update_id: str | None = None) -> EscalationView:
        client = await self._temporal.client()
        handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
        try:
            async with self._temporal.deadline():
                return await handle.execute_update(update, command, id=update_id,
                                                   rpc_timeout=self._temporal.timeout)
        except WorkflowUpdateFailedError as failure:
            raise failures.update_failure(failure) from None
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            raise await self._not_running(escalation_id) from None

    async def _not_running(self, escalation_id: str) -> DomainError:
        """No running workflow: a closed escalation (nothing allowed) or none at all."""
        stored = await self.stored(escalation_id)
        if stored is None:
            return NotFound(f"No escalation {escalation_id}.")
        return failures.closed(stored)

    async def _rerouted(self, escalation_id: str, command: RetriageInput) -> RetriageInput:
        """The rules for the re-triaged facts, read from the stored projection (it is written
        before every action answers); none for an escalation the store does not know yet."""
        stored = await self.stored(escalation_id)
        if stored is None:
            return command
        routing = reroute(self._policy.policy, stored, category=command.category,
                          priority=command.priority)
        return command.model_copy(update={"routing": routing})

    def _sealed(self, command: M) -> M:
        """Credentials in recipient URLs stay out of the workflow's history (domain/sealed.py)."""
        return command if self._sealer is None else seal_addresses(command, self._sealer)

    async def _same_request_as_stored(self, escalation_id: str, fingerprint: str) -> None:
        stored_hash = await self._store.read(lambda s: get_request_hash(s, escalation_id))
        if stored_hash is not None and stored_hash != fingerprint:
            raise _key_reused()


def _key_reused() -> InvalidInput:
    return InvalidInput(
        "Idempotency-Key reused with a different body.",
        problems=[FieldProblem(field="header.idempotency-key",
                               message="already used with a different body")],
    )


def _server_fields_refused(command: ActionInput) -> None:
    sent = sorted(command.model_fields_set & set(_SERVER_FIELDS))
    if sent:
        raise InvalidInput(
            "The request is not valid.",
            problems=[FieldProblem(field=name, message="extra inputs are not permitted")
                      for name in sent],
        )
