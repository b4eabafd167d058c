"""Keep secrets out of error text: it reaches Temporal history, the store and logs."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "<redacted>"


def redact_url(url: str, *, keep_path: bool = True) -> str:
    """The URL without userinfo, query or fragment (and path, for URLs whose path is the token)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return REDACTED
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    path = parts.path if keep_path else ("/" + REDACTED if parts.path.strip("/") else parts.path)
    query = REDACTED if parts.query else ""
    fragment = REDACTED if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def url_secrets(url: str, *, include_path: bool = False) -> list[str]:
    """The parts of a URL that may carry a token, raw and percent-decoded."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = [url, parts.netloc.rpartition("@")[0], parts.query, parts.fragment]
    if parts.password:
        found.append(parts.password)
    if include_path:
        # Slack-style URLs keep the token in the path; short segments are words, not tokens.
        found.append(parts.path)
        found.extend(segment for segment in parts.path.split("/") if len(segment) >= 8)
    return [s for raw in found if raw for s in {raw, unquote(raw)}]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in free text (e.g. a library's exception message)."""
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
