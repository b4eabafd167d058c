"""Every query of the store, in one import: `from store.queries import list_escalations`.

Each function takes the caller's Session and never commits.
"""

from store.board import board_page
from store.complaints import idr_complaints
from store.cursor import InvalidCursor
from store.deliveries import (
    Delivered,
    find_delivered,
    get_delivery,
    list_deliveries,
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
from store.presence import touch_presence
from store.rca import list_rca_tasks
from store.records import close_records
from store.reports import sla_report
from store.schemas import (
    DeliveryItem,
    DeliveryStatus,
    EscalationFilters,
    Presence,
    RcaTaskEscalation,
    RcaTaskItem,
)
from store.timeline import append_timeline, get_timeline
from store.trends import breaches_by_kind, daily_figures

__all__ = [
    "Delivered",
    "DeliveryItem",
    "DeliveryStatus",
    "EscalationFilters",
    "InvalidCursor",
    "Presence",
    "RcaTaskEscalation",
    "RcaTaskItem",
    "append_timeline",
    "board_page",
    "breaches_by_kind",
    "close_records",
    "count_prior_escalations",
    "daily_figures",
    "find_delivered",
    "get_delivery",
    "get_escalation",
    "get_request_hash",
    "get_timeline",
    "idr_complaints",
    "list_deliveries",
    "list_escalations",
    "list_rca_tasks",
    "mark_delivered",
    "mark_failed",
    "record_delivery_attempt",
    "schema_ready",
    "sla_report",
    "touch_presence",
    "upsert_escalation",
]
