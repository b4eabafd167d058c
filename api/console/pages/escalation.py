"""The escalation page: facts, clocks, plan, timeline, presence, and the forms the person may
use now. Its parts refresh through htmx (`_live.html`, `_presence.html`), each part also the
same URL as the full page."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response
from temporalio.service import RPCError

from api.console.auth import Viewer
from api.console.forms import (
    FORMS,
    REPLYING,
    FormState,
    action_named,
    actions_for,
    activity_words,
    title,
    with_saved_replies,
)
from api.console.render import page
from api.deps import EscalationId, PolicyDep, ReadsDep
from api.http.masking import delivery_for_role, for_role
from api.services.presence import VIEWING, PresenceBoard
from domain.clocks import clocks
from domain.enums import Role
from domain.errors import DomainError
from domain.models import Actor
from store.queries import DeliveryItem

router = APIRouter()
LIVE = "live"
# Engineers read every history in the Temporal UI; incident managers follow them there.
TEMPORAL_UI_ROLES = frozenset({Role.ENGINEER, Role.INCIDENT_MANAGER})
# Posts shown on the page; the rest are one API call away (GET .../sources?limit=500).
SOURCE_POSTS = 20


async def escalation_context(
    *, user: Actor, reads: ReadsDep, policy: PolicyDep, escalation_id: str,
    form: FormState | None = None, changed_since: int | None = None,
) -> dict[str, Any]:
    """Everything the page shows; `form` is a form to show as the person left it, and
    `changed_since` the last timeline entry they had seen (a 412: what changed since)."""
    found = await reads.escalation(escalation_id)
    view = for_role(found.escalation, user.role)
    entries, deliveries = await reads.history(escalation_id)
    by_seq: dict[int | None, list[DeliveryItem]] = defaultdict(list)
    for delivery in deliveries:
        by_seq[delivery.seq].append(delivery_for_role(delivery, user.role))
    now = datetime.now(UTC)
    actions = actions_for(view, user.role)
    replies = await _reply_names(reads, escalation_id) if REPLYING & set(actions) else []
    forms = [
        {"action": action, "title": title(action),
         "spec": with_saved_replies(FORMS[action], replies) if action in REPLYING
         else FORMS[action],
         "state": form if form is not None and form.action is action else FormState(action)}
        for action in actions
    ]
    if form is not None and form.action not in actions:
        # Refused or overtaken: keep what the person typed in front of them anyway.
        forms.insert(0, {"action": form.action, "title": title(form.action),
                         "spec": FORMS[form.action], "state": form})
    return {
        "view": view,
        "source": found.source,
        "clocks": clocks(view, now=now, warn_share=policy.policy.sla(view.priority).warn_at),
        "entries": entries,
        "deliveries": by_seq,
        "last_seq": entries[-1].seq if entries else 0,
        "forms": forms,
        "changed": [e for e in entries if changed_since is not None and e.seq > changed_since],
        "conflict": changed_since is not None,
        "temporal_ui": view.links.temporal_ui if user.role in TEMPORAL_UI_ROLES else None,
    }


async def _reply_names(reads: ReadsDep, escalation_id: str) -> list[str]:
    """The saved replies the forms offer; none when the workflow cannot say (the page shows
    the stored state then, and a message can still be typed)."""
    try:
        return [r.name for r in await reads.saved_replies(escalation_id)]
    except (DomainError, RPCError):
        return []


@router.get("/console/escalations/{escalation_id}")
async def escalation(
    request: Request, user: Viewer, reads: ReadsDep, policy: PolicyDep,
    escalation_id: EscalationId,
    done: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    """One escalation and what the person may do with it now."""
    context = await escalation_context(user=user, reads=reads, policy=policy,
                                       escalation_id=escalation_id)
    context["done"] = title_of(done)
    if request.headers.get("HX-Target") == LIVE:
        return page(request, "_live.html", context)
    # Posts change rarely and are read once per visit, not on every 10 s refresh.
    context["sources"] = await reads.sources(escalation_id, limit=SOURCE_POSTS)
    return page(request, "escalation.html", context)


def title_of(action_name: str | None) -> str | None:
    action = action_named(action_name or "")
    return title(action) if action is not None else None


@router.get("/console/escalations/{escalation_id}/presence")
async def presence(
    request: Request, user: Viewer, escalation_id: EscalationId,
    activity: Annotated[str, Query(max_length=60, pattern=r"^[a-z_:]*$")] = VIEWING,
) -> Response:
    """Note this person on the page; who else is on it (within the last 30 s)."""
    board: PresenceBoard = request.app.state.presence
    others = await board.touch(escalation_id, user.name, activity or VIEWING)
    people = [{"name": p.person, "doing": activity_words(p.activity)} for p in others]
    return page(request, "_presence.html", {"people": people, "escalation_id": escalation_id})
