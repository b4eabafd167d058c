"""A Slack incoming-webhook message an on-call person can read, and act on, at a glance.

Internal messages carry the escalation's facts, its links and buttons: Acknowledge (handled by
POST /v1/integrations/slack/actions when the Slack app's interactivity points there) and Open
in console. Customer messages carry the message and a reference, nothing internal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from activities.channels.links import console_page, links
from domain.enums import NotificationAudience
from domain.messages import DeliveryTarget
from domain.state import Notification

# Slack's limits: header text 150 characters, a section's text 3,000, `text` 40,000.
_HEADER_MAX = 150
_SECTION_MAX = 3_000
ACKNOWLEDGE = "acknowledge"  # the action_id the actions endpoint acts on
OPEN_CONSOLE = "open_console"  # a link button; Slack still reports its click, which we ignore


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """mrkdwn treats &, < and > as control characters (Slack's "escaping text")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def deadline_text(deadline: datetime | None, what: str | None = None) -> str:
    if deadline is None:
        return "none"
    fallback = deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # Slack renders this in each reader's own time zone; the fallback is for old clients.
    shown = f"<!date^{int(deadline.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"
    return f"{escape(what)}: {shown}" if what else shown


def _buttons(notification: Notification, target: DeliveryTarget, public_url: str
             ) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if target.awaiting_acknowledgement:
        elements.append({"type": "button", "action_id": ACKNOWLEDGE, "style": "primary",
                         "text": {"type": "plain_text", "text": "Acknowledge"},
                         "value": notification.escalation_id})
    elements.append({"type": "button", "action_id": OPEN_CONSOLE,
                     "text": {"type": "plain_text", "text": "Open in console"},
                     "url": console_page(notification.escalation_id, public_url),
                     "value": notification.escalation_id})
    return {"type": "actions", "block_id": f"escalation:{notification.escalation_id}",
            "elements": elements}


def _body(notification: Notification) -> dict[str, Any]:
    body = f"*{escape(notification.subject)}*\n{escape(notification.message)}"
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, _SECTION_MAX)}}


def payload(
    notification: Notification, target: DeliveryTarget, *, public_url: str
) -> dict[str, Any]:
    if notification.audience is NotificationAudience.CUSTOMER:
        return _customer_payload(notification)
    headline = f"[{target.priority}] {target.title}"
    fields = [
        f"*Priority*\n{escape(target.priority)}",
        f"*Stage*\n{escape(target.stage)}",
        f"*Status*\n{escape(target.status)}",
        f"*Next deadline*\n{deadline_text(target.deadline, target.deadline_what)}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(headline, _HEADER_MAX)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        _body(notification),
    ]
    if target.status == "open":
        blocks.append(_buttons(notification, target, public_url))
    linked = [f"<{url}|{label}>" for label, url in links(notification, target, public_url)]
    context = " · ".join([f"`{escape(notification.escalation_id)}`", *linked])
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    # `text` is what notifications and screen readers show when blocks are not rendered.
    text = f"{headline}: {notification.subject} ({notification.escalation_id})"
    return {"text": escape(text), "blocks": blocks}


def _customer_payload(notification: Notification) -> dict[str, Any]:
    reference = f"Reference {escape(notification.escalation_id)}"
    blocks: list[dict[str, Any]] = [
        _body(notification),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": reference}]},
    ]
    return {"text": escape(notification.subject), "blocks": blocks}
