"""Saved replies for one escalation: the ones that fit it, rendered with its placeholders, and
the text a notice or status update sends when it names one (`saved_reply`)."""

from __future__ import annotations

from pydantic import BaseModel

from domain import recipients as to
from domain.enums import Audience, Category
from domain.errors import FieldProblem, InvalidInput
from domain.models import NoticeInput, StatusUpdateInput
from domain.saved_replies import SavedReply
from domain.state import EscalationState


class RenderedReply(BaseModel):
    """A saved reply as the API lists it: its text filled in for this escalation."""

    name: str
    audiences: list[Audience]
    categories: list[Category]
    tags: list[str]
    text: str


def fitting(state: EscalationState) -> list[RenderedReply]:
    """The policy's saved replies that fit the escalation's category and tags, rendered."""
    return [RenderedReply(name=r.name, audiences=r.audiences, categories=r.categories,
                          tags=r.tags, text=to.fill(r.text, state))
            for r in state.policy.saved_replies if r.fits(state.category, state.tags)]


def _find(state: EscalationState, name: str) -> SavedReply | None:
    return next((r for r in state.policy.saved_replies if r.name == name), None)


def reply_problems(state: EscalationState, command: NoticeInput | StatusUpdateInput
                   ) -> list[FieldProblem]:
    """Why the named saved reply cannot be sent (unknown, or not for a chosen audience)."""
    name = command.saved_reply
    if name is None:
        return []
    reply = _find(state, name)
    if reply is None:
        known = ", ".join(r.name for r in state.policy.saved_replies) or "none"
        return [FieldProblem(field="saved_reply",
                             message=f"no saved reply {name!r} in the policy (known: {known})")]
    barred = [a.value for a in command.audiences if a not in reply.audiences]
    if barred:
        return [FieldProblem(field="saved_reply", message=f"saved reply {name!r} is not for "
                             f"{', '.join(barred)} (it is for "
                             f"{', '.join(a.value for a in reply.audiences)})")]
    return []


def ensure_reply_usable(state: EscalationState, command: NoticeInput | StatusUpdateInput
                        ) -> None:
    problems = reply_problems(state, command)
    if problems:
        raise InvalidInput("The saved reply cannot be sent.", problems=problems)


def message_of(state: EscalationState, command: NoticeInput | StatusUpdateInput) -> str | None:
    """The text the action sends: its message, or its saved reply rendered (checked first)."""
    if command.saved_reply is None:
        return command.message
    reply = _find(state, command.saved_reply)
    return to.fill(reply.text, state) if reply else command.message
