"""The lifecycle: which action each stage allows, who may take it, and what it does.

`apply` decides; the workflow only sequences the Transition it returns (STYLE rule 2).
- `rules`: the tables (`ALLOWED`, `ROLES`, `INPUTS`, `ACTION_OF`) and the validators' check.
- `sla`: deadline arithmetic from the policy snapshot.
- `opening`: intake, the start stage. `actions`: `apply` and the working-stage handlers.
- `closing`: records closed, the RCA hand-off, close and cancel.
- `records`: related records in their own systems (linked, closed, problem records).
- `steps`: what actions and fired timers (`domain.timers`) share. `delivery`: a failed delivery.
- `complaints`, `complaint_rules`: the complaint record's actions (RG 271) and when they are
  allowed; its clocks are `domain.complaint_timers`.
- `attaching`: posts that join an open escalation (social intake); an update, not an action.
- `gates`: the owners and clocks of verification and customer-access confirmation.
- `pausing`: the SLA clocks paused and resumed (issue 22); `retriaging`: re-triage and
  de-escalation.
- `merging`: a duplicate merged into another escalation (issue 22): the survivor's
  `absorb_duplicate` update (not an action) and the duplicate's `merge` action.
- `notes`: internal notes and their @mentions. `replies`: the policy's saved replies that fit
  an escalation, and the text a notice or status update sends when it names one.

A new action touches:
1. `domain/enums.py`: an `Action` member. Its value is the workflow update's name.
2. `domain/models.py`: its `...Input(ActionInput)` model.
3. `rules.py`: its stages in `ALLOWED`, its roles in `ROLES`, its input in `INPUTS`; a sub-state
   precondition in `_precondition_holds` with its 409 text in `_why_not`; checks on the
   input's content at the end of `ensure_allowed`; an action that notifies an audience the
   caller chooses, in `ensure_reachable`.
4. `actions.py`: a handler and an arm of `apply`'s `match` (a close-stage action's handler goes in
   `closing.py`).
5. `workflows/action_updates.py`: a `@workflow.update` of that name calling `_act`, and its
   validator calling `_validate`; `workflows/updates.py`: the entry in `UPDATES` the API sends
   through.
6. `api/routes/actions.py`: its path segment in `PATHS` and a route calling `_act`. An input that
   carries addresses also needs the host check and sealing in `Escalations.act`
   (`api/services/escalations.py`).
7. The tests that list every action: `BODIES` in `tests/unit/api/test_role_matrix.py` and
   `API_ROLES` in `tests/unit/domain/test_lifecycle.py`.
8. The console draws the action's form from its input model by itself (domain/forms.py); its
   button words go in `WORDS` (api/console/forms.py).
"""

from domain.lifecycle.actions import apply
from domain.lifecycle.attaching import attach_posts, ensure_attachable
from domain.lifecycle.closing import records_closed
from domain.lifecycle.delivery import notification_failed
from domain.lifecycle.opening import intake
from domain.lifecycle.records import enter_close, request_links, request_problem_record, work_done
from domain.lifecycle.rules import (
    ACTION_OF,
    ALLOWED,
    INPUTS,
    ROLES,
    allowed_actions,
    ensure_allowed,
    ensure_reachable,
)

__all__ = [
    "ACTION_OF",
    "ALLOWED",
    "INPUTS",
    "ROLES",
    "allowed_actions",
    "apply",
    "attach_posts",
    "ensure_allowed",
    "ensure_attachable",
    "ensure_reachable",
    "enter_close",
    "intake",
    "notification_failed",
    "records_closed",
    "request_links",
    "request_problem_record",
    "work_done",
]
