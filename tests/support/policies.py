"""Test policies: the shipped default with every contact pointed at a loopback receiver."""

from __future__ import annotations

from typing import Any

from config.policy_files import load_policy
from domain.policy import Policy


def loopback_policy(receiver_url: str, **priority_overrides: dict[str, Any]) -> Policy:
    """Every team contact becomes a webhook at `receiver_url`/<team>/<role>; P1..P4 tables may
    be overridden, e.g. loopback_policy(url, P1={"resolve_within": "PT10S"})."""
    raw = load_policy(None).model_dump(mode="json")
    base = receiver_url.rstrip("/")
    for team_name, team in raw["teams"].items():
        for role in ("problem_coordinator", "engagement_lead"):
            if team.get(role):
                team[role] = {"name": team[role]["name"], "channel": "webhook",
                              "address": f"{base}/{team_name}/{role}"}
        for level, people in team["contacts"].items():
            team["contacts"][level] = [
                {"name": p["name"], "channel": "webhook", "address": f"{base}/{team_name}/{level}"}
                for p in people
            ]
    for priority, changes in priority_overrides.items():
        raw["priorities"][priority].update(changes)
    raw["notifications"]["allowed_hosts"] = ["127.0.0.1"]
    return Policy.model_validate(raw)
