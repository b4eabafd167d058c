"""The links a person follows from a message, by audience.

Internal messages link to the escalation's console page and its Temporal workflow, and an RCA
task's message to the task itself. A customer-audience message links to nothing of ours: not
the API, not the console, not the Temporal UI (customers cannot open them, and their addresses
say what we run).
"""

from __future__ import annotations

from domain.enums import NotificationAudience, NotificationEvent
from domain.messages import DeliveryTarget
from domain.state import Notification


def absolute(link: str, public_url: str) -> str:
    """Views carry API-relative links ("/v1/escalations/…"); messages leave our host."""
    return link if "://" in link else f"{public_url.rstrip('/')}/{link.lstrip('/')}"


def console_page(escalation_id: str, public_url: str) -> str:
    return absolute(f"/console/escalations/{escalation_id}", public_url)


def task_page(notification_id: str, public_url: str) -> str:
    """The console finds the task from the message that announced it (api/console)."""
    return absolute(f"/console/tasks/from/{notification_id}", public_url)


def links(notification: Notification, target: DeliveryTarget, public_url: str
          ) -> list[tuple[str, str]]:
    """(label, URL) pairs, in the order a reader wants them; none for customers."""
    if notification.audience is NotificationAudience.CUSTOMER:
        return []
    found = []
    if notification.event is NotificationEvent.RCA_TASK:
        found.append(("Open the RCA task", task_page(notification.id, public_url)))
    found.append(("Open in the console", console_page(notification.escalation_id, public_url)))
    if "temporal_ui" in target.links:
        found.append(("Temporal UI", target.links["temporal_ui"]))
    return found


def link_fields(notification: Notification, target: DeliveryTarget, public_url: str
                ) -> dict[str, str]:
    """The webhook body's `escalation.links`: empty for customers."""
    if notification.audience is NotificationAudience.CUSTOMER:
        return {}
    found = dict(target.links)
    found["console"] = console_page(notification.escalation_id, public_url)
    if notification.event is NotificationEvent.RCA_TASK:
        found["task"] = task_page(notification.id, public_url)
    return found
