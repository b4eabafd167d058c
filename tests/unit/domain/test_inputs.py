"""Every input refuses the NUL character, wherever it hides: PostgreSQL text and jsonb cannot
hold it, so one let in would fail the escalation's store write on every retry."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from domain.models import AddDetailsInput, CreateEscalationInput, NoticeInput, PlanStep
from domain.triage import TriageInput

BODY = {"title": "Charged twice", "category": "billing"}
HOOK = "http://127.0.0.1/hook"

CASES: list[tuple[str, type[BaseModel], dict[str, Any], tuple[str | int, ...]]] = [
    ("title", CreateEscalationInput, {**BODY, "title": "Charged\x00twice"}, ("title",)),
    ("description", CreateEscalationInput, {**BODY, "description": "a\x00"}, ("description",)),
    ("a tag in a list", CreateEscalationInput, {**BODY, "tags": ["ok", "b\x00d"]}, ("tags",)),
    ("a nested stakeholder", CreateEscalationInput,
     {**BODY, "stakeholders": [{"name": "ex\x00ec", "channel": "webhook", "address": HOOK}]},
     ("stakeholders", 0, "name")),
    ("an action's message", NoticeInput, {"message": "on\x00it"}, ("message",)),
    ("a plan step", PlanStep, {"description": "refund\x00"}, ("description",)),
    ("an added service", AddDetailsInput, {"affected_services": ["api\x00"]},
     ("affected_services",)),
    ("a triaged post", TriageInput, {"text": "refund\x00please"}, ("text",)),
]


@pytest.mark.parametrize(("model", "data", "where"),
                         [pytest.param(m, d, w, id=name) for name, m, d, w in CASES])
def test_nul_is_refused_with_the_field_named(
    model: type[BaseModel], data: dict[str, Any], where: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    errors = refused.value.errors()
    assert [e["loc"] for e in errors] == [where]
    assert "NUL" in errors[0]["msg"]


@pytest.mark.parametrize("text", ["tab\tand\nnewline", "émoji 🚨", "日本語"])
def test_other_characters_pass(text: str) -> None:
    assert NoticeInput.model_validate({"message": text}).message == text
