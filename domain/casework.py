"""Inputs of merging duplicates and internal notes (issue 22), and of the update a surviving
escalation receives from a duplicate (`absorb_duplicate`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from domain.ids import is_escalation_id
from domain.inputs import Strict
from domain.models import (
    ActionInput,
    Actor,
    AffectedCustomer,
    Message,
    OptionalLongText,
    Recipient,
    RecordId,
    Source,
    Tag,
)

# The escalation workflow's update that takes in a duplicate (not a lifecycle action: only a
# duplicate's own workflow sends it, through an activity), so its name is not an `Action`.
ABSORB_DUPLICATE_UPDATE = "absorb_duplicate"


def _escalation_id(value: str) -> str:
    if not is_escalation_id(value):
        raise ValueError("not an escalation id (esc- and 26 characters)")
    return value


EscalationIdText = Annotated[str, Field(min_length=1, max_length=64),
                             AfterValidator(_escalation_id)]


class MergeInput(ActionInput):
    """Close this escalation as a duplicate of `into`; what it holds joins `into`."""

    into: EscalationIdText
    note: OptionalLongText = ""


class NoteInput(ActionInput):
    """An internal note; `@name` of a team contact notifies that contact once."""

    text: Message


class AbsorbInput(Strict):
    """What a duplicate hands the escalation it merges into: everything that must survive it.

    Idempotent by `duplicate_id`: the survivor takes in each duplicate once."""

    actor: Actor
    duplicate_id: EscalationIdText
    duplicate_title: Annotated[str, Field(max_length=200)] = ""
    note: OptionalLongText = ""
    affected_customers: list[AffectedCustomer] = []
    affected_services: list[Tag] = []
    related_records: list[RecordId] = []
    problem_records: list[RecordId] = []
    stakeholders: list[Recipient] = []
    tags: list[Tag] = []
    source: Source | None = None  # the post or message the duplicate was opened from
    # Duplicates it had taken in itself before it was merged: they now live here too.
    absorbed: list[str] = []


class AbsorbRequest(Strict):
    """The absorb_duplicate activity: the survivor to send the update to, and its input."""

    into: str
    update_id: str
    absorb: AbsorbInput
