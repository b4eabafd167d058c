"""The console's notice and status-update forms offer the saved replies that fit as a choice."""

from __future__ import annotations

from api.console.forms import FORMS, REPLYING, with_saved_replies
from domain.enums import Action
from domain.forms import FieldKind


def test_the_replies_that_fit_are_a_choice() -> None:
    for action in REPLYING:
        spec = with_saved_replies(FORMS[action], ["investigating", "still-working"])
        (field,) = [f for f in spec.fields if f.name == "saved_reply"]
        assert (field.kind, field.options, field.required) == (
            FieldKind.SELECT, ["investigating", "still-working"], False)


def test_without_fitting_replies_there_is_nothing_to_choose() -> None:
    spec = with_saved_replies(FORMS[Action.POST_STATUS_UPDATE], [])
    assert "saved_reply" not in {f.name for f in spec.fields}
    assert "message" in {f.name for f in spec.fields}


def test_the_merge_and_note_forms_come_from_their_inputs() -> None:
    assert {f.name for f in FORMS[Action.MERGE].fields} == {"into", "note"}
    assert {f.name for f in FORMS[Action.ADD_NOTE].fields} == {"text"}
