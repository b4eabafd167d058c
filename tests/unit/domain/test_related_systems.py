"""`[[related_systems]]` in the policy: what is valid, each refusal with its key path, and which
system owns a record id."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from config.policy_files import preset_text
from domain.errors import PolicyError
from domain.policy import parse_policy, validate_policy
from domain.related_systems import system_for

DEFAULT: dict[str, Any] = tomllib.loads(preset_text("default"))

PAGERDUTY = {"name": "pagerduty", "kind": "pagerduty", "prefix": "PD-",
             "base_url": "https://api.pagerduty.com", "token_env": "PAGERDUTY_API_TOKEN",
             "from_email": "bot@corp.example"}
JIRA = {"name": "jira", "kind": "jira", "pattern": r"[A-Z][A-Z0-9]+-\d+",
        "base_url": "https://corp.atlassian.net", "email_env": "JIRA_EMAIL",
        "token_env": "JIRA_API_TOKEN", "transition": "Done"}
SERVICENOW = {"name": "servicenow", "kind": "servicenow", "pattern": r"INC\d+",
              "base_url": "https://corp.service-now.com", "username_env": "SNOW_USER",
              "password_env": "SNOW_PASSWORD"}
WEBHOOK = {"name": "tracker", "kind": "webhook", "prefix": "TRK-",
           "base_url": "https://tracker.corp.example/hooks/escalations"}
EVERY_KIND = [PAGERDUTY, WEBHOOK, SERVICENOW, JIRA]


def policy_with(systems: list[dict[str, Any]], **team: Any) -> dict[str, Any]:
    raw = copy.deepcopy(DEFAULT)
    raw["related_systems"] = systems
    raw["teams"]["billing"].update(team)
    return raw


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        validate_policy(raw)
    return caught.value.problems


def test_one_system_of_each_kind_is_valid() -> None:
    policy = validate_policy(policy_with(EVERY_KIND, problem_records={"system": "jira",
                                                                      "project": "PRB"}))

    assert [s.kind for s in policy.related_systems] == [
        "pagerduty", "webhook", "servicenow", "jira"]
    assert policy.teams["billing"].problem_records is not None


@pytest.mark.parametrize(("system", "expected"), [
    ({**JIRA, "transition": None}, "related_systems[0].jira.transition: "
                                   "Input should be a valid string"),
    ({k: v for k, v in JIRA.items() if k != "transition"},
     "related_systems[0].jira.transition: required key is missing"),
    ({**PAGERDUTY, "from_email": None},
     "related_systems[0].pagerduty: close_with = \"rest\" needs token_env and from_email"),
    ({**PAGERDUTY, "close_with": "events", "link_at_start": False},
     "related_systems[0].pagerduty: close_with = \"events\" needs routing_key_env"),
    ({**JIRA, "prefix": "OPS-"},
     "related_systems[0].jira: give exactly one of `prefix` and `pattern` (the ids it owns)"),
    ({**JIRA, "pattern": "INC(\\d+"}, "related_systems[0].jira.pattern: not a regular "
                                      "expression: missing ), unterminated subpattern at "
                                      "position 3"),
    ({**JIRA, "base_url": "https://bot:secret@corp.atlassian.net"},
     "related_systems[0].jira.base_url: no credentials, query or fragment here: "
     "credentials go in *_env"),
    ({**JIRA, "token": "abc"}, "related_systems[0].jira.token: unknown key"),
    ({**JIRA, "token_env": "not a name"}, "related_systems[0].jira.token_env: String should "
                                          "match pattern '^[A-Za-z_][A-Za-z0-9_]{0,127}$'"),
    ({**SERVICENOW, "token_env": "SNOW_TOKEN"}, "related_systems[0].servicenow: give "
     "username_env and password_env, or token_env (not both)"),
    ({**WEBHOOK, "kind": "zendesk"}, "related_systems[0].kind: must be one of 'pagerduty', "
                                     "'jira', 'servicenow', 'webhook', got 'zendesk'"),
    ({k: v for k, v in WEBHOOK.items() if k != "kind"},
     "related_systems[0].kind: required key is missing"),
])
def test_a_bad_system_is_refused_with_its_key_path(system: dict[str, Any], expected: str
                                                   ) -> None:
    assert problems(policy_with([system])) == [expected]


def test_two_systems_cannot_share_a_name() -> None:
    assert problems(policy_with([JIRA, {**SERVICENOW, "name": "jira"}])) == [
        "related_systems[1].name: 'jira' is already the name of related_systems[0]"]


def test_a_base_url_outside_allowed_hosts_is_refused() -> None:
    raw = policy_with([JIRA])
    raw["notifications"]["allowed_hosts"] = ["*.corp.example"]

    assert problems(raw) == ["related_systems[0].base_url: host 'corp.atlassian.net' is not "
                             "in allowed_hosts (notifications.allowed_hosts)"]


@pytest.mark.parametrize(("target", "expected"), [
    ({"system": "nope"}, "teams.billing.problem_records.system: 'nope' is not a "
                         "[[related_systems]] name (pagerduty, tracker, servicenow, jira)"),
    ({"system": "tracker"}, "teams.billing.problem_records.system: 'tracker' is a webhook "
                            "system; problem records open in jira or servicenow"),
    ({"system": "jira"}, "teams.billing.problem_records.project: a jira problem system needs "
                         "the project key"),
])
def test_a_teams_problem_system_must_be_jira_or_servicenow(target: dict[str, str],
                                                           expected: str) -> None:
    assert problems(policy_with(EVERY_KIND, problem_records=target)) == [expected]


SYSTEMS = validate_policy(policy_with(
    [PAGERDUTY, WEBHOOK, {**SERVICENOW, "pattern": r"SN-(?P<id>INC\d+)"}, JIRA]
)).related_systems


@pytest.mark.parametrize(("record", "owner"), [
    ("PD-P1ABC23", ("pagerduty", "P1ABC23")),  # a prefix: the id is what follows
    ("TRK-9", ("tracker", "9")),  # the first match wins: TRK-9 also looks like a Jira key
    ("SN-INC0010001", ("servicenow", "INC0010001")),  # a pattern's group `id`
    ("OPS-7", ("jira", "OPS-7")),  # a pattern without `id`: the whole record
    ("PD-", None),  # a prefix alone names nothing
    ("ops-7", None),
    ("INC0010001", None),  # patterns match whole ids only
])
def test_the_first_system_whose_ids_match_owns_the_record(
        record: str, owner: tuple[str, str] | None) -> None:
    found = system_for(record, SYSTEMS)

    assert (None if found is None else (found[0].name, found[1])) == owner


def test_the_readmes_example_is_a_valid_policy() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Related records in their own systems", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]

    policy = parse_policy(preset_text("default") + example)

    assert [s.name for s in policy.related_systems] == [
        "pagerduty", "tracker", "servicenow", "jira"]
    assert policy.teams["billing"].problem_records is not None
