"""POST /v1/triage: classify a post; with ?create=true, open the escalation it calls for."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.auth import Triager
from api.deps import EscalationsDep, IdempotencyKey, PolicyDep
from api.http.problems import forbidden, responses
from domain.enums import Role
from domain.models import EscalationView
from domain.triage import TriageInput, TriageResult, to_create_input, triage

router = APIRouter(tags=["triage"])


@router.post(
    "/v1/triage",
    response_model=None,
    responses={200: {"model": TriageResult, "description": "The classification"},
               201: {"model": EscalationView,
                     "description": "create=true and should_escalate: the new escalation"},
               **responses(400, 401, 403, 409, 413, 422, 503)},
)
async def triage_post(
    actor: Triager,
    escalations: EscalationsDep,
    policy: PolicyDep,
    body: TriageInput,
    response: Response,
    create: bool = False,
    idempotency_key: IdempotencyKey = None,
) -> TriageResult | EscalationView:
    """Classify a post or message; with create=true, also open the escalation if it should."""
    if create and actor.role is not Role.INCIDENT_MANAGER:
        raise forbidden(f"Role {actor.role.value} may triage but not create escalations.")
    prior = (await escalations.prior_escalations(body.customer.id)
             if body.customer is not None else 0)
    result = triage(policy.policy, body, prior_escalations=prior)
    if not (create and result.should_escalate):
        return result
    opened = await escalations.open(to_create_input(body, result), actor=actor,
                                    idempotency_key=idempotency_key)
    response.status_code = 201 if opened.created else 200
    response.headers["Location"] = opened.escalation.links.self
    response.headers["ETag"] = f'"{opened.escalation.version}"'
    return opened.escalation
