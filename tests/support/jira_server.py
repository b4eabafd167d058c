"""A local Jira Cloud: the subset of the platform REST API v3 we call, as documented
(developer.atlassian.com/cloud/jira/platform/rest/v3: issues, issue comments, transitions,
issue search; "Basic auth for REST APIs"; the 2020 change notice on 409 for transitions).

Auth: `Authorization: Basic base64(email:api_token)` (401 otherwise). Errors are
{"errorMessages": [...], "errors": {field: message}}.
- GET /rest/api/3/issue/{key}?fields=status → 200 | 404
- GET/POST /rest/api/3/issue/{key}/comment (ADF bodies) → 200 {"comments": …} / 201
- GET /rest/api/3/issue/{key}/transitions → the transitions open from the current status
- POST /rest/api/3/issue/{key}/transitions {"transition": {"id"}} → 204; one not open from
  the current status (e.g. "Done" on a done issue) → 400
- GET /rest/api/3/search/jql?jql=project = "P" AND labels = "L" → {"issues": [...]}
- POST /rest/api/3/issue {"fields": {project, issuetype, summary, description, labels}} → 201
A 409 (a transition already running) or 429 with Retry-After come from fail()/rate_limit().
"""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.support.vendor_server import Request, Response, Route, VendorServer

# A simple workflow: To Do (new) → In Progress (indeterminate) → Done (done), and back.
STATUSES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
TRANSITIONS = [  # (id, name, from statuses, to status)
    ("11", "Start", ("To Do",), "In Progress"),
    ("31", "Done", ("To Do", "In Progress"), "Done"),
    ("41", "Reopen", ("Done",), "To Do"),
]
_JQL = re.compile(r'project = "([^"]+)" AND labels = "([^"]+)"')


def _error(status: int, *messages: str, **fields: str) -> Response:
    return Response(status, {"errorMessages": list(messages), "errors": fields})


def adf_text(body: Any) -> str:
    """The text of an ADF document, one line per paragraph."""
    if not isinstance(body, dict) or body.get("type") != "doc":
        return ""
    return "\n".join("".join(str(n.get("text", "")) for n in p.get("content") or [])
                     for p in body.get("content") or [])


class JiraServer(VendorServer):
    name = "jira"

    def __init__(self, *, email: str, token: str, issues: dict[str, str] | None = None) -> None:
        """`issues`: key → status name (To Do, In Progress, Done)."""
        super().__init__()
        self.credentials = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.issues: dict[str, dict[str, Any]] = {
            k: {"status": s, "labels": [], "fields": {}} for k, s in (issues or {}).items()}
        self.comments: dict[str, list[dict[str, Any]]] = {k: [] for k in self.issues}

    def routes(self) -> list[Route]:
        issue = r"/rest/api/3/issue/([A-Z][A-Z0-9]*-\d+)"
        return [
            ("GET", re.compile(issue), self._get),
            ("GET", re.compile(issue + "/comment"), self._list_comments),
            ("POST", re.compile(issue + "/comment"), self._add_comment),
            ("GET", re.compile(issue + "/transitions"), self._transitions),
            ("POST", re.compile(issue + "/transitions"), self._transition),
            ("GET", re.compile(r"/rest/api/3/search/jql"), self._search),
            ("POST", re.compile(r"/rest/api/3/issue"), self._create),
        ]

    def authorized(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != self.credentials:
            return _error(401, "You are not authenticated. Authentication required to perform "
                          "this operation.")
        return None

    def rate_limit_body(self) -> Any:
        return {"errorMessages": ["Rate limit exceeded."], "errors": {}}

    def status(self, key: str) -> str:
        with self.lock:
            return str(self.issues[key]["status"])

    def comment_texts(self, key: str) -> list[str]:
        with self.lock:
            return [adf_text(c["body"]) for c in self.comments[key]]

    def _missing(self, key: str) -> Response | None:
        if key in self.issues:
            return None
        return _error(404, "Issue does not exist or you do not have permission to see it.")

    def _get(self, request: Request, key: str) -> Response:
        if (missing := self._missing(key)) is not None:
            return missing
        status = self.issues[key]["status"]
        return Response(200, {"key": key, "fields": {"status": {
            "name": status, "statusCategory": {"key": STATUSES[status], "name": status}}}})

    def _list_comments(self, request: Request, key: str) -> Response:
        if (missing := self._missing(key)) is not None:
            return missing
        comments = self.comments[key]
        if request.query.get("orderBy") == "-created":
            comments = comments[::-1]
        limit = int(request.query.get("maxResults", "50"))
        return Response(200, {"startAt": 0, "maxResults": limit, "total": len(comments),
                              "comments": comments[:limit]})

    def _add_comment(self, request: Request, key: str) -> Response:
        if (missing := self._missing(key)) is not None:
            return missing
        body = (request.json() or {}).get("body")
        if not adf_text(body):
            return _error(400, comment="Comment body can not be empty!")
        comment = {"id": str(10000 + sum(map(len, self.comments.values()))), "body": body}
        self.comments[key].append(comment)
        self.effect("comment", key)
        return Response(201, comment)

    def _open_transitions(self, key: str) -> list[dict[str, Any]]:
        status = self.issues[key]["status"]
        return [{"id": i, "name": name, "to": {"name": to, "statusCategory": {
            "key": STATUSES[to]}}} for i, name, froms, to in TRANSITIONS if status in froms]

    def _transitions(self, request: Request, key: str) -> Response:
        if (missing := self._missing(key)) is not None:
            return missing
        return Response(200, {"transitions": self._open_transitions(key)})

    def _transition(self, request: Request, key: str) -> Response:
        if (missing := self._missing(key)) is not None:
            return missing
        wanted = str(((request.json() or {}).get("transition") or {}).get("id", ""))
        for transition in self._open_transitions(key):
            if transition["id"] == wanted:
                self.issues[key]["status"] = transition["to"]["name"]
                self.effect("transition", key)
                return Response(204)
        return _error(400, f"Transition id '{wanted}' is not valid for this issue.")

    def _search(self, request: Request) -> Response:
        found = _JQL.fullmatch(request.query.get("jql", ""))
        if found is None:
            return _error(400, "Error in the JQL Query: this stand-in knows one query shape.")
        project, label = found.groups()
        keys = [k for k, i in self.issues.items()
                if k.startswith(f"{project}-") and label in i["labels"]]
        return Response(200, {"issues": [{"id": k, "key": k} for k in keys], "isLast": True})

    def _create(self, request: Request) -> Response:
        fields = (request.json() or {}).get("fields") or {}
        project = (fields.get("project") or {}).get("key")
        if not project:
            return _error(400, project="Specify a valid project ID or key")
        if not fields.get("summary"):
            return _error(400, summary="You must specify a summary of the issue.")
        number = 1 + sum(1 for k in self.issues if k.startswith(f"{project}-"))
        key = f"{project}-{number}"
        self.issues[key] = {"status": "To Do", "labels": list(fields.get("labels") or []),
                            "fields": fields}
        self.comments[key] = []
        self.effect("create", key)
        return Response(201, {"id": str(10000 + number), "key": key,
                              "self": f"{self.url}/rest/api/3/issue/{key}"})
