"""The OpenAPI document, adjusted twice: each route's one-line docstring is its summary, and
problem answers are documented as application/problem+json, which is what they are (FastAPI
files every `model` under application/json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http.problems import MEDIA_TYPE


def _adjust(schema: dict[str, Any]) -> dict[str, Any]:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if operation.get("description"):
                operation["summary"] = operation["description"]
            for answer in operation.get("responses", {}).values():
                content = answer.get("content", {})
                ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                if ref.endswith("/ProblemDetail"):
                    content[MEDIA_TYPE] = content.pop("application/json")
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _adjust(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, tags=app.openapi_tags,
            ))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
