"""The console's board in the store: next deadline first, undated last, keyset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import SlaOutcome, Status
from domain.models import Deadlines, SlaState
from store.cursor import InvalidCursor
from store.queries import EscalationFilters, board_page, upsert_escalation
from tests.unit.store.factories import T0, make_view

H = timedelta(hours=1)
OPEN = EscalationFilters(status=Status.OPEN)


def _store(sessions: sessionmaker[Session], dues: dict[str, int | None]) -> None:
    """One escalation per id, its only clock due that many hours after T0 (None: no clock)."""
    with sessions() as session, session.begin():
        for escalation_id, hours in dues.items():
            deadlines = Deadlines(notice_due=T0 + hours * H) if hours is not None else Deadlines()
            upsert_escalation(session, make_view(escalation_id, deadlines=deadlines))


def _ids(sessions: sessionmaker[Session], limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        with sessions() as session:
            views, cursor = board_page(session, OPEN, limit=limit, cursor=cursor)
        pages.append([v.id for v in views])
        if cursor is None:
            return pages


def test_soonest_deadline_first_and_escalations_without_one_last(
    sessions: sessionmaker[Session],
) -> None:
    _store(sessions, {"esc-c": 3, "esc-none-b": None, "esc-a": 1, "esc-none-a": None, "esc-b": 2})
    assert _ids(sessions, 10) == [["esc-a", "esc-b", "esc-c", "esc-none-a", "esc-none-b"]]


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_neither_repeat_nor_skip_across_the_undated_part(
    sessions: sessionmaker[Session], limit: int,
) -> None:
    _store(sessions, {"esc-a": 1, "esc-b": 1, "esc-c": 2, "esc-x": None, "esc-y": None})
    pages = _ids(sessions, limit)
    assert [i for page in pages for i in page] == ["esc-a", "esc-b", "esc-c", "esc-x", "esc-y"]
    assert all(len(page) <= limit for page in pages)


def test_a_met_clock_leaves_the_sort_key(sessions: sessionmaker[Session]) -> None:
    met = make_view("esc-met", notice_sent_at=T0, sla=SlaState(notice=SlaOutcome.MET))
    with sessions() as session, session.begin():
        upsert_escalation(session, met)
        upsert_escalation(session, make_view("esc-due"))
    assert _ids(sessions, 10) == [["esc-due", "esc-met"]]


def test_a_foreign_cursor_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(InvalidCursor):
        board_page(session, OPEN, limit=5, cursor="bm90IG91cnM")
