"""The action updates of EscalationWorkflow: one `@workflow.update` per plain `Action`, named
as the Action's value, with its validator. Each only names its Action: the workflow's `_act`
applies it under the lock and `_validate` refuses it before anything is written
(workflows/escalation.py). The SDK collects handlers from base classes too, so these are the
workflow's own updates. Updates with more to do than `_act` (intake, attach_posts, merge,
absorb_duplicate) stay beside the run loop.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.casework import NoteInput
    from domain.enums import Action
    from domain.models import (
        AcknowledgeInput,
        ActionInput,
        ActionPlanInput,
        AddDetailsInput,
        CancelInput,
        ComplaintAckInput,
        CustomerAccessInput,
        CustomerRcaInput,
        DeescalateInput,
        DelayNoticeInput,
        EscalateInput,
        EscalationView,
        IdrResponseInput,
        InternalRcaInput,
        NoticeInput,
        PauseInput,
        ResolutionInput,
        ResolveEarlyInput,
        ResumeInput,
        RetriageInput,
        StatusUpdateInput,
        TaskForceInput,
        VerificationInput,
    )


class ActionUpdates:
    """Mixed into EscalationWorkflow, which implements the two methods below."""

    async def _act(self, action: Action, command: ActionInput) -> EscalationView:
        raise NotImplementedError

    def _validate(self, action: Action, command: ActionInput) -> None:
        raise NotImplementedError

    @workflow.update(description="Take ownership")
    async def acknowledge(self, input: AcknowledgeInput) -> EscalationView:
        return await self._act(Action.ACKNOWLEDGE, input)

    @acknowledge.validator
    def _validate_acknowledge(self, input: AcknowledgeInput) -> None:
        self._validate(Action.ACKNOWLEDGE, input)

    @workflow.update(description="Add customers, services, records or stakeholders")
    async def add_details(self, input: AddDetailsInput) -> EscalationView:
        return await self._act(Action.ADD_DETAILS, input)

    @add_details.validator
    def _validate_add_details(self, input: AddDetailsInput) -> None:
        self._validate(Action.ADD_DETAILS, input)

    @workflow.update(description="Notice to internal stakeholders and/or affected customers")
    async def send_notice(self, input: NoticeInput) -> EscalationView:
        return await self._act(Action.SEND_NOTICE, input)

    @send_notice.validator
    def _validate_send_notice(self, input: NoticeInput) -> None:
        self._validate(Action.SEND_NOTICE, input)

    @workflow.update(description="Status update; restarts the update cadence")
    async def post_status_update(self, input: StatusUpdateInput) -> EscalationView:
        return await self._act(Action.POST_STATUS_UPDATE, input)

    @post_status_update.validator
    def _validate_post_status_update(self, input: StatusUpdateInput) -> None:
        self._validate(Action.POST_STATUS_UPDATE, input)

    @workflow.update(description="New version of the action plan")
    async def set_action_plan(self, input: ActionPlanInput) -> EscalationView:
        return await self._act(Action.SET_ACTION_PLAN, input)

    @set_action_plan.validator
    def _validate_set_action_plan(self, input: ActionPlanInput) -> None:
        self._validate(Action.SET_ACTION_PLAN, input)

    @workflow.update(description="Functional (another team) or hierarchical (level + 1) escalation")
    async def escalate(self, input: EscalateInput) -> EscalationView:
        return await self._act(Action.ESCALATE, input)

    @escalate.validator
    def _validate_escalate(self, input: EscalateInput) -> None:
        self._validate(Action.ESCALATE, input)

    @workflow.update(description="Deploy a task force; members are notified")
    async def deploy_task_force(self, input: TaskForceInput) -> EscalationView:
        return await self._act(Action.DEPLOY_TASK_FORCE, input)

    @deploy_task_force.validator
    def _validate_deploy_task_force(self, input: TaskForceInput) -> None:
        self._validate(Action.DEPLOY_TASK_FORCE, input)

    @workflow.update(description="Declare a resolution; resolve timers stop")
    async def declare_resolution(self, input: ResolutionInput) -> EscalationView:
        return await self._act(Action.DECLARE_RESOLUTION, input)

    @declare_resolution.validator
    def _validate_declare_resolution(self, input: ResolutionInput) -> None:
        self._validate(Action.DECLARE_RESOLUTION, input)

    @workflow.update(description="Engineer verifies (or rejects) the declared resolution")
    async def verify_resolution(self, input: VerificationInput) -> EscalationView:
        return await self._act(Action.VERIFY_RESOLUTION, input)

    @verify_resolution.validator
    def _validate_verify_resolution(self, input: VerificationInput) -> None:
        self._validate(Action.VERIFY_RESOLUTION, input)

    @workflow.update(description="Engagement lead confirms the customer's access")
    async def confirm_customer_access(self, input: CustomerAccessInput) -> EscalationView:
        return await self._act(Action.CONFIRM_CUSTOMER_ACCESS, input)

    @confirm_customer_access.validator
    def _validate_confirm_customer_access(self, input: CustomerAccessInput) -> None:
        self._validate(Action.CONFIRM_CUSTOMER_ACCESS, input)

    @workflow.update(description="Internal RCA; hands the customer RCA to the engagement lead")
    async def submit_internal_rca(self, input: InternalRcaInput) -> EscalationView:
        return await self._act(Action.SUBMIT_INTERNAL_RCA, input)

    @submit_internal_rca.validator
    def _validate_submit_internal_rca(self, input: InternalRcaInput) -> None:
        self._validate(Action.SUBMIT_INTERNAL_RCA, input)

    @workflow.update(description="Share the customer-facing RCA; closes the escalation")
    async def share_customer_rca(self, input: CustomerRcaInput) -> EscalationView:
        return await self._act(Action.SHARE_CUSTOMER_RCA, input)

    @share_customer_rca.validator
    def _validate_share_customer_rca(self, input: CustomerRcaInput) -> None:
        self._validate(Action.SHARE_CUSTOMER_RCA, input)

    @workflow.update(description="Cancel the escalation; stakeholders are told")
    async def cancel(self, input: CancelInput) -> EscalationView:
        return await self._act(Action.CANCEL, input)

    @cancel.validator
    def _validate_cancel(self, input: CancelInput) -> None:
        self._validate(Action.CANCEL, input)

    @workflow.update(description="Acknowledge the complaint to the complainant (RG 271)")
    async def acknowledge_complaint(self, input: ComplaintAckInput) -> EscalationView:
        return await self._act(Action.ACKNOWLEDGE_COMPLAINT, input)

    @acknowledge_complaint.validator
    def _validate_acknowledge_complaint(self, input: ComplaintAckInput) -> None:
        self._validate(Action.ACKNOWLEDGE_COMPLAINT, input)

    @workflow.update(description="Resolved within five business days (RG 271 five-day rule)")
    async def resolve_early(self, input: ResolveEarlyInput) -> EscalationView:
        return await self._act(Action.RESOLVE_EARLY, input)

    @resolve_early.validator
    def _validate_resolve_early(self, input: ResolveEarlyInput) -> None:
        self._validate(Action.RESOLVE_EARLY, input)

    @workflow.update(description="Complaint delay notice with its reasons and AFCA's details")
    async def send_delay_notice(self, input: DelayNoticeInput) -> EscalationView:
        return await self._act(Action.SEND_DELAY_NOTICE, input)

    @send_delay_notice.validator
    def _validate_send_delay_notice(self, input: DelayNoticeInput) -> None:
        self._validate(Action.SEND_DELAY_NOTICE, input)

    @workflow.update(description="Final (IDR) response: outcome, reasons, AFCA")
    async def send_idr_response(self, input: IdrResponseInput) -> EscalationView:
        return await self._act(Action.SEND_IDR_RESPONSE, input)

    @send_idr_response.validator
    def _validate_send_idr_response(self, input: IdrResponseInput) -> None:
        self._validate(Action.SEND_IDR_RESPONSE, input)

    @workflow.update(description="Pause the SLA clocks (the notice and complaint clocks run on)")
    async def pause(self, input: PauseInput) -> EscalationView:
        return await self._act(Action.PAUSE, input)

    @pause.validator
    def _validate_pause(self, input: PauseInput) -> None:
        self._validate(Action.PAUSE, input)

    @workflow.update(description="Resume the SLA clocks; their deadlines move by the paused time")
    async def resume(self, input: ResumeInput) -> EscalationView:
        return await self._act(Action.RESUME, input)

    @resume.validator
    def _validate_resume(self, input: ResumeInput) -> None:
        self._validate(Action.RESUME, input)

    @workflow.update(description="Re-triage: new priority, category or team; deadlines recomputed")
    async def retriage(self, input: RetriageInput) -> EscalationView:
        return await self._act(Action.RETRIAGE, input)

    @retriage.validator
    def _validate_retriage(self, input: RetriageInput) -> None:
        self._validate(Action.RETRIAGE, input)

    @workflow.update(description="De-escalate one level; the level left is told")
    async def deescalate(self, input: DeescalateInput) -> EscalationView:
        return await self._act(Action.DEESCALATE, input)

    @deescalate.validator
    def _validate_deescalate(self, input: DeescalateInput) -> None:
        self._validate(Action.DEESCALATE, input)

    @workflow.update(description="Internal note; @name notifies that team contact")
    async def add_note(self, input: NoteInput) -> EscalationView:
        return await self._act(Action.ADD_NOTE, input)

    @add_note.validator
    def _validate_add_note(self, input: NoteInput) -> None:
        self._validate(Action.ADD_NOTE, input)
