"""EscalationWorkflow: one customer escalation, start to close, with its timers.

Deterministic orchestration only: every decision is made by domain.lifecycle / domain.timers,
every side effect is an activity called by reference to its method (the activities' modules are
imported passed through: their I/O code never runs in the workflow).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import effects, patches, records
from workflows import search_attributes as sa
from workflows.action_updates import ActionUpdates

with workflow.unsafe.imports_passed_through():
    from activities.merging import MergeActivities
    from activities.notify import NotifyActivities
    from activities.store import StoreActivities
    from domain import lifecycle, timers
    from domain.casework import (
        ABSORB_DUPLICATE_UPDATE,
        AbsorbInput,
        AbsorbRequest,
        MergeInput,
    )
    from domain.enums import Action, Stage
    from domain.errors import ActionNotAllowed, DomainError, HandingOver
    from domain.lifecycle import merging, replies
    from domain.messages import (
        ATTACH_POSTS_UPDATE,
        AttachPostsInput,
        CloseRecordsInput,
        IntakeInput,
        IntakeResult,
        PriorEscalationsInput,
        RecordInput,
        WorkflowInput,
    )
    from domain.models import (
        ActionInput,
        EscalationSummary,
        EscalationView,
    )
    from domain.record_outcomes import RecordWork
    from domain.routing import RoutingDecision, apply_repeat_customer
    from domain.state import EscalationRequest, EscalationState, Notification
    from domain.transition import Transition

# The actions that open a resolve gate, and so arm its clock (patches.RESOLUTION_GATE_CLOCKS).
_GATED = frozenset({Action.DECLARE_RESOLUTION, Action.VERIFY_RESOLUTION})


@workflow.defn(name="EscalationWorkflow")
class EscalationWorkflow(ActionUpdates):
    @workflow.init
    def __init__(self, input: WorkflowInput) -> None:
        # A continued run starts with its state; a new one gets it from intake.
        self._state: EscalationState | None = input.state
        self._opened = input.state is not None  # intake recorded in the store
        # Set while draining for continue-as-new: new updates are refused (the caller retries
        # and reaches the new run), or a steady stream of them would starve the hand-over.
        self._handing_over = False
        self._lock = asyncio.Lock()
        self._wake = False
        self._queues: dict[tuple[str, str], list[Notification]] = {}
        self._senders: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._record_tasks: dict[str, asyncio.Task[None]] = {}  # by RecordWork.key
        # The escalation this one is being merged into, while the survivor is asked: it then
        # refuses to take in others (domain/lifecycle/merging.py: no loops).
        self._merging: str | None = None

    @workflow.run
    async def run(self, input: WorkflowInput) -> EscalationSummary:
        # The SDK holds the decoded input for the whole run, which for a parked escalation is
        # days: let go of it here. The request is needed only by intake, and a continued
        # run's state is already self._state (a second copy once the state first changes).
        # About 6 KiB per escalation held in the worker's cache (docs/benchmarks.md).
        request, input.request, input.state = input.request, None, None
        if self._state is None:
            assert request is not None, "a new escalation needs its request"
            await self._intake(request)
        else:
            self._enqueue(self._state.outbox)  # deliveries the previous run did not finish
            self._start_record_work()  # so are calls into related systems (idempotent)
        del request
        state = await self._until_done()
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self._senders
            and not self._record_tasks
        )
        return EscalationSummary(
            id=state.id, status=state.status, priority=state.priority, team=state.team,
            sla=state.sla, created_at=state.created_at, closed_at=state.closed_at or
            state.cancelled_at, timeline_entries=state.seq,
        )

    async def _intake(self, request: EscalationRequest) -> None:
        decision = request.routing
        if not request.routing_final:
            decision = await self._with_repeat_customer(request)
        # Only a request with a complaint record consults the patch: other escalations' histories
        # keep their shape. The record's clocks are new timers (workflows/patches.py).
        with_complaint = (request.request.complaint is not None
                          and workflow.patched(patches.COMPLAINT_RECORD))
        async with self._lock:
            await self._commit(lifecycle.intake(request, decision, workflow.now(),
                                                with_complaint=with_complaint))
            self._adopt_record_work(lifecycle.request_links(self._current(), at=workflow.now()),
                                    patches.RELATED_RECORDS_LINKED_AT_START)
        self._opened = True

    async def _with_repeat_customer(self, request: EscalationRequest) -> RoutingDecision:
        """Requests from APIs that did not apply the customer's history themselves: a count
        sent with the request (patched), or a lookup of our own."""
        decision = request.routing
        signal = request.policy.priority_signals.repeat_customer
        customer = request.request.customer
        if customer is None or signal is None or decision.priority_locked:
            return decision
        counted = request.prior_escalations
        if counted is not None and workflow.patched(patches.REPEAT_CUSTOMER_COUNTED_BY_API):
            prior = counted
        else:
            prior = await workflow.execute_activity_method(
                StoreActivities.count_prior_escalations,
                PriorEscalationsInput(customer_id=customer.id,
                                      since=workflow.now() - signal.within,
                                      exclude_id=request.id),
                start_to_close_timeout=effects.STORE_TIMEOUT,
                retry_policy=effects.STORE_RETRY,
                summary=f"look up customer {customer.id}'s prior escalations",
            )
        return apply_repeat_customer(decision, request.policy, prior)

    def _current(self) -> EscalationState:
        if self._state is None:
            raise ApplicationError("the escalation is still being opened",
                                   {"stage": Stage.START.value, "allowed_actions": []},
                                   type=ActionNotAllowed.type, non_retryable=True)
        return self._state

    async def _until_done(self) -> EscalationState:
        """Wait for the earliest timer or a change; fire due timers; close when the stage says."""
        while True:
            state = self._current()
            if not state.is_open:
                return state
            if state.stage is Stage.CLOSE and not state.related_records_closed:
                async with self._lock:
                    await self._enter_close()
                continue
            if workflow.info().is_continue_as_new_suggested():
                await self._continue_as_new()
            pending = timers.pending_timers(state)
            nearest = pending[0] if pending else None
            self._wake = False
            if nearest is not None:
                wait = nearest.due - workflow.now()
                if wait > timedelta(0):
                    try:
                        await workflow.wait_condition(lambda: self._wake, timeout=wait,
                                                      timeout_summary=nearest.summary)
                        continue
                    except TimeoutError:
                        pass
                await self._fire_due()
            else:
                await workflow.wait_condition(lambda: self._wake)

    async def _fire_due(self) -> None:
        async with self._lock:
            now = workflow.now()
            # One at a time: firing a timer may satisfy or re-arm the others.
            while (due := [t for t in timers.pending_timers(self._current()) if t.due <= now]):
                await self._commit(timers.fire(self._current(), due[0], at=now))

    async def _enter_close(self) -> None:
        """Close the related records, then request the RCA (or close). Caller holds the lock."""
        state = self._current()
        if state.stage is not Stage.CLOSE or state.related_records_closed:
            return
        if workflow.patched(patches.RELATED_RECORDS_CLOSED_IN_THEIR_SYSTEMS):
            await self._commit(lifecycle.enter_close(state, at=workflow.now()))
            self._start_record_work()
            return
        closed = await workflow.execute_activity_method(
            StoreActivities.close_related_records,
            CloseRecordsInput(escalation_id=state.id, records=state.related_records),
            start_to_close_timeout=effects.STORE_TIMEOUT,
            retry_policy=effects.STORE_RETRY,
            summary=f"close {len(state.related_records)} related records",
        )
        await self._commit(lifecycle.records_closed(state, closed, at=workflow.now()))

    async def _continue_as_new(self) -> None:
        self._handing_over = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        async with self._lock:
            # In-flight deliveries stay in the outbox and restart under the same keys in the
            # new run (a receiver that answered 2xx is skipped there: the store remembers).
            workflow.continue_as_new(WorkflowInput(state=self._current()))

    async def _commit(self, transition: Transition) -> None:
        """Adopt the new state, notify, project it (store), show it (search attributes, details)."""
        self._state = transition.state
        # Deliveries start beside the store write, in the same workflow task: notices go out
        # without waiting for the projection, and their completions mostly arrive with the
        # write's, so one workflow task handles both (escalations opened before this notify after
        # the write). Nothing orders them: a delivery row needs no timeline row.
        beside = workflow.patched(patches.NOTIFY_BESIDE_RECORD)
        if beside:
            self._enqueue(transition.notifications)
        if transition.entries:
            await workflow.execute_activity_method(
                StoreActivities.record_escalation,
                RecordInput(view=self._view(), entries=transition.entries,
                            request_hash=self._state.request_hash),
                start_to_close_timeout=effects.STORE_TIMEOUT,
                retry_policy=effects.STORE_RETRY,
                summary="record " + ", ".join(e.type.value for e in transition.entries),
            )
        updates = sa.of_state(self._state)
        if workflow.patched(patches.UPSERT_CHANGED_SEARCH_ATTRIBUTES):
            # An upsert is a command and a history event: skip the attributes that are as set.
            updates = effects.changed(updates, workflow.info().typed_search_attributes)
        if updates:
            workflow.upsert_search_attributes(updates)
        pending = timers.pending_timers(self._state)
        workflow.set_current_details(
            effects.current_details(self._state, pending[0] if pending else None)
        )
        if not beside:
            self._enqueue(transition.notifications)
        self._wake = True

    # Calls into related systems run beside everything else; each outcome is committed alone.

    def _adopt_record_work(self, transition: Transition, patch: str) -> None:
        """Start the record work an entry-less decision added, behind its patch (consulted
        only when there is work, so escalations without related systems record no marker)."""
        if len(transition.state.record_work) > len(self._current().record_work) and (
                workflow.patched(patch)):
            self._state = transition.state
            self._start_record_work()

    def _start_record_work(self) -> None:
        for work in self._current().record_work:
            if work.key not in self._record_tasks:
                self._record_tasks[work.key] = asyncio.create_task(self._do_record_work(work))

    async def _do_record_work(self, work: RecordWork) -> None:
        done = await records.run(self._current(), work)
        async with self._lock:
            await self._commit(lifecycle.work_done(
                self._current(), work, outcome=done.outcome, answer=done.answer,
                record=done.record, at=workflow.now()))
        del self._record_tasks[work.key]

    def _view(self) -> EscalationView:
        state = self._current()
        return state.to_view([a.value for a in lifecycle.allowed_actions(state)])

    # Notifications: one queue per recipient keeps their order; queues run side by side.

    def _enqueue(self, notifications: list[Notification]) -> None:
        for notification in notifications:
            key = (notification.recipient.channel.value, notification.recipient.address)
            self._queues.setdefault(key, []).append(notification)
            if key not in self._senders:
                self._senders[key] = asyncio.create_task(self._send_queue(key))

    async def _send_queue(self, key: tuple[str, str]) -> None:
        queue = self._queues[key]
        while queue:
            notification = queue[0]
            failure = await self._deliver(notification)
            queue.pop(0)
            async with self._lock:
                state = self._current()
                if failure is not None:
                    await self._commit(lifecycle.notification_failed(
                        state, notification.id, failure, at=workflow.now()))
                    state = self._current()
                state.outbox = [n for n in state.outbox if n.id != notification.id]
            if workflow.info().is_continue_as_new_suggested() and workflow.patched(
                    patches.CONTINUE_AS_NEW_WHILE_DELIVERING):
                # A long backlog of deliveries grows the history with nothing else waking the
                # run loop: let it hand over, the rest of the queue goes with the state.
                self._wake = True
        del self._queues[key]
        del self._senders[key]

    async def _deliver(self, notification: Notification) -> str | None:
        """None when delivered; else why not (retry window ran out, target refused)."""
        state = self._current()
        try:
            await workflow.execute_activity_method(
                NotifyActivities.deliver_notification,
                effects.delivery_input(state, notification),
                schedule_to_close_timeout=state.policy.notifications.retry_for,
                start_to_close_timeout=effects.DELIVERY_ATTEMPT_TIMEOUT,
                retry_policy=effects.DELIVERY_RETRY,
                summary=f"{notification.event.value} to {notification.recipient.name} "
                f"({notification.recipient.channel.value})",
            )
        except ActivityError as error:
            cause = error.cause
            return str(cause.message if isinstance(cause, ApplicationError) else cause or error)
        return None

    # Actions: validators reject without writing history; handlers apply under the lock.

    def _validate(self, action: Action, command: ActionInput) -> None:
        self._refuse_while_handing_over()
        self._recheck(action, command)
        try:
            # Only here, never in the handler's re-check: histories accepted before this check
            # existed must replay as they ran.
            lifecycle.ensure_reachable(self._current(), command)
        except DomainError as error:
            raise effects.to_application_error(error) from None

    def _refuse_while_handing_over(self) -> None:
        if self._handing_over:
            raise effects.to_application_error(
                HandingOver("handing over to a new run; retry in a moment"))

    def _recheck(self, action: Action, command: ActionInput) -> None:
        try:
            # The time matters only to complaint windows that close at an instant.
            lifecycle.ensure_allowed(self._current(), action, command, workflow.now())
        except DomainError as error:
            raise effects.to_application_error(error) from None

    async def _act(self, action: Action, command: ActionInput) -> EscalationView:
        async with self._lock:
            # Re-check: another update may have changed the state since this one was accepted.
            self._recheck(action, command)
            clocks = action in _GATED and workflow.patched(patches.RESOLUTION_GATE_CLOCKS)
            await self._commit(lifecycle.apply(self._current(), command, at=workflow.now(),
                                               gate_clocks=clocks))
            if action is Action.ADD_DETAILS:
                self._adopt_record_work(lifecycle.request_links(self._current(),
                                                                at=workflow.now()),
                                        patches.RELATED_RECORDS_LINKED_AT_START)
            elif action is Action.SUBMIT_INTERNAL_RCA:
                self._adopt_record_work(
                    lifecycle.request_problem_record(self._current(), at=workflow.now()),
                    patches.PROBLEM_RECORDS_OPENED)
            entered_close = self._current().stage is Stage.CLOSE
            if entered_close and workflow.patched(patches.CLOSE_STAGE_ENTERED_BY_THE_ACTION):
                # The caller's next step is the RCA: answer only once its task exists.
                await self._enter_close()
            return self._view()

    @workflow.update(description="Wait for intake and return the new escalation")
    async def intake(self, input: IntakeInput) -> IntakeResult:
        if workflow.patched(patches.INTAKE_RETURNS_AFTER_RECORD):
            # Return only once intake is in the store too: the caller may list it at once.
            await workflow.wait_condition(lambda: self._opened)
        else:  # escalations opened before the patch replay the old, earlier answer
            await workflow.wait_condition(lambda: self._state is not None)
        state = self._current()
        return IntakeResult(escalation=self._view(), created=input.request_id == state.request_id,
                            same_request=input.request_hash == state.request_hash)

    @workflow.update(name=ATTACH_POSTS_UPDATE,
                     description="Attach social posts: their customers and services join it")
    async def attach_posts(self, input: AttachPostsInput) -> EscalationView:
        async with self._lock:
            self._attachable()  # again: the stage may have moved since validation
            await self._commit(lifecycle.attach_posts(self._current(), input, at=workflow.now()))
            return self._view()

    @attach_posts.validator
    def _validate_attach_posts(self, input: AttachPostsInput) -> None:  # noqa: ARG002
        # The SDK gives a validator the update's parameters; any post may attach.
        self._refuse_while_handing_over()
        self._attachable()

    def _attachable(self) -> None:
        try:
            lifecycle.ensure_attachable(self._current())
        except DomainError as error:
            raise effects.to_application_error(error) from None

    @workflow.query(description="The whole escalation as the API returns it")
    def state(self) -> EscalationView:
        return self._view()

    @workflow.query(description="Ids of notifications not yet delivered or given up")
    def pending_deliveries(self) -> list[str]:
        return [n.id for queue in self._queues.values() for n in queue]

    # Case work (issue 22): merge a duplicate, internal notes, saved replies.

    @workflow.update(description="Merge into another escalation as a duplicate; closes as merged")
    async def merge(self, input: MergeInput) -> EscalationView:
        async with self._lock:
            state = self._current()
            if merging.is_repeat(state, input):
                return self._view()  # a retried merge answers as the first did
            self._recheck(Action.MERGE, input)
            self._merging = input.into
            try:
                # The survivor first: a refusal there leaves this escalation as it was.
                await workflow.execute_activity_method(
                    MergeActivities.absorb_duplicate,
                    AbsorbRequest(into=input.into, update_id=f"absorb-{state.id}",
                                  absorb=merging.absorb_input(state, input)),
                    start_to_close_timeout=effects.STORE_TIMEOUT,
                    retry_policy=effects.STORE_RETRY,
                    summary=f"hand customers, records and posts over to {input.into}",
                )
            except ActivityError as error:
                cause = error.cause
                why = cause.message if isinstance(cause, ApplicationError) else str(error)
                raise effects.to_application_error(ActionNotAllowed(
                    why, stage=state.stage.value,
                    allowed_actions=[a.value for a in lifecycle.allowed_actions(state)],
                )) from None
            finally:
                self._merging = None
            await self._commit(lifecycle.apply(self._current(), input, at=workflow.now()))
            return self._view()

    @merge.validator
    def _validate_merge(self, input: MergeInput) -> None:
        if self._merging == input.into or (
                self._state is not None and merging.is_repeat(self._state, input)):
            return  # the same merge again, in flight or done: the handler answers as it did
        self._validate(Action.MERGE, input)
        if self._merging is not None:
            raise effects.to_application_error(ActionNotAllowed(
                f"merge is not allowed: already being merged into {self._merging}",
                stage=self._current().stage.value, allowed_actions=[]))

    @workflow.update(name=ABSORB_DUPLICATE_UPDATE,
                     description="Take in a duplicate: its customers, records, people and posts")
    async def absorb_duplicate(self, input: AbsorbInput) -> EscalationView:
        async with self._lock:
            self._absorbable(input)  # again: this one may have closed or started merging
            if input.duplicate_id not in self._current().merged_from:
                await self._commit(merging.absorb(self._current(), input, at=workflow.now()))
            return self._view()

    @absorb_duplicate.validator
    def _validate_absorb_duplicate(self, input: AbsorbInput) -> None:
        self._refuse_while_handing_over()
        self._absorbable(input)

    def _absorbable(self, input: AbsorbInput) -> None:
        try:
            merging.ensure_absorbable(self._current(), input, merging=self._merging)
        except DomainError as error:
            raise effects.to_application_error(error) from None

    @workflow.query(description="The policy's saved replies that fit, rendered")
    def saved_replies(self) -> list[replies.RenderedReply]:
        return replies.fitting(self._current())
