"""The calls into related systems, one activity per record and purpose.

Each is safe to repeat: a record is closed only after checking its state there, and a comment
is posted only when the record does not already carry our marker, so a retry or a worker killed
mid-call closes nothing twice and comments once. Credentials are read from the environment by
name at each call; failures raise ApplicationError with scrubbed text only (it is history).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.channels.config import NotifyConfig
from activities.channels.http import install_log_redaction
from activities.channels.redact import scrub
from activities.records import jira, pagerduty, servicenow, webhook
from activities.records.client import Credentials, RecordFailed, SystemClient
from domain.messages import ActivityName
from domain.record_calls import (
    ProblemAnswer,
    ProblemCall,
    RecordAnswer,
    RecordCall,
    RecordFailure,
)
from domain.related_systems import (
    AnySystem,
    JiraSystem,
    PagerDutySystem,
    ServiceNowSystem,
    WebhookSystem,
)

T = TypeVar("T")


class RecordActivities:
    """`environ` is read at every call (os.environ in the worker), never copied."""

    def __init__(self, http_client: httpx.AsyncClient, config: NotifyConfig | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        install_log_redaction()
        self._http = http_client
        self._config = config or NotifyConfig()
        self._environ: Mapping[str, str] = environ if environ is not None else {}

    @activity.defn(name=ActivityName.LINK_RELATED_RECORD.value)
    async def link_related_record(self, call: RecordCall) -> RecordAnswer:
        credentials = self._credentials()

        async def run() -> RecordAnswer:
            system = call.system
            client = self._client_for(system, call, credentials)
            if client is None:
                raise RecordFailed(f"{system.name}: notes need token_env and from_email",
                                   final=True)
            match system:
                case PagerDutySystem():
                    return await pagerduty.link(client, call)
                case JiraSystem():
                    return await jira.link(client, call)
                case ServiceNowSystem():
                    return await servicenow.link(client, call)
                case WebhookSystem():
                    return await webhook.link(client, call, self._secret(system, credentials))

        return await self._attempt(f"link {call.record}", credentials, run)

    @activity.defn(name=ActivityName.CLOSE_RELATED_RECORD.value)
    async def close_related_record(self, call: RecordCall) -> RecordAnswer:
        credentials = self._credentials()

        async def run() -> RecordAnswer:
            system = call.system
            client = self._client_for(system, call, credentials)
            match system:
                case PagerDutySystem():
                    events = self._client(system, call, {}, credentials,
                                          base_url=system.events_url)
                    return await pagerduty.close(call, system, rest=client, events=events,
                                                 credentials=credentials)
            assert client is not None  # only a PagerDuty system may lack REST credentials
            match system:
                case JiraSystem():
                    return await jira.close(client, call, system)
                case ServiceNowSystem():
                    return await servicenow.close(client, call, system)
                case WebhookSystem():
                    return await webhook.close(client, call, self._secret(system, credentials))

        return await self._attempt(f"close {call.record}", credentials, run)

    @activity.defn(name=ActivityName.OPEN_PROBLEM_RECORD.value)
    async def open_problem_record(self, call: ProblemCall) -> ProblemAnswer:
        credentials = self._credentials()

        async def run() -> ProblemAnswer:
            system = call.system
            client = self._client_for(system, call, credentials)
            match system:
                case JiraSystem() if client is not None:
                    return await jira.open_problem(client, call)
                case ServiceNowSystem() if client is not None:
                    return await servicenow.open_problem(client, call)
            raise RecordFailed(f"{system.name}: a {system.kind} system opens no problem "
                               "records", final=True)

        return await self._attempt("open a problem record", credentials, run)

    def _client_for(self, system: AnySystem, call: RecordCall | ProblemCall,
                    credentials: Credentials) -> SystemClient | None:
        """The system's API with its auth headers; None for a PagerDuty system that closes by
        events only (no REST credentials)."""
        match system:
            case PagerDutySystem():
                headers = pagerduty.rest_headers(system, credentials)
                if headers is None:
                    return None
            case JiraSystem():
                headers = jira.auth_headers(system, credentials)
            case ServiceNowSystem():
                headers = servicenow.auth_headers(system, credentials)
            case WebhookSystem():
                headers = {}  # signed instead
        return self._client(system, call, headers, credentials)

    def _credentials(self) -> Credentials:
        credentials = Credentials(self._environ)
        credentials.remember(*self._config.secrets())
        return credentials

    def _client(self, system: AnySystem, call: RecordCall | ProblemCall,
                headers: Mapping[str, str], credentials: Credentials,
                *, base_url: str | None = None) -> SystemClient:
        return SystemClient(self._http, name=system.name, base_url=base_url or system.base_url,
                            hosts=call.hosts, credentials=credentials, headers=headers,
                            request_timeout=self._config.request_timeout)

    def _secret(self, system: WebhookSystem, credentials: Credentials) -> str | None:
        if system.secret_env is not None:
            return credentials.read(system.secret_env)
        secret = self._config.webhook_secret
        return secret.get_secret_value() if secret is not None else None

    async def _attempt(self, what: str, credentials: Credentials,
                       run: Callable[[], Awaitable[T]]) -> T:
        try:
            return await run()
        except RecordFailed as exc:
            kind = RecordFailure.REFUSED if exc.final else RecordFailure.FAILED
            message = scrub(str(exc), credentials.secrets)
            activity.logger.warning("%s: %s", what, message)
            # `from None`: the cause chain is history too, and a library's text may hold more.
            raise ApplicationError(message, type=kind.value, non_retryable=exc.final,
                                   next_retry_delay=exc.retry_after) from None
