"""domain/hosts.py, table-driven (belongs in tests/unit/domain/ once that owner moves it)."""

from __future__ import annotations

import ipaddress

import pytest

from domain.hosts import HostRules, is_public, needs_resolution, parse_rules, refusal

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:93.184.215.14", True),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ip(address)) is public


ALLOWED = ["hooks.corp.example", "*.slack.example", "203.0.113.0/24", "2001:db8::/32"]


@pytest.mark.parametrize(
    ("host", "addresses", "allowed"),
    [
        ("hooks.corp.example", None, True),
        ("HOOKS.corp.example.", None, True),
        ("evil.example", ["198.51.100.1"], False),
        ("a.slack.example", None, True),
        ("xslack.example", ["198.51.100.1"], False),
        ("203.0.113.7", None, True),
        ("203.0.114.7", None, False),
        ("[2001:db8::5]", None, True),
        ("named.example", None, True),  # unresolved: could land in a network; delivery decides
        ("named.example", ["203.0.113.9"], True),
        ("named.example", ["203.0.113.9", "198.51.100.1"], False),  # every address must fit
    ],
)
def test_allowed_hosts(host: str, addresses: list[str] | None, allowed: bool) -> None:
    rules = parse_rules(ALLOWED)
    resolved = None if addresses is None else [ip(a) for a in addresses]

    assert (refusal(host, rules, resolved) is None) is allowed


@pytest.mark.parametrize(
    ("host", "addresses", "allowed"),
    [
        ("hooks.example", ["93.184.215.14"], True),
        ("hooks.example", ["93.184.215.14", "10.0.0.1"], False),
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("db.localhost", None, False),
        ("93.184.215.14", None, True),
    ],
)
def test_block_private_addresses(host: str, addresses: list[str] | None, allowed: bool) -> None:
    rules = parse_rules([], block_private=True)
    resolved = None if addresses is None else [ip(a) for a in addresses]

    assert (refusal(host, rules, resolved) is None) is allowed


def test_no_rules_allow_everything_without_resolving() -> None:
    rules = parse_rules([])

    assert refusal("10.0.0.1", rules) is None
    assert not needs_resolution("hooks.example", rules)


@pytest.mark.parametrize(
    ("host", "rules", "needed"),
    [
        ("hooks.example", parse_rules([], block_private=True), True),
        ("127.0.0.1", parse_rules([], block_private=True), False),
        ("hooks.example", parse_rules(["hooks.example"]), False),
        ("other.example", parse_rules(["10.0.0.0/8"]), True),
    ],
)
def test_needs_resolution(host: str, rules: HostRules, needed: bool) -> None:
    assert needs_resolution(host, rules) is needed


@pytest.mark.parametrize("entry", ["", "hooks/example", "*", "a b", "10.0.0.0/33"])
def test_bad_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError, match=r"allowed_hosts|host name"):
        parse_rules([entry])
