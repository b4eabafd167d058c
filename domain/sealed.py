"""Sealed addresses: a recipient URL whose credentials are kept out of Temporal's history.

Some webhook URLs carry their credential in the query (`?token=…`) and a Slack incoming-webhook
URL *is* its credential (the path). Such an address is sealed by the API before it enters a
workflow: what history, the store and the Web UI hold is a readable URL with the secret parts
replaced by `***`, and the encrypted original in the fragment:

    https://hooks.example/notify?token=***#sealed=v1.<ciphertext>

A fragment is never sent over HTTP and the host stays readable, so the sealed form is still a
valid address for the host rules and for engineers reading the history. Only the worker's
delivery opens it (credentials/sealing.py holds the cipher: this module stays pure).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.enums import ContactChannel

SEALED_MARK = "sealed=v1."
MASK = "***"
# The longest address a client may send; a sealed one is longer (readable part + ciphertext).
PLAIN_ADDRESS_MAX = 2_000
SEALED_ADDRESS_MAX = 5_000


def is_sealed(address: str) -> bool:
    return urlsplit(address).fragment.startswith(SEALED_MARK)


def ciphertext(address: str) -> str:
    return urlsplit(address).fragment.removeprefix(SEALED_MARK)


def has_secret(channel: ContactChannel, address: str) -> bool:
    """Whether the address carries a credential worth keeping out of history."""
    if channel is ContactChannel.EMAIL:
        return False
    parts = urlsplit(address)
    return channel is ContactChannel.SLACK or bool(parts.query) or bool(parts.username)


def readable(channel: ContactChannel, address: str) -> str:
    """The address with its secret parts replaced by `***` and no fragment."""
    parts = urlsplit(address)
    if not (parts.scheme and parts.hostname):
        return address
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    path = f"/{MASK}" if channel is ContactChannel.SLACK and parts.path.strip("/") else parts.path
    query = urlencode([(key, MASK) for key, _ in parse_qsl(parts.query, keep_blank_values=True)],
                      safe="*")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def sealed_form(channel: ContactChannel, address: str, sealed_original: str) -> str:
    return f"{readable(channel, address)}#{SEALED_MARK}{sealed_original}"
