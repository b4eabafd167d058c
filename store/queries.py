"""Every query of the store, in one import: `from store.queries import list_escalations`.

Each function takes the caller's Session and never commits.
"""

from store.complaints import idr_complaints
from store.cursor import InvalidCursor
from store.deliveries import (
    Delivered,
    find_delivered,
    get_delivery,
    mark_delivered,
    mark_failed,
    record_delivery_attempt,
)
from store.escalations import (
    count_prior_escalations,
    get_escalation,
    get_request_hash,
    list_escalations,
    upsert_escalation,
)
from store.health import schema_ready
from store.rca import list_rca_tasks
from store.records import close_records
from store.reports import sla_report
from store.schemas import DeliveryStatus, EscalationFilters, RcaTaskEscalation, RcaTaskItem
from store.timeline import append_timeline, get_timeline

__all__ = [
    "Delivered",
    "DeliveryStatus",
    "EscalationFilters",
    "InvalidCursor",
    "RcaTaskEscalation",
    "RcaTaskItem",
    "append_timeline",
    "close_records",
    "count_prior_escalations",
    "find_delivered",
    "get_delivery",
    "get_escalation",
    "get_request_hash",
    "get_timeline",
    "idr_complaints",
    "list_escalations",
    "list_rca_tasks",
    "mark_delivered",
    "mark_failed",
    "record_delivery_attempt",
    "schema_ready",
    "sla_report",
    "upsert_escalation",
]
