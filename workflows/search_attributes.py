"""The custom search attributes engineers query in the Temporal UI (lifecycle.md).

`SEARCH_ATTRIBUTES` (name -> Temporal type) is what the dev stack and docker-compose register;
the typed keys are what the workflow upserts. A test checks both agree with docker-compose.yml.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

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
