"""The cipher behind sealed addresses: deterministic, tamper-evident, one key shared."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.policy_files import load_policy
from config.settings import Settings
from credentials.sealing import (
    AddressSealer,
    SealError,
    decode_key,
    ensure_key_file,
    new_key,
    open_address,
    seal_addresses,
)
from domain.enums import ContactChannel
from domain.models import (
    AffectedCustomer,
    Contact,
    CreateEscalationInput,
    Recipient,
    TaskForceInput,
)
from domain.sealed import is_sealed

WEBHOOK, SLACK, EMAIL = ContactChannel.WEBHOOK, ContactChannel.SLACK, ContactChannel.EMAIL
TOKEN = "s3cret-token-value"
HOOK = f"https://hooks.example/notify?token={TOKEN}"


@pytest.fixture
def sealer() -> AddressSealer:
    return AddressSealer(decode_key(new_key()))


def test_a_sealed_address_opens_to_the_original(sealer: AddressSealer) -> None:
    sealed = sealer.seal(WEBHOOK, HOOK)

    assert TOKEN not in sealed
    assert sealed.startswith("https://hooks.example/notify?token=***#sealed=v1.")
    assert sealer.open(sealed) == HOOK


def test_sealing_is_deterministic_so_queues_and_snapshots_stay_stable(
    sealer: AddressSealer,
) -> None:
    assert sealer.seal(WEBHOOK, HOOK) == sealer.seal(WEBHOOK, HOOK)
    assert sealer.seal(WEBHOOK, HOOK) != sealer.seal(WEBHOOK, HOOK + "x")


@pytest.mark.parametrize(("channel", "address"), [
    (WEBHOOK, "https://hooks.example/notify"),
    (EMAIL, "ops@acme.example"),
])
def test_an_address_without_a_secret_is_left_as_it_is(
    sealer: AddressSealer, channel: ContactChannel, address: str
) -> None:
    assert sealer.seal(channel, address) == address
    assert open_address(None, address) == address


def test_sealing_twice_changes_nothing(sealer: AddressSealer) -> None:
    once = sealer.seal(SLACK, "https://hooks.slack.com/services/T0/B0/XYZ")
    assert sealer.seal(SLACK, once) == once


def test_another_key_cannot_open_it(sealer: AddressSealer) -> None:
    other = AddressSealer(decode_key(new_key()))
    with pytest.raises(SealError, match="ESCALATIONS_SEALING_KEY"):
        other.open(sealer.seal(WEBHOOK, HOOK))


def test_an_altered_ciphertext_does_not_open(sealer: AddressSealer) -> None:
    sealed = sealer.seal(WEBHOOK, HOOK)
    altered = sealed[:-3] + ("AAA" if not sealed.endswith("AAA") else "BBB")
    with pytest.raises(SealError):
        sealer.open(altered)


def test_a_worker_without_a_key_refuses_a_sealed_address(sealer: AddressSealer) -> None:
    with pytest.raises(SealError, match="lacks"):
        open_address(None, sealer.seal(WEBHOOK, HOOK))


# A fixed truncated key (not a new random one): every test process must collect the same ids.
@pytest.mark.parametrize("text", ["abc", "not base64 !!", "q1Zx8pLrT0aWm3KcYb7N"])
def test_a_bad_key_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"base64|bytes") as raised:
        decode_key(text)
    assert text not in str(raised.value)


def test_every_contact_and_recipient_of_a_request_is_sealed(sealer: AddressSealer) -> None:
    body = CreateEscalationInput(
        title="t", description="d", category="billing", channel="email",
        affected_customers=[AffectedCustomer(id="c1", contact=Contact(channel=WEBHOOK,
                                                                      address=HOOK))],
        stakeholders=[Recipient(name="a", channel=SLACK,
                                address="https://hooks.slack.com/services/T/B/Z"),
                      Recipient(name="b", channel=EMAIL, address="b@acme.example")],
    )

    sealed = seal_addresses(body, sealer)

    assert TOKEN not in sealed.model_dump_json()
    assert "/services/T/B/Z" not in sealed.model_dump_json()
    assert sealed.stakeholders[1] is body.stakeholders[1]  # nothing to hide: untouched
    assert body.affected_customers[0].contact.address == HOOK  # the input is not changed
    members = TaskForceInput(members=[Recipient(name="m", channel=WEBHOOK, address=HOOK)])
    assert is_sealed(seal_addresses(members, sealer).members[0].address)


def test_the_policy_contacts_are_sealed(sealer: AddressSealer) -> None:
    policy = load_policy(None)  # the shipped policy has Slack team leads
    slack = [a for a in _addresses(policy.model_dump()) if "hooks.slack" in a]
    assert slack

    sealed = _addresses(seal_addresses(policy, sealer).model_dump())

    assert not set(slack) & set(sealed)
    assert [sealer.open(a) for a in sealed if "hooks.slack" in a] == slack
    assert all(is_sealed(a) for a in sealed if "hooks.slack" in a)


def _addresses(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [value["address"]] if isinstance(value.get("address"), str) else []
        return found + [a for v in value.values() for a in _addresses(v)]
    if isinstance(value, list):
        return [a for v in value for a in _addresses(v)]
    return []


def test_the_key_file_is_created_once_for_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"

    first = ensure_key_file(path)

    assert decode_key(first)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_key_file(path) == first


def test_a_damaged_key_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"
    path.write_text("garbage\n")
    with pytest.raises(ValueError, match=r"sealing\.key"):
        ensure_key_file(path)


def test_settings_refuse_a_bad_key_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(escalations_sealing_key="abcdefgh-not-a-key")
    assert "abcdefgh-not-a-key" not in str(raised.value)
    assert "escalations_sealing_key" in str(raised.value)
