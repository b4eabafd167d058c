"""A local PagerDuty: the subset of REST API v2 and Events API v2 we call, as documented
(developer.pagerduty.com; PagerDuty/api-schema reference/REST and reference/events-v2).

REST: `Authorization: Token token=…` (401 otherwise), `From` required on writes (400).
- GET /incidents/{id} → 200 {"incident": …} | 404 {"error": {"message": "Not Found", …}}
- PUT /incidents/{id} {"incident": {"type", "status": "resolved", "resolution"}} → 200;
  resolving a resolved incident → 400 "Incident Already Resolved" (the answer other clients
  report; our client checks the status first and never relies on it)
- GET /incidents/{id}/notes → 200 {"notes": [...]}; POST … {"note": {"content"}} → 201
Events: POST /v2/enqueue {"routing_key", "event_action": "resolve", "dedup_key"} → 202
{"status": "success", "message": "Event processed", "dedup_key"}; a wrong key → 400.
Rate limits answer 429 with `ratelimit-reset` (seconds to wait), PagerDuty's own header in
place of Retry-After (support.pagerduty.com, "REST API Rate Limits").
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.vendor_server import Request, Response, Route, VendorServer


def _error(status: int, message: str, code: int, *errors: str) -> Response:
    return Response(status, {"error": {"message": message, "code": code, "errors": list(errors)}})


class PagerDutyServer(VendorServer):
    name = "pagerduty"

    def __init__(self, *, token: str, routing_key: str,
                 incidents: dict[str, str] | None = None) -> None:
        """`incidents`: id → status (triggered, acknowledged, resolved); each incident's
        dedup key (incident_key) is its id."""
        super().__init__()
        self.token = token
        self.routing_key = routing_key
        self.incidents: dict[str, dict[str, Any]] = {
            i: {"id": i, "type": "incident", "status": s, "incident_key": i,
                "resolution": None} for i, s in (incidents or {}).items()}
        self.notes: dict[str, list[dict[str, Any]]] = {i: [] for i in self.incidents}

    def routes(self) -> list[Route]:
        incident = r"/incidents/([A-Za-z0-9]+)"
        return [
            ("GET", re.compile(incident), self._get),
            ("PUT", re.compile(incident), self._put),
            ("GET", re.compile(incident + "/notes"), self._list_notes),
            ("POST", re.compile(incident + "/notes"), self._add_note),
            ("POST", re.compile(r"/v2/enqueue"), self._enqueue),
        ]

    def authorized(self, request: Request) -> Response | None:
        if request.path.startswith("/v2/"):
            return None  # the Events API authenticates by the routing key in the body
        if request.headers.get("authorization") != f"Token token={self.token}":
            return _error(401, "Unauthorized", 2006)
        if request.method != "GET" and not request.headers.get("from"):
            return _error(400, "Invalid Input Provided", 2001, "From header is missing")
        return None

    def rate_limit_body(self) -> Any:
        return {"error": {"message": "Rate Limit Exceeded", "code": 2020}}

    def rate_limit(self, times: int = 1, retry_after: int = 1) -> None:
        self.fail(times, 429, self.rate_limit_body(), {"ratelimit-reset": str(retry_after)})

    def status(self, incident: str) -> str:
        with self.lock:
            return str(self.incidents[incident]["status"])

    def note_texts(self, incident: str) -> list[str]:
        with self.lock:
            return [n["content"] for n in self.notes[incident]]

    def _get(self, request: Request, incident: str) -> Response:
        if incident not in self.incidents:
            return _error(404, "Not Found", 2100)
        return Response(200, {"incident": self.incidents[incident]})

    def _put(self, request: Request, incident: str) -> Response:
        if incident not in self.incidents:
            return _error(404, "Not Found", 2100)
        body = (request.json() or {}).get("incident") or {}
        if body.get("type") not in ("incident", "incident_reference"):
            return _error(400, "Invalid Input Provided", 2001, "Incident type is invalid")
        found = self.incidents[incident]
        if body.get("status") == "resolved":
            if found["status"] == "resolved":
                return _error(400, "Invalid Input Provided", 2001, "Incident Already Resolved")
            found["status"] = "resolved"
            found["resolution"] = body.get("resolution")
            self.effect("resolve", incident)
        return Response(200, {"incident": found})

    def _list_notes(self, request: Request, incident: str) -> Response:
        if incident not in self.incidents:
            return _error(404, "Not Found", 2100)
        return Response(200, {"notes": self.notes[incident]})

    def _add_note(self, request: Request, incident: str) -> Response:
        if incident not in self.incidents:
            return _error(404, "Not Found", 2100)
        content = ((request.json() or {}).get("note") or {}).get("content")
        if not content:
            return _error(400, "Invalid Input Provided", 2001, "Note content is required")
        note = {"id": f"N{len(self.notes[incident]) + 1}", "content": content,
                "created_at": "2026-12-20T00:00:00Z"}
        self.notes[incident].append(note)
        self.effect("note", incident)
        return Response(201, {"note": note})

    def _enqueue(self, request: Request) -> Response:
        event = request.json() or {}
        if event.get("routing_key") != self.routing_key:
            return Response(400, {"status": "invalid event", "message": "Event object is "
                                  "invalid", "errors": ["Invalid routing key"]})
        key = event.get("dedup_key")
        if event.get("event_action") == "resolve" and key:
            for incident in self.incidents.values():
                if incident["incident_key"] == key and incident["status"] != "resolved":
                    incident["status"] = "resolved"
                    self.effect("resolve", incident["id"])
        return Response(202, {"status": "success", "message": "Event processed",
                              "dedup_key": key})
