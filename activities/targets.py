"""Decide, at delivery time, whether and where an HTTP notification may connect.

The host rules are judged on the addresses the name resolves to now, and the request is then
pinned to one of those addresses: letting the HTTP client resolve the name again would let a
DNS answer that changed in between (DNS rebinding) reach an address we never checked.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from activities.channels.errors import DeliveryFailed, TargetRefused
from activities.channels.redact import redact_url
from domain.hosts import HostRules, IPAddress, literal_address, needs_resolution, refusal

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where to send: URLs to try in order (one per checked address, or the original URL),
    plus what keeps the Host header and TLS verification on the original name."""

    urls: list[httpx.URL]
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


async def resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        # DNS failures are often temporary; the retry policy decides how long to keep trying.
        raise DeliveryFailed(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
    found: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]).split("%", 1)[0])  # drop an IPv6 zone id
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise DeliveryFailed(f"host {host!r} resolved to no address")
    return found


async def check_target(url: str, rules: HostRules, *, keep_path: bool = True) -> Target:
    """Raise TargetRefused when the rules forbid `url`; else where to connect."""
    shown = redact_url(url, keep_path=keep_path)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
        original = httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise TargetRefused(f"not a valid URL: {shown}") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise TargetRefused(f"only http and https targets are allowed: {shown}")
    if not host:
        raise TargetRefused(f"the target has no host: {shown}")
    addresses: Sequence[IPAddress] | None = None
    if needs_resolution(host, rules):
        addresses = await resolve(host, port)
    reason = refusal(host, rules, addresses)
    if reason is not None:
        raise TargetRefused(f"{reason}: {shown}")
    if not addresses:
        return Target(urls=[original])
    pinned = [original.copy_with(host=str(address)) for address in addresses]
    extensions = {"sni_hostname": host} if original.scheme == "https" else {}
    # The Host header keeps virtual hosting working while the socket goes to the checked address.
    host_header = original.netloc.decode("ascii").rpartition("@")[2]
    return Target(urls=pinned, headers={"Host": host_header}, extensions=extensions)
