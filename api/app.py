"""The FastAPI app: `create_app(settings)` builds it; its lifespan owns every shared resource.

The lifespan refuses to start on an invalid policy, host rule or keys file (a clear message
beats serving with a broken configuration), but starts without Temporal: requests that need it
answer 503 until it is back, and /readyz says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import structlog
from anyio import to_thread
from fastapi import FastAPI

from api.console import install as console
from api.http import errors, openapi, problems
from api.http.limits import BodyLimit
from api.http.metrics import ApiMetrics, MetricsMiddleware
from api.http.request_log import RequestLogContext
from api.routes import (
    actions,
    escalations,
    health,
    idr_report,
    intake,
    rca,
    reports,
    saved_replies,
    slack,
    triage,
)
from api.services.escalations import Escalations
from api.services.intake import Intake
from api.services.policy import ActivePolicy
from api.services.presence import PresenceBoard
from api.services.reads import Reads
from api.services.slack import SlackActions
from api.services.spikes import SpikeWatches
from api.services.store import StoreReader, StoreWriter
from api.services.temporal import TemporalGateway
from config.policy_files import load_policy
from config.settings import Settings
from config.tracing import instrument_app
from credentials.api_keys import KeyRing, KeysFileError, load_keys
from credentials.sealing import AddressSealer, seal_addresses
from domain.errors import PolicyError
from domain.hosts import parse_rules
from domain.state import LinkBases
from store.engine import create_engine_for, session_factory
from store.revision import SchemaNotAtHead, prepare_schema

_log = structlog.get_logger(__name__)


class StartupError(RuntimeError):
    """The configuration cannot serve; the message says which file and what is wrong."""


@dataclass(frozen=True)
class _Configuration:
    policy: ActivePolicy
    keys: KeyRing
    sealer: AddressSealer | None
    cookies: console.CookieJar


def _configure(settings: Settings) -> _Configuration:
    """Read and check the policy and keys files, and bring the store's schema to head."""
    try:
        policy = load_policy(settings.escalations_policy)
    except PolicyError as exc:
        raise StartupError(f"invalid policy: {exc}") from exc
    rules = policy.notifications
    try:
        host_rules = parse_rules(rules.allowed_hosts, block_private=rules.block_private_addresses)
    except ValueError as exc:
        raise StartupError(f"invalid policy: notifications.allowed_hosts: {exc}") from exc
    try:
        keys = load_keys(settings.resolved_api_keys)
    except KeysFileError as exc:
        raise StartupError(str(exc)) from exc
    try:
        cookies = console.cookie_jar(settings)
    except console.ConsoleSecretMissing as exc:
        raise StartupError(str(exc)) from exc
    sealer = settings.address_sealer()
    if sealer is None:
        _log.warning("no ESCALATIONS_SEALING_KEY: credentials in recipient URLs will be "
                     "readable in Temporal's history and the store")
    else:
        # The snapshot each new workflow carries holds the policy's contacts sealed too.
        policy = seal_addresses(policy, sealer)
    # Under the store's lock, so an API and workers starting together migrate once; or, after a
    # one-shot `escalations migrate`, only a check that the store is at head.
    try:
        prepare_schema(settings.resolved_database_url,
                       upgrade=settings.escalations_migrate_on_start)
    except SchemaNotAtHead as exc:
        raise StartupError(str(exc)) from exc
    return _Configuration(ActivePolicy(policy=policy, host_rules=host_rules), keys, sealer,
                          cookies)


def _lifespan(settings: Settings | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or Settings()
        # File reads and migrations block: off the event loop, even at start-up.
        loaded = await to_thread.run_sync(_configure, config)
        engine = create_engine_for(config.resolved_database_url, read_only=True)
        writing = create_engine_for(config.resolved_database_url)
        temporal = TemporalGateway(config)
        await temporal.start()
        store = StoreReader(session_factory(engine))
        state = app.state
        state.settings, state.temporal, state.store = config, temporal, store
        state.policy, state.keys = loaded.policy, loaded.keys
        links = LinkBases(api=config.escalations_public_url, temporal_ui=config.temporal_ui_url,
                          namespace=config.temporal_namespace)
        state.escalations = Escalations(
            temporal=temporal, store=store, policy=loaded.policy, sealer=loaded.sealer,
            links=links, task_queue=config.temporal_task_queue,
        )
        state.reads = Reads(temporal=temporal, store=store)
        state.console_cookies, state.presence = loaded.cookies, PresenceBoard(store)
        state.intake = Intake(
            escalations=state.escalations, store=store,
            writer=StoreWriter(session_factory(writing)), policy=loaded.policy,
            spikes=SpikeWatches(temporal=temporal, policy=loaded.policy, links=links,
                                task_queue=config.temporal_task_queue),
        )
        state.slack = SlackActions(signing_secret=config.slack_signing_secret, keys=loaded.keys,
                                   escalations=state.escalations)
        try:
            yield
        finally:
            engine.dispose()
            writing.dispose()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API; without settings, the lifespan reads them from the environment."""
    app = FastAPI(
        title="Escalations API",
        version="1",
        description="Customer escalations, each one a durable Temporal workflow.",
        lifespan=_lifespan(settings),
    )
    for module in (escalations, actions, saved_replies, rca, triage, intake, reports, idr_report,
                   slack, health):
        app.include_router(module.router)
    problems.install(app)
    errors.install(app)
    openapi.install(app)
    console.install(app)  # after the error handlers: its pages wrap them for /console
    instrument_app(app, settings or Settings())
    app.state.metrics = ApiMetrics()
    # Added last = outermost: the limit answers before routing; metrics see every answer.
    app.add_middleware(BodyLimit)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    # Outermost: every answer, even a 413 or a 500, carries the request id it was logged with.
    app.add_middleware(RequestLogContext)
    return app
