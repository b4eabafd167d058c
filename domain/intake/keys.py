"""Group keys: what two hot posts may share to be about one matter (`[intake] match`).

A key is `kind:value`: `hashtag:acmedown`, `thread:twitter:1790`, `service:login`,
`customer:cust-42`. Hashtags and service words are compared after the triage's normalisation
(case, width, Arabic and Persian letter variants), so #AcmeDown and #acmedown are one key, and
a service word matches as a triage keyword does (whole words, Arabic clitics taken off).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.intake.policy import IntakePolicy, MatchKind
from domain.triage import Body, normalise, spellings

# A hashtag is '#' then letters, digits or '_' in any script (Python's \w is Unicode-aware);
# a '#' inside a word (C#, issue#4) starts none.
_HASHTAG = re.compile(r"(?<!\w)#(\w{1,100})")


def hashtags(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """The post's hashtags, normalised, each once, in order; the ignored ones left out."""
    skipped = {normalise(tag.lstrip("#")) for tag in ignore}
    found = (normalise(tag) for tag in _HASHTAG.findall(text))
    return [tag for tag in dict.fromkeys(found) if tag not in skipped]


def services(text: str, policy: IntakePolicy) -> list[str]:
    """The policy's services the post names, in the policy's order."""
    if not policy.services:
        return []
    body = Body(normalise(text))
    return [name for name, words in policy.services.items()
            if any(body.spans(spelling) for word in words for spelling in spellings(word))]


def group_keys(*, text: str, channel: str, thread_id: str | None, customer_id: str | None,
               named_services: list[str], policy: IntakePolicy) -> list[str]:
    """Every key of the kinds the policy matches on, each once, in a stable order.
    `named_services`: `services(text, policy)`, which the caller also keeps for the escalation."""
    kinds = set(policy.match)
    keys: list[str] = []
    if MatchKind.HASHTAG in kinds:
        keys += [f"hashtag:{tag}" for tag in hashtags(text, policy.ignore_hashtags)]
    if MatchKind.THREAD in kinds and thread_id:
        keys.append(f"thread:{channel}:{thread_id}")
    if MatchKind.SERVICE in kinds:
        keys += [f"service:{name}" for name in named_services]
    if MatchKind.CUSTOMER in kinds and customer_id:
        keys.append(f"customer:{customer_id}")
    return keys

