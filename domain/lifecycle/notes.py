"""Internal notes (issue 22): a `note` timeline entry for the team, never sent to customers.

`@name` of a team contact (any team's contacts in the policy snapshot, its problem coordinator
or engagement lead) notifies that contact once per note, however often it is named. A name
matches written as in the policy (`@Dana Smith`) or with its spaces as `-`, `_` or `.`
(`@dana-smith`), in any case.
"""

from __future__ import annotations

import re

from domain.casework import NoteInput
from domain.enums import Level, NotificationEvent, TimelineType
from domain.models import Recipient
from domain.policy import Policy
from domain.transition import Tx

_SEPARATORS = re.compile(r"[\s_.-]+")


def team_contacts(policy: Policy) -> list[Recipient]:
    """Everyone the policy names in a team, in policy order."""
    found: list[Recipient] = []
    for team in policy.teams.values():
        for level in Level:
            found.extend(team.contacts.at(level))
        found.extend(p for p in (team.problem_coordinator, team.engagement_lead) if p)
    return found


def _spelled(name: str) -> str:
    return _SEPARATORS.sub("-", name.strip()).casefold()


def mentioned(text: str, contacts: list[Recipient]) -> list[Recipient]:
    """The contacts named with `@` in `text`, each once, in the order first named."""
    words = _SEPARATORS.sub("-", text).casefold()
    found: list[tuple[int, Recipient]] = []
    seen: set[tuple[str, str]] = set()
    for contact in contacts:
        spelled = re.escape("@" + _spelled(contact.name))
        match = re.search(spelled + r"(?![\w@])", words)
        key = (contact.channel.value, contact.address)
        if match is not None and key not in seen:
            seen.add(key)
            found.append((match.start(), contact))
    return [contact for _, contact in sorted(found, key=lambda pair: pair[0])]


def add_note(tx: Tx, command: NoteInput) -> None:
    s = tx.state
    named = mentioned(command.text, team_contacts(s.policy))
    s.notes += 1
    tx.log(TimelineType.NOTE, {"text": command.text, "mentioned": [c.name for c in named]})
    if named:
        tx.notify(NotificationEvent.MENTION, named,
                  subject=f"[{s.priority.value}] {tx.actor} mentioned you: {s.title}",
                  message=f"{tx.actor} wrote in an internal note on {s.title} ({s.id}):\n\n"
                          f"{command.text}")
