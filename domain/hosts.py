"""Which hosts webhook and Slack notifications may reach (policy.md, `[notifications]`).

Pure rules over names and addresses: the API checks what it can without DNS, and delivery checks
again with the resolved addresses, because a name can point anywhere by the time we send.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class HostRules:
    """`allowed_hosts` parsed once: exact names, `*.suffix` wildcards and CIDR networks."""

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[IPNetwork, ...] = ()
    block_private: bool = False

    @property
    def restricted(self) -> bool:
        return bool(self.names or self.suffixes or self.networks)


def normalise_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def parse_rules(allowed_hosts: Iterable[str], *, block_private: bool = False) -> HostRules:
    """Raise ValueError on an entry that is neither a host name, a `*.` wildcard nor a CIDR."""
    names: set[str] = set()
    suffixes: list[str] = []
    networks: list[IPNetwork] = []
    for raw in allowed_hosts:
        entry = normalise_host(raw)
        if not entry:
            raise ValueError("empty entry in allowed_hosts")
        if entry.startswith("*."):
            # Keep the dot, so "*.corp.example" does not match "xcorp.example".
            suffixes.append(entry[1:])
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if "/" in entry or any(ch.isspace() for ch in entry) or "*" in entry:
            raise ValueError(f"not a host name, wildcard or CIDR: {raw!r}")
        names.add(entry)
    return HostRules(frozenset(names), tuple(suffixes), tuple(networks), block_private)


def literal_address(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (URL hosts may carry IPv6 brackets)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """False for loopback, private, link-local, shared, reserved, multicast and unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 reaches 127.0.0.1: judge the IPv4 address it carries.
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def _name_allowed(host: str, rules: HostRules) -> bool:
    return host in rules.names or any(host.endswith(suffix) for suffix in rules.suffixes)


def _in_networks(address: IPAddress, rules: HostRules) -> bool:
    return any(address in network for network in rules.networks)


def refusal(
    host: str, rules: HostRules, addresses: Sequence[IPAddress] | None = None
) -> str | None:
    """Why a target host is refused, or None when it may be used.

    `addresses` are what the name resolved to at delivery; None means "not resolved yet" (the
    API's check), in which case only what the name itself shows is judged. Every address must
    pass, since the HTTP client may connect to any of them.
    """
    name = normalise_host(host)
    literal = literal_address(name)
    resolved: list[IPAddress] | None
    if literal is not None:
        resolved = [literal]
    else:
        resolved = None if addresses is None else list(addresses)
    if rules.restricted and not _name_allowed(name, rules):
        # An unresolved name may still land in an allowed network: delivery decides that.
        undecided = resolved is None and bool(rules.networks)
        in_networks = bool(resolved) and all(_in_networks(a, rules) for a in resolved or [])
        if not (undecided or in_networks):
            return f"host {name!r} is not in allowed_hosts"
    if rules.block_private:
        if name == "localhost" or name.endswith(".localhost"):
            return f"host {name!r} is a loopback name"
        private = [a for a in resolved or [] if not is_public(a)]
        if private:
            return f"host {name!r} resolves to a non-public address ({private[0]})"
    return None


def needs_resolution(host: str, rules: HostRules) -> bool:
    """Whether delivery must resolve the name before it can judge the target."""
    if literal_address(normalise_host(host)) is not None:
        return False
    if rules.block_private:
        return True
    return rules.restricted and not _name_allowed(normalise_host(host), rules)
