"""Message templates: only known, bare placeholders pass; rendering fills them."""

from __future__ import annotations

import pytest

from domain.templates import PLACEHOLDERS, placeholders_in, render, template_problems

PROBLEMS = [
    ("Update on {title}: {message}", None),
    ("Literal {{braces}} are fine", None),
    ("No placeholders at all", None),
    ("Hello {colour}", "unknown placeholder {colour}"),
    ("{title.__class__.__mro__}", "unknown placeholder {title.__class__.__mro__}"),
    ("{title[0]}", "unknown placeholder {title[0]}"),
    ("{0}", "unknown placeholder {0}"),
    ("Sorry {}", "empty placeholder {}"),
    ("{title!r}", "placeholder {title} takes no format or conversion"),
    ("{title:>999999}", "placeholder {title} takes no format or conversion"),
    ("Update on {title", "not a valid template"),
    ("a } alone", "not a valid template"),
]


@pytest.mark.parametrize(("template", "problem"), PROBLEMS)
def test_template_problems(template: str, problem: str | None) -> None:
    problems = template_problems(template)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_placeholders_in() -> None:
    assert placeholders_in("{title} by {next_update_due}, {title}") == {"title", "next_update_due"}


@pytest.mark.parametrize(
    ("template", "values", "text"),
    [
        ("Update on {title}: {message}", {"title": "T", "message": "m"}, "Update on T: m"),
        ("{title} {{literal}}", {"title": "T"}, "T {literal}"),
        ("Missing {summary}.", {}, "Missing ."),
        ("{title}", {"title": "{id}"}, "{id}"),  # values are not templates themselves
    ],
)
def test_render(template: str, values: dict[str, str], text: str) -> None:
    assert render(template, values) == text


def test_placeholders_include_the_complaint_deadline() -> None:
    assert {"final_response_due", "id", "title"} <= PLACEHOLDERS
