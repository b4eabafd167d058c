from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect

from domain.enums import RcaKind
from domain.models import Deadlines, EscalationView, RcaView
from store.tables import EscalationRow, RcaTaskRow, TimelineRow
from tests.unit.store.factories import T0, breached, customer, entry, make_view, rca_task

# Columns that are not a top-level field of the view, and where each comes from.
DERIVED = {
    "customer_id": "customer.id",
    "breached": "sla.any_breached()",
    "sla_notice": "sla.notice",
    "sla_acknowledge": "sla.acknowledge",
    "sla_resolve": "sla.resolve",
    "notice_due": "deadlines.notice_due",
    "acknowledge_due": "deadlines.acknowledge_due",
    "resolve_due": "deadlines.resolve_due",
    "next_due": "domain.clocks.next_due(view)",
    "view_json": "the whole view",
    "request_hash": "RecordInput.request_hash (not part of the view)",
    "complaint_reference": "complaint.reference",
    "complaint_received_at": "complaint.received_at",
    "complaint_closed_at": "complaint.closed_at",
}


def _full_view() -> EscalationView:
    later = T0 + timedelta(hours=2)
    return make_view(
        "esc-1",
        owner="alice",
        customer=customer("acme"),
        sla=breached(),
        deadlines=Deadlines(notice_due=later, acknowledge_due=later, resolve_due=later),
        notice_sent_at=later,
        acknowledged_at=later,
        resolution_declared_at=later,
        resolved_at=later,
        closed_at=later,
        paused=True,
        paused_at=later,
        paused_total=3_600,
        rca=RcaView(required=True, internal=rca_task("rca-1", RcaKind.INTERNAL)),
    )


class TestEscalationRow:
    def test_every_column_is_a_view_field_or_a_declared_derivation(self) -> None:
        columns = {column.key for column in inspect(EscalationRow).columns}
        assert columns - DERIVED.keys() <= set(EscalationView.model_fields)

    def test_columns_named_like_view_fields_hold_their_values(self) -> None:
        view = _full_view()
        row = EscalationRow.from_view(view)
        shared = {column.key for column in inspect(EscalationRow).columns} - DERIVED.keys()
        assert {name: getattr(row, name) for name in shared} == {
            name: getattr(view, name) for name in shared
        }

    def test_derived_columns(self) -> None:
        row = EscalationRow.from_view(_full_view())
        assert (row.customer_id, row.breached, row.sla_acknowledge) == ("acme", True, "breached")
        assert row.resolve_due == T0 + timedelta(hours=2)

    def test_a_cancelled_escalation_counts_as_closed_at_its_cancellation(self) -> None:
        view = make_view("esc-1", cancelled_at=T0)
        assert EscalationRow.from_view(view).closed_at == T0

    def test_the_view_round_trips(self) -> None:
        view = _full_view()
        assert EscalationRow.from_view(view).to_view() == view


class TestColumnValues:
    """The store's Core statements take these dicts as bound parameters: a column missing from
    one would be written as NULL, an extra key would fail the INSERT."""

    def test_an_escalation_gives_every_column(self) -> None:
        assert EscalationRow.values_from_view(_full_view()).keys() == _columns(EscalationRow)

    def test_a_timeline_entry_gives_every_column(self) -> None:
        assert TimelineRow.values_from_entry("esc-1", entry(1)).keys() == _columns(TimelineRow)

    def test_an_rca_task_gives_every_column(self) -> None:
        view = _full_view()
        assert view.rca.internal is not None
        values = RcaTaskRow.values_from_task(view, view.rca.internal)
        assert values.keys() == _columns(RcaTaskRow)


def _columns(table: type[EscalationRow | TimelineRow | RcaTaskRow]) -> set[str]:
    return {column.key for column in inspect(table).columns}
