"""ServiceNow: the incident found by number, work notes, resolution and problems, against the
local ServiceNow."""

from __future__ import annotations

import base64
from datetime import timedelta

from activities.records.activities import RecordActivities
from tests.support.related_systems import ENV, SNOW_INCIDENT, RelatedSystems
from tests.unit.activities.record_builders import (
    CLOSE_MARKER,
    LINK_MARKER,
    failed,
    problem_call,
    record_call,
    refused,
    run,
)


def close_call(systems: RelatedSystems, number: str = SNOW_INCIDENT, **changes: object
               ) -> object:
    return record_call(systems, "servicenow", number, number, **changes)


class TestClose:
    async def test_patches_state_close_code_and_notes_after_the_lookup(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        answer = await run(records.close_related_record, close_call(systems))

        assert answer.outcome.value == "closed"
        [lookup] = systems.servicenow.requests("GET", "/table/incident$")
        assert lookup.query["sysparm_query"] == f"number={SNOW_INCIDENT}"
        sys_id = systems.servicenow.incident(SNOW_INCIDENT)["sys_id"]
        [patch] = systems.servicenow.requests("PATCH", f"/table/incident/{sys_id}$")
        body = patch.json()
        assert (body["state"], body["close_code"]) == ("6", "Solution provided")
        assert body["close_notes"].startswith(CLOSE_MARKER)
        pair = f"{ENV['SERVICENOW_USER']}:{ENV['SERVICENOW_PASSWORD']}".encode()
        assert patch.headers["authorization"] == "Basic " + base64.b64encode(pair).decode()

    async def test_a_resolved_incident_is_already_closed_and_not_patched(
        self, records: RecordActivities
    ) -> None:
        with RelatedSystems(snow_incidents={SNOW_INCIDENT: "7"}) as systems:
            answer = await run(records.close_related_record, close_call(systems))

            assert answer.outcome.value == "already_closed"
            assert systems.servicenow.requests("PATCH") == []

    async def test_a_repeat_after_a_lost_answer_is_closed_once(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        await run(records.close_related_record, close_call(systems))

        again = await run(records.close_related_record, close_call(systems))

        assert again.outcome.value == "closed"  # our close notes are there
        assert systems.servicenow.effects_of("state") == {SNOW_INCIDENT: 1}

    async def test_an_unknown_number_is_refused(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        error = await refused(records.close_related_record, close_call(systems, "INC0099999"))

        assert "no incident INC0099999" in error.message

    async def test_a_rate_limit_is_retried_after_retry_after(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        systems.servicenow.rate_limit(retry_after=2)

        error = await failed(records.close_related_record, close_call(systems))

        assert error.next_retry_delay == timedelta(seconds=2)


class TestLinkAndProblem:
    async def test_the_work_note_is_added_once(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        for _ in range(2):
            await run(records.link_related_record, close_call(systems, link=True))

        [note] = systems.servicenow.work_notes(SNOW_INCIDENT)
        assert note.startswith(LINK_MARKER)
        assert systems.servicenow.effects_of("work_note") == {SNOW_INCIDENT: 1}

    async def test_a_problem_opens_once_keyed_by_correlation_id(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        first = await run(records.open_problem_record, problem_call(systems, "servicenow"))
        again = await run(records.open_problem_record, problem_call(systems, "servicenow"))

        assert (first.record, first.created) == ("PRB0040001", True)
        assert (again.record, again.created) == ("PRB0040001", False)
        [create] = systems.servicenow.requests("POST", "/table/problem$")
        assert create.json()["correlation_id"] == "escalation-esc-01"
