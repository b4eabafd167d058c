"""The dev server's search attributes, through the `temporal` CLI rather than the Python SDK: a
process that used the SDK's client can abort in the Rust core at interpreter exit
(temporal-notes, "Pitfalls"), and `escalations up` must exit cleanly after Ctrl-C."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from cli.supervisor import StartupError, Supervisor
from workflows.search_attributes import SEARCH_ATTRIBUTES

TEMPORAL_READY_SECONDS = 120.0


def indexed_type(kind: str) -> str:
    """`KeywordList` -> `INDEXED_VALUE_TYPE_KEYWORD_LIST`, as the operator service names types."""
    return "INDEXED_VALUE_TYPE_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()


def temporal_cli(temporal: Path, *args: str, timeout: float = 15.0
              ) -> subprocess.CompletedProcess[str]:
    # The probes talk to our own server only: a TEMPORAL_API_KEY, TLS or profile meant for a
    # remote cluster (environment or config file) must not apply to them.
    argv = [str(temporal), *args, "--command-timeout", "5s", "--disable-config-env",
            "--disable-config-file"]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, returncode=124, stdout="", stderr="timed out")


def _custom_attributes(temporal: Path, address: str, namespace: str) -> dict[str, str] | None:
    done = temporal_cli(temporal, "operator", "search-attribute", "list",
                     "--address", address, "--namespace", namespace, "-o", "json")
    if done.returncode != 0:
        return None  # the namespace may not be served yet right after the health check
    attributes: dict[str, str] = json.loads(done.stdout).get("customAttributes", {})
    return attributes


def ensure_search_attributes(sup: Supervisor, temporal: Path, address: str, namespace: str) -> None:
    """Register what `--search-attribute` did not (an existing database file), then verify."""

    def current() -> dict[str, str] | None:
        return _custom_attributes(temporal, address, namespace)

    existing = sup.wait_for("the search attribute list", current, timeout=TEMPORAL_READY_SECONDS)
    for name, kind in SEARCH_ATTRIBUTES.items():
        if name in existing:
            if existing[name] != indexed_type(kind):
                raise StartupError(
                    f"search attribute {name} is registered as {existing[name]}, the workflow "
                    f"needs {kind}: start with a fresh --data-dir")
            continue
        # One name per call: the CLI (1.9.1) accepts several --name but registers only the first.
        done = temporal_cli(temporal, "operator", "search-attribute", "create", "--name", name,
                         "--type", kind, "--address", address, "--namespace", namespace)
        if done.returncode != 0:
            raise StartupError(f"registering search attribute {name} failed: "
                               f"{done.stderr.strip()}")
    registered = sup.wait_for("the search attribute list", current, timeout=30.0)
    missing = sorted(set(SEARCH_ATTRIBUTES) - set(registered))
    if missing:
        raise StartupError(f"search attributes still missing after registration: {missing}")
