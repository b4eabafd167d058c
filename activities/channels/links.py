"""The links a person follows from a message: the escalation and its Temporal workflow."""

from __future__ import annotations

from domain.messages import DeliveryTarget


def absolute(link: str, public_url: str) -> str:
    """Views carry API-relative links ("/v1/escalations/…"); messages leave our host."""
    return link if "://" in link else f"{public_url.rstrip('/')}/{link.lstrip('/')}"


def links(target: DeliveryTarget, public_url: str) -> list[tuple[str, str]]:
    """(label, URL) pairs, in the order a reader wants them."""
    found = []
    if "self" in target.links:
        found.append(("Open escalation", absolute(target.links["self"], public_url)))
    if "temporal_ui" in target.links:
        found.append(("Temporal UI", target.links["temporal_ui"]))
    return found
