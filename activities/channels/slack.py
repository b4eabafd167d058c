"""A Slack incoming-webhook message an on-call person can read at a glance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from activities.channels.links import links
from domain.messages import DeliveryTarget
from domain.state import Notification

# Slack's limits: header text 150 characters, a section's text 3,000, `text` 40,000.
_HEADER_MAX = 150
_SECTION_MAX = 3_000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """mrkdwn treats &, < and > as control characters (Slack's "escaping text")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def deadline_text(deadline: datetime | None) -> str:
    if deadline is None:
        return "none"
    fallback = deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # Slack renders this in each reader's own time zone; the fallback is for old clients.
    return f"<!date^{int(deadline.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def payload(
    notification: Notification, target: DeliveryTarget, *, public_url: str
) -> dict[str, Any]:
    headline = f"[{target.priority}] {target.title}"
    fields = [
        f"*Priority*\n{escape(target.priority)}",
        f"*Stage*\n{escape(target.stage)}",
        f"*Status*\n{escape(target.status)}",
        f"*Next deadline*\n{deadline_text(target.deadline)}",
    ]
    body = f"*{escape(notification.subject)}*\n{escape(notification.message)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(headline, _HEADER_MAX)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, _SECTION_MAX)}},
    ]
    linked = [f"<{url}|{label}>" for label, url in links(notification, target, public_url)]
    context = " · ".join([f"`{escape(notification.escalation_id)}`", *linked])
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    # `text` is what notifications and screen readers show when blocks are not rendered.
    text = f"{headline}: {notification.subject} ({notification.escalation_id})"
    return {"text": escape(text), "blocks": blocks}
