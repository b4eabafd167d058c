"""Internal notes: a `note` entry, @mentions of team contacts notified once, nobody else."""

from __future__ import annotations

import pytest

from domain import lifecycle
from domain.casework import NoteInput
from domain.enums import NotificationAudience, NotificationEvent, TimelineType
from domain.errors import RoleNotAllowed
from domain.lifecycle.notes import mentioned, team_contacts
from domain.models import NoticeInput
from tests.unit.domain.test_lifecycle import ENG, IM, LEAD, POLICY, T0, VIEWER, act, opened

CUSTOMER = {"id": "c1", "contact": {"channel": "webhook", "address": "https://c.example/1"}}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@Lee please check", ["Lee"]),
        ("@lee and @LEE again, then @Lee.", ["Lee"]),
        ("ask @billing-on-call and @Mo", ["Billing on-call", "Mo"]),
        ("@SRE_lead, see above", ["SRE lead"]),
        ("mail lee@corp.example about it", []),
        ("@Leeroy is not Lee", []),
        ("no mentions at all", []),
    ],
    ids=["one", "repeated", "two", "underscores", "an-address", "longer-word", "none"],
)
def test_mentions_name_team_contacts_once(text: str, names: list[str]) -> None:
    assert [c.name for c in mentioned(text, team_contacts(POLICY))] == names


def test_a_note_is_an_entry_and_notifies_each_mentioned_contact_once() -> None:
    state = opened(affected_customers=[CUSTOMER])
    done = lifecycle.apply(state, NoteInput(actor=ENG, text="@Lee @lee see the refund, @Mo"),
                           at=T0)
    (entry,) = done.entries
    assert entry.type is TimelineType.NOTE
    assert entry.details == {"text": "@Lee @lee see the refund, @Mo", "mentioned": ["Lee", "Mo"]}
    assert [n.recipient.name for n in done.notifications] == ["Lee", "Mo"]
    assert {n.event for n in done.notifications} == {NotificationEvent.MENTION}
    assert done.state.notes == 1


def test_a_note_never_reaches_customers() -> None:
    state = act(opened(affected_customers=[CUSTOMER]), NoticeInput(actor=IM, message="hi"))
    done = lifecycle.apply(state, NoteInput(actor=IM, text="customer c1 is angry, @Lee"), at=T0)
    assert all(n.audience is NotificationAudience.INTERNAL for n in done.notifications)
    assert "c1" not in {n.recipient.name for n in done.notifications}
    quiet = lifecycle.apply(state, NoteInput(actor=IM, text="nobody named"), at=T0)
    assert quiet.notifications == []


@pytest.mark.parametrize("actor", [IM, ENG, LEAD], ids=["im", "engineer", "lead"])
def test_every_working_role_may_write_a_note(actor: object) -> None:
    command = NoteInput(actor=actor, text="looked at it")  # type: ignore[arg-type]
    lifecycle.ensure_allowed(opened(), lifecycle.ACTION_OF[NoteInput], command)


def test_a_viewer_may_not_write_a_note() -> None:
    with pytest.raises(RoleNotAllowed):
        lifecycle.ensure_allowed(opened(), lifecycle.ACTION_OF[NoteInput],
                                 NoteInput(actor=VIEWER, text="hi"))
