"""A local system behind our related-record webhook: it verifies the signature of every POST
(the scheme of activities/channels/webhook.py), acts once per Idempotency-Key (a repeat gets
the first answer again) and answers like the contract says: 2xx done, 409 already closed, 404
an unknown record.
"""

from __future__ import annotations

import re
from typing import Any

from activities.channels import webhook as signing
from tests.support.vendor_server import Request, Response, Route, VendorServer


class RecordWebhookServer(VendorServer):
    name = "record-webhook"

    def __init__(self, *, secret: str, records: dict[str, str] | None = None) -> None:
        """`records`: record → "open" or "closed"."""
        super().__init__()
        self.secret = secret
        self.records = dict(records or {})
        self.answered: dict[str, Response] = {}  # by Idempotency-Key

    def routes(self) -> list[Route]:
        return [("POST", re.compile(r"/hooks/records"), self._receive)]

    def authorized(self, request: Request) -> Response | None:
        expected = signing.signature(self.secret, request.body)
        if request.headers.get(signing.SIGNATURE_HEADER.lower()) != expected:
            return Response(401, {"error": "bad signature"})
        return None

    def _receive(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        if key in self.answered:
            return self.answered[key]
        answer = self._act(request.json() or {})
        if answer.status < 500:
            self.answered[key] = answer
        return answer

    def _act(self, event: dict[str, Any]) -> Response:
        record = str(event.get("record", ""))
        if record not in self.records:
            return Response(404, {"error": f"no record {record}"})
        if event.get("event") == "related_record.link":
            self.effect("link", record)
            return Response(200, {"linked": record})
        if self.records[record] == "closed":
            return Response(409, {"error": f"{record} is already closed"})
        self.records[record] = "closed"
        self.effect("close", record)
        return Response(200, {"closed": record})
