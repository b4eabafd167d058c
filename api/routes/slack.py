"""POST /v1/integrations/slack/actions: the Request URL of the Slack app's interactivity."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.deps import SlackActionsDep

router = APIRouter(prefix="/v1/integrations/slack", tags=["integrations"])

_SIGNED = [
    {"name": "X-Slack-Request-Timestamp", "in": "header", "required": True,
     "schema": {"type": "string"}, "description": "Unix seconds; older than 5 minutes: refused"},
    {"name": "X-Slack-Signature", "in": "header", "required": True,
     "schema": {"type": "string"},
     "description": "v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}> with SLACK_SIGNING_SECRET"},
]
_FORM = {
    "parameters": _SIGNED,
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["payload"],
            "properties": {"payload": {
                "type": "string",
                "description": "Slack's block_actions interaction payload, as JSON text"}},
        }}},
    },
}


@router.post(
    "/actions",
    openapi_extra=_FORM,
    responses={200: {"description": "Slack's answer: an ephemeral message to the clicker "
                     "(every refusal, with nothing changed), or empty"}},
)
async def slack_actions(request: Request, slack: SlackActionsDep) -> Response:
    """A click on a Slack button (Acknowledge); signed by Slack, no bearer token."""
    # The raw bytes, exactly as signed: read before anything parses the form.
    answer = await slack.handle(await request.body(),
                                timestamp=request.headers.get("X-Slack-Request-Timestamp"),
                                signature=request.headers.get("X-Slack-Signature"))
    if answer.body is None:
        return Response(status_code=200)
    return JSONResponse(answer.body)
