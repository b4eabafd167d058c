"""Request dependencies as `Annotated` aliases: what the lifespan built (settings, Temporal, the
store, the policy, the keys and the services routes call) and the request parts routes share
(the escalation id in the path, If-Match, Idempotency-Key).

Every dependency is `async def`: FastAPI runs a plain `def` one on its thread pool, a hop per
dependency per request for a lookup that takes microseconds.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from api.http.problems import bad_request, not_found
from api.services.escalations import Escalations
from api.services.intake import Intake
from api.services.policy import ActivePolicy
from api.services.reads import Reads
from api.services.slack import SlackActions
from api.services.store import StoreReader
from api.services.temporal import TemporalGateway
from config.settings import Settings
from credentials.api_keys import KeyRing
from domain.ids import is_escalation_id

_VERSION = re.compile(r'(?:"(\d{1,18})"|(\d{1,18}))')


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _temporal(request: Request) -> TemporalGateway:
    temporal: TemporalGateway = request.app.state.temporal
    return temporal


async def _store(request: Request) -> StoreReader:
    store: StoreReader = request.app.state.store
    return store


async def _policy(request: Request) -> ActivePolicy:
    policy: ActivePolicy = request.app.state.policy
    return policy


async def _keys(request: Request) -> KeyRing:
    keys: KeyRing = request.app.state.keys
    return keys


async def _escalations(request: Request) -> Escalations:
    escalations: Escalations = request.app.state.escalations
    return escalations


async def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake
async def _slack(request: Request) -> SlackActions:
    slack: SlackActions = request.app.state.slack
    return slack


async def _reads(request: Request) -> Reads:
    reads: Reads = request.app.state.reads
    return reads


SettingsDep = Annotated[Settings, Depends(_settings)]
TemporalDep = Annotated[TemporalGateway, Depends(_temporal)]
StoreDep = Annotated[StoreReader, Depends(_store)]
PolicyDep = Annotated[ActivePolicy, Depends(_policy)]
KeysDep = Annotated[KeyRing, Depends(_keys)]
EscalationsDep = Annotated[Escalations, Depends(_escalations)]
ReadsDep = Annotated[Reads, Depends(_reads)]
IntakeDep = Annotated[Intake, Depends(_intake)]
SlackActionsDep = Annotated[SlackActions, Depends(_slack)]


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: 7` or `"7"` -> 7; `*` (any current version) or no header -> None.

    Weak validators (W/"7") and lists are refused: a version check needs one exact version.
    """
    if value is None:
        return None
    text = value.strip()
    if text == "*":
        return None
    match = _VERSION.fullmatch(text)
    if match is None:
        raise bad_request(
            f"If-Match must be one version number, like 7 or \"7\"; got {value[:40]!r}."
        )
    return int(match.group(1) or match.group(2))


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match",
               description='The version you last saw (7 or "7"): a stale one answers 412.'),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


async def path_escalation_id(
    escalation_id: Annotated[str, Path(description="An escalation id, esc-…")],
) -> str:
    # A malformed id names nothing: 404 (not 422), as for any unknown resource.
    if not is_escalation_id(escalation_id):
        raise not_found(f"No escalation {escalation_id[:80]!r}: ids look like esc-01j9….")
    return escalation_id


ExpectedVersion = Annotated[int | None, Depends(expected_version)]
EscalationId = Annotated[str, Depends(path_escalation_id)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retries with the same key and body return the same escalation (200).",
    ),
]
