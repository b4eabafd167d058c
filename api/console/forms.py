"""Action forms: which ones a person sees, and what a form holds between two renders.

Which forms appear is the domain's answer, never a template's: the actions the escalation
allows now (`view.allowed_actions`, from domain.lifecycle) that the person's role may take
(`domain.lifecycle.ROLES`). Each form is drawn from its input model (domain/forms.py), so an
action added to the lifecycle gets its form here without a template change; `WORDS` only adds
the button's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from domain.enums import Action, Role
from domain.errors import InvalidInput
from domain.forms import FieldKind, FormSpec, form_spec
from domain.lifecycle import INPUTS, ROLES
from domain.models import CreateEscalationInput, EscalationView

# (what the form does, what a person filling it is writing: "<name> is writing …")
WORDS: dict[Action, tuple[str, str]] = {
    Action.ACKNOWLEDGE: ("Acknowledge", "an acknowledgement"),
    Action.ADD_DETAILS: ("Add details", "details"),
    Action.SEND_NOTICE: ("Send the notice", "the notice"),
    Action.POST_STATUS_UPDATE: ("Post a status update", "a status update"),
    Action.SET_ACTION_PLAN: ("Set the action plan", "the action plan"),
    Action.ESCALATE: ("Escalate", "an escalation"),
    Action.DEPLOY_TASK_FORCE: ("Deploy a task force", "a task force"),
    Action.DECLARE_RESOLUTION: ("Declare the resolution", "the resolution"),
    Action.VERIFY_RESOLUTION: ("Verify the resolution", "the verification"),
    Action.CONFIRM_CUSTOMER_ACCESS: ("Confirm customer access", "the customer access check"),
    Action.SUBMIT_INTERNAL_RCA: ("Submit the internal RCA", "the internal RCA"),
    Action.SHARE_CUSTOMER_RCA: ("Share the customer RCA", "the customer RCA"),
    Action.CANCEL: ("Cancel the escalation", "a cancellation"),
    Action.PAUSE: ("Pause the SLA clocks", "a pause"),
    Action.RESUME: ("Resume the SLA clocks", "a resume note"),
    Action.RETRIAGE: ("Re-triage", "a re-triage"),
    Action.DEESCALATE: ("De-escalate one level", "a de-escalation"),
    Action.MERGE: ("Merge into another escalation", "a merge"),
    Action.ADD_NOTE: ("Add an internal note", "an internal note"),
}
FORMS: dict[Action, FormSpec] = {action: form_spec(model) for action, model in INPUTS.items()}
CREATE_FORM = form_spec(CreateEscalationInput)
WRITING = "writing:"


# The forms that may send a saved reply instead of a message (issue 22).
REPLYING = frozenset({Action.SEND_NOTICE, Action.POST_STATUS_UPDATE})


def with_saved_replies(spec: FormSpec, names: Sequence[str]) -> FormSpec:
    """The form's `saved_reply` as a choice of the replies that fit the escalation (no field
    when none fits: there is nothing to choose)."""
    fields = []
    for f in spec.fields:
        if f.name == "saved_reply":
            if not names:
                continue
            f = f.model_copy(update={
                "kind": FieldKind.SELECT, "options": list(names), "label": "Saved reply",
                "help": "Instead of a message: the saved reply, filled in for this escalation."})
        fields.append(f)
    return FormSpec(fields=fields)


def title(action: Action) -> str:
    return WORDS.get(action, (action.value.replace("_", " ").capitalize(), ""))[0]


def activity_words(activity: str) -> str:
    """`writing:post_status_update` -> `is writing a status update`; else `is also viewing`."""
    name = activity.removeprefix(WRITING)
    if activity.startswith(WRITING) and name in Action.__members__.values():
        action = Action(name)
        return f"is writing {WORDS.get(action, ('', action.value.replace('_', ' ')))[1]}"
    return "is also viewing"


def actions_for(view: EscalationView, role: Role) -> list[Action]:
    """The actions this role may take on the escalation now, in the lifecycle's order."""
    allowed = set(view.allowed_actions)
    return [a for a in Action if a.value in allowed and role in ROLES[a]]


def action_named(name: str) -> Action | None:
    return Action(name) if name in {a.value for a in Action} else None


def problems_by_field(error: InvalidInput) -> dict[str, list[str]]:
    """The service's refusals of single fields (`members[0].address`), by form field."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        name = problem.field.split("[")[0].split(".")[0]
        found.setdefault(name, []).append(f"{problem.field}: {problem.message}")
    return found


def multi(form: FormData) -> dict[str, list[str]]:
    """Form data as name -> every value given (checkbox groups send several)."""
    found: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            found.setdefault(name, []).append(value)
    return found


@dataclass
class FormState:
    """A form as the person left it: what they typed and what was wrong with it."""

    action: Action
    typed: Mapping[str, Sequence[str]] = field(default_factory=dict)
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    message: str | None = None  # the refusal of the whole form (409, 403, 412)

    def value(self, name: str) -> str:
        given = self.typed.get(name)
        return given[0] if given else ""

    def values(self, name: str) -> list[str]:
        return list(self.typed.get(name, []))
