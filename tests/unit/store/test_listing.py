from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Priority, Stage, Status
from store.cursor import InvalidCursor, decode_cursor, encode_cursor
from store.queries import EscalationFilters, list_escalations, upsert_escalation
from tests.unit.store.factories import T0, breached, customer, make_view

# Each special escalation differs from the plain ones in exactly one filtered attribute.
SPECIAL: dict[str, dict[str, Any]] = {
    "esc-cancelled": {"status": Status.CANCELLED},
    "esc-resolving": {"stage": Stage.RESOLVE},
    "esc-urgent": {"priority": Priority.P1},
    "esc-tier3": {"tier": 3},
    "esc-billing": {"team": "billing"},
    "esc-acme": {"customer": customer("acme")},
    "esc-breached": {"sla": breached()},
    "esc-charged": {"title": "Charged twice for the March invoice"},
    "esc-paused": {"paused": True, "paused_at": T0, "paused_total": 600},
}
FILTERS = [
    (EscalationFilters(status=Status.CANCELLED), {"esc-cancelled"}),
    (EscalationFilters(stage=Stage.RESOLVE), {"esc-resolving"}),
    (EscalationFilters(priority=Priority.P1), {"esc-urgent"}),
    (EscalationFilters(tier=3), {"esc-tier3"}),
    (EscalationFilters(team="billing"), {"esc-billing"}),
    (EscalationFilters(customer_id="acme"), {"esc-acme"}),
    (EscalationFilters(breached=True), {"esc-breached"}),
    (EscalationFilters(paused=True), {"esc-paused"}),
    (EscalationFilters(q="CHARGED twice"), {"esc-charged"}),
    (EscalationFilters(q="%"), set()),  # LIKE wildcards are text, not patterns
    (EscalationFilters(team="billing", tier=3), set()),
]


def _all_pages(
    sessions: sessionmaker[Session], limit: int, filters: EscalationFilters | None = None
) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        with sessions() as s, s.begin():
            page, cursor = list_escalations(
                s, filters or EscalationFilters(), limit=limit, cursor=cursor
            )
        ids += [view.id for view in page]
        if cursor is None:
            return ids


class TestFilters:
    @pytest.fixture
    def stored(self, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
        with sessions() as s, s.begin():
            for n in range(2):
                upsert_escalation(s, make_view(f"esc-plain-{n}"))
            for escalation_id, changes in SPECIAL.items():
                upsert_escalation(s, make_view(escalation_id, **changes))
        return sessions

    @pytest.mark.parametrize(("filters", "expected"), FILTERS)
    def test_each_filter_selects_its_escalations(
        self, stored: sessionmaker[Session], filters: EscalationFilters, expected: set[str]
    ) -> None:
        assert set(_all_pages(stored, limit=50, filters=filters)) == expected

    def test_breached_false_leaves_out_the_breached(self, stored: sessionmaker[Session]) -> None:
        ids = set(_all_pages(stored, limit=50, filters=EscalationFilters(breached=False)))
        assert ids == {"esc-plain-0", "esc-plain-1"} | set(SPECIAL) - {"esc-breached"}


class TestPagination:
    def test_newest_first_with_ties_broken_by_id(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            upsert_escalation(s, make_view("esc-a", created_at=T0))
            upsert_escalation(s, make_view("esc-b", created_at=T0))
            upsert_escalation(s, make_view("esc-c", created_at=T0 - timedelta(seconds=1)))
            upsert_escalation(s, make_view("esc-d", created_at=T0 + timedelta(microseconds=1)))
        with sessions() as s, s.begin():
            page, cursor = list_escalations(s, EscalationFilters(), limit=10, cursor=None)
        assert [v.id for v in page] == ["esc-d", "esc-b", "esc-a", "esc-c"]
        assert cursor is None

    def test_pages_neither_repeat_nor_skip_while_escalations_arrive(
        self, sessions: sessionmaker[Session]
    ) -> None:
        # Three share each timestamp, so page boundaries fall inside groups of ties.
        existing = [
            make_view(f"esc-{n:02d}", created_at=T0 + timedelta(seconds=n // 3)) for n in range(20)
        ]
        with sessions() as s, s.begin():
            for view in existing:
                upsert_escalation(s, view)
        expected = [
            v.id for v in sorted(existing, key=lambda v: (v.created_at, v.id), reverse=True)
        ]

        seen: list[str] = []
        cursor: str | None = None
        arrivals = 0
        while True:
            with sessions() as s, s.begin():
                page, cursor = list_escalations(s, EscalationFilters(), limit=4, cursor=cursor)
            seen += [view.id for view in page]
            if cursor is None:
                break
            arrivals += 1
            with sessions() as s, s.begin():
                upsert_escalation(
                    s, make_view(f"esc-new-{arrivals}", created_at=T0 + timedelta(hours=arrivals))
                )
        assert seen == expected
        assert arrivals == 4

    def test_the_last_page_has_no_cursor(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s, s.begin():
            for n in range(4):
                upsert_escalation(s, make_view(f"esc-{n}", created_at=T0 + timedelta(seconds=n)))
        with sessions() as s, s.begin():
            first, cursor = list_escalations(s, EscalationFilters(), limit=2, cursor=None)
            second, last = list_escalations(s, EscalationFilters(), limit=2, cursor=cursor)
        assert [v.id for v in first + second] == ["esc-3", "esc-2", "esc-1", "esc-0"]
        assert cursor is not None
        assert last is None

    def test_a_malformed_cursor_is_refused(self, sessions: sessionmaker[Session]) -> None:
        with pytest.raises(InvalidCursor), sessions() as s, s.begin():
            list_escalations(s, EscalationFilters(), limit=10, cursor="not a cursor")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


class TestCursor:
    def test_round_trips(self) -> None:
        assert decode_cursor(encode_cursor(T0, "esc-1|odd")) == (T0, "esc-1|odd")

    @pytest.mark.parametrize(
        "cursor",
        [
            "",
            "***",
            "x" * 1000,
            _b64("no separator"),
            _b64(f"{T0.isoformat()}|"),
            _b64("yesterday|esc-1"),
            _b64("2026-03-02T09:00:00|esc-1"),  # naive
            base64.urlsafe_b64encode(b"\xff\xfe|esc").decode(),
        ],
    )
    def test_anything_else_is_invalid(self, cursor: str) -> None:
        with pytest.raises(InvalidCursor):
            decode_cursor(cursor)
