"""New escalation: the create form, validated as the API validates it, and the triage result
of the post text previewed as the person types (the same `triage` as POST /v1/triage)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from api.console.auth import Creator, CsrfChecked
from api.console.forms import CREATE_FORM, multi, problems_by_field
from api.console.render import page
from api.deps import EscalationsDep, PolicyDep
from domain.errors import InvalidInput
from domain.forms import field_messages, form_values
from domain.models import CreateEscalationInput
from domain.triage import TriageInput, triage

router = APIRouter()
KEY_FIELD = "idempotency_key"


def _form(request: Request, typed: dict[str, list[str]], errors: dict[str, list[str]],
          *, status: int = 200, message: str | None = None) -> Response:
    key = (typed.get(KEY_FIELD) or [""])[0] or uuid.uuid4().hex
    return page(request, "new.html", {"spec": CREATE_FORM, "typed": typed, "errors": errors,
                                      "key": key, "message": message}, status=status)


@router.get("/console/escalations/new")
async def new_form(request: Request, _user: Creator) -> Response:
    """The create form."""
    return _form(request, {}, {})


@router.post("/console/escalations/new", dependencies=[CsrfChecked])
async def create(request: Request, user: Creator, escalations: EscalationsDep) -> Response:
    """Open the escalation; its page next. The form's key makes a double submit open one."""
    typed = multi(await request.form())
    try:
        body = CreateEscalationInput.model_validate(form_values(CREATE_FORM, typed))
        key = (typed.get(KEY_FIELD) or [""])[0][:200] or None
        opened = await escalations.open(body, actor=user, idempotency_key=key and f"console-{key}")
    except ValidationError as error:
        return _form(request, typed, field_messages(CREATE_FORM, error.errors()), status=422)
    except InvalidInput as error:
        return _form(request, typed, problems_by_field(error), status=422, message=str(error))
    return RedirectResponse(f"/console/escalations/{opened.escalation.id}", status_code=303)


@router.post("/console/escalations/new/triage", dependencies=[CsrfChecked])
async def triage_preview(request: Request, _user: Creator, escalations: EscalationsDep,
                         policy: PolicyDep) -> Response:
    """What triage makes of the post text so far (a partial for htmx)."""
    typed = multi(await request.form())
    text = " ".join(t for t in (typed.get("title", [""])[0], typed.get("description", [""])[0])
                    if t.strip())
    result = None
    if text.strip():
        customer_id = typed.get("customer.id", [""])[0].strip()
        prior = await escalations.prior_escalations(customer_id) if customer_id else 0
        try:
            result = triage(policy.policy, TriageInput(text=text[:10_000]),
                            prior_escalations=prior)
        except ValidationError:
            result = None
    return page(request, "_triage.html", {"result": result})
