"""deliver_notification: one notification to one recipient, at most one accepted delivery.

The store says whether a receiver already answered 2xx; if it did, nothing is sent again,
whatever retry, worker restart or replay runs this activity. Failures raise ApplicationError
with redacted text only, because the message is written to Temporal history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.channels import email, slack, webhook
from activities.channels.config import NotifyConfig
from activities.channels.errors import ChannelNotConfigured, DeliveryFailed, TargetRefused
from activities.channels.http import install_log_redaction, post
from activities.channels.redact import redact_url
from activities.metrics import DomainMetrics
from credentials.sealing import SealError, open_address
from domain.enums import ContactChannel
from domain.hosts import HostRules, parse_rules
from domain.messages import (
    ActivityName,
    DeliveryFailure,
    DeliveryInput,
    DeliveryResult,
    DeliveryTarget,
)
from domain.state import Notification
from store.queries import (
    find_delivered,
    mark_delivered,
    mark_failed,
    record_delivery_attempt,
)


class NotifyActivities:
    def __init__(
        self,
        http_client: httpx.AsyncClient,
        sessions: Callable[[], Session],
        config: NotifyConfig | None = None,
        metrics: DomainMetrics | None = None,
    ) -> None:
        install_log_redaction()  # also when the worker built its own client
        self._http = http_client
        self._sessions = sessions
        self._config = config or NotifyConfig()
        self._metrics = metrics or DomainMetrics.noop()

    @activity.defn(name=ActivityName.DELIVER_NOTIFICATION.value)
    async def deliver_notification(self, input: DeliveryInput) -> DeliveryResult:
        notification = input.notification
        # SQLModel sessions are blocking: keep them off the event loop that runs activities.
        previous = await asyncio.to_thread(self._previous_delivery, notification.id)
        if previous is not None:
            activity.logger.info("notification %s already delivered", notification.id)
            return previous
        try:
            status_code = await self._send(notification, input.target)
        except (TargetRefused, ChannelNotConfigured) as exc:
            kind = (DeliveryFailure.TARGET_REFUSED if isinstance(exc, TargetRefused)
                    else DeliveryFailure.CHANNEL_NOT_CONFIGURED).value
            await asyncio.to_thread(self._record_final_failure, notification, str(exc))
            self._metrics.notification_failed(notification.recipient.channel, kind)
            activity.logger.warning("notification %s not sent: %s", notification.id, exc)
            raise ApplicationError(str(exc), type=kind, non_retryable=True) from None
        except DeliveryFailed as exc:
            await asyncio.to_thread(self._record_attempt, notification, exc)
            self._metrics.notification_failed(notification.recipient.channel,
                                              DeliveryFailure.FAILED.value)
            activity.logger.warning("notification %s attempt failed: %s", notification.id, exc)
            # `from None` keeps library exceptions (and any URL in them) out of history.
            raise ApplicationError(
                str(exc), type=DeliveryFailure.FAILED.value, next_retry_delay=exc.retry_after
            ) from None
        await asyncio.to_thread(self._record_delivery, notification, status_code)
        self._metrics.notification_sent(notification.recipient.channel)
        activity.logger.info("notification %s delivered (%s)", notification.id, status_code)
        return DeliveryResult(
            notification_id=notification.id, status="delivered", status_code=status_code
        )

    async def _send(self, notification: Notification, target: DeliveryTarget) -> int | None:
        """The receiver's 2xx status (None for email, where acceptance has no HTTP code)."""
        config = self._config
        sent_at = datetime.now(UTC)
        try:
            address = open_address(config.sealer, notification.recipient.address)
        except SealError as exc:
            raise ChannelNotConfigured(str(exc)) from None
        match notification.recipient.channel:
            case ContactChannel.WEBHOOK:
                body = webhook.encode(webhook.payload(
                    notification, target, sent_at=sent_at, public_url=config.public_url))
                secret = config.webhook_secret.get_secret_value() if config.webhook_secret else None
                return await post(
                    self._http, address, body,
                    headers=webhook.headers(notification, body, secret, sent_at=sent_at),
                    rules=_rules(target, address),
                    request_timeout=config.request_timeout,
                    secrets=config.secrets(),
                )
            case ContactChannel.SLACK:
                payload = slack.payload(notification, target, public_url=config.public_url)
                return await post(
                    self._http, address, webhook.encode(payload),
                    headers={"Content-Type": "application/json"},
                    rules=_rules(target, address, keep_path=False),
                    request_timeout=config.request_timeout,
                    secrets=config.secrets(),
                    path_is_secret=True,  # an incoming-webhook URL's path is its token
                )
            case ContactChannel.EMAIL:
                message = email.build(
                    notification, target, sender=config.smtp.sender,
                    public_url=config.public_url, sent_at=sent_at,
                )
                await email.send(
                    message, config.smtp, request_timeout=config.request_timeout,
                    secrets=config.secrets(),
                )
                return None

    def _previous_delivery(self, notification_id: str) -> DeliveryResult | None:
        with self._sessions() as session, session.begin():
            delivered = find_delivered(session, notification_id)
            if delivered is None:
                return None
            return DeliveryResult(
                notification_id=notification_id, status="already_delivered",
                status_code=delivered.status_code,
            )

    def _record_attempt(self, notification: Notification, failure: DeliveryFailed) -> None:
        with self._sessions() as session, session.begin():
            record_delivery_attempt(
                session, **_row_keys(notification), status_code=failure.status_code,
                error=str(failure), at=datetime.now(UTC),
            )

    def _record_final_failure(self, notification: Notification, error: str) -> None:
        now = datetime.now(UTC)
        with self._sessions() as session, session.begin():
            # mark_failed only updates: the attempt creates the row on a first refusal.
            record_delivery_attempt(
                session, **_row_keys(notification), status_code=None, error=error, at=now
            )
            mark_failed(session, notification.id, now, error)

    def _record_delivery(self, notification: Notification, status_code: int | None) -> None:
        with self._sessions() as session, session.begin():
            mark_delivered(
                session, **_row_keys(notification), status_code=status_code,
                at=datetime.now(UTC),
            )


def _row_keys(notification: Notification) -> dict[str, str]:
    return {
        "notification_id": notification.id,
        "escalation_id": notification.escalation_id,
        "event": notification.event.value,
        "channel": notification.recipient.channel.value,
        "recipient_name": notification.recipient.name,
    }


def _rules(target: DeliveryTarget, address: str, *, keep_path: bool = True) -> HostRules:
    try:
        return parse_rules(target.allowed_hosts, block_private=target.block_private_addresses)
    except ValueError as exc:
        # The policy check should have caught this; refuse rather than send unchecked.
        raise TargetRefused(f"{exc}: {redact_url(address, keep_path=keep_path)}") from None
