"""The checks of `escalations doctor`, one function per item, each answering ok or the fault and
its fix. They read the settings they are given (the deployment's environment) and never change
anything.

The sealing key is compared by fingerprint (config/key_fingerprint.py): the doctor runs with a
worker's settings and, given the API's address, reads the API's fingerprint from its /readyz.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import aiosmtplib
import httpx
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from cli.up_temporal import indexed_type
from config.key_fingerprint import sealing_fingerprint
from config.policy_files import load_policy
from config.settings import Settings
from config.temporal import connect
from domain.errors import PolicyError
from domain.hosts import parse_rules
from workflows.search_attributes import SEARCH_ATTRIBUTES

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


async def check_temporal(settings: Settings) -> tuple[Check, Client | None]:
    name = "Temporal reachable"
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            client = await connect(settings)
    except (TimeoutError, RuntimeError, RPCError, OSError, ValueError) as exc:
        return failed(name, f"cannot connect to {settings.temporal_address}: {exc}",
                      "set TEMPORAL_ADDRESS to the frontend's host:port; for Temporal Cloud also "
                      "TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY"), None
    return passed(name, settings.temporal_address), client


async def check_namespace(settings: Settings, client: Client) -> Check:
    name = "Temporal namespace"
    namespace = settings.temporal_namespace
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace),
            timeout=timedelta(seconds=TIMEOUT_SECONDS))
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return failed(name, f"namespace {namespace!r} does not exist",
                          f"create it (`temporal operator namespace create -n {namespace}`, or "
                          "in Temporal Cloud), or set TEMPORAL_NAMESPACE to one that exists")
        return failed(name, f"describing {namespace!r} failed: {exc}",
                      "check that these credentials may read the namespace")
    return passed(name, namespace)


async def check_search_attributes(settings: Settings, client: Client) -> Check:
    name = "search attributes"
    try:
        found = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=settings.temporal_namespace),
            timeout=timedelta(seconds=TIMEOUT_SECONDS))
    except RPCError as exc:
        return failed(name, f"cannot list them: {exc}", "check the namespace and credentials")
    registered = {key: IndexedValueType.Name(value)
                  for key, value in found.custom_attributes.items()}
    faults, fixes = [], []
    for attribute, kind in SEARCH_ATTRIBUTES.items():
        have = registered.get(attribute)
        if have is None:
            faults.append(f"{attribute} missing")
            fixes.append(f"temporal operator search-attribute create --name {attribute} "
                         f"--type {kind} -n {settings.temporal_namespace}")
        elif have != indexed_type(kind):
            faults.append(f"{attribute} is {have}, the workflow needs {kind}")
            fixes.append(f"{attribute}: an attribute's type cannot change; use a namespace where "
                         f"it is {kind} (or remove it and create it again, self-hosted only)")
    if faults:
        return failed(name, "; ".join(faults), "\n".join(fixes))
    return passed(name, f"all {len(SEARCH_ATTRIBUTES)} registered with their types")


def check_database(settings: Settings) -> Check:
    from store.revision import current_revision, head_revision

    name = "store schema"
    try:
        current = current_revision(settings.resolved_database_url)
    except Exception as exc:  # any driver error: the point is to report it, whatever it is
        return failed(name, f"cannot read the database: {type(exc).__name__}: {exc}",
                      "check DATABASE_URL (host, credentials, database name)")
    head = head_revision()
    if current != head:
        return failed(name, f"at migration {current or '(none)'}, this code needs {head}",
                      "run `escalations migrate` with the same DATABASE_URL")
    return passed(name, f"at the newest migration ({head})")


def check_policy(settings: Settings) -> Check:
    name = "policy"
    source = str(settings.escalations_policy or "the shipped default")
    try:
        policy = load_policy(settings.escalations_policy)
        rules = policy.notifications
        parse_rules(rules.allowed_hosts, block_private=rules.block_private_addresses)
    except (PolicyError, ValueError) as exc:
        return failed(name, f"{source}: {exc}",
                      "fix the key named above (`escalations policy check FILE` checks a file)")
    return passed(name, f"{source} is valid")


def check_console_secret(settings: Settings) -> Check:
    name = "console secret"
    if settings.escalations_console_secret is not None:
        return passed(name, "set: every API process signs console sessions alike")
    if settings.development:
        return passed(name, "not set; fine on this machine only (sessions end when the API "
                            "process stops)")
    return failed(name, f"ESCALATIONS_CONSOLE_SECRET is not set and the public URL "
                        f"({settings.escalations_public_url}) is not a loopback address: the API "
                        "refuses to start",
                  "make one with `escalations keys console-secret` and give the same value to "
                  "every API process")


def check_related_credentials(settings: Settings, environ: Mapping[str, str] = os.environ
                              ) -> Check | None:
    """The credentials each related system of the policy names, present here (run it with the
    worker's environment: the worker closes the records). None when the policy does not load:
    its own check says why."""
    name = "related-system credentials"
    try:
        systems = load_policy(settings.escalations_policy).related_systems
    except (PolicyError, ValueError):
        return None
    if not systems:
        return passed(name, "the policy names no related systems")
    missing = [f"{system.name}: {env}" for system in systems for env in system.env_names()
               if not environ.get(env)]
    if missing:
        return failed(name, "not set in this environment: " + ", ".join(missing),
                      "give the worker these variables (deploy/secrets/app.env in compose, the "
                      "escalations-secrets Secret in Kubernetes); records of those systems fail to "
                      "close without them")
    return passed(name, f"{len(systems)} system(s), every credential present")


async def check_sealing_key(settings: Settings, api_url: str | None, *,
                            transport: httpx.AsyncBaseTransport | None = None) -> Check:
    name = "sealing key"
    mine = sealing_fingerprint(settings)
    if mine is None:
        return failed(name, "ESCALATIONS_SEALING_KEY is not set",
                      "make one with `escalations keys sealing-key` and give the same value to "
                      "the API and every worker")
    if api_url is None:
        return passed(name, f"present ({mine}); not compared with an API (no --api-url)")
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=TIMEOUT_SECONDS,
                                     transport=transport) as http:
            answer = await http.get(f"{api_url.rstrip('/')}/readyz")
        theirs = answer.json().get("sealing_key")
    except (httpx.HTTPError, ValueError) as exc:
        return failed(name, f"cannot read {api_url}/readyz: {exc}",
                      "give --api-url the API's base URL as this host reaches it")
    if theirs != mine:
        return failed(name, f"the API seals with {theirs or 'no key'}, these settings hold {mine}",
                      "give the API and every worker the same ESCALATIONS_SEALING_KEY")
    return passed(name, f"the same on the API and here ({mine})")


async def check_smtp(settings: Settings) -> Check:
    name = "SMTP"
    if not settings.smtp_host:
        return passed(name, "no SMTP_HOST: e-mail deliveries fail at once (channel_not_configured)")
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    smtp = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                           start_tls=settings.smtp_starttls, timeout=TIMEOUT_SECONDS)
    try:
        await smtp.connect()
        if settings.smtp_username and settings.smtp_password:
            await smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return failed(name, f"{server}: {exc}",
                      "check SMTP_HOST, SMTP_PORT, SMTP_STARTTLS and the credentials, and that "
                      "this network may reach the server")
    return passed(name, f"{server} answers")


async def run_checks(settings: Settings, *, api_url: str | None = None,
                     transport: httpx.AsyncBaseTransport | None = None) -> list[Check]:
    """Every check, in the order an operator would fix them (`transport`: how to reach the
    API, for tests that run it in process)."""
    temporal, client = await check_temporal(settings)
    checks = [temporal]
    if client is not None:
        checks.append(await check_namespace(settings, client))
        checks.append(await check_search_attributes(settings, client))
    checks.append(await asyncio.to_thread(check_database, settings))
    checks.append(check_policy(settings))
    related = check_related_credentials(settings)
    if related is not None:
        checks.append(related)
    checks.append(check_console_secret(settings))
    checks.append(await check_sealing_key(settings, api_url, transport=transport))
    checks.append(await check_smtp(settings))
    return checks
