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
    count_prior_escalations_by_customer,
    get_escalation,
    get_request_hash,
    list_escalations,
    upsert_escalation,
)
from store.health import schema_ready
from store.intake_groups import KeySeen, lock_intake, open_groups, remember_keys
from store.intake_report import intake_report
from store.posts import Settlement, find_posts, founder_of, insert_posts, settle_posts
from store.presence import touch_presence
from store.rca import list_rca_tasks
from store.records import close_records
from store.reports import sla_report
from store.schemas import (
    DeliveryItem,
    DeliveryState,
    DeliveryStatus,
    EscalationFilters,
    Presence,
    RcaTaskEscalation,
    RcaTaskItem,
    TimelineItem,
)
from store.sources import escalation_sources
from store.spikes import measure_spike, record_spike
from store.timeline import append_timeline, get_timeline
from store.trends import breaches_by_kind, daily_figures

__all__ = [
    "Delivered",
    "DeliveryItem",
    "DeliveryState",
    "DeliveryStatus",
    "EscalationFilters",
    "InvalidCursor",
    "KeySeen",
    "Presence",
    "RcaTaskEscalation",
    "RcaTaskItem",
    "Settlement",
    "TimelineItem",
    "append_timeline",
    "board_page",
    "breaches_by_kind",
    "close_records",
    "count_prior_escalations",
    "count_prior_escalations_by_customer",
    "daily_figures",
    "escalation_sources",
    "find_delivered",
    "find_posts",
    "founder_of",
    "get_delivery",
    "get_escalation",
    "get_request_hash",
    "get_timeline",
    "idr_complaints",
    "insert_posts",
    "intake_report",
    "list_deliveries",
    "list_escalations",
    "list_rca_tasks",
    "lock_intake",
    "mark_delivered",
    "mark_failed",
    "measure_spike",
    "open_groups",
    "record_delivery_attempt",
    "record_spike",
    "remember_keys",
    "schema_ready",
    "settle_posts",
    "sla_report",
    "touch_presence",
    "upsert_escalation",
]
