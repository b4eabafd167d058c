"""Buttons clicked in our Slack messages (POST /v1/integrations/slack/actions).

Slack signs each request (v0 HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's signing
secret). A request that is not signed with our secret, or older than five minutes, is refused;
so is a Slack member the keys file does not map to a person (`slack_user_id`), and a person
whose role may not take the action. Every refusal answers Slack with an ephemeral message
(only the clicker sees it) and changes nothing. An accepted click goes through the same action
layer as the API (`Escalations.act`), under an update id derived from the click, so a request
Slack (or anyone) delivers twice acknowledges once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from pydantic import SecretStr

from api.services.escalations import Escalations
from api.services.roles import ensure_role
from credentials.api_keys import KeyRing
from domain.enums import Action
from domain.errors import DomainError
from domain.ids import is_escalation_id
from domain.models import AcknowledgeInput

TOLERANCE_SECONDS = 5 * 60  # Slack's own advice: refuse requests older than five minutes
ACKNOWLEDGE = "acknowledge"  # action_id of the button (activities/channels/slack.py)
OPEN_CONSOLE = "open_console"  # a link button: Slack reports the click, the browser does the rest


@dataclass(frozen=True)
class SlackAnswer:
    """The JSON body Slack gets with HTTP 200; None for a bare 200 (nothing to say)."""

    body: dict[str, Any] | None


def ephemeral(text: str) -> SlackAnswer:
    return SlackAnswer({"response_type": "ephemeral", "replace_original": False, "text": text})


def signature_problem(secret: str, *, body: bytes, timestamp: str | None, signature: str | None,
                      now: float) -> str | None:
    """Why the request is not Slack's, or None when it is (Slack's "verifying requests")."""
    if not timestamp or not signature:
        return "the request carries no Slack signature"
    try:
        sent = int(timestamp)
    except ValueError:
        return "the request's timestamp is not a number"
    if abs(now - sent) > TOLERANCE_SECONDS:
        return "the request is older than five minutes (or the clocks disagree)"
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        return "the request's signature does not match"
    return None


def _payload(body: bytes) -> dict[str, Any] | None:
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True)
        found = json.loads(fields["payload"][0])
    except (UnicodeDecodeError, ValueError, KeyError, IndexError):
        return None
    return found if isinstance(found, dict) else None


def update_id(payload: dict[str, Any], action: dict[str, Any]) -> str:
    """The same click, however often delivered, is one update (Temporal runs an id once)."""
    user = payload.get("user") or {}
    team = payload.get("team") or {}
    parts = [str(team.get("id", "")), str(user.get("id", "")), str(action.get("action_id", "")),
             str(action.get("value", "")), str(action.get("action_ts", ""))]
    return "slack-" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


class SlackActions:
    def __init__(self, *, signing_secret: SecretStr | None, keys: KeyRing,
                 escalations: Escalations, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret
        self._keys = keys
        self._escalations = escalations
        self._clock = clock

    async def handle(self, body: bytes, *, timestamp: str | None, signature: str | None
                     ) -> SlackAnswer:
        if self._secret is None:
            return ephemeral("Slack actions are not set up on this server (SLACK_SIGNING_SECRET "
                             "is not configured); nothing was changed.")
        problem = signature_problem(self._secret.get_secret_value(), body=body,
                                    timestamp=timestamp, signature=signature, now=self._clock())
        if problem is not None:
            return ephemeral(f"Refused: {problem}. Nothing was changed.")
        payload = _payload(body)
        actions = payload.get("actions") if payload else None
        if payload is None or payload.get("type") != "block_actions" or not actions:
            return ephemeral("Refused: not a button click this server knows. Nothing was changed.")
        action = actions[0] if isinstance(actions[0], dict) else {}
        if action.get("action_id") == OPEN_CONSOLE:
            return SlackAnswer(None)
        if action.get("action_id") != ACKNOWLEDGE:
            return ephemeral(f"Refused: unknown action {str(action.get('action_id'))[:40]!r}. "
                             "Nothing was changed.")
        return await self._acknowledge(payload, action)

    async def _acknowledge(self, payload: dict[str, Any], action: dict[str, Any]) -> SlackAnswer:
        escalation_id = str(action.get("value", ""))
        if not is_escalation_id(escalation_id):
            return ephemeral("Refused: the button names no escalation. Nothing was changed.")
        slack_user = str((payload.get("user") or {}).get("id", ""))
        actor = self._keys.by_slack_user(slack_user)
        if actor is None:
            return ephemeral(f"Refused: your Slack user ({slack_user[:40]}) is not linked to a "
                             "person here; ask an administrator to add your slack_user_id to "
                             "the keys file. Nothing was changed.")
        try:
            ensure_role(actor, Action.ACKNOWLEDGE)
            view = await self._escalations.act(
                escalation_id, Action.ACKNOWLEDGE, AcknowledgeInput(), actor=actor,
                expected_version=None, update_id=update_id(payload, action))
        except DomainError as error:
            return ephemeral(f"Refused: {error} Nothing was changed.")
        return ephemeral(f"You acknowledged {view.title} ({view.id}); the owner is "
                         f"{view.owner}.")
