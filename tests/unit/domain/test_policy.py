"""The policy file: the shipped files load; an invalid file is refused with key and reason."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from config.policy_files import PRESETS, preset_text
from domain.enums import Category, Level, Priority
from domain.errors import PolicyError
from domain.intake.policy import IntakePolicy
from domain.policy import Policy, iso_duration, parse_policy, validate_policy
from domain.templates import placeholders_in

Raw = dict[str, Any]
DEFAULT: Raw = tomllib.loads(preset_text("default"))


def _refusal(raw: Raw) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        validate_policy(raw, source="test.toml")
    assert str(caught.value).startswith("test.toml: ")
    return caught.value.problems


def _set(path: str, value: Any) -> Callable[[Raw], None]:
    """A mutation that sets `a.b[2].c` (creating tables on the way) to value."""

    def mutate(raw: Raw) -> None:
        node: Any = raw
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = parts[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        *parents, last = path.split(".")
        node: Any = raw
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _insert_rule(index: int, rule: Raw) -> Callable[[Raw], None]:
    return lambda raw: raw["routing"]["rules"].insert(index, rule)


TO_SUPPORT = {"team": "support", "tier": 1, "priority": "P4"}

INVALID: list[tuple[str, Callable[[Raw], None], str]] = [
    ("unknown top-level key", _set("colour", "blue"), "colour: unknown key"),
    ("unknown key in a rule", _set("routing.rules[1].when.colour", "x"),
     "routing.rules[1].when.colour: unknown key"),
    ("unknown key in an SLA", _set("priorities.P2.respond_within", "PT1H"),
     "priorities.P2.respond_within: unknown key"),
    ("duration in words", _set("priorities.P1.acknowledge_within", "15 minutes"),
     "priorities.P1.acknowledge_within: not an ISO 8601 duration"),
    ("duration in months", _set("priorities.P4.resolve_within", "P1M"),
     "priorities.P4.resolve_within: 'P1M': years and months have no fixed length"),
    ("duration as a number", _set("notice.within", 3600),
     "notice.within: a duration is an ISO 8601 string"),
    ("duration with a sign", _set("notifications.retry_for", "-PT1H"),
     "notifications.retry_for: not an ISO 8601 duration"),
    ("duration beyond ten years", _set("priorities.P4.resolve_within", "P4000D"),
     "priorities.P4.resolve_within: 'P4000D' is longer than ten years"),
    ("zero-length duration", _set("priorities.P2.resolve_within", "PT0S"),
     "priorities.P2.resolve_within: must be longer than zero"),
    ("zero-length complaint clock",
     _set("complaint_kinds.standard", {"final_response_within": "P0D"}),
     "complaint_kinds.standard.final_response_within: must be longer than zero"),
    ("rule names an undefined team", _set("routing.rules[2].then.team", "x"),
     "routing.rules[2].then.team: team 'x' is not defined in [teams]"),
    ("default names an undefined team", _set("routing.default.team", "nobody"),
     "routing.default.team: team 'nobody' is not defined in [teams]"),
    ("rule priority outside P1-P4", _set("routing.rules[0].then.priority", "P5"),
     "routing.rules[0].then.priority: Input should be 'P1', 'P2', 'P3' or 'P4', got 'P5'"),
    ("SLA for P5", _set("priorities.P5", DEFAULT["priorities"]["P4"]), "priorities.P5 (the key)"),
    ("P4 not defined", _delete("priorities.P4"), "priorities: P4 not defined; all of P1-P4"),
    ("warn_at of 1", _set("priorities.P1.warn_at", 1.0),
     "priorities.P1.warn_at: must be between 0 and 1, exclusive"),
    ("warn_at of 0", _set("priorities.P3.warn_at", 0), "priorities.P3.warn_at: must be between"),
    ("pause cap in words", _set("priorities.P2.pause.max_total", "a day"),
     "priorities.P2.pause.max_total: not an ISO 8601 duration"),
    ("pause cap of zero", _set("priorities.P2.pause.max_total", "PT0S"),
     "priorities.P2.pause.max_total: must be longer than zero"),
    ("unknown pause key", _set("priorities.P2.pause.max", "PT1H"),
     "priorities.P2.pause.max: unknown key"),
    ("tier 4", _set("routing.rules[0].then.tier", 4), "routing.rules[0].then.tier"),
    ("rule after a catch-all", _insert_rule(1, {"name": "everything", "then": TO_SUPPORT}),
     "routing.rules[2]: unreachable: rule 'everything' (routing.rules[1]) comes first and has "
     "no conditions (a catch-all)"),
    ("rule shadowed by a broader one",
     _insert_rule(1, {"name": "any-billing", "when": {"category": ["billing"]},
                      "then": TO_SUPPORT}),
     "routing.rules[2]: unreachable: rule 'any-billing' (routing.rules[1]) comes first and "
     "matches everything this rule matches"),
    ("duplicate rule name", _set("routing.rules[3].name", "billing"),
     "routing.rules[3].name: 'billing' is already the name of routing.rules[2]"),
    ("rule named default", _set("routing.rules[0].name", "default"),
     "routing.rules[0].name: 'default' is already the name of [routing.default]"),
    ("empty any-of list", _set("routing.rules[0].when.category", []),
     "routing.rules[0].when.category"),
    ("intake match on something unknown", _set("intake.match", ["colour"]),
     "intake.match[0]: Input should be 'hashtag', 'thread', 'service' or 'customer'"),
    ("intake matching on nothing", _set("intake.match", []), "intake.match"),
    ("intake service name with spaces", _set("intake.services", {"Log In": ["login"]}),
     "intake.services.Log In (the key): 'Log In': use lower-case letters"),
    ("intake service without words", _set("intake.services.app", []), "intake.services.app"),
    ("spike baseline shorter than its window", _set("intake.spike.baseline", "PT5M"),
     "intake.spike: baseline (PT5M) must be longer than window (PT10M)"),
    ("spike threshold of zero", _set("intake.spike.at_least", 0), "intake.spike.at_least"),
    ("intake grouping window in words", _set("intake.group_within", "6 hours"),
     "intake.group_within: not an ISO 8601 duration"),
    ("unknown channel", _set("routing.rules[0].when.channel", ["pigeon"]),
     "routing.rules[0].when.channel[0]: Input should be"),
    ("team key with spaces", _set("teams.Billing Team", {"name": "B"}),
     "teams.Billing Team (the key): 'Billing Team': use lower-case letters"),
    ("contact with a bad address",
     _set("teams.billing.problem_coordinator",
          {"name": "P", "channel": "email", "address": "nobody"}),
     "teams.billing.problem_coordinator: not an e-mail address"),
    ("triage keywords for an unknown category", _set("triage.keywords.refunds", ["x"]),
     "triage.keywords.refunds (the key)"),
    ("blank keyword", _set("triage.keywords.billing", ["  "]),
     "triage.keywords.billing[0]: must not be blank"),
    ("unknown template placeholder", _set("templates.notice", "Hi {colour}"),
     "templates.notice: unknown placeholder {colour}"),
    ("template reaching into an object", _set("templates.resolution", "{title.__class__}"),
     "templates.resolution: unknown placeholder {title.__class__}"),
    ("template with an unclosed brace", _set("templates.status_update", "Update on {title"),
     "templates.status_update: not a valid template"),
    ("positional placeholder", _set("templates.delay_notice", "Sorry {}"),
     "templates.delay_notice: empty placeholder {}"),
    ("delay notice not shorter than the final response",
     _set("complaint_kinds.standard", {"final_response_within": "P30D",
                                        "delay_notice_before": "P30D"}),
     "complaint_kinds.standard.delay_notice_before: must be shorter than final_response_within "
     "(P30D), got P30D"),
    ("delay notice without a final response",
     _set("complaint_kinds.standard", {"delay_notice_before": "P5D"}),
     "complaint_kinds.standard.delay_notice_before: needs final_response_within"),
    ("complaint kind with a capital", _set("complaint_kinds.Standard", {}),
     "complaint_kinds.Standard (the key)"),
    ("unknown time zone", _set("calendar.timezone", "Mars/Olympus_Mons"),
     "calendar.timezone: unknown IANA time zone 'Mars/Olympus_Mons'"),
    ("hours backwards", _set("calendar.hours", "17:00-09:00"),
     "calendar.hours: opening must be before closing"),
    ("hours not hh:mm", _set("calendar.hours", "9-5"), "calendar.hours: hours must look like"),
    ("hour 25", _set("calendar.hours", "09:00-25:00"), "calendar.hours: not a time of day"),
    ("holiday that does not exist", _set("calendar.holidays", ["2025-02-30"]),
     "calendar.holidays[0]: not a real date: '2025-02-30'"),
    ("holiday in local format", _set("calendar.holidays", ["2025-12-25", "25/12/2025"]),
     "calendar.holidays[1]: not an ISO date (YYYY-MM-DD)"),
    ("holiday as a number", _set("calendar.holidays", [20251225]),
     "calendar.holidays[0]: not an ISO date"),
    ("unknown workday", _set("calendar.workdays", ["mon", "funday"]), "calendar.workdays[1]"),
    ("no workdays", _set("calendar.workdays", []), "calendar.workdays"),
    ("workday twice", _set("calendar.workdays", ["mon", "mon"]),
     "calendar.workdays: a workday is listed twice"),
    ("missing default routing", _delete("routing.default"), "routing.default: required key"),
    ("sensitive category unknown", _set("sensitive_categories", ["health"]),
     "sensitive_categories[0]"),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in INVALID],
                         ids=[name for name, _, _ in INVALID])
def test_invalid_policy_is_refused_with_key_path_and_reason(
    mutate: Callable[[Raw], None], expected: str
) -> None:
    raw = copy.deepcopy(DEFAULT)
    mutate(raw)
    problems = _refusal(raw)
    assert any(expected in p for p in problems), problems


def test_every_problem_of_a_section_is_reported_at_once() -> None:
    raw = copy.deepcopy(DEFAULT)
    raw["priorities"]["P1"]["warn_at"] = 2
    raw["calendar"]["timezone"] = "Nowhere/City"
    assert len(_refusal(raw)) == 2


def test_not_toml_is_refused_with_the_parser_reason() -> None:
    with pytest.raises(PolicyError, match=r"^bad\.toml: not valid TOML: .*line 1"):
        parse_policy("[priorities\n", source="bad.toml")


@pytest.mark.parametrize("name", PRESETS)
def test_shipped_policy_loads(name: str) -> None:
    policy = parse_policy(preset_text(name), source=name)
    assert set(policy.priorities) == set(Priority)
    assert policy.team(policy.routing.default.team) is not None


@pytest.mark.parametrize("name", PRESETS)
def test_policy_survives_the_json_round_trip_of_the_workflow_input(name: str) -> None:
    policy = parse_policy(preset_text(name))
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


def test_default_policy_has_the_spec_sla_table() -> None:
    policy = parse_policy(preset_text("default"))
    hours = {p: policy.sla(p).acknowledge_within / timedelta(hours=1) for p in Priority}
    assert hours == {Priority.P1: 0.25, Priority.P2: 1, Priority.P3: 6, Priority.P4: 24}
    assert policy.sla(Priority.P4).resolve_within == timedelta(days=7)
    assert policy.notice.within == timedelta(hours=1)
    assert policy.team("billing") is not None
    assert policy.team("billing").contacts.at(Level.MANAGER)[0].name == "Mo"  # type: ignore[union-attr]


RG271_KINDS = [
    ("standard", timedelta(days=30), timedelta(days=5)),
    ("superannuation_trustee", timedelta(days=45), timedelta(days=7)),
    ("credit_default_or_hardship", timedelta(days=21), timedelta(days=3)),
    ("superannuation_death_benefit", timedelta(days=28 + 90), timedelta(days=28)),
]


@pytest.mark.parametrize(("kind", "final", "delay_before"), RG271_KINDS)
def test_rg271_complaint_kinds(kind: str, final: timedelta, delay_before: timedelta) -> None:
    spec = parse_policy(preset_text("rg271")).complaint_kinds[kind]
    assert spec.acknowledge_within == timedelta(hours=24)
    assert spec.final_response_within == final
    assert spec.delay_notice_before == delay_before
    assert spec.clock == "calendar"


def test_rg271_hardship_always_needs_a_written_response() -> None:
    kinds = parse_policy(preset_text("rg271")).complaint_kinds
    assert kinds["standard"].informal_resolution_business_days == 5
    assert kinds["credit_default_or_hardship"].informal_resolution_business_days is None


def test_rg271_delay_notice_and_idr_response_carry_the_reasons_and_afca() -> None:
    policy = parse_policy(preset_text("rg271"))
    for template in (policy.templates.delay_notice, policy.templates.idr_response):
        assert {"reasons", "afca"} <= placeholders_in(template)
    for fact in ("www.afca.org.au", "1800 931 678", "info@afca.org.au",
                 "GPO Box 3, Melbourne VIC 3001", "you can complain to"):
        assert fact in policy.complaints.afca


def test_toml_dates_and_iso_strings_are_both_holidays() -> None:
    raw = copy.deepcopy(DEFAULT)
    raw["calendar"]["holidays"] = [date(2025, 12, 25), "2025-12-26"]
    assert validate_policy(raw).calendar.holidays == [date(2025, 12, 25), date(2025, 12, 26)]


SENSITIVE = [
    (Category.BILLING, [], True),
    (Category.OUTAGE, [], False),
    (Category.QUESTION, ["Account"], True),
    (Category.OTHER, ["health_data", "x"], True),
    (Category.FEEDBACK, ["healthy"], False),
]


@pytest.mark.parametrize(("category", "tags", "sensitive"), SENSITIVE)
def test_sensitive_by_category_or_tag(category: Category, tags: list[str], sensitive: bool) -> None:
    assert parse_policy(preset_text("default")).is_sensitive(category, tags) is sensitive


DURATIONS = [
    ("PT15M", timedelta(minutes=15), "PT15M"),
    ("pt1h30m", timedelta(minutes=90), "PT1H30M"),
    ("P1W", timedelta(days=7), "P7D"),
    ("P1DT2H", timedelta(hours=26), "PT26H"),
    ("PT0.5S", timedelta(seconds=0.5), "PT0.5S"),
    ("PT40H", timedelta(hours=40), "PT40H"),
    ("P118D", timedelta(days=118), "P118D"),
]


@pytest.mark.parametrize(("text", "value", "printed"), DURATIONS)
def test_iso_durations(text: str, value: timedelta, printed: str) -> None:
    raw = copy.deepcopy(DEFAULT)
    raw["notice"]["within"] = text
    assert validate_policy(raw).notice.within == value
    assert iso_duration(value) == printed


def test_a_deep_copy_shares_the_frozen_policy() -> None:
    # Each transition deep-copies the escalation state; the policy snapshot in it is a value.
    policy = parse_policy(preset_text("default"))
    assert copy.deepcopy(policy) is policy
    assert copy.deepcopy({"policy": policy})["policy"] is policy


def test_the_same_policy_decoded_twice_is_one_object() -> None:
    # Every escalation carries its policy; a worker holding thousands keeps one copy of each.
    text = parse_policy(preset_text("default")).model_dump_json()
    first, second = Policy.model_validate_json(text), Policy.model_validate_json(text)
    assert first is second
    other = Policy.model_validate_json(parse_policy(preset_text("rg271")).model_dump_json())
    assert other is not first
    assert other != first


@pytest.mark.parametrize("name", PRESETS)
def test_the_snapshot_keeps_all_a_workflow_reads_and_leaves_routing_rules_and_keywords(
    name: str,
) -> None:
    policy = parse_policy(preset_text(name))
    snapshot = policy.snapshot()
    # Any section added later travels whole unless it is left out here on purpose.
    for section in Policy.model_fields.keys() - {"routing", "triage", "idr", "intake"}:
        assert getattr(snapshot, section) == getattr(policy, section), section
    assert snapshot.idr is None  # the export reads the active policy's mapping
    assert snapshot.intake == IntakePolicy()  # the API's (grouping, spike rule), not the workflow's
    assert snapshot.routing.default == policy.routing.default
    assert snapshot.triage.hot == policy.triage.hot
    assert (snapshot.routing.rules, snapshot.triage.keywords) == ([], {})
    assert policy.routing.rules
    assert policy.triage.keywords
    # Still a policy, and one that travels through the workflow input unchanged.
    assert Policy.model_validate_json(snapshot.model_dump_json()) == snapshot
    assert len(snapshot.model_dump_json()) < 0.8 * len(policy.model_dump_json())
