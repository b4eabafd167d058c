"""My tasks: the RCA tasks assigned to the signed-in person (their key's name or an alias),
overdue first; one task's page with its form, the internal RCA beside the customer one, and a
preview of the message customers will receive."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.auth import CsrfChecked, TaskHolder
from api.console.forms import FORMS, FormState, actions_for, multi, title
from api.console.render import page
from api.deps import KeysDep, PolicyDep, ReadsDep
from api.http.masking import for_role
from api.http.problems import not_found
from domain.enums import Action, RcaKind, Role, TimelineType
from domain.ids import is_escalation_id
from domain.models import Actor, EscalationView, RcaTask
from domain.recipients import customer_preview

router = APIRouter()
TASK_ACTIONS = {RcaKind.INTERNAL: Action.SUBMIT_INTERNAL_RCA,
                RcaKind.CUSTOMER: Action.SHARE_CUSTOMER_RCA}
_RCA = ".rca."


@router.get("/console/tasks")
async def my_tasks(
    request: Request, user: TaskHolder, reads: ReadsDep, keys: KeysDep,
    who: Annotated[str, Query(pattern="^(me|all)$")] = "me",
    done: Annotated[bool, Query()] = False,
) -> Response:
    """My RCA tasks, overdue first; incident managers may list everyone's."""
    everyone = who == "all" and user.role is Role.INCIDENT_MANAGER
    names = None if everyone else keys.names_of(user.name)
    tasks = await reads.rca_tasks(user.role, status=None, kind=None, assignee=None,
                                  assignees=names)
    shown = [t for t in tasks if done or t.submitted_at is None]
    return page(request, "tasks.html", {"tasks": shown, "everyone": everyone, "done": done,
                                        "names": names or ()})


def _split(task_id: str) -> tuple[str, RcaKind]:
    escalation_id, _, kind = task_id.partition(_RCA)
    if not is_escalation_id(escalation_id) or kind not in {k.value for k in RcaKind}:
        raise not_found(f"No RCA task {task_id[:120]!r}.")
    return escalation_id, RcaKind(kind)


async def _task(reads: ReadsDep, user: Actor, task_id: str) -> tuple[EscalationView, RcaTask]:
    escalation_id, kind = _split(task_id)
    view = for_role((await reads.escalation(escalation_id)).escalation, user.role)
    task = view.rca.internal if kind is RcaKind.INTERNAL else view.rca.customer
    if task is None:
        raise not_found(f"No RCA task {task_id}.")
    return view, task


@router.get("/console/tasks/from/{notification_id}")
async def task_from_message(_user: TaskHolder, reads: ReadsDep, notification_id: str
                            ) -> Response:
    """The link of an RCA-task message: the task it announced."""
    escalation_id, _, rest = notification_id.partition(".")
    _event, _, numbers = rest.partition(".")
    seq_text = numbers.partition(".")[0]
    if not is_escalation_id(escalation_id) or not seq_text.isdigit() or len(seq_text) > 9:
        raise not_found(f"No task for {notification_id[:120]!r}.")
    entries, _ = await reads.history(escalation_id)
    entry = next((e for e in entries if e.seq == int(seq_text)
                  and e.type is TimelineType.RCA_REQUESTED), None)
    kind = entry.details.get("kind") if entry is not None else None
    if kind not in {k.value for k in RcaKind}:
        raise not_found(f"No task for {notification_id[:120]!r}.")
    return RedirectResponse(f"/console/tasks/{escalation_id}{_RCA}{kind}", status_code=303)


@router.get("/console/tasks/{task_id}")
async def task_page(request: Request, user: TaskHolder, reads: ReadsDep, policy: PolicyDep,
                    task_id: str, done: Annotated[str | None, Query(max_length=60)] = None
                    ) -> Response:
    """One RCA task: its form (when the person may act on it now) and what it builds on."""
    view, task = await _task(reads, user, task_id)
    action = TASK_ACTIONS[task.kind]
    may = action in actions_for(view, user.role)
    return page(request, "task.html", {
        "view": view, "task": task, "action": action, "title": title(action),
        "spec": FORMS[action], "state": FormState(action), "may": may, "done": done,
        "now": datetime.now(UTC),
        "preview": None,
        "template": policy.policy.templates.rca_shared,
    })


@router.post("/console/tasks/{task_id}/preview", dependencies=[CsrfChecked])
async def preview(request: Request, user: TaskHolder, reads: ReadsDep, policy: PolicyDep,
                  task_id: str) -> Response:
    """The message customers will receive with this summary (a partial for htmx)."""
    view, _ = await _task(reads, user, task_id)
    summary = (multi(await request.form()).get("summary") or [""])[0].strip()
    text = customer_preview(policy.policy.templates.rca_shared, view, summary=summary)
    return page(request, "_preview.html", {"preview": text if summary else None})
