"""The webhook signing secret in the Standard Webhooks form: `whsec_` and base64 key bytes.

Receivers verify our deliveries with any Standard Webhooks library given this same string
(`standardwebhooks.Webhook(secret).verify(body, headers)`); a secret in any other form is
refused at start-up rather than silently signing with a key the receiver cannot rebuild.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets

PREFIX = "whsec_"
MIN_KEY_BYTES = 24  # the scheme's recommendation: 24 to 64 bytes of randomness
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
HOW_TO_MAKE_ONE = "make one with `escalations keys webhook-secret`"


def new_webhook_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def check_webhook_secret(value: str) -> str:
    """The value when it is a usable `whsec_<base64>` secret; ValueError saying why not."""
    if not value.startswith(PREFIX):
        raise ValueError(f"must be in the Standard Webhooks form whsec_<base64 key>; "
                         f"{HOW_TO_MAKE_ONE}")
    encoded = value[len(PREFIX):]
    try:
        if not _BASE64.fullmatch(encoded):
            raise binascii.Error
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the part after whsec_ is not base64; {HOW_TO_MAKE_ONE}") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the key is {len(key)} bytes, fewer than {MIN_KEY_BYTES}; "
                         f"{HOW_TO_MAKE_ONE}")
    return value
