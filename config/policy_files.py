"""Load the policy file from disk, or the default shipped in the package (policy.md)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from domain.errors import PolicyError
from domain.policy import Policy, parse_policy

PRESETS = ("default", "rg271")


def preset_text(name: str) -> str:
    return files("domain").joinpath(f"policies/{name}.toml").read_text(encoding="utf-8")


def load_policy(path: Path | None) -> Policy:
    """The policy at `path`, or the shipped default; PolicyError names the key and the reason."""
    if path is None:
        return parse_policy(preset_text("default"), source="default policy")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror}") from exc
    return parse_policy(text, source=str(path))
