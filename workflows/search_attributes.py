"""The custom search attributes engineers query in the Temporal UI (lifecycle.md).

`SEARCH_ATTRIBUTES` (name -> Temporal type) is what the dev stack and docker-compose register;
the typed keys are what the workflow upserts. A test checks both agree with docker-compose.yml.
The values come from one function for the start (the API) and for every change (the workflow).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

with workflow.unsafe.imports_passed_through():
    from domain.enums import Priority, Stage, Status
    from domain.models import AffectedCustomer, Customer
    from domain.state import EscalationRequest, EscalationState

STAGE = SearchAttributeKey.for_keyword("EscalationStage")
STATUS = SearchAttributeKey.for_keyword("EscalationStatus")
PRIORITY = SearchAttributeKey.for_keyword("EscalationPriority")
TIER = SearchAttributeKey.for_int("EscalationTier")
TEAM = SearchAttributeKey.for_keyword("EscalationTeam")
CUSTOMERS = SearchAttributeKey.for_keyword_list("EscalationCustomers")
SLA_BREACHED = SearchAttributeKey.for_bool("SlaBreached")

SEARCH_ATTRIBUTES: dict[str, str] = {
    "EscalationStage": "Keyword",
    "EscalationStatus": "Keyword",
    "EscalationPriority": "Keyword",
    "EscalationTier": "Int",
    "EscalationTeam": "Keyword",
    "EscalationCustomers": "KeywordList",
    "SlaBreached": "Bool",
}


# EscalationStatus while the SLA clocks are paused (issue 22); the escalation's status stays open.
PAUSED = "paused"


def _pairs(*, stage: Stage, status: str, priority: Priority, tier: int, team: str,
           customers: list[str], sla_breached: bool) -> list[SearchAttributePair[Any]]:
    return [
        SearchAttributePair(STAGE, stage.value),
        SearchAttributePair(STATUS, status),
        SearchAttributePair(PRIORITY, priority.value),
        SearchAttributePair(TIER, tier),
        SearchAttributePair(TEAM, team),
        SearchAttributePair(CUSTOMERS, customers),
        SearchAttributePair(SLA_BREACHED, sla_breached),
    ]


# Temporal refuses a search attribute value over 2 KiB (limit.searchAttributesSizeOfValue),
# and a refused upsert fails every workflow task: social intake can attach hundreds of
# customers, so the list stops short of the limit (the escalation itself keeps them all).
CUSTOMERS_BYTES = 1_500


def customer_ids(customer: Customer | None, affected: list[AffectedCustomer]) -> list[str]:
    """The named customer and the affected ones, each once, sorted (a keyword list), as many
    as fit in CUSTOMERS_BYTES; the named customer is always kept."""
    named = [customer.id] if customer else []
    others = sorted({c.id for c in affected} - set(named))
    kept, size = list(named), sum(len(i) + 3 for i in named)
    for customer_id in others:
        size += len(customer_id) + 3  # quotes and comma, as the value is encoded
        if size > CUSTOMERS_BYTES:
            break
        kept.append(customer_id)
    return sorted(kept)


def at_start(request: EscalationRequest) -> TypedSearchAttributes:
    """What a new escalation's workflow starts with, from its final routing."""
    body, decision = request.request, request.routing
    return TypedSearchAttributes(_pairs(
        stage=Stage.START, status=Status.OPEN.value, priority=decision.priority, tier=decision.tier,
        team=decision.team, customers=customer_ids(body.customer, body.affected_customers),
        sla_breached=False,
    ))


def of_state(state: EscalationState) -> list[SearchAttributeUpdate[Any]]:
    """The values the workflow keeps its search attributes at."""
    return [pair.key.value_set(pair.value) for pair in _pairs(
        stage=state.stage, status=PAUSED if state.is_paused else state.status.value,
        priority=state.priority, tier=state.tier,
        team=state.team, customers=customer_ids(state.customer, state.affected_customers),
        sla_breached=state.sla.any_breached(),
    )]
