"""Which addresses are sealed and what of them stays readable (domain/sealed.py)."""

from __future__ import annotations

import pytest

from domain.enums import ContactChannel
from domain.models import Recipient
from domain.sealed import PLAIN_ADDRESS_MAX, has_secret, is_sealed, readable

WEBHOOK, SLACK, EMAIL = ContactChannel.WEBHOOK, ContactChannel.SLACK, ContactChannel.EMAIL


@pytest.mark.parametrize(("channel", "address", "secret"), [
    (WEBHOOK, "https://hooks.example/notify?token=abc", True),
    (WEBHOOK, "https://hooks.example/notify?a=1&b=", True),
    (WEBHOOK, "https://hooks.example/notify", False),
    (WEBHOOK, "https://hooks.example/notify#section", False),
    (SLACK, "https://hooks.slack.com/services/T0/B0/XYZ", True),
    (EMAIL, "ops@acme.example", False),
])
def test_an_address_has_a_secret_when_it_carries_a_credential(
    channel: ContactChannel, address: str, secret: bool
) -> None:
    assert has_secret(channel, address) is secret


@pytest.mark.parametrize(("channel", "address", "shown"), [
    (WEBHOOK, "https://hooks.example/a/b?token=abc&x=1", "https://hooks.example/a/b?token=***&x=***"),
    (WEBHOOK, "http://127.0.0.1:8080/hook?k=v", "http://127.0.0.1:8080/hook?k=***"),
    (SLACK, "https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/***"),
    (WEBHOOK, "https://hooks.example/x#frag", "https://hooks.example/x"),
])
def test_the_readable_part_hides_every_secret_and_keeps_the_host(
    channel: ContactChannel, address: str, shown: str
) -> None:
    assert readable(channel, address) == shown


@pytest.mark.parametrize(("address", "sealed"), [
    ("https://h.example/x?token=***#sealed=v1.abc", True),
    ("https://h.example/x#sealed=v2.abc", False),
    ("https://h.example/x?sealed=v1.abc", False),
    ("https://h.example/x", False),
])
def test_a_sealed_address_is_marked_in_its_fragment(address: str, sealed: bool) -> None:
    assert is_sealed(address) is sealed


def test_a_plain_address_is_held_to_the_input_limit() -> None:
    long = "https://h.example/" + "a" * PLAIN_ADDRESS_MAX
    with pytest.raises(ValueError, match="at most 2000 characters"):
        Recipient(name="x", channel=WEBHOOK, address=long)


def test_a_sealed_address_may_be_longer_than_the_input_limit() -> None:
    long = "https://h.example/x?t=***#sealed=v1." + "a" * PLAIN_ADDRESS_MAX
    assert Recipient(name="x", channel=WEBHOOK, address=long).address == long
