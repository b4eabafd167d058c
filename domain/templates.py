"""Message templates (saved replies) with {placeholders} from the escalation (policy.md)."""

from __future__ import annotations

import string
from collections.abc import Mapping

PLACEHOLDERS = frozenset(
    {
        "id", "title", "priority", "team", "stage", "status", "customer", "services",
        "next_update_due", "message", "summary", "final_response_due", "resolve_due", "link",
    }
)


def placeholders_in(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a template; a placeholder without a value renders empty (the policy check refuses
    unknown names before any template is used)."""
    known = {name: values.get(name, "") for name in placeholders_in(template)}
    return template.format_map(known)
