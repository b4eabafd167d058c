"""Message templates (saved replies) with {placeholders} from the escalation (policy.md)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, Field

PLACEHOLDERS = frozenset(
    {
        "id", "title", "priority", "team", "stage", "status", "customer", "services",
        "next_update_due", "message", "summary", "final_response_due", "resolve_due", "link",
        # complaints (RG 271)
        "complaint_reference", "received_at", "complainant", "reasons", "outcome", "afca",
    }
)


def placeholders_in(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def template_problems(template: str) -> list[str]:
    """Why a template cannot be rendered safely; empty when it can.

    Only bare names from PLACEHOLDERS pass: `{title.__class__}` or `{0}` would reach into
    Python objects or positional arguments, which a policy author must never be able to do.
    """
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as exc:
        return [f"not a valid template ({exc}); write a literal brace as {{{{ or }}}}"]
    problems: list[str] = []
    for name, spec, conversion in fields:
        if not name:
            problems.append("empty placeholder {}; name one of " + _known())
        elif name not in PLACEHOLDERS:
            problems.append(f"unknown placeholder {{{name}}}; known: {_known()}")
        elif spec or conversion:
            problems.append(f"placeholder {{{name}}} takes no format or conversion")
    return problems


def _renders(value: str) -> str:
    problems = template_problems(value)
    if problems:
        raise ValueError("; ".join(problems))
    return value


# A template's text in the policy (templates, saved replies): refused unless it renders safely.
TemplateText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_renders)]


def _known() -> str:
    return ", ".join(sorted(PLACEHOLDERS))


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a template; a placeholder without a value renders empty (the policy check refuses
    unknown names before any template is used)."""
    known = {name: values.get(name, "") for name in placeholders_in(template)}
    return template.format_map(known)
