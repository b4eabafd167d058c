"""Who a message can reach, and why the others cannot: the answer to "who was told?".

A message that reaches nobody, or not everyone it was meant for, is never dropped in silence:
`Tx.notify` records a `notification_skipped` entry with these reasons, and an action whose
chosen audience can reach nobody is refused before anything is written (lifecycle.rules).
"""

from __future__ import annotations

from pydantic import BaseModel

from domain.models import Recipient


class Unreached(BaseModel):
    """Someone the message was meant for who has no contact it may use."""

    name: str
    reason: str


class Reach(BaseModel):
    recipients: list[Recipient] = []
    unreached: list[Unreached] = []
    # Why `recipients` is empty, in words a person can act on ("team sre lists no manager").
    nobody: str = "there is nobody to tell"

    def __add__(self, other: Reach) -> Reach:
        """Both lists; `nobody` matters only when neither reaches anyone, so it names both."""
        return Reach(recipients=[*self.recipients, *other.recipients],
                     unreached=[*self.unreached, *other.unreached],
                     nobody="; ".join(dict.fromkeys([self.nobody, other.nobody])))


def reach(recipients: list[Recipient], nobody: str) -> Reach:
    return Reach(recipients=recipients, nobody=nobody)
