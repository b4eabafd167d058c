"""POST /v1/integrations/slack/actions with requests signed in the test exactly as Slack signs
them (v0: HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret), against
a real dev server: an Acknowledge click acknowledges once, and every refusal changes nothing.

On SQLite only: the store is not what these tests are about.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from credentials.api_keys import add_key
from domain.enums import Role
from tests.integration.api_fixtures import ApiStack, api_stack

pytestmark = pytest.mark.integration

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the form Slack's app settings show
ENGINEER_SLACK, VIEWER_SLACK, STRANGER_SLACK = "U0ENGINEER", "U0VIEWER", "U0NOBODY"


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[ApiStack]:
    secret = {"slack_signing_secret": SecretStr(SIGNING_SECRET)}
    async with api_stack(dev_env, tmp_path, database_url=f"sqlite:///{tmp_path / 'store.db'}",
                         settings_changes=secret) as stack:
        # The keys file is read at start-up: these were written with the others, before it.
        yield stack


@pytest.fixture(autouse=True)
def slack_people(tmp_path: Path) -> None:
    """Keys for a mapped engineer and a mapped viewer, written before the API starts."""
    keys = tmp_path / "api-keys.toml"
    add_key(keys, "erin", Role.ENGINEER, slack_user_id=ENGINEER_SLACK)
    add_key(keys, "val", Role.VIEWER, slack_user_id=VIEWER_SLACK)


def click(escalation_id: str, user: str, *, action_ts: str | None = None) -> bytes:
    """The form body Slack posts for a block_actions click on our Acknowledge button."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM", "domain": "acme"},
        "api_app_id": "A0APP",
        "trigger_id": f"{uuid.uuid4().int}.123.abc",
        "response_url": "https://hooks.slack.invalid/actions/T0TEAM/1/xyz",
        "container": {"type": "message", "message_ts": "1700000000.000100"},
        "actions": [{"action_id": "acknowledge", "block_id": f"escalation:{escalation_id}",
                     "type": "button", "value": escalation_id,
                     "text": {"type": "plain_text", "text": "Acknowledge"},
                     "action_ts": action_ts or f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def signed(body: bytes, *, secret: str = SIGNING_SECRET, at: float | None = None
           ) -> dict[str, str]:
    """Slack's headers, computed here the way Slack documents it, independently of the API."""
    timestamp = str(int(at if at is not None else time.time()))
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


async def post(api: ApiStack, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    answer = await api.http.post("/v1/integrations/slack/actions", content=body, headers=headers)
    assert answer.status_code == 200, answer.text  # Slack wants a 200, refusals included
    found: dict[str, Any] = answer.json()
    return found


async def written(api: ApiStack, escalation_id: str) -> tuple[int, int, str | None]:
    """Version, timeline length and owner: what any change would move."""
    view = (await api.get(f"/v1/escalations/{escalation_id}")).json()
    timeline = (await api.get(f"/v1/escalations/{escalation_id}/timeline")).json()["items"]
    return view["version"], len(timeline), view["owner"]


async def test_a_signed_acknowledge_from_a_mapped_engineer_acknowledges_once(api: ApiStack
                                                                             ) -> None:
    opened = await api.open()
    body = click(opened["id"], ENGINEER_SLACK)

    answer = await post(api, body, signed(body))
    assert answer["response_type"] == "ephemeral"
    assert "You acknowledged" in answer["text"]
    after_first = await written(api, opened["id"])
    assert after_first[2] == "erin"

    again = await post(api, body, signed(body))  # Slack delivers the same request again
    assert "You acknowledged" in again["text"]
    assert await written(api, opened["id"]) == after_first
    timeline = (await api.get(f"/v1/escalations/{opened['id']}/timeline")).json()["items"]
    assert [e["actor"] for e in timeline if e["type"] == "acknowledged"] == ["erin"]


@pytest.mark.parametrize(("case", "expected"), [
    ("bad signature", "signature does not match"),
    ("old timestamp", "older than five minutes"),
    ("unmapped user", "not linked"),
    ("viewer", "may not acknowledge"),
])
async def test_a_refused_click_answers_ephemerally_and_changes_nothing(
    api: ApiStack, case: str, expected: str
) -> None:
    opened = await api.open()
    before = await written(api, opened["id"])
    user = {"unmapped user": STRANGER_SLACK, "viewer": VIEWER_SLACK}.get(case, ENGINEER_SLACK)
    body = click(opened["id"], user)
    headers = {
        "bad signature": signed(body, secret="not-the-apps-secret"),
        "old timestamp": signed(body, at=time.time() - 6 * 60),
    }.get(case, signed(body))

    answer = await post(api, body, headers)

    assert answer["response_type"] == "ephemeral"
    assert expected in answer["text"]
    assert "Nothing was changed" in answer["text"]
    assert await written(api, opened["id"]) == before


async def test_a_click_on_open_in_console_is_acknowledged_with_nothing_to_say(api: ApiStack
                                                                              ) -> None:
    opened = await api.open()
    body = click(opened["id"], ENGINEER_SLACK).replace(b"acknowledge", b"open_console")
    answer = await api.http.post("/v1/integrations/slack/actions", content=body,
                                 headers=signed(body))
    assert (answer.status_code, answer.content) == (200, b"")
    assert (await written(api, opened["id"]))[2] is None
