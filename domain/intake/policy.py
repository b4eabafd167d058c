"""The policy's `[intake]` section: how posts group into escalations, and what a spike is.

```toml
[intake]
group_within = "PT6H"          # join an escalation whose posts shared a key this recently
match = ["hashtag", "thread", "service", "customer"]   # the keys two posts may share
ignore_hashtags = ["help"]     # too common to say two posts are about one thing
[intake.services]              # affected services and the words customers name them with
login = ["log in", "login", "sign in"]
[intake.spike]
window = "PT10M"               # a spike: at least `at_least` hot posts of one category in `window`
at_least = 20
times_baseline = 3.0           # ... and this many times that window's average over `baseline`
baseline = "P7D"
samples = 5                    # sample posts quoted in the spike escalation
```
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from domain.calendar import PositiveDuration, iso_duration
from domain.policy_base import PolicyModel

_SERVICE = re.compile(r"^[a-z0-9_-]{1,60}$")


def _service_name(value: str) -> str:
    if not _SERVICE.match(value):
        raise ValueError(f"{value!r}: use lower-case letters, digits, '-' and '_'")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


ServiceName = Annotated[str, AfterValidator(_service_name)]
Word = Annotated[str, Field(max_length=100), AfterValidator(_not_blank)]


class MatchKind(StrEnum):
    """What two hot posts may share to be one matter (each kind is a group key's prefix)."""

    HASHTAG = "hashtag"
    THREAD = "thread"
    SERVICE = "service"
    CUSTOMER = "customer"


class SpikeRule(PolicyModel):
    enabled: bool = True
    window: PositiveDuration = timedelta(minutes=10)
    at_least: Annotated[int, Field(ge=1, le=1_000_000)] = 20
    # 0 leaves the baseline out: `at_least` alone makes a spike.
    times_baseline: Annotated[float, Field(ge=0, le=1_000)] = 3.0
    baseline: PositiveDuration = timedelta(days=7)
    samples: Annotated[int, Field(ge=1, le=20)] = 5

    @model_validator(mode="after")
    def _baseline_longer_than_window(self) -> SpikeRule:
        if self.baseline <= self.window:
            raise ValueError(f"baseline ({iso_duration(self.baseline)}) must be longer than "
                             f"window ({iso_duration(self.window)})")
        return self


class IntakePolicy(PolicyModel):
    group_within: PositiveDuration = timedelta(hours=6)
    match: Annotated[list[MatchKind], Field(min_length=1)] = list(MatchKind)
    ignore_hashtags: Annotated[list[Word], Field(max_length=500)] = []
    services: Annotated[dict[ServiceName, Annotated[list[Word], Field(min_length=1,
                                                                      max_length=200)]],
                        Field(max_length=200)] = {}
    spike: SpikeRule = SpikeRule()
