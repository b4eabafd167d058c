"""One related system's API for one call: credentials read from the environment now, the
policy's host rules, JSON in and out, and every unexpected answer turned into RecordFailed.

Failure text goes to Temporal history, the store and logs: it names the system, the status and
what the system said, with every credential value scrubbed out of it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from temporalio import activity

from activities.channels.errors import DeliveryFailed, TargetRefused
from activities.channels.http import MAX_RETRY_AFTER, send
from activities.channels.redact import scrub
from domain.hosts import HostRules, parse_rules
from domain.record_calls import Hosts

EXCERPT = 300  # characters of a system's answer kept in a failure
# Worth another attempt: the system is busy, rate limiting or broken for now.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class RecordFailed(Exception):
    """The system did not do what we asked. `final`: retrying cannot help (404, bad
    credentials, a refused host); otherwise Temporal retries within the system's retry_for."""

    def __init__(self, message: str, *, final: bool = False,
                 retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.final = final
        self.retry_after = retry_after


@dataclass
class Credentials:
    """Values read from the environment by name, remembered so no text can repeat them."""

    environ: Mapping[str, str]
    secrets: list[str] = field(default_factory=list)

    def read(self, name: str) -> str:
        value = self.environ.get(name, "")
        if not value:
            raise RecordFailed(f"environment variable {name} is not set on the worker",
                               final=True)
        self.remember(value)
        return value

    def remember(self, *values: str) -> None:
        self.secrets.extend(v for v in values if v)

    def basic(self, user_env: str, password_env: str) -> str:
        pair = f"{self.read(user_env)}:{self.read(password_env)}"
        encoded = base64.b64encode(pair.encode()).decode()
        self.remember(pair, encoded)
        return f"Basic {encoded}"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # the parsed JSON, or None
    text: str
    headers: httpx.Headers


def path(*segments: str) -> str:
    """A URL path from ids we did not choose: each segment percent-encoded."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


class SystemClient:
    def __init__(self, http: httpx.AsyncClient, *, name: str, base_url: str, hosts: Hosts,
                 credentials: Credentials, headers: Mapping[str, str] | None = None,
                 request_timeout: float = 10.0) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._credentials = credentials
        self._headers = dict(headers or {})
        self._timeout = request_timeout
        try:
            self._rules: HostRules = parse_rules(hosts.allowed_hosts,
                                                 block_private=hosts.block_private_addresses)
        except ValueError as exc:
            raise RecordFailed(f"allowed_hosts: {exc}", final=True) from None

    async def call(self, method: str, url_path: str, *, body: Any = None,
                   params: Iterable[tuple[str, str]] = (), base_url: str | None = None,
                   headers: Mapping[str, str] | None = None, raw: bytes | None = None) -> Reply:
        """Send and read the answer, whatever its status (the caller judges it)."""
        url = (base_url or self.base_url).rstrip("/") + url_path
        query = urlencode(list(params))
        if query:
            url += "?" + query
        content = raw if raw is not None else (b"" if body is None else json.dumps(
            body, ensure_ascii=False).encode("utf-8"))
        if activity.in_activity():
            # Between requests: a worker that dies mid-call is noticed within the heartbeat
            # timeout, and the call retried, rather than after the whole attempt's timeout.
            activity.heartbeat()
        sent = {"Accept": "application/json", **self._headers, **(headers or {})}
        if content and "Content-Type" not in sent:
            sent["Content-Type"] = "application/json"
        try:
            response = await send(self._http, method, url, content, headers=sent,
                                  rules=self._rules, request_timeout=self._timeout,
                                  secrets=self._credentials.secrets)
        except TargetRefused as exc:
            raise RecordFailed(str(exc), final=True) from None
        except DeliveryFailed as exc:
            raise RecordFailed(f"{self.name}: {exc}") from None
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        return Reply(response.status_code, parsed, response.text, response.headers)

    def failure(self, reply: Reply, doing: str, *, said: str | None = None,
                retry_on: Iterable[int] = ()) -> RecordFailed:
        """The answer as a failure: retried for RETRYABLE statuses (and `retry_on`), final
        otherwise. `said`: the system's own error text, when the caller found it."""
        what = said if said is not None else reply.text
        what = " ".join(what.split())[:EXCERPT]
        message = scrub(f"{self.name} answered {reply.status} to {doing}"
                        + (f": {what}" if what else ""), self._credentials.secrets)
        retryable = reply.status in RETRYABLE or reply.status in set(retry_on)
        return RecordFailed(message, final=not retryable, retry_after=wait_for(reply.headers))


def wait_for(headers: httpx.Headers) -> timedelta | None:
    """How long the system asked us to wait: Retry-After in seconds, or PagerDuty's
    ratelimit-reset (the HTTP-date form of Retry-After is rare here: the backoff applies)."""
    value = (headers.get("Retry-After") or headers.get("ratelimit-reset") or "").strip()
    return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER) if value.isdigit() else None
