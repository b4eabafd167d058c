"""POST a body to a checked HTTP target; a 2xx answer is delivery (api.md)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

import httpx

from activities.channels.errors import DeliveryFailed
from activities.channels.redact import redact_url, scrub, url_secrets
from activities.targets import Target, check_target
from domain.hosts import HostRules

USER_AGENT = "escalations/0.1"
MAX_RETRY_AFTER = timedelta(minutes=5)  # the policy's backoff ceiling (api.md)


class RedactUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; tokens live in queries and Slack paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(arg), keep_path=False) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def install_log_redaction() -> None:
    """Idempotent; a filter on the logger itself holds whatever handlers the process adds."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(existing, RedactUrls) for existing in logger.filters):
        logger.addFilter(RedactUrls())


def new_http_client() -> httpx.AsyncClient:
    """The worker's shared client: no redirects and no proxies from the environment.

    A redirect or a proxy would connect somewhere the host rules never checked.
    """
    install_log_redaction()
    return httpx.AsyncClient(
        follow_redirects=False, trust_env=False, headers={"User-Agent": USER_AGENT}
    )


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("Retry-After", "")
    if not value.strip().isdigit():
        return None  # the HTTP-date form is rare for webhooks; the policy's backoff applies
    return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)


async def _send_first(
    client: httpx.AsyncClient,
    target: Target,
    body: bytes,
    headers: Mapping[str, str],
    request_timeout: float,
    method: str = "POST",
) -> httpx.Response:
    """Try each checked address in turn until one accepts the connection."""
    for index, url in enumerate(target.urls):
        request = client.build_request(
            method,
            url,
            content=body,
            headers={**headers, **target.headers},
            extensions=dict(target.extensions),
            timeout=request_timeout,
        )
        try:
            return await client.send(request)
        except httpx.ConnectError:
            if index == len(target.urls) - 1:
                raise
    raise AssertionError("a target always has at least one URL")


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    rules: HostRules,
    request_timeout: float,
    secrets: Sequence[str] = (),
    path_is_secret: bool = False,
) -> int:
    """Return the 2xx status; raise DeliveryFailed (retryable) or TargetRefused (final)."""
    shown = redact_url(url, keep_path=not path_is_secret)
    response = await send(client, "POST", url, body, headers=headers, rules=rules,
                          request_timeout=request_timeout, secrets=secrets,
                          path_is_secret=path_is_secret)
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(
            f"{shown} answered {response.status_code}",
            status_code=response.status_code,
            retry_after=_retry_after(response),
        )
    return response.status_code


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    rules: HostRules,
    request_timeout: float,
    secrets: Sequence[str] = (),
    path_is_secret: bool = False,
) -> httpx.Response:
    """Any answer, read whole; raise DeliveryFailed when none came (retryable) or
    TargetRefused when the host rules forbid the URL (final)."""
    shown = redact_url(url, keep_path=not path_is_secret)
    try:
        # httpx times each phase alone; this bounds the whole exchange ("no answer in 10 s"),
        # name resolution included.
        async with asyncio.timeout(request_timeout):
            target = await check_target(url, rules, keep_path=not path_is_secret)
            return await _send_first(client, target, body, headers, request_timeout, method)
    except (TimeoutError, httpx.TimeoutException):
        raise DeliveryFailed(f"no answer from {shown} within {request_timeout:g} s") from None
    except httpx.HTTPError as exc:
        hidden = [*url_secrets(url, include_path=path_is_secret), *secrets]
        detail = scrub(f"{type(exc).__name__}: {exc}", hidden)
        # `from None`: Temporal records the cause chain, and a library's text may hold the URL.
        raise DeliveryFailed(f"request to {shown} failed: {detail}") from None
