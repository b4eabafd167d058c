"""RG 271 complaints for tests: the rg271 preset on loopback, request bodies, and the dates the
clocks are tested on (found in the preset's own calendar, after the test server's clock)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.support.policies import loopback_policy

SYDNEY = ZoneInfo("Australia/Sydney")
# The priority SLA clocks stay out of the way of the complaint clocks these tests watch.
QUIET = {"acknowledge_within": "P300D", "update_every": "P300D", "engage_more_after": "P300D",
         "resolve_within": "P300D", "clock": "calendar"}


def complaints_policy(receiver_url: str, **kinds: dict[str, Any]) -> Policy:
    """The rg271 preset, contacts on `receiver_url`, quiet priorities; complaint kinds may be
    overridden, e.g. complaints_policy(url, standard={"acknowledge_auto_before": None})."""
    base = loopback_policy(receiver_url, preset="rg271", notice_within="P300D",
                           **dict.fromkeys(("P1", "P2", "P3", "P4"), QUIET))
    raw = base.model_dump(mode="json")
    raw["notifications"]["block_private_addresses"] = False  # the receivers are on loopback
    for kind, changes in kinds.items():
        raw["complaint_kinds"][kind].update(changes)
    raw["complaint_kinds"] = {k: {n: v for n, v in spec.items() if v is not None}
                              for k, spec in raw["complaint_kinds"].items()}
    return Policy.model_validate(raw)


def complaint_body(contact: dict[str, str], *, kind: str = "standard",
                   received_at: datetime | None = None, **complaint: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "complainant": {"name": "Jo Citizen", "contact": contact, "type": "individual"},
        "products": ["credit_card"], "issues": ["fees_charges"], **complaint}
    if received_at is not None:
        record["received_at"] = received_at.isoformat()
    return {"title": "Annual fee charged twice", "category": "question", "priority": "P4",
            "channel": "email", "complaint_kind": kind, "complaint": record}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SYDNEY)


async def now(env: WorkflowEnvironment) -> datetime:
    return await env.get_current_time()


async def go_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Skip the test server's clock forward to `instant`."""
    gap = instant - await now(env)
    assert gap >= timedelta(0), f"{instant} is behind the test clock"
    await env.sleep(gap)


def easter_thursday(policy: Policy, after: datetime) -> date:
    """The Thursday before the first Good Friday-to-Easter Monday run of the calendar's
    holidays after `after`: one business day from it crosses a public holiday and a weekend."""
    holidays = set(policy.calendar.holidays)
    for day in sorted(holidays):
        if (day > after.astimezone(SYDNEY).date() + timedelta(days=2) and day.weekday() == 4
                and day + timedelta(days=3) in holidays):
            return day - timedelta(days=1)
    raise AssertionError("the preset's holidays end before the test clock: extend [calendar]")


def plain_week_monday(policy: Policy, after: datetime) -> date:
    """A Monday after `after` whose next eight days hold no holiday."""
    day = after.astimezone(SYDNEY).date() + timedelta(days=2)
    while True:
        day += timedelta(days=1)
        if day.weekday() == 0 and not any(
                day + timedelta(days=n) in policy.calendar.holidays for n in range(9)):
            return day


def next_dst_change(after: datetime, month: int) -> date:
    """The day Sydney's clocks change in `month` (4: back an hour, 10: forward), after `after`."""
    day = after.astimezone(SYDNEY).date() + timedelta(days=25)
    while True:
        day += timedelta(days=1)
        if day.month != month:
            continue
        start = datetime.combine(day, time(0), tzinfo=SYDNEY)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=SYDNEY)
        if start.utcoffset() != end.utcoffset():
            return day
