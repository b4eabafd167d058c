"""The workflow update behind each lifecycle action: the one typed map the API sends through.

`Action`'s value is the update's name (lifecycle.md), and a test holds every entry to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from temporalio import workflow
from temporalio.workflow import UpdateMethodMultiParam

from workflows.escalation import EscalationWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.enums import Action
    from domain.models import EscalationView

# The SDK's type of a decorated update, as the client's execute_update takes it.
Update = UpdateMethodMultiParam[[EscalationWorkflow, Any], EscalationView]

# cast: mypy reads an async update's result as its coroutine through the SDK's overloads; the
# client awaits it to the view (the same gap as update-with-start results in api/services).
UPDATES: Mapping[Action, Update] = cast(Mapping[Action, Update], {
    Action.ACKNOWLEDGE: EscalationWorkflow.acknowledge,
    Action.ADD_DETAILS: EscalationWorkflow.add_details,
    Action.SEND_NOTICE: EscalationWorkflow.send_notice,
    Action.POST_STATUS_UPDATE: EscalationWorkflow.post_status_update,
    Action.SET_ACTION_PLAN: EscalationWorkflow.set_action_plan,
    Action.ESCALATE: EscalationWorkflow.escalate,
    Action.DEPLOY_TASK_FORCE: EscalationWorkflow.deploy_task_force,
    Action.DECLARE_RESOLUTION: EscalationWorkflow.declare_resolution,
    Action.VERIFY_RESOLUTION: EscalationWorkflow.verify_resolution,
    Action.CONFIRM_CUSTOMER_ACCESS: EscalationWorkflow.confirm_customer_access,
    Action.SUBMIT_INTERNAL_RCA: EscalationWorkflow.submit_internal_rca,
    Action.SHARE_CUSTOMER_RCA: EscalationWorkflow.share_customer_rca,
    Action.CANCEL: EscalationWorkflow.cancel,
    Action.ACKNOWLEDGE_COMPLAINT: EscalationWorkflow.acknowledge_complaint,
    Action.RESOLVE_EARLY: EscalationWorkflow.resolve_early,
    Action.SEND_DELAY_NOTICE: EscalationWorkflow.send_delay_notice,
    Action.SEND_IDR_RESPONSE: EscalationWorkflow.send_idr_response,
    Action.PAUSE: EscalationWorkflow.pause,
    Action.RESUME: EscalationWorkflow.resume,
    Action.RETRIAGE: EscalationWorkflow.retriage,
    Action.DEESCALATE: EscalationWorkflow.deescalate,
    Action.MERGE: EscalationWorkflow.merge,
    Action.ADD_NOTE: EscalationWorkflow.add_note,
})

# Social intake's update (not a lifecycle action: no entry in UPDATES), typed the same way.
ATTACH_POSTS = cast(Update, EscalationWorkflow.attach_posts)
