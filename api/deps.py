"""Request parts shared by routes: the escalation id in the path, If-Match and Idempotency-Key."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Path

from api.problems import bad_request, not_found
from domain.ids import is_escalation_id

_VERSION = re.compile(r'(?:"(\d{1,18})"|(\d{1,18}))')


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
