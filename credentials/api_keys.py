"""The API keys file (operations.md, ESCALATIONS_API_KEYS): TOML `[[keys]]` with name, role and
`token_sha256` (hex), or for development a plain `token`, and optionally `aliases`: other names
the same person goes by where work is assigned by name (the policy's contact names that RCA
tasks are assigned to), so the console's "My tasks" finds theirs; and optionally
`slack_user_id`, the Slack member id (`U0123ABCD`) whose clicks on our Slack buttons act as
this person.

Only digests are kept in memory. A presented token is hashed and compared with every key's digest
by `hmac.compare_digest`, with no early exit, so neither the content nor the position of a key
leaks through timing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.enums import Role
from domain.models import Actor

TOKEN_ROLES = tuple(r for r in Role if r is not Role.SYSTEM)
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,120}")
# Slack member ids: U… (or W… on Enterprise Grid), upper-case letters and digits.
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,30}")
TOKEN_PREFIX = "esk_"


class KeysFileError(ValueError):
    """The keys file is missing or malformed; the message names the file and the entry."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    digest: bytes  # sha256 of the token
    aliases: tuple[str, ...] = ()
    slack_user_id: str | None = None


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[ApiKey, ...]

    def authenticate(self, token: str) -> Actor | None:
        presented = hashlib.sha256(token.encode("utf-8")).digest()
        found: ApiKey | None = None
        for key in self.keys:
            if hmac.compare_digest(presented, key.digest) and found is None:
                found = key
        return None if found is None else Actor(name=found.name, role=found.role)

    def key_id(self, token: str) -> str | None:
        """A handle for the key `token` belongs to, safe to keep in a signed cookie: it names
        the key without being a credential (the API accepts only the token itself)."""
        presented = hashlib.sha256(token.encode("utf-8")).digest()
        found: ApiKey | None = None
        for key in self.keys:
            if hmac.compare_digest(presented, key.digest) and found is None:
                found = key
        return None if found is None else _key_id(found)

    def actor_for(self, key_id: str) -> Actor | None:
        """The holder of the key `key_id` names, while that key is still in the file."""
        found: ApiKey | None = None
        for key in self.keys:
            if hmac.compare_digest(key_id.encode(), _key_id(key).encode()) and found is None:
                found = key
        return None if found is None else Actor(name=found.name, role=found.role)

    def names_of(self, name: str) -> tuple[str, ...]:
        """`name` and every alias of the keys held under it: whom work assigned by name is for."""
        found = [name]
        for key in self.keys:
            if key.name == name:
                found += [alias for alias in key.aliases if alias not in found]
        return tuple(found)


    def by_slack_user(self, slack_user_id: str) -> Actor | None:
        """The person a Slack member id is mapped to; None for a member nobody mapped."""
        for key in self.keys:
            if key.slack_user_id is not None and key.slack_user_id == slack_user_id:
                return Actor(name=key.name, role=key.role)
        return None


def _key_id(key: ApiKey) -> str:
    # A hash of the digest, so the cookie does not even carry what the keys file holds.
    return hashlib.sha256(b"console-key-id:" + key.digest).hexdigest()[:32]


def _entry(raw: object, where: str) -> tuple[ApiKey, str | None]:
    """One `[[keys]]` table, and its plain token when it has one."""
    if not isinstance(raw, dict):
        raise KeysFileError(f"{where}: must be a table")
    unknown = set(raw) - {"name", "role", "token", "token_sha256", "aliases",
                          "slack_user_id"}
    if unknown:
        raise KeysFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    name, role, token, digest = (raw.get(k) for k in ("name", "role", "token", "token_sha256"))
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise KeysFileError(f"{where}.name: 1-120 printable characters required")
    if role not in {r.value for r in TOKEN_ROLES}:
        raise KeysFileError(f"{where}.role: one of {', '.join(r.value for r in TOKEN_ROLES)}")
    if (token is None) == (digest is None):
        raise KeysFileError(f"{where}: exactly one of token_sha256 or token")
    if token is not None:
        if not isinstance(token, str) or len(token) < 16:
            raise KeysFileError(f"{where}.token: at least 16 characters")
        digest = hash_token(token)
    if not isinstance(digest, str) or not _HEX_DIGEST.fullmatch(digest.lower()):
        raise KeysFileError(f"{where}.token_sha256: 64 hex characters (sha256 of the token)")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(
            isinstance(a, str) and _NAME.fullmatch(a) for a in aliases):
        raise KeysFileError(f"{where}.aliases: a list of names of 1-120 printable characters")
    slack = raw.get("slack_user_id")
    if slack is not None and (not isinstance(slack, str) or not _SLACK_USER.fullmatch(slack)):
        raise KeysFileError(f"{where}.slack_user_id: a Slack member id like U0123ABCD "
                            "(profile, ⋮, Copy member ID)")
    key = ApiKey(name=name, role=Role(role), digest=bytes.fromhex(digest),
                 aliases=tuple(aliases), slack_user_id=slack)
    return key, token


def _read(path: Path) -> list[tuple[ApiKey, str | None]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeysFileError(f"{path}: cannot read the keys file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KeysFileError(f"{path}: not valid TOML: {exc}") from exc
    entries = raw.get("keys", [])
    if not isinstance(entries, list):
        raise KeysFileError(f"{path}: `keys` must be an array of tables ([[keys]])")
    return [_entry(entry, f"{path}: keys[{i}]") for i, entry in enumerate(entries)]


def load_keys(path: Path) -> KeyRing:
    keys = tuple(key for key, _ in _read(path))
    if not keys:
        raise KeysFileError(f"{path}: no [[keys]] entries")
    mapped = [k.slack_user_id for k in keys if k.slack_user_id]
    twice = sorted({m for m in mapped if mapped.count(m) > 1})
    if twice:
        raise KeysFileError(f"{path}: slack_user_id {', '.join(twice)} is mapped to more than "
                            "one key; a Slack click must act as one person")
    return KeyRing(keys)


def _toml_string(value: str) -> str:
    # JSON string escapes without ensure_ascii are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def _append(path: Path, blocks: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as file:
        file.write("".join(blocks))


def add_key(path: Path, name: str, role: Role, *, token: str | None = None,
            aliases: Sequence[str] = (), slack_user_id: str | None = None) -> str:
    """Append a hashed key for `name` and return the token (shown once, never stored)."""
    if role is Role.SYSTEM:
        raise KeysFileError("the system role is never held by a token")
    if not _NAME.fullmatch(name) or not all(_NAME.fullmatch(a) for a in aliases):
        raise KeysFileError("name: 1-120 printable characters required")
    if slack_user_id is not None and not _SLACK_USER.fullmatch(slack_user_id):
        raise KeysFileError("slack_user_id: a Slack member id like U0123ABCD")
    if path.exists():
        existing = _read(path)  # refuse to append to a file that would not load
        if slack_user_id and any(k.slack_user_id == slack_user_id for k, _ in existing):
            raise KeysFileError(f"slack_user_id {slack_user_id} is already mapped to a key")
    token = token or new_token()
    _append(path, [
        f"\n[[keys]]\nname = {_toml_string(name)}\nrole = {_toml_string(role.value)}\n"
        f"token_sha256 = {_toml_string(hash_token(token))}\n" + _aliases_line(aliases)
        + (f"slack_user_id = {_toml_string(slack_user_id)}\n" if slack_user_id else "")
    ])
    return token


def _is_dev_file(path: Path, header: str) -> bool:
    return path.read_text(encoding="utf-8").startswith(header)


def _replace(path: Path, text: str) -> None:
    """Write the whole file at once, owner-only, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def _aliases_line(aliases: Sequence[str]) -> str:
    if not aliases:
        return ""
    return f"aliases = [{', '.join(_toml_string(a) for a in aliases)}]\n"


def ensure_dev_keys(
    path: Path, aliases: Mapping[Role, Sequence[str]] | None = None
) -> dict[Role, str]:
    """A keys file with one random development token per role when none exists.

    `aliases` gives each role's key the names work is assigned to in the policy (the problem
    coordinators for the engineer, the engagement leads for the engagement lead), so the
    console's "My tasks" works with these tokens as they are. Returns the plain development
    tokens the file holds (new or from an earlier run), so `escalations up` can print them each
    time; hashed keys stay secret.
    """
    entries = _read(path) if path.exists() else []
    header = "# Development API keys created by `escalations up`; one token per role.\n"
    untouched = _is_dev_file(path, header) and all(  # only `up`'s own keys, no aliases yet
        token is not None and key.name.startswith("dev-") and not key.aliases
        for key, token in entries) if entries else False
    if not entries or (untouched and any((aliases or {}).values())):
        # New, or made by an `up` from before aliases: written (again) with the same tokens.
        plain = {key.role: token for key, token in entries if token is not None}
        text = header + "".join(
            f"\n[[keys]]\nname = {_toml_string('dev-' + role.value.replace('_', '-'))}\n"
            f"role = {_toml_string(role.value)}\n"
            f"token = {_toml_string(plain.get(role) or new_token())}\n"
            + _aliases_line((aliases or {}).get(role, ()))
            for role in TOKEN_ROLES
        )
        _replace(path, text)
    tokens: dict[Role, str] = {}
    for key, token in _read(path):
        if token is not None:
            tokens.setdefault(key.role, token)
    return tokens
