"""A form posted from the escalation page: the action through the same service as the API.

Refusals come back inline on the page with the service's own words: the role's 403 text, the
stage's 409, the model's 422 per field, and on a stale version (412) what changed since the
page was loaded, with what the person typed kept for a second try on the new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from api.console.auth import CsrfChecked, Viewer, safe_next
from api.console.forms import FORMS, FormState, action_named, multi, problems_by_field
from api.console.pages.escalation import escalation_context
from api.console.render import page
from api.deps import EscalationId, EscalationsDep, PolicyDep, ReadsDep
from api.http.problems import not_found
from api.services.escalations import Escalations
from api.services.roles import ensure_role
from domain.enums import Action
from domain.errors import (
    ActionNotAllowed,
    InvalidAction,
    InvalidInput,
    RoleNotAllowed,
    VersionConflict,
)
from domain.forms import field_messages, form_values
from domain.lifecycle import INPUTS
from domain.models import Actor

router = APIRouter()


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


@dataclass
class Refused:
    """An action that did not happen: the HTTP status, and the form as the person left it."""

    status: int
    form: FormState
    changed_since: int | None = None  # a 412: the last timeline entry the page had shown


async def attempt(escalations: Escalations, escalation_id: str, action: Action,
                  typed: dict[str, list[str]], user: Actor) -> Refused | None:
    """Run the action as the API would; None when it was done."""
    state = FormState(action, typed)
    try:
        ensure_role(user, action)  # the API's gate, before the body is even read
        command = INPUTS[action].model_validate(form_values(FORMS[action], typed))
        await escalations.act(escalation_id, action, command, actor=user,
                              expected_version=_number(typed.get("version", [""])[0]))
    except ValidationError as error:
        state.errors = field_messages(FORMS[action], error.errors())
        return Refused(422, state)
    except RoleNotAllowed as error:
        state.message = str(error)
        return Refused(403, state)
    except ActionNotAllowed as error:
        state.message = str(error)
        return Refused(409, state)
    except VersionConflict as error:
        state.message = (
            f"Someone changed this escalation since you loaded it (now version "
            f"{error.current_version}). What changed is shown above; your text is kept "
            "below: check it and send it again.")
        return Refused(412, state, _number(typed.get("seen_seq", [""])[0]) or 0)
    except InvalidAction as error:
        state.message = str(error)
        return Refused(422, state)
    except InvalidInput as error:
        state.errors, state.message = problems_by_field(error), str(error)
        return Refused(422, state)
    return None


@router.post("/console/escalations/{escalation_id}/actions/{action_name}",
             dependencies=[CsrfChecked])
async def act(
    request: Request, user: Viewer, escalations: EscalationsDep, reads: ReadsDep,
    policy: PolicyDep, escalation_id: EscalationId, action_name: str,
) -> Response:
    """Take one action; back to the page (or `next`) once done, else the page with why."""
    action = action_named(action_name)
    if action is None:
        raise not_found(f"No action {action_name[:60]!r}.")
    typed = multi(await request.form())
    refused = await attempt(escalations, escalation_id, action, typed, user)
    if refused is None:
        target = safe_next(typed["next"][0]) if typed.get("next") else (
            f"/console/escalations/{escalation_id}?done={action.value}")
        return RedirectResponse(target, status_code=303)
    context = await escalation_context(user=user, reads=reads, policy=policy,
                                       escalation_id=escalation_id, form=refused.form,
                                       changed_since=refused.changed_since)
    return page(request, "escalation.html", {**context, "done": None}, status=refused.status)
