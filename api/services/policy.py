"""The policy the API serves with: loaded and checked at start-up, shared by every request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from domain.hosts import HostRules
from domain.policy import Policy


@dataclass(frozen=True, kw_only=True)
class ActivePolicy:
    policy: Policy
    host_rules: HostRules  # the notification rules, parsed once

    @cached_property
    def snapshot(self) -> Policy:
        """The part of the policy every new escalation carries (computed once, not per create)."""
        return self.policy.snapshot()
