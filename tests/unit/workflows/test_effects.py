"""Search attribute upserts: only what changed goes into the history."""

from __future__ import annotations

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows import effects
from workflows import search_attributes as sa


def test_only_changed_search_attributes_are_upserted() -> None:
    current = TypedSearchAttributes([
        SearchAttributePair(sa.STAGE, "communicate"),
        SearchAttributePair(sa.TIER, 1),
        SearchAttributePair(sa.CUSTOMERS, ["cust-1", "cust-2"]),
    ])
    updates = [sa.STAGE.value_set("resolve"), sa.TIER.value_set(1),
               sa.CUSTOMERS.value_set(["cust-1", "cust-2"]), sa.SLA_BREACHED.value_set(False)]
    changed = effects.changed(updates, current)
    # A value never set counts as changed: False is not "unset".
    assert [u.key.name for u in changed] == ["EscalationStage", "SlaBreached"]


def test_nothing_changed_means_no_upsert() -> None:
    current = TypedSearchAttributes([SearchAttributePair(sa.STAGE, "communicate")])
    assert effects.changed([sa.STAGE.value_set("communicate")], current) == []
