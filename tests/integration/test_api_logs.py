"""`escalations api` logs like the worker: JSON lines when not on a terminal, one line per request
(ours, with the route template and the request id; no second line from uvicorn's access log)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx

from credentials.api_keys import add_key
from domain.enums import Role
from tests.support.processes import HOST, ApiProcess


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


async def test_one_json_line_per_request(tmp_path: Path) -> None:
    keys = tmp_path / "api-keys.toml"
    token = add_key(keys, "alice", Role.INCIDENT_MANAGER)
    # No Temporal: the API starts without it, and these two requests do not need it.
    api = ApiProcess(tmp_path, f"{HOST}:{_closed_port()}", task_queue="logs",
                     database_url=f"sqlite:///{tmp_path / 'store.db'}", keys_file=keys)
    async with api:
        async with httpx.AsyncClient(base_url=api.base_url, trust_env=False) as http:
            listed = await http.get("/v1/escalations", headers={"Authorization": f"Bearer {token}",
                                                              "X-Request-ID": "list-1"})
            missing = await http.get("/v1/escalations/esc-nothing-here",
                                     headers={"Authorization": f"Bearer {token}"})
        assert (listed.status_code, missing.status_code) == (200, 404)
        await api.stop()
    text = api.child.log_path.read_text()
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines() if line]
    requests = [line for line in lines if line.get("event") == "request"
                and line.get("route", "").startswith("/v1/")]
    assert [(r["route"], r["status"]) for r in requests] == [
        ("/v1/escalations", 200), ("/v1/escalations/{escalation_id}", 404)]
    assert requests[0]["request_id"] == "list-1"
    assert token not in text
    # uvicorn's access log would have repeated each request as plain text.
    assert "GET /v1/escalations HTTP/1.1" not in text
