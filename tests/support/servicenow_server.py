"""A local ServiceNow: the subset of the Table API we call, as documented (ServiceNow docs,
"Table API": GET/POST /api/now/table/{tableName}, PATCH …/{sys_id}; encoded queries; the
`sys_journal_field` table that holds work notes; rate limits answer 429 with Retry-After).

Auth: `Authorization: Basic base64(user:password)` (401 otherwise). Errors are
{"error": {"message", "detail"}, "status": "failure"}.
- GET /api/now/table/incident?sysparm_query=number=INC…&sysparm_fields=… → {"result": [...]}
- PATCH /api/now/table/incident/{sys_id} → 200 {"result": …}; `work_notes` appends a journal
  entry; an unknown sys_id → 404; a Closed (7) or Canceled (8) incident → 403, as an instance
  whose ACLs forbid writes to closed records answers (not checked against a real instance: our
  client reads the state first and never writes to a closed incident)
- GET /api/now/table/sys_journal_field?sysparm_query=element_id=…^element=…^valueSTARTSWITH…
- GET/POST /api/now/table/problem (correlation_id queries; 201 with the new PRB number)
"""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.support.vendor_server import Request, Response, Route, VendorServer

CLOSED_FOR_WRITES = ("7", "8")
_CONDITION = re.compile(r"([a-z_]+?)(=|STARTSWITH|LIKE)(.*)")


def _error(status: int, message: str, detail: str) -> Response:
    return Response(status, {"error": {"message": message, "detail": detail},
                             "status": "failure"})


def matches(record: dict[str, Any], query: str) -> bool:
    """A record against an encoded query of `field=value`, `fieldSTARTSWITHvalue` and
    `fieldLIKEvalue` conditions joined by `^` (AND)."""
    for condition in filter(None, query.split("^")):
        found = _CONDITION.fullmatch(condition)
        if found is None:
            return False
        name, operator, value = found.groups()
        actual = str(record.get(name, ""))
        if not {"=": actual == value, "STARTSWITH": actual.startswith(value),
                "LIKE": value in actual}[operator]:
            return False
    return True


class ServiceNowServer(VendorServer):
    name = "servicenow"

    def __init__(self, *, user: str, password: str, incidents: dict[str, str] | None = None
                 ) -> None:
        """`incidents`: number → state ("1" New, "2" In Progress, "6" Resolved, "7" Closed)."""
        super().__init__()
        self.credentials = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.tables: dict[str, list[dict[str, Any]]] = {
            "incident": [{"sys_id": f"{n:032x}", "number": number, "state": state,
                          "close_code": "", "close_notes": ""}
                         for n, (number, state) in enumerate((incidents or {}).items(), 1)],
            "sys_journal_field": [],
            "problem": [],
        }

    def routes(self) -> list[Route]:
        return [
            ("GET", re.compile(r"/api/now/table/(incident|sys_journal_field|problem)"),
             self._query),
            ("PATCH", re.compile(r"/api/now/table/incident/([0-9a-f]{32})"), self._patch),
            ("POST", re.compile(r"/api/now/table/problem"), self._create_problem),
        ]

    def authorized(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != self.credentials:
            return _error(401, "User Not Authenticated", "Required to provide Auth information")
        return None

    def rate_limit(self, times: int = 1, retry_after: int = 1) -> None:
        self.fail(times, 429, self.rate_limit_body(), {
            "Retry-After": str(retry_after), "X-RateLimit-Limit": "1000",
            "X-RateLimit-Reset": "1798761600", "X-RateLimit-Rule": "d0e5b8a31b3e4010a7b3f3c1"})

    def rate_limit_body(self) -> Any:
        return {"error": {"message": "Rate limit exceeded", "detail": "Too many requests"},
                "status": "failure"}

    def incident(self, number: str) -> dict[str, Any]:
        with self.lock:
            return dict(next(i for i in self.tables["incident"] if i["number"] == number))

    def work_notes(self, number: str) -> list[str]:
        sys_id = self.incident(number)["sys_id"]
        with self.lock:
            return [j["value"] for j in self.tables["sys_journal_field"]
                    if j["element_id"] == sys_id and j["element"] == "work_notes"]

    def _query(self, request: Request, table: str) -> Response:
        found = [r for r in self.tables[table]
                 if matches(r, request.query.get("sysparm_query", ""))]
        limit = int(request.query.get("sysparm_limit", "10000"))
        fields = [f for f in request.query.get("sysparm_fields", "").split(",") if f]
        result = [{k: v for k, v in r.items() if not fields or k in fields} for r in found]
        return Response(200, {"result": result[:limit]})

    def _patch(self, request: Request, sys_id: str) -> Response:
        incident = next((i for i in self.tables["incident"] if i["sys_id"] == sys_id), None)
        if incident is None:
            return _error(404, "No Record found",
                          "Record doesn't exist or ACL restricts the record retrieval")
        if incident["state"] in CLOSED_FOR_WRITES:
            return _error(403, "Operation Failed",
                          "ACL Exception Update Failed due to security constraints")
        fields = request.json() or {}
        note = fields.pop("work_notes", None)
        if note:
            self.tables["sys_journal_field"].append({
                "sys_id": f"j{len(self.tables['sys_journal_field'])}", "name": "incident",
                "element": "work_notes", "element_id": sys_id, "value": note})
            self.effect("work_note", incident["number"])
        if fields.get("state") and fields["state"] != incident["state"]:
            self.effect("state", incident["number"])
        incident.update({k: str(v) for k, v in fields.items()})
        return Response(200, {"result": incident})

    def _create_problem(self, request: Request) -> Response:
        fields = request.json() or {}
        number = f"PRB{40001 + len(self.tables['problem']):07d}"
        record = {"sys_id": f"{900 + len(self.tables['problem']):032x}", "number": number,
                  **{k: str(v) for k, v in fields.items()}}
        self.tables["problem"].append(record)
        self.effect("create", number)
        return Response(201, {"result": record})
