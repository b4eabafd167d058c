"""HTML forms described from the input models, and form data read back into them.

One `FormSpec` per input model: each field of the model becomes a form field whose kind follows
its type (text, long text, yes/no, a choice, several choices, one item per line, one row per
line with `|` between columns). The console renders every spec with one template, so a new
action's form is its input model plus, at most, a label in `LABELS`. What the person typed goes
back through `form_values` to the same pydantic model the JSON API validates with, and the
model's errors come back per form field through `field_messages`.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

# Filled by the server from the session and the page (domain/models.py, ActionInput).
SERVER_FIELDS = frozenset({"actor", "expected_version"})
LONG_TEXT = 500  # a text field allowing more than this many characters is a textarea
ROW_SEPARATOR = "|"


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    CHECKBOX = "checkbox"  # an optional flag, off by default
    YES_NO = "yes_no"  # a required decision
    SELECT = "select"
    CHECKBOXES = "checkboxes"
    LINES = "lines"  # a list of texts, one per line
    ROWS = "rows"  # a list of records, one per line, columns separated by ROW_SEPARATOR
    DATETIME = "datetime"


class FormField(BaseModel):
    name: str  # dotted for a nested model's field: customer.id
    label: str
    kind: FieldKind
    required: bool
    options: list[str] = []
    columns: list[str] = []  # ROWS: the record's fields, dotted for nested ones
    default: Any = None
    help: str = ""


class FormSpec(BaseModel):
    fields: list[FormField]


# Words a person reads instead of the field's name; anything else gets its name capitalised.
LABELS: dict[str, str] = {
    "owner": "Owner (empty: you)",
    "message": "Message",
    "audiences": "Audiences",
    "steps": "Steps",
    "note": "Note",
    "type": "Kind of escalation",
    "team": "To team (a functional escalation or a re-triage)",
    "until": "Until (UTC; empty: until resumed or the policy's cap)",
    "reason": "Reason",
    "members": "Members",
    "summary": "Summary",
    "verified": "Is the resolution verified?",
    "confirmed": "Does the customer have access again?",
    "root_cause": "Root cause",
    "corrective_actions": "Corrective actions",
    "affected_customers": "Affected customers",
    "affected_services": "Affected services",
    "related_records": "Related records",
    "problem_records": "Problem records",
    "stakeholders": "Stakeholders",
    "complaint_kind": "Complaint kind",
    "customer.id": "Customer id",
    "customer.name": "Customer name",
    "customer.vip": "VIP customer",
    "source.author": "Author of the post",
    "source.verified": "Verified author",
    "source.followers": "Author's followers",
    "source.url": "Link to the post",
}
# A record's columns in the order people write them (else the model's declaration order).
COLUMNS: dict[str, list[str]] = {
    "members": ["name", "channel", "address", "role"],
    "stakeholders": ["name", "channel", "address", "role"],
    "affected_customers": ["id", "name", "contact.channel", "contact.address"],
    "steps": ["description", "owner", "due"],
}


def _label(name: str) -> str:
    return LABELS.get(name, name.rsplit(".", 1)[-1].replace("_", " ").capitalize())


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); anything else -> (annotation, False); Annotated[X, …] -> X."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation, optional = args[0], True
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


def _max_length(info: FieldInfo) -> int | None:
    """The field's max_length, also when it sits inside `Annotated[...] | None`."""
    found = [m.max_length for m in info.metadata if isinstance(m, MaxLen)]
    arguments = get_args(info.annotation)
    for argument in arguments:
        if get_origin(argument) is Annotated:
            for extra in get_args(argument)[1:]:
                found += [m.max_length for m in getattr(extra, "metadata", [])
                          if isinstance(m, MaxLen)]
    return max(found, default=None)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _columns(name: str, model: type[BaseModel]) -> list[str]:
    if name in COLUMNS:
        return COLUMNS[name]
    found: list[str] = []
    for field, info in model.model_fields.items():
        inner, _ = _unwrap(info.annotation)
        found += ([f"{field}.{c}" for c in _columns("", inner)] if _is_model(inner)
                  else [field])
    return found


def _field(name: str, info: FieldInfo, *, prefix: str = "", inside_required: bool = True
           ) -> list[FormField]:
    kind, optional = _unwrap(info.annotation)
    full = f"{prefix}{name}"
    # A nested model's field is required only when the model itself is.
    required = info.is_required() and not optional and inside_required
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    base = {"name": full, "label": _label(full), "required": required}
    if _is_model(kind):
        return [f for sub, sub_info in kind.model_fields.items()
                for f in _field(sub, sub_info, prefix=f"{full}.", inside_required=required)]
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        item, _ = _unwrap(item)
        if isinstance(item, type) and issubclass(item, Enum):
            return [FormField(**base, kind=FieldKind.CHECKBOXES,
                              options=[m.value for m in item],
                              default=[m.value for m in default or []])]
        if _is_model(item):
            columns = _columns(full, item)
            return [FormField(**base, kind=FieldKind.ROWS, columns=columns,
                              help="One per line: " + f" {ROW_SEPARATOR} ".join(columns))]
        return [FormField(**base, kind=FieldKind.LINES, help="One per line")]
    if isinstance(kind, type) and issubclass(kind, Enum):
        value = default.value if isinstance(default, Enum) else None
        return [FormField(**base, kind=FieldKind.SELECT, options=[m.value for m in kind],
                          default=value)]
    if kind is bool:
        return [FormField(**base, kind=FieldKind.YES_NO if required else FieldKind.CHECKBOX,
                          default=default)]
    if kind is datetime:
        return [FormField(**base, kind=FieldKind.DATETIME)]
    longest = _max_length(info)
    long_text = longest is None or longest > LONG_TEXT
    text_kind = FieldKind.TEXTAREA if kind is str and long_text else FieldKind.TEXT
    return [FormField(**base, kind=text_kind, default=default if default != "" else None)]


def form_spec(model: type[BaseModel]) -> FormSpec:
    """The form of an input model: every field the person fills, in the model's order."""
    return FormSpec(fields=[f for name, info in model.model_fields.items()
                            if name not in SERVER_FIELDS for f in _field(name, info)])


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _row(columns: Sequence[str], line: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    cells = [cell.strip() for cell in line.split(ROW_SEPARATOR)]
    # Extra cells go to the last column rather than being dropped without a word.
    if len(cells) > len(columns):
        cells = [*cells[: len(columns) - 1], f" {ROW_SEPARATOR} ".join(cells[len(columns) - 1:])]
    for column, cell in zip(columns, cells, strict=False):
        if cell:
            _put(record, column, cell)
    return record


def form_values(spec: FormSpec, data: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What the person typed, as the input model's JSON shape (validation is the model's job).

    An empty optional field is left out, so the model's default applies, as in the API."""
    values: dict[str, Any] = {}
    for field in spec.fields:
        given = list(data.get(field.name, []))
        first = given[0].strip() if given else ""
        match field.kind:
            case FieldKind.CHECKBOX:
                if given:
                    _put(values, field.name, True)
            case FieldKind.CHECKBOXES:
                _put(values, field.name, [g for g in given if g])
            case FieldKind.YES_NO:
                if first in ("yes", "no"):
                    _put(values, field.name, first == "yes")
            case FieldKind.LINES:
                if first:
                    _put(values, field.name, _lines(given[0]))
            case FieldKind.ROWS:
                if first:
                    _put(values, field.name, [_row(field.columns, line)
                                              for line in _lines(given[0])])
            case _:
                if first:
                    _put(values, field.name, given[0] if field.kind is FieldKind.TEXTAREA
                         else first)
    return values


def _owner(spec: FormSpec, loc: Sequence[int | str]) -> tuple[FormField | None, str]:
    """The form field an error location belongs to, and the rest of the location in words."""
    names = {f.name: f for f in spec.fields}
    parts = [str(p) for p in loc]
    for size in range(len(parts), 0, -1):
        name = ".".join(parts[:size])
        if name in names:
            field, rest = names[name], loc[size:]
            if field.kind in (FieldKind.ROWS, FieldKind.LINES) and rest and isinstance(
                    rest[0], int):
                where = f"line {rest[0] + 1}"
                tail = ".".join(str(p) for p in rest[1:])
                return field, f"{where}, {tail}" if tail else where
            return field, ".".join(str(p) for p in rest)
    return None, ".".join(parts)


def field_messages(spec: FormSpec, errors: Iterable[ErrorDetails]) -> dict[str, list[str]]:
    """The model's validation errors by form field name; "" holds those of the whole form."""
    found: dict[str, list[str]] = {}
    for error in errors:
        field, where = _owner(spec, error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        text = f"{where}: {message}" if where else message
        found.setdefault(field.name if field else "", []).append(text)
    return found
