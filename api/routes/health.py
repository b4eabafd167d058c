"""Liveness, readiness and metrics: no token, so orchestrators and scrapers can call them."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from api.deps import SettingsDep, StoreDep, TemporalDep
from api.http.metrics import ApiMetrics
from api.services.store import StoreUnavailable
from config.key_fingerprint import sealing_fingerprint
from store.gauges import open_by_stage_and_priority
from store.queries import schema_ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    temporal: bool
    database: bool
    # One-way fingerprint of ESCALATIONS_SEALING_KEY (never the key): `escalations doctor`
    # compares it with the workers' key. None: this API seals nothing.
    sealing_key: str | None = None


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(store: StoreDep, temporal: TemporalDep, settings: SettingsDep,
                 response: Response) -> Readiness:
    """Temporal and the database both answer; else 503 naming which does not."""

    async def database() -> bool:
        try:
            return await store.read(schema_ready)
        except StoreUnavailable:
            return False

    temporal_up, db = await asyncio.gather(temporal.healthy(), database())
    ready = temporal_up and db
    response.status_code = 200 if ready else 503
    return Readiness(status="ready" if ready else "not ready", temporal=temporal_up, database=db,
                     sealing_key=sealing_fingerprint(settings))


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}},
                             "description": "Prometheus text format"}})
async def metrics(request: Request, store: StoreDep) -> Response:
    """Request counts and latency per route template, open escalations (Prometheus text)."""
    registry: ApiMetrics = request.app.state.metrics
    try:
        registry.set_open(await store.read(open_by_stage_and_priority))
    except StoreUnavailable:
        pass  # the request metrics still matter most when the store is down
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
