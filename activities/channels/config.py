"""What the notification channels need from the process settings, and nothing more."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from pydantic import SecretStr

from config.settings import Settings
from credentials.sealing import AddressSealer

DEFAULT_REQUEST_TIMEOUT = 10.0  # api.md: "no answer in 10 s" is a failed attempt


@dataclass(frozen=True)
class SmtpConfig:
    host: str | None = None  # None: the email channel is not configured
    port: int = 25
    sender: str = "escalations@localhost"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    starttls: bool = False
    # None: the system's trust store; tests pass a context that trusts their own CA.
    tls_context: ssl.SSLContext | None = field(default=None, repr=False)


@dataclass(frozen=True)
class NotifyConfig:
    webhook_secret: SecretStr | None = field(default=None, repr=False)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    public_url: str = "http://127.0.0.1:8000"  # base of the escalation links in messages
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT  # seconds, for the whole request
    # Opens the addresses the API sealed (credentials/sealing.py); None: no key on this worker.
    sealer: AddressSealer | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifyConfig:
        return cls(
            webhook_secret=settings.escalations_webhook_secret,
            smtp=SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                username=settings.smtp_username,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
            ),
            public_url=settings.escalations_public_url.rstrip("/"),
            sealer=settings.address_sealer(),
        )

    def secrets(self) -> list[str]:
        """Values that must never appear in error text."""
        found = [self.webhook_secret, self.smtp.password]
        return [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]
