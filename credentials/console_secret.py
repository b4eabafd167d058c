"""The secret that signs the console's session cookies (ESCALATIONS_CONSOLE_SECRET).

`escalations up` keeps one in its data dir beside the sealing key, so sessions survive a
restart of the stack and every API process it starts signs alike.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_LENGTH = 32


def new_console_secret() -> str:
    return secrets.token_urlsafe(48)


def ensure_console_secret(path: Path) -> str:
    """The secret kept in `path`, created (owner-only) on first use; ValueError if too short."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < MIN_LENGTH:
            raise ValueError(
                f"{path}: a console secret has at least {MIN_LENGTH} characters") from None
        return secret
    secret = new_console_secret()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret + "\n")
    return secret
