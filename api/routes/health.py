"""Liveness, readiness and metrics: no token, so orchestrators and scrapers can call them."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from api.deps import StoreDep, TemporalDep
from api.http.metrics import ApiMetrics
from api.services.store import StoreUnavailable
from store.queries import schema_ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    temporal: bool
    database: bool


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(store: StoreDep, temporal: TemporalDep, response: Response) -> Readiness:
    """Temporal and the database both answer; else 503 naming which does not."""

    async def database() -> bool:
        try:
            return await store.read(schema_ready)
        except StoreUnavailable:
            return False

    temporal_up, db = await asyncio.gather(temporal.healthy(), database())
    ready = temporal_up and db
    response.status_code = 200 if ready else 503
    return Readiness(status="ready" if ready else "not ready", temporal=temporal_up, database=db)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}},
                             "description": "Prometheus text format"}})
async def metrics(request: Request) -> Response:
    """Request counts and latency per route template (Prometheus text format)."""
    registry: ApiMetrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
