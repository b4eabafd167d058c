"""The sealing key's fingerprint tells keys apart without showing them."""

from __future__ import annotations

from config.key_fingerprint import fingerprint, sealing_fingerprint
from config.settings import Settings
from credentials.sealing import new_key


def test_same_key_same_fingerprint_other_key_other_one() -> None:
    key = new_key()
    assert fingerprint(key) == fingerprint(key)
    assert fingerprint(key) != fingerprint(new_key())
    assert fingerprint(key).startswith("sha256:")
    assert key not in fingerprint(key)


def test_no_key_no_fingerprint() -> None:
    assert sealing_fingerprint(Settings()) is None
