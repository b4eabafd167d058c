from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import Priority, RcaKind, RcaStatus
from domain.models import RcaView
from store.queries import RcaTaskEscalation, list_rca_tasks, upsert_escalation
from tests.unit.store.factories import T0, customer, make_view, rca_task

BOTH = frozenset(RcaKind)
NOW = T0 + timedelta(days=3)


def _store_tasks(sessions: sessionmaker[Session]) -> None:
    """esc-1: internal submitted, customer still open and due later; esc-2: internal open but
    past due; esc-3: internal marked overdue by the workflow."""
    views = [
        make_view(
            "esc-1",
            title="Charged twice",
            priority=Priority.P1,
            customer=customer("acme"),
            rca=RcaView(
                required=True,
                internal=rca_task("rca-1-internal", RcaKind.INTERNAL, status=RcaStatus.SUBMITTED),
                customer=rca_task(
                    "rca-1-customer",
                    RcaKind.CUSTOMER,
                    assignee="lee",
                    due_at=NOW + timedelta(days=1),
                ),
            ),
        ),
        make_view(
            "esc-2",
            rca=RcaView(
                required=True,
                internal=rca_task(
                    "rca-2-internal", RcaKind.INTERNAL, due_at=NOW - timedelta(hours=1)
                ),
            ),
        ),
        make_view(
            "esc-3",
            rca=RcaView(
                required=True,
                internal=rca_task(
                    "rca-3-internal", RcaKind.INTERNAL, assignee="sam", status=RcaStatus.OVERDUE
                ),
            ),
        ),
    ]
    with sessions() as s, s.begin():
        for view in views:
            upsert_escalation(s, view)


def _ids(
    sessions: sessionmaker[Session],
    *,
    status: RcaStatus | None = None,
    kind: RcaKind | None = None,
    assignee: str | None = None,
    kinds: frozenset[RcaKind] = BOTH,
) -> set[str]:
    with sessions() as s, s.begin():
        items = list_rca_tasks(s, status=status, kind=kind, assignee=assignee, kinds=kinds, now=NOW)
    return {item.id for item in items}


class TestListRcaTasks:
    @pytest.fixture
    def stored(self, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
        _store_tasks(sessions)
        return sessions

    def test_an_item_names_its_escalation(self, stored: sessionmaker[Session]) -> None:
        with stored() as s, s.begin():
            items = list_rca_tasks(
                s, status=None, kind=RcaKind.CUSTOMER, assignee=None, kinds=BOTH, now=NOW
            )
        (item,) = items
        assert item.escalation_id == "esc-1"
        assert item.assignee == "lee"
        assert item.status is RcaStatus.OPEN
        assert item.due_at == NOW + timedelta(days=1)
        assert item.escalation == RcaTaskEscalation(
            id="esc-1", title="Charged twice", priority=Priority.P1, customer=customer("acme")
        )

    def test_soonest_due_first(self, stored: sessionmaker[Session]) -> None:
        with stored() as s, s.begin():
            items = list_rca_tasks(s, status=None, kind=None, assignee=None, kinds=BOTH, now=NOW)
        assert [item.due_at for item in items] == sorted(item.due_at for item in items)
        assert len(items) == 4

    @pytest.mark.parametrize(
        ("kinds", "expected"),
        [
            (frozenset({RcaKind.CUSTOMER}), {"rca-1-customer"}),
            (frozenset({RcaKind.INTERNAL}), {"rca-1-internal", "rca-2-internal", "rca-3-internal"}),
            (frozenset(), set()),
        ],
    )
    def test_a_role_sees_only_its_kinds(
        self, stored: sessionmaker[Session], kinds: frozenset[RcaKind], expected: set[str]
    ) -> None:
        assert _ids(stored, kinds=kinds) == expected

    def test_asking_for_a_kind_the_role_cannot_see_finds_nothing(
        self, stored: sessionmaker[Session]
    ) -> None:
        assert _ids(stored, kind=RcaKind.INTERNAL, kinds=frozenset({RcaKind.CUSTOMER})) == set()

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (RcaStatus.OVERDUE, {"rca-2-internal", "rca-3-internal"}),
            (RcaStatus.OPEN, {"rca-1-customer"}),
            (RcaStatus.SUBMITTED, {"rca-1-internal"}),
        ],
    )
    def test_status_counts_an_open_task_past_due_as_overdue(
        self, stored: sessionmaker[Session], status: RcaStatus, expected: set[str]
    ) -> None:
        assert _ids(stored, status=status) == expected

    def test_an_open_task_past_due_is_listed_as_overdue(
        self, stored: sessionmaker[Session]
    ) -> None:
        with stored() as s, s.begin():
            items = list_rca_tasks(s, status=None, kind=None, assignee=None, kinds=BOTH, now=NOW)
        assert {item.id: item.status for item in items}["rca-2-internal"] is RcaStatus.OVERDUE

    def test_assignee_filter(self, stored: sessionmaker[Session]) -> None:
        assert _ids(stored, assignee="sam") == {"rca-3-internal"}


class TestRcaTasksFollowTheProjection:
    def test_a_newer_view_updates_the_task(self, sessions: sessionmaker[Session]) -> None:
        task = rca_task("rca-1-internal", RcaKind.INTERNAL)
        with sessions() as s, s.begin():
            upsert_escalation(
                s, make_view("esc-1", version=1, rca=RcaView(required=True, internal=task))
            )
            submitted = task.model_copy(update={"status": RcaStatus.SUBMITTED, "submitted_at": T0})
            upsert_escalation(
                s, make_view("esc-1", version=2, rca=RcaView(required=True, internal=submitted))
            )
        with sessions() as s, s.begin():
            (item,) = list_rca_tasks(s, status=None, kind=None, assignee=None, kinds=BOTH, now=NOW)
        assert (item.status, item.submitted_at) == (RcaStatus.SUBMITTED, T0)

    def test_a_stale_view_leaves_the_task_alone(self, sessions: sessionmaker[Session]) -> None:
        task = rca_task("rca-1-internal", RcaKind.INTERNAL)
        submitted = task.model_copy(update={"status": RcaStatus.SUBMITTED, "submitted_at": T0})
        with sessions() as s, s.begin():
            upsert_escalation(
                s, make_view("esc-1", version=2, rca=RcaView(required=True, internal=submitted))
            )
            upsert_escalation(
                s, make_view("esc-1", version=1, rca=RcaView(required=True, internal=task))
            )
        assert _ids(sessions, status=RcaStatus.SUBMITTED) == {"rca-1-internal"}
