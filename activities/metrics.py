"""Domain counters of the worker: escalations opened and closed, SLA breaches, notifications.

They are created on the Temporal runtime's metric meter rather than in a prometheus_client
registry, so the SDK's Prometheus endpoint (WORKER_METRICS_PORT) serves them beside its own
task and poll metrics: one port and one scrape target per worker, nothing else listening.
Without that endpoint the runtime has no metrics exporter and the counters cost nothing.

Counters are per process; Prometheus sums them over the workers (`sum by (priority)`).
"""

from __future__ import annotations

from collections.abc import Iterable

from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.runtime import Runtime

from domain.enums import ContactChannel, Priority, TimelineType
from domain.models import TimelineEntry

# The SDK exports counters under exactly these names (PrometheusConfig.counters_total_suffix
# is off), so they carry Prometheus' `_total` themselves.
ESCALATIONS_OPENED = "escalations_opened_total"
ESCALATIONS_CLOSED = "escalations_closed_total"
SLA_BREACHES = "escalations_sla_breaches_total"
NOTIFICATIONS_SENT = "escalations_notifications_sent_total"
NOTIFICATIONS_FAILED = "escalations_notifications_failed_total"


class DomainMetrics:
    """What activities count; build one per worker and hand it to the activity classes."""

    def __init__(self, meter: MetricMeter) -> None:
        self._opened = meter.create_counter(
            ESCALATIONS_OPENED, "Escalations opened, by priority at intake.")
        self._closed = meter.create_counter(
            ESCALATIONS_CLOSED, "Escalations ended, by priority and status (closed, cancelled).")
        self._breaches = meter.create_counter(
            SLA_BREACHES, "SLA deadlines passed unmet, by kind (notice, acknowledge, resolve, "
            "final_response) and priority.")
        self._sent = meter.create_counter(
            NOTIFICATIONS_SENT, "Notifications a receiver accepted, by channel.")
        self._failed = meter.create_counter(
            NOTIFICATIONS_FAILED, "Failed notification attempts, by channel and error type "
            "(delivery_failed is retried; target_refused and channel_not_configured are final).")

    @classmethod
    def noop(cls) -> DomainMetrics:
        """For activities built without a worker (unit tests, ActivityEnvironment)."""
        return cls(MetricMeter.noop)

    @classmethod
    def of_client(cls, client: Client) -> DomainMetrics:
        """On the runtime the client (and so its worker) runs on: the one whose
        PrometheusConfig serves WORKER_METRICS_PORT."""
        runtime = client.service_client.config.runtime or Runtime.default()
        return cls(runtime.metric_meter)

    def recorded(self, priority: Priority, entries: Iterable[TimelineEntry]) -> None:
        """Count what newly stored timeline entries say happened.

        Call after the transaction commits, with only the entries the store inserted: a retried
        activity then counts nothing twice.
        """
        for entry in entries:
            match entry.type:
                case TimelineType.CREATED:
                    self._opened.add(1, {"priority": priority.value})
                case TimelineType.CLOSED | TimelineType.CANCELLED:
                    status = "closed" if entry.type is TimelineType.CLOSED else "cancelled"
                    self._closed.add(1, {"priority": priority.value, "status": status})
                case TimelineType.SLA_BREACHED:
                    kind = str(entry.details.get("sla", "unknown"))
                    self._breaches.add(1, {"kind": kind, "priority": priority.value})
                case _:
                    pass

    def notification_sent(self, channel: ContactChannel) -> None:
        self._sent.add(1, {"channel": channel.value})

    def notification_failed(self, channel: ContactChannel, error_type: str) -> None:
        self._failed.add(1, {"channel": channel.value, "error_type": error_type})
