"""Merging duplicates (issue 22): the duplicate closes as `merged`, the survivor takes in what
it held.

Two workflows take part, so the step is split in two decisions, each in its own workflow:
1. the survivor's `absorb_duplicate` update (`ensure_absorbable`, `absorb`): customers,
   services, records, stakeholders, tags and the duplicate's source join it, deduplicated,
   with one `duplicate_merged` entry; idempotent by the duplicate's id;
2. then the duplicate's own `merge` action (`merge`): status `merged`, `merged_into` set, its
   timers gone with its open status, its stakeholders and team told where it went.
The duplicate's workflow sends (1) through an activity before it applies (2), so a merge that
the survivor refuses changes nothing anywhere.

Loops cannot form: a survivor must be open and not itself being merged (the workflow passes
`merging`), and a merged escalation is closed, so A into B while B went into A is refused by
A (closed) or by B (merging or merged), whichever comes second.
"""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.casework import AbsorbInput, MergeInput
from domain.enums import Level, NotificationEvent, Role, Stage, Status, TimelineType
from domain.errors import ActionNotAllowed
from domain.lifecycle.rules import allowed_actions
from domain.lifecycle.steps import unique, unique_customers, unique_recipients
from domain.models import Actor
from domain.state import EscalationState
from domain.transition import Transition, Tx


def is_repeat(state: EscalationState, command: MergeInput) -> bool:
    """The same merge again (a retry): answered as it was, nothing more happens."""
    return state.status is Status.MERGED and state.merged_into == command.into


def absorb_input(state: EscalationState, command: MergeInput) -> AbsorbInput:
    """What the survivor must take in from this duplicate."""
    actor = command.actor or Actor(name="system", role=Role.SYSTEM)
    return AbsorbInput(
        actor=actor, duplicate_id=state.id, duplicate_title=state.title, note=command.note,
        affected_customers=state.affected_customers, affected_services=state.affected_services,
        related_records=state.related_records, problem_records=state.problem_records,
        stakeholders=state.stakeholders, tags=state.tags, source=state.source,
        absorbed=state.merged_from,
    )


def ensure_absorbable(state: EscalationState, command: AbsorbInput, *, merging: str | None
                      ) -> None:
    """The survivor's check: open, not in close, not itself on its way into another one, and
    not the duplicate itself. A duplicate already taken in passes (the repeat is a no-op)."""
    if command.duplicate_id in state.merged_from:
        return
    why = None
    if command.duplicate_id == state.id:
        why = "an escalation cannot be merged into itself"
    elif not state.is_open:
        why = f"the target {state.id} is {state.status.value}" + (
            f" (merged into {state.merged_into})" if state.merged_into else "")
    elif state.stage is Stage.CLOSE:
        why = f"the target {state.id} is in stage close"
    elif merging is not None:
        why = (f"the target {state.id} is itself being merged into {merging}; merge into "
               f"that one instead")
    if why is not None:
        raise ActionNotAllowed(f"merge is not allowed: {why}", stage=state.stage.value,
                               allowed_actions=[a.value for a in allowed_actions(state)])


def absorb(state: EscalationState, command: AbsorbInput, *, at: datetime) -> Transition:
    """Take in a duplicate (call ensure_absorbable first); a repeat changes nothing."""
    tx = Tx(state, at, command.actor.name)
    if command.duplicate_id in state.merged_from:
        return tx.done()
    s = tx.state
    before = (len(s.affected_customers), len(s.affected_services), len(s.related_records),
              len(s.problem_records), len(s.stakeholders), len(s.tags))
    s.affected_customers = unique_customers(s.affected_customers, command.affected_customers)
    s.affected_services = unique(s.affected_services, command.affected_services)
    s.related_records = unique(s.related_records, command.related_records)
    s.problem_records = unique(s.problem_records, command.problem_records)
    s.stakeholders = unique_recipients(s.stakeholders, command.stakeholders)
    s.tags = unique(s.tags, command.tags)
    s.merged_from = unique(s.merged_from, [command.duplicate_id, *command.absorbed])
    added = {
        "affected_customers": [c.id for c in s.affected_customers[before[0]:]],
        "affected_services": s.affected_services[before[1]:],
        "related_records": s.related_records[before[2]:],
        "problem_records": s.problem_records[before[3]:],
        "stakeholders": [r.name for r in s.stakeholders[before[4]:]],
        "tags": s.tags[before[5]:],
    }
    details: dict[str, object] = {
        "duplicate": command.duplicate_id, "title": command.duplicate_title,
        "note": command.note, "added": {k: v for k, v in added.items() if v},
    }
    if command.source is not None:
        details["source"] = command.source.model_dump(mode="json")
    if command.absorbed:
        details["also"] = command.absorbed  # duplicates the duplicate had taken in
    tx.log(TimelineType.DUPLICATE_MERGED, details)
    return tx.done()


def merge(tx: Tx, command: MergeInput) -> None:
    """The duplicate's side, once the survivor took it in: it closes as merged."""
    s = tx.state
    s.status = Status.MERGED
    s.merged_into = command.into
    s.closed_at = tx.at
    s.task_force.active = False
    tx.log(TimelineType.MERGED, {"into": command.into, "note": command.note})
    link = s.links.links_for(command.into).self
    why = f"\n\n{command.note}" if command.note else ""
    tx.notify(NotificationEvent.MERGED,
              to.stakeholder_reach(s) + to.team_reach(s, Level.AGENT),
              subject=f"Merged: {s.title}",
              message=f"{s.title} ({s.id}) was merged into {command.into} as a duplicate; "
                      f"follow it there: {link}{why}")
