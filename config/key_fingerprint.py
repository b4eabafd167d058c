"""A short, one-way fingerprint of the sealing key, so two processes can tell whether they hold
the same key without either showing it (the API's /readyz shows it; `escalations doctor`
compares it with its own). A domain-separated SHA-256 of a 256-bit random key gives nothing
away about the key."""

from __future__ import annotations

import hashlib

from config.settings import Settings
from credentials.sealing import decode_key

_DOMAIN = b"escalations/sealing-key-fingerprint/v1\x00"


def fingerprint(key: str) -> str:
    return "sha256:" + hashlib.sha256(_DOMAIN + decode_key(key)).hexdigest()[:16]


def sealing_fingerprint(settings: Settings) -> str | None:
    key = settings.escalations_sealing_key
    return fingerprint(key.get_secret_value()) if key is not None else None
