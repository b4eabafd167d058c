"""All four related systems at once, on 127.0.0.1, with a policy that names them and the
environment that holds their credentials (distinctive values, so a test can look for them in
history, the store and logs).

    with RelatedSystems() as systems:
        policy = systems.policy(loopback_policy(url), retry_for="PT20S")
        ... a worker with environ=systems.env ...
        assert systems.jira.effects_of("transition") == {"OPS-7": 1}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from domain.policy import Policy
from tests.support.jira_server import JiraServer
from tests.support.pagerduty_server import PagerDutyServer
from tests.support.record_webhook_server import RecordWebhookServer
from tests.support.servicenow_server import ServiceNowServer

ENV = {
    "PAGERDUTY_API_TOKEN": "pd-token-u5Wq7Zr2Lk9x",
    "PAGERDUTY_ROUTING_KEY": "pd-routing-Hq3sV8nY1cTe",
    "JIRA_EMAIL": "escalations-bot@corp.example",
    "JIRA_API_TOKEN": "jira-token-Rb6pM0wXa4Gz",
    "SERVICENOW_USER": "escalations.bot",
    "SERVICENOW_PASSWORD": "snow-pass-Jd2kT9vQe7Ns",
    "RECORD_WEBHOOK_SECRET": "hook-secret-Zc8mB3yLw1Pf",
}
# What must never show outside the worker's memory (the e-mail and user name are not secret).
SECRETS = [v for k, v in ENV.items() if k not in ("JIRA_EMAIL", "SERVICENOW_USER")]

# One record of each kind, open in its system, as an escalation names them.
PD_INCIDENT, JIRA_ISSUE, SNOW_INCIDENT, WEBHOOK_RECORD = "P1ABC23", "OPS-7", "INC0010001", "TRK-9"
RECORDS = [f"PD-{PD_INCIDENT}", JIRA_ISSUE, SNOW_INCIDENT, WEBHOOK_RECORD]


def linked_and_closed_once(pagerduty: Iterable[str] = (PD_INCIDENT,),
                           jira: Iterable[str] = (JIRA_ISSUE,),
                           servicenow: Iterable[str] = (SNOW_INCIDENT,),
                           webhook: Iterable[str] = (WEBHOOK_RECORD,)) -> dict[str, Counter[str]]:
    """RelatedSystems.effects() once each record was linked at the start and closed: one link
    comment, one close; PagerDuty and Jira carry the close note as a second comment (ServiceNow
    in the close notes, the webhook in the close's body)."""
    return {
        "pagerduty note": Counter(dict.fromkeys(pagerduty, 2)),
        "pagerduty resolve": Counter(dict.fromkeys(pagerduty, 1)),
        "jira comment": Counter(dict.fromkeys(jira, 2)),
        "jira transition": Counter(dict.fromkeys(jira, 1)),
        "servicenow work_note": Counter(dict.fromkeys(servicenow, 1)),
        "servicenow state": Counter(dict.fromkeys(servicenow, 1)),
        "webhook link": Counter(dict.fromkeys(webhook, 1)),
        "webhook close": Counter(dict.fromkeys(webhook, 1)),
    }


class RelatedSystems:
    def __init__(self, *, incidents: dict[str, str] | None = None,
                 issues: dict[str, str] | None = None,
                 snow_incidents: dict[str, str] | None = None,
                 webhook_records: dict[str, str] | None = None) -> None:
        self.pagerduty = PagerDutyServer(token=ENV["PAGERDUTY_API_TOKEN"],
                                         routing_key=ENV["PAGERDUTY_ROUTING_KEY"],
                                         incidents=incidents or {PD_INCIDENT: "triggered"})
        self.jira = JiraServer(email=ENV["JIRA_EMAIL"], token=ENV["JIRA_API_TOKEN"],
                               issues=issues or {JIRA_ISSUE: "In Progress"})
        self.servicenow = ServiceNowServer(user=ENV["SERVICENOW_USER"],
                                           password=ENV["SERVICENOW_PASSWORD"],
                                           incidents=snow_incidents or {SNOW_INCIDENT: "2"})
        self.webhook = RecordWebhookServer(secret=ENV["RECORD_WEBHOOK_SECRET"],
                                           records=webhook_records or {WEBHOOK_RECORD: "open"})
        self.env = dict(ENV)
        self._stack = ExitStack()

    def __enter__(self) -> RelatedSystems:
        for server in (self.pagerduty, self.jira, self.servicenow, self.webhook):
            self._stack.enter_context(server)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def effects(self) -> dict[str, Counter[str]]:
        """Every change the systems made, by kind and record: what "once" is counted on."""
        return {f"{name} {kind}": server.effects_of(kind) for name, server, kind in (
            ("pagerduty", self.pagerduty, "note"), ("pagerduty", self.pagerduty, "resolve"),
            ("jira", self.jira, "comment"), ("jira", self.jira, "transition"),
            ("servicenow", self.servicenow, "work_note"),
            ("servicenow", self.servicenow, "state"),
            ("webhook", self.webhook, "link"), ("webhook", self.webhook, "close"))}

    def systems(self, *, retry_for: str = "PT30S", close_with: str = "rest"
                ) -> list[dict[str, Any]]:
        """The [[related_systems]] entries; first match wins, so the prefixes come first."""
        return [
            {"name": "pagerduty", "kind": "pagerduty", "prefix": "PD-",
             "base_url": self.pagerduty.url, "events_url": self.pagerduty.url,
             "token_env": "PAGERDUTY_API_TOKEN", "from_email": "escalations-bot@corp.example",
             "routing_key_env": "PAGERDUTY_ROUTING_KEY", "close_with": close_with,
             "retry_for": retry_for},
            {"name": "tracker", "kind": "webhook", "prefix": "TRK-",
             "base_url": f"{self.webhook.url}/hooks/records",
             "secret_env": "RECORD_WEBHOOK_SECRET", "retry_for": retry_for},
            {"name": "servicenow", "kind": "servicenow", "pattern": r"INC\d+",
             "base_url": self.servicenow.url, "username_env": "SERVICENOW_USER",
             "password_env": "SERVICENOW_PASSWORD", "close_code": "Solution provided",
             "retry_for": retry_for},
            {"name": "jira", "kind": "jira", "pattern": r"[A-Z][A-Z0-9]+-\d+",
             "base_url": self.jira.url, "email_env": "JIRA_EMAIL", "token_env": "JIRA_API_TOKEN",
             "transition": "Done", "retry_for": retry_for},
        ]

    def policy(self, base: Policy, *, retry_for: str = "PT30S", close_with: str = "rest",
               problem_system: str | None = "jira") -> Policy:
        """`base` with the four systems, and every team's problem records in `problem_system`
        (a Jira project PRB, or ServiceNow's problem table)."""
        raw = base.model_dump(mode="json")
        raw["related_systems"] = self.systems(retry_for=retry_for, close_with=close_with)
        if problem_system is not None:
            target = {"system": problem_system}
            if problem_system == "jira":
                target["project"] = "PRB"
            for team in raw["teams"].values():
                team["problem_records"] = target
        return Policy.model_validate(raw)

    def toml(self, *, retry_for: str = "PT30S", problem_system: str | None = "jira") -> str:
        """The same as TOML, to append to a policy file (JSON strings are TOML strings)."""
        lines = []
        for system in self.systems(retry_for=retry_for):
            lines.append("\n[[related_systems]]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in system.items()]
        if problem_system is not None:
            lines += ["\n[teams.billing.problem_records]", f"system = {json.dumps(problem_system)}"]
            if problem_system == "jira":
                lines.append('project = "PRB"')
        return "\n".join(lines) + "\n"
