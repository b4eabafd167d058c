"""Triage of an incoming post (api.md, "Triage"): category, temperature, routing, escalate or not.

Keywords match case-insensitively after NFKC normalisation (full-width letters, ligatures and
composed accents compare equal) as whole words or phrases. Scripts written without spaces
(Chinese, Japanese, Thai, ...) have no word boundaries to find, so a keyword containing such
characters matches anywhere in the text; Korean is treated the same way because particles are
written onto the noun (환불을). Elsewhere a keyword must not continue into a letter, digit or
combining mark of the surrounding text.

Arabic and Persian are folded to one spelling first (`domain.arabic_script`) and then compared
word by word, because their clitics are written onto the word: "فاتورة" matches بالفاتورة and
فاتورتي. Where keywords overlap, the longest one found there counts (`classify`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import pairwise
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from domain import arabic_script
from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.models import CreateEscalationInput, Customer, Source, Strict
from domain.policy import Policy
from domain.routing import apply_repeat_customer, route

TITLE_LENGTH = 120
_WORD = re.compile(r"\w+")
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
    return arabic_script.fold(folded.replace("\u2019", "'"))


@lru_cache(maxsize=8192)
def spellings(keyword: str) -> tuple[str, ...]:
    """The normalised spellings of a keyword that count as it.

    A ZWNJ in the keyword may be typed as nothing (which `normalise` reads it as) or as a
    space (کار نمی‌کنه, کار نمی کنه, کار نمیکنه); a short Arabic-script word may be typed onto
    the next one (ما وصل, ماوصل).
    """
    readings = [normalise(keyword)]
    if arabic_script.ZWNJ in keyword:
        readings.append(normalise(keyword.replace(arabic_script.ZWNJ, " ")))
    return tuple(dict.fromkeys(s for r in readings for s in arabic_script.joined_particles(r)))


def _unspaced(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_UNSPACED)


def _joins(ch: str) -> bool:
    """Whether `ch` would make a neighbouring keyword part of a longer word."""
    word = ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")
    return word and not _unspaced(ch)


Span = tuple[int, int]


def _bounds(text: str) -> list[Span]:
    """Where the words of `text` start and end: runs of letters, digits and "_" (the fold has
    taken off the Arabic marks that would otherwise split a word)."""
    return [match.span() for match in _WORD.finditer(text)]


@lru_cache(maxsize=8192)
def _phrase(keyword: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a normalised keyword and the text between them."""
    bounds = _bounds(keyword)
    return (tuple(keyword[a:b] for a, b in bounds),
            tuple(keyword[a[1]:b[0]] for a, b in pairwise(bounds)))


class Body:
    """A normalised post, with its words indexed by their forms for Arabic-script keywords."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Only a post with Arabic letters can hold an Arabic-script keyword; others skip the
        # word index.
        self._arabic = arabic_script.is_arabic_script(text)
        self._words: list[Span] | None = None
        self._index: dict[str, set[int]] = {}

    def spans(self, keyword: str) -> list[Span]:
        """Where the (normalised) keyword occurs."""
        if not keyword:
            return []
        if _by_words(keyword):
            return self._word_spans(keyword) if self._arabic else []
        return self._substring_spans(keyword)

    def _substring_spans(self, keyword: str) -> list[Span]:
        text = self.text
        start = text.find(keyword)
        if start == -1:  # most keywords, most posts: nothing more to work out
            return []
        anywhere = any(_unspaced(ch) for ch in keyword)
        found = []
        while start != -1:
            end = start + len(keyword)
            before_ok = start == 0 or not (_joins(text[start - 1]) and _joins(keyword[0]))
            after_ok = end == len(text) or not (_joins(text[end]) and _joins(keyword[-1]))
            if anywhere or (before_ok and after_ok):
                found.append((start, end))
            start = text.find(keyword, start + 1)
        return found

    def _word_spans(self, keyword: str) -> list[Span]:
        """Arabic and Persian attach clitics to the word (بالفاتورة, فاتورتي), so a keyword
        is compared word by word with each word's forms (`arabic_script.word_forms`); the
        words of a phrase must follow each other with the same space between them."""
        words, index = self._indexed()
        wanted, gaps = _phrase(keyword)
        if wanted[0] not in index:  # most keywords, most posts
            return []
        firsts = set(index[wanted[0]])
        for offset, want in enumerate(wanted[1:], start=1):
            firsts &= {i - offset for i in index.get(want, ())}
        found = []
        for first in sorted(firsts):
            run = words[first:first + len(wanted)]
            if all(self.text[a[1]:b[0]] == gap
                   for (a, b), gap in zip(pairwise(run), gaps, strict=True)):
                found.append((run[0][0], run[-1][1]))
        return found

    def _indexed(self) -> tuple[list[Span], dict[str, set[int]]]:
        if self._words is None:
            self._words = _bounds(self.text)
            for i, (start, end) in enumerate(self._words):
                for form in arabic_script.word_forms(self.text[start:end]):
                    self._index.setdefault(form, set()).add(i)
        return self._words, self._index


@lru_cache(maxsize=8192)
def _by_words(keyword: str) -> bool:
    """Whether a (normalised) keyword is compared word by word: an Arabic-script one."""
    return arabic_script.is_arabic_script(keyword) and bool(_phrase(keyword)[0])


def contains_keyword(text: str, keyword: str) -> bool:
    """Both already normalised."""
    return bool(Body(text).spans(keyword))


def classify(policy: Policy, text: str) -> tuple[Category, list[str]]:
    """The category with the most distinct keywords in the text, and those keywords.

    Distinct keywords, not occurrences, so repeating one word does not outvote a post that
    names several signs of another category; a tie goes to the category listed first.
    A keyword counts where it is the longest keyword found there: in "الرابط لا يعمل" (the
    link does not work) the post is about the link, not an outage ("لا يعمل"). Of keywords
    found on the same words ("فاتورة" and "فاتوره", "كم سعر" in "كم السعر") the first listed
    counts, so spellings of one sign do not outvote another category.
    """
    body = Body(normalise(text))
    hits = [
        (category, keyword, found)
        for category, keywords in policy.triage.keywords.items()
        for keyword in keywords
        if (found := [s for spelling in spellings(keyword) for s in body.spans(spelling)])
    ]
    places = sorted((s, e, rank) for rank, (_, _, found) in enumerate(hits) for s, e in found)
    starts = [s for s, _, _ in places]
    longest = max((e - s for s, e, _ in places), default=0)

    def covered(rank: int, span: Span) -> bool:
        start, end = span
        # Only a place starting at most `longest` before this one can contain it.
        near = places[bisect_left(starts, start - longest):bisect_right(starts, start)]
        return any(
            other != rank and end <= e and (e - s, -other) > (end - start, -rank)
            for s, e, other in near
        )

    counted: dict[Category, list[str]] = {}
    for rank, (category, keyword, found) in enumerate(hits):
        if not all(covered(rank, span) for span in found):
            counted.setdefault(category, []).append(keyword)
    best: tuple[Category, list[str]] | None = None
    for category, kept in counted.items():
        if best is None or len(kept) > len(best[1]):
            best = (category, kept)
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
