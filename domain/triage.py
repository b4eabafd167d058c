"""Triage of an incoming post (api.md, "Triage"): category, temperature, routing, escalate or not.

Keywords match case-insensitively after NFKC normalisation (full-width letters, ligatures and
composed accents compare equal) as whole words or phrases. Scripts written without spaces
(Chinese, Japanese, Thai, ...) have no word boundaries to find, so a keyword containing such
characters matches anywhere in the text; Korean is treated the same way because particles are
written onto the noun (환불을). Elsewhere a keyword must not continue into a letter, digit or
combining mark of the surrounding text.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.models import CreateEscalationInput, Customer, Source, Strict
from domain.policy import Policy
from domain.routing import apply_repeat_customer, route

TITLE_LENGTH = 120
_UNSPACED = ("CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER",
             "MYANMAR", "TIBETAN")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class TriageAuthor(Strict):
    handle: Annotated[str, Field(min_length=1, max_length=200)]
    verified: bool = False
    followers: Annotated[int, Field(ge=0, le=10_000_000_000)] = 0


class TriageInput(Strict):
    """A post as the API takes it; like every input, unknown fields and NUL characters are
    refused (422) before the text can become an escalation."""

    text: Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_not_blank)]
    channel: SourceChannel = SourceChannel.API
    author: TriageAuthor | None = None
    customer: Customer | None = None


class TriageResult(BaseModel):
    category: Category
    temperature: Temperature
    priority: Priority
    tier: int
    team: str
    rule: str
    reasons: list[str]
    should_escalate: bool


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Phones type a typographic apostrophe (U+2019); the keyword is written "can't".
    return " ".join(folded.replace("\u2019", "'").split())


def _unspaced(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_UNSPACED)


def _joins(ch: str) -> bool:
    """Whether `ch` would make a neighbouring keyword part of a longer word."""
    word = ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")
    return word and not _unspaced(ch)


def contains_keyword(text: str, keyword: str) -> bool:
    """Both already normalised."""
    if not keyword:
        return False
    if any(_unspaced(ch) for ch in keyword):
        return keyword in text
    start = text.find(keyword)
    while start != -1:
        end = start + len(keyword)
        before_ok = start == 0 or not (_joins(text[start - 1]) and _joins(keyword[0]))
        after_ok = end == len(text) or not (_joins(text[end]) and _joins(keyword[-1]))
        if before_ok and after_ok:
            return True
        start = text.find(keyword, start + 1)
    return False


def classify(policy: Policy, text: str) -> tuple[Category, list[str]]:
    """The category with the most distinct keywords in the text, and those keywords.

    Distinct keywords, not occurrences, so repeating one word does not outvote a post that
    names several signs of another category; a tie goes to the category listed first.
    """
    body = normalise(text)
    best: tuple[Category, list[str]] | None = None
    for category, keywords in policy.triage.keywords.items():
        found = [k for k in keywords if contains_keyword(body, normalise(k))]
        if found and (best is None or len(found) > len(best[1])):
            best = (category, found)
    return best if best is not None else (policy.triage.fallback, [])


def triage(policy: Policy, post: TriageInput, *, prior_escalations: int = 0) -> TriageResult:
    """Classify and route a post without creating anything.

    `prior_escalations` is the customer's recent escalation count when the caller looked it
    up (the repeat-customer signal); 0 leaves that signal out.
    """
    category, found = classify(policy, post.text)
    if found:
        reasons = [f"category {category.value}: " + ", ".join(repr(k) for k in found)]
    else:
        reasons = [f"no keyword matched: category {category.value} (triage.fallback)"]
    decision = route(policy, _request(post, category))
    decision = apply_repeat_customer(decision, policy, prior_escalations)
    reasons += decision.reasons
    hot = decision.temperature is Temperature.HOT
    reasons.append(f"{category.value} is {'hot' if hot else 'cold'} (triage.hot)")
    level = decision.priority.value
    urgent = decision.priority in (Priority.P1, Priority.P2)
    why = [w for w, on in (("hot", hot), (f"priority {level}", urgent)) if on]
    should = bool(why)
    reasons.append(
        "escalate: " + " and ".join(why) if should else f"do not escalate: cold and {level}"
    )
    return TriageResult(
        category=category,
        temperature=decision.temperature,
        priority=decision.priority,
        tier=decision.tier,
        team=decision.team,
        rule=decision.rule,
        reasons=reasons,
        should_escalate=should,
    )


def to_create_input(post: TriageInput, result: TriageResult) -> CreateEscalationInput:
    """The escalation a triaged post opens.

    No priority is set: creation routes the same fields through the same policy and reaches
    the same answer, and the repeat-customer signal can still raise it there.
    """
    return _request(post, result.category)


def _request(post: TriageInput, category: Category) -> CreateEscalationInput:
    author = post.author
    return CreateEscalationInput(
        title=title_of(post.text),
        description=post.text.strip(),
        category=category,
        channel=post.channel,
        customer=post.customer,
        source=Source(author=author.handle, verified=author.verified, followers=author.followers)
        if author
        else None,
    )


def title_of(text: str) -> str:
    """The post's words on one line, cut at a word boundary with an ellipsis when long."""
    flat = " ".join(text.split())
    if len(flat) <= TITLE_LENGTH:
        return flat
    cut = flat[: TITLE_LENGTH - 1]
    space = cut.rfind(" ")
    # Unspaced scripts have no word boundary to cut at; cut anywhere then.
    return (cut[:space] if space > TITLE_LENGTH // 2 else cut).rstrip() + "…"
