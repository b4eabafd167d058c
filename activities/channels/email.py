"""Email over SMTP: plain text and HTML parts, a Message-ID that is stable across retries."""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from activities.channels.config import SmtpConfig
from activities.channels.errors import ChannelNotConfigured, DeliveryFailed
from activities.channels.links import links
from activities.channels.redact import scrub
from domain.enums import NotificationAudience
from domain.messages import DeliveryTarget
from domain.state import Notification

# RFC 5322 dot-atom text: what may stand left of the "@" in a Message-ID.
_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]")


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "escalations.invalid"


def _left(value: str) -> str:
    safe = _UNSAFE.sub(".", value).strip(".")
    safe = re.sub(r"\.{2,}", ".", safe)
    if safe == value:
        return safe
    # The hash keeps two ids that differ only in unsafe characters apart.
    return f"{safe}.{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def message_id(notification_id: str, sender: str) -> str:
    """The same notification always gets the same Message-ID, so a resent copy threads."""
    return f"<{_left(notification_id)}@{_domain(sender)}>"


def thread_id(escalation_id: str, sender: str) -> str:
    """One root per escalation: every message about it names this, so clients thread them."""
    return f"<{_left(escalation_id)}.thread@{_domain(sender)}>"


def _facts(target: DeliveryTarget) -> list[tuple[str, str]]:
    due = target.deadline
    deadline = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if due else "none"
    if due and target.deadline_what:
        deadline = f"{target.deadline_what} {deadline}"
    return [
        ("Escalation", target.title),
        ("Priority", target.priority),
        ("Stage", target.stage),
        ("Status", target.status),
        ("Next deadline", deadline),
    ]


def _for_customer(notification: Notification) -> bool:
    # A customer (a complainant) gets the letter alone: our escalation's priority, stage,
    # deadlines and console links are for the people working on it.
    return notification.audience is NotificationAudience.CUSTOMER


def _plain(notification: Notification, target: DeliveryTarget, public_url: str) -> str:
    if _for_customer(notification):
        return notification.message + "\n"
    lines = [notification.message, ""]
    lines += [f"{label}: {value}" for label, value in _facts(target)]
    lines += [""] + [f"{label}: {url}"
                     for label, url in links(notification, target, public_url)]
    return "\n".join(lines) + "\n"


def _paragraphs(text: str) -> str:
    """Blank lines part paragraphs, single breaks stay line breaks (how templates are written)."""
    e = html.escape
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(e(line) for line in block.splitlines()) + "</p>" for block in blocks
    )


def _html(notification: Notification, target: DeliveryTarget, public_url: str) -> str:
    e = html.escape
    if _for_customer(notification):
        return f"<html><body>{_paragraphs(notification.message)}</body></html>"
    rows = "".join(
        f"<tr><th align='left'>{e(label)}</th><td>{e(value)}</td></tr>"
        for label, value in _facts(target)
    )
    anchors = " · ".join(
        f"<a href='{e(url)}'>{e(label)}</a>"
        for label, url in links(notification, target, public_url)
    )
    return (
        f"<html><body><h2>{e(notification.subject)}</h2>{_paragraphs(notification.message)}"
        f"<table>{rows}</table><p>{anchors}</p></body></html>"
    )


def _one_line(text: str) -> str:
    # A line break in a header value would be refused by EmailMessage (header injection).
    return " ".join(text.split())


def build(
    notification: Notification,
    target: DeliveryTarget,
    *,
    sender: str,
    public_url: str,
    sent_at: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    recipient = notification.recipient
    message["To"] = formataddr((_one_line(recipient.name), recipient.address))
    message["Subject"] = _one_line(notification.subject)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(notification.id, sender)
    root = thread_id(notification.escalation_id, sender)
    message["In-Reply-To"] = root
    message["References"] = root
    message["X-Escalation-Id"] = notification.escalation_id
    message.set_content(_plain(notification, target, public_url))
    message.add_alternative(_html(notification, target, public_url), subtype="html")
    return message


async def send(
    message: EmailMessage, smtp: SmtpConfig, *, request_timeout: float, secrets: Sequence[str] = ()
) -> None:
    """Hand the message to the SMTP server; raise DeliveryFailed when it is not accepted."""
    if not smtp.host:
        raise ChannelNotConfigured("the email channel needs SMTP_HOST")
    shown = f"SMTP server {smtp.host}:{smtp.port}"
    try:
        async with asyncio.timeout(request_timeout):
            await aiosmtplib.send(
                message,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username,
                password=smtp.password.get_secret_value() if smtp.password else None,
                # False, not None: None would upgrade opportunistically whenever offered.
                start_tls=smtp.starttls,
                tls_context=smtp.tls_context,
                timeout=request_timeout,
            )
    except TimeoutError:
        raise DeliveryFailed(f"no answer from {shown} within {request_timeout:g} s") from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        detail = scrub(f"{type(exc).__name__}: {exc}", secrets)
        # `from None`: Temporal records the cause chain; keep the server's text scrubbed only.
        raise DeliveryFailed(f"{shown} refused the message: {detail}") from None
