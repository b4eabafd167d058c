"""Liveness, readiness and metrics: no token, so orchestrators and scrapers can call them."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session

from api.auth import ResourcesDep
from api.metrics import ApiMetrics
from api.resources import StoreUnavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    temporal: bool
    database: bool


def _store_ready(session: Session) -> bool:
    # The projection table, not just the connection: an unmigrated database cannot serve lists.
    session.connection().execute(text("SELECT 1 FROM escalations LIMIT 1"))
    return True


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(resources: ResourcesDep, response: Response) -> Readiness:
    """Temporal and the database both answer; else 503 naming which does not."""

    async def database() -> bool:
        try:
            return await resources.read(_store_ready)
        except StoreUnavailable:
            return False

    temporal, db = await asyncio.gather(resources.temporal.healthy(), database())
    ready = temporal and db
    response.status_code = 200 if ready else 503
    return Readiness(status="ready" if ready else "not ready", temporal=temporal, database=db)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}},
                             "description": "Prometheus text format"}})
async def metrics(request: Request) -> Response:
    """Request counts and latency per route template (Prometheus text format)."""
    registry: ApiMetrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
