"""Forms drawn from the input models, and form data read back into them (domain/forms.py)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from domain.enums import Audience
from domain.forms import SERVER_FIELDS, FieldKind, field_messages, form_spec, form_values
from domain.lifecycle import INPUTS
from domain.models import (
    ActionPlanInput,
    CreateEscalationInput,
    NoticeInput,
    TaskForceInput,
    VerificationInput,
)


@pytest.mark.parametrize("model", list(INPUTS.values()), ids=lambda m: m.__name__)
def test_every_action_form_has_every_field_the_person_fills(model: type[BaseModel]) -> None:
    names = {f.name.split(".")[0] for f in form_spec(model).fields}
    assert names == set(model.model_fields) - SERVER_FIELDS


@pytest.mark.parametrize(("model", "name", "kind"), [
    (NoticeInput, "message", FieldKind.TEXTAREA),
    (NoticeInput, "audiences", FieldKind.CHECKBOXES),
    (VerificationInput, "verified", FieldKind.YES_NO),
    (ActionPlanInput, "steps", FieldKind.ROWS),
    (CreateEscalationInput, "category", FieldKind.SELECT),
    (CreateEscalationInput, "customer.vip", FieldKind.CHECKBOX),
    (CreateEscalationInput, "tags", FieldKind.LINES),
])
def test_the_kind_of_a_field_follows_its_type(model: type[BaseModel], name: str,
                                              kind: FieldKind) -> None:
    field = next(f for f in form_spec(model).fields if f.name == name)
    assert field.kind is kind


def test_fields_of_an_optional_nested_model_are_not_required() -> None:
    customer_id = next(f for f in form_spec(CreateEscalationInput).fields
                       if f.name == "customer.id")
    assert customer_id.required is False


def test_rows_become_records_and_checkboxes_lists() -> None:
    spec = form_spec(TaskForceInput)
    values = form_values(spec, {"members": ["Ops | email | ops@corp.example\n\n"
                                            "Lee | webhook | https://h.example/x | lead"]})
    assert TaskForceInput.model_validate(values).members[1].role == "lead"
    notice = form_values(form_spec(NoticeInput), {"audiences": ["customers"], "message": [""]})
    assert NoticeInput.model_validate(notice).audiences == [Audience.CUSTOMERS]


def test_an_empty_optional_field_takes_the_model_default() -> None:
    values = form_values(form_spec(NoticeInput), {"message": ["   "],
                                                  "audiences": ["internal", "customers"]})
    assert NoticeInput.model_validate(values).message is None


def test_errors_come_back_on_the_field_and_line_they_belong_to() -> None:
    spec = form_spec(ActionPlanInput)
    with pytest.raises(ValidationError) as error:
        ActionPlanInput.model_validate(form_values(spec, {"steps": ["Call\nRefund | me | soon"]}))

    messages = field_messages(spec, error.value.errors())
    assert list(messages) == ["steps"]
    assert messages["steps"][0].startswith("line 2, due:")
