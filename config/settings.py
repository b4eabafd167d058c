"""Process settings from the environment (operations.md, "Configuration").

Built once by a composition root (API lifespan, worker main, CLI); never at import time.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from credentials.console_secret import MIN_LENGTH as CONSOLE_SECRET_MIN
from credentials.sealing import AddressSealer, decode_key
from credentials.webhook_secret import check_webhook_secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False,
                                      hide_input_in_errors=True)  # a bad secret is not echoed

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "escalations"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    # A cluster beyond this machine (config/temporal.py): Temporal Cloud with mTLS (client
    # certificate and key) or with an API key (which implies TLS), or a self-hosted TLS frontend.
    temporal_tls: bool = False
    temporal_tls_cert: Path | None = None  # PEM client certificate (mTLS)
    temporal_tls_key: Path | None = None  # PEM private key of that certificate
    temporal_tls_ca: Path | None = None  # PEM roots for the server; default: the system's
    temporal_tls_server_name: str | None = None  # SNI/verification name, if not the host
    temporal_api_key: SecretStr | None = None

    data_dir: Path = Field(default=Path(".escalations"), validation_alias="ESCALATIONS_DATA_DIR")
    database_url: str | None = None  # default: SQLite file under the data dir
    escalations_policy: Path | None = None  # default: the policy shipped in the package
    escalations_api_keys: Path | None = None
    # Standard Webhooks signing secret, `whsec_<base64>` (credentials/webhook_secret.py).
    escalations_webhook_secret: SecretStr | None = None
    # Verifies requests from Slack's interactive buttons (api/routes/slack.py).
    slack_signing_secret: SecretStr | None = None
    # Seals recipient URLs that carry credentials before they enter history
    # (credentials/sealing.py).
    escalations_sealing_key: SecretStr | None = None
    escalations_public_url: str = "http://127.0.0.1:8000"  # base of links in messages
    # Off where a one-shot `escalations migrate` runs first (compose, the k8s Job): each API and
    # worker then only checks that the store is at the newest migration and refuses to start if
    # not, so no serving process ever holds DDL locks (store/revision.py).
    escalations_migrate_on_start: bool = True
    # Traces go out by OTLP/HTTP only when this is set (config/tracing.py); unset costs nothing.
    otel_exporter_otlp_endpoint: str | None = None
    # Signs the console's session cookies: every API process behind one proxy needs the same.
    escalations_console_secret: SecretStr | None = None
    escalations_console_session_hours: float = Field(default=12.0, gt=0, le=24 * 30)

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "escalations@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    worker_metrics_port: int | None = None  # Prometheus endpoint of the worker's SDK runtime
    worker_metrics_host: str = "127.0.0.1"  # 0.0.0.0 in a container, so Prometheus can scrape
    # How long the API waits on Temporal before answering 503 (a missing worker must not hang it).
    temporal_rpc_timeout_seconds: float = 10.0
    # The worker's fast workflow runner (worker/runner.py picks it only on a temporalio release
    # it was tested on); false runs the SDK's stock sandbox runner everywhere.
    escalations_worker_fast_runner: bool = True

    @field_validator("temporal_ui_url", "escalations_public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("escalations_sealing_key")
    @classmethod
    def _sealing_key_decodes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_key(value.get_secret_value())
        return value

    @field_validator("escalations_console_secret")
    @classmethod
    def _console_secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < CONSOLE_SECRET_MIN:
            raise ValueError(f"at least {CONSOLE_SECRET_MIN} characters")
        return value

    @property
    def development(self) -> bool:
        """Served on this machine only (the public URL is a loopback address)."""
        host = urlsplit(self.escalations_public_url).hostname or ""
        return host in ("localhost", "::1") or host.startswith("127.")

    @field_validator("escalations_webhook_secret", "slack_signing_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `NAME=` in an env file means "not configured", as it did before these were checked.
        return None if value == "" else value

    @field_validator("escalations_webhook_secret")
    @classmethod
    def _webhook_secret_form(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_webhook_secret(value.get_secret_value())
        return value

    def address_sealer(self) -> AddressSealer | None:
        key = self.escalations_sealing_key
        return AddressSealer(decode_key(key.get_secret_value())) if key is not None else None

    @property
    def resolved_api_keys(self) -> Path:
        """ESCALATIONS_API_KEYS, else the file `escalations up` creates under the data dir."""
        return self.escalations_api_keys or self.data_dir / "api-keys.toml"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'escalations.db').resolve()}"
