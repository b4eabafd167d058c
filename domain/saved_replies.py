"""Saved replies: the policy's library of texts agents answer from (`[[saved_replies]]`).

Each has a `name` the API and the console refer to, the `audiences` it may go to, and the
`categories` and `tags` of the escalations it fits (empty: any). Its `text` takes the same
{placeholders} as the templates; `policy check` refuses an unknown one with its key path
(`saved_replies[2].text: unknown placeholder {x}; ...`). Rendering lives with the lifecycle
(domain/lifecycle/replies.py): it needs the escalation.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from domain.enums import Audience, Category
from domain.policy_base import PolicyModel
from domain.templates import TemplateText, placeholders_in

# A name is typed into API bodies and chosen in the console: a short slug.
ReplyName = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


ReplyText = TemplateText


class SavedReply(PolicyModel):
    name: ReplyName
    audiences: Annotated[list[Audience], Field(min_length=1)] = [Audience.INTERNAL,
                                                                   Audience.CUSTOMERS]
    categories: list[Category] = []
    tags: list[Annotated[str, Field(min_length=1, max_length=60)]] = []
    text: ReplyText

    @model_validator(mode="after")
    def _no_internal_link_for_customers(self) -> SavedReply:
        if Audience.CUSTOMERS in self.audiences and "link" in placeholders_in(self.text):
            # Raised from the model, so the key path names the reply; the message names text.
            raise ValueError("text: {link} is an internal link (the Temporal UI), and this "
                             "reply may go to customers")
        return self

    def fits(self, category: Category, tags: list[str]) -> bool:
        """Its categories and tags (each list: any of them; empty: any escalation)."""
        wanted = {t.casefold() for t in self.tags}
        return ((not self.categories or category in self.categories)
                and (not wanted or any(t.casefold() in wanted for t in tags)))


def library_problems(replies: list[SavedReply]) -> list[str]:
    """Names must be unique: the API and the console pick a reply by its name."""
    problems: list[str] = []
    first: dict[str, int] = {}
    for i, reply in enumerate(replies):
        if reply.name in first:
            problems.append(f"saved_replies[{i}].name: {reply.name!r} is already the name of "
                            f"saved_replies[{first[reply.name]}]")
        first.setdefault(reply.name, i)
    return problems
