"""Test policies: the shipped default with every contact pointed at a loopback receiver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from config.policy_files import load_policy, preset_text
from domain.policy import Policy, parse_policy


def loopback_policy(receiver_url: str, *, notice_within: str | None = None,
                    preset: str = "default", **priority_overrides: dict[str, Any]) -> Policy:
    """Every team contact of `preset` becomes a webhook at `receiver_url`/<team>/<role>; P1..P4
    tables may be overridden, e.g. loopback_policy(url, P1={"resolve_within": "PT10S"})."""
    source = load_policy(None) if preset == "default" else parse_policy(preset_text(preset))
    raw = source.model_dump(mode="json")
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
    if notice_within is not None:
        raw["notice"]["within"] = notice_within
    raw["notifications"]["allowed_hosts"] = ["127.0.0.1"]
    return Policy.model_validate(raw)


def write_policy_file(path: Path, policy: Policy) -> Path:
    """`policy` as a TOML file for processes that read ESCALATIONS_POLICY (`escalations api`).

    One `key = { inline table }` line per top-level key: plain TOML, and read back here, so a
    file that would not load as exactly this policy fails the test that writes it.
    """
    raw = policy.model_dump(mode="json", exclude_none=True, by_alias=True)
    text = "\n".join(f"{json.dumps(key)} = {_toml(value)}" for key, value in raw.items()) + "\n"
    assert parse_policy(text, source=str(path)) == policy, "the policy did not survive TOML"
    path.write_text(text, encoding="utf-8")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's string escapes are TOML's basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")
