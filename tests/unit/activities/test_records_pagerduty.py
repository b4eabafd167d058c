"""PagerDuty: notes and resolve over REST, or a resolve event, against the local PagerDuty."""

from __future__ import annotations

from datetime import timedelta

from activities.records.activities import RecordActivities
from tests.support.related_systems import ENV, PD_INCIDENT, RelatedSystems
from tests.unit.activities.record_builders import CLOSE_MARKER, failed, record_call, refused, run

RECORD = f"PD-{PD_INCIDENT}"


def close_call(systems: RelatedSystems, incident: str = PD_INCIDENT, **changes: object
               ) -> object:
    return record_call(systems, "pagerduty", f"PD-{incident}", incident, **changes)


class TestClose:
    async def test_resolves_the_incident_with_the_documented_request(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        answer = await run(records.close_related_record, close_call(systems))

        assert answer.outcome.value == "closed"
        assert systems.pagerduty.status(PD_INCIDENT) == "resolved"
        [put] = systems.pagerduty.requests("PUT", f"/incidents/{PD_INCIDENT}$")
        assert put.headers["authorization"] == f"Token token={ENV['PAGERDUTY_API_TOKEN']}"
        assert put.headers["from"] == "escalations-bot@corp.example"
        assert put.headers["accept"] == "application/vnd.pagerduty+json;version=2"
        body = put.json()["incident"]
        assert (body["type"], body["status"]) == ("incident_reference", "resolved")
        assert body["resolution"].startswith(CLOSE_MARKER)

    async def test_the_close_note_goes_on_before_the_resolve(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        await run(records.close_related_record, close_call(systems))

        writes = [(c.request.method, c.request.path) for c in systems.pagerduty.calls
                  if c.request.method != "GET"]
        assert writes == [("POST", f"/incidents/{PD_INCIDENT}/notes"),
                          ("PUT", f"/incidents/{PD_INCIDENT}")]
        assert systems.pagerduty.note_texts(PD_INCIDENT)[0].startswith(CLOSE_MARKER)

    async def test_an_incident_resolved_before_is_already_closed_and_left_alone(
        self, records: RecordActivities
    ) -> None:
        with RelatedSystems(incidents={PD_INCIDENT: "resolved"}) as systems:
            answer = await run(records.close_related_record, close_call(systems))

            assert answer.outcome.value == "already_closed"
            assert systems.pagerduty.requests("PUT") == []
            assert systems.pagerduty.requests("POST") == []

    async def test_a_repeat_after_a_lost_answer_is_closed_and_writes_nothing_again(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        await run(records.close_related_record, close_call(systems))

        again = await run(records.close_related_record, close_call(systems))

        assert again.outcome.value == "closed"  # our note is there: the resolve was ours
        assert systems.pagerduty.effects_of("resolve") == {PD_INCIDENT: 1}
        assert systems.pagerduty.effects_of("note") == {PD_INCIDENT: 1}

    async def test_an_unknown_incident_is_refused_with_pagerdutys_answer(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        error = await refused(records.close_related_record, close_call(systems, "PNOPE00"))

        assert "404" in error.message
        assert "Not Found" in error.message

    async def test_a_rate_limit_is_retried_after_ratelimit_reset(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        systems.pagerduty.rate_limit(retry_after=7)

        error = await failed(records.close_related_record, close_call(systems))

        assert "429" in error.message
        assert error.next_retry_delay == timedelta(seconds=7)

    async def test_events_close_is_a_resolve_event_by_dedup_key(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        call = close_call(systems, close_with="events")

        answer = await run(records.close_related_record, call)

        assert answer.outcome.value == "closed"
        [event] = systems.pagerduty.requests("POST", "/v2/enqueue")
        assert event.json() == {"routing_key": ENV["PAGERDUTY_ROUTING_KEY"],
                                "event_action": "resolve", "dedup_key": PD_INCIDENT}
        assert "authorization" not in event.headers  # the REST token stays on the REST API
        assert systems.pagerduty.status(PD_INCIDENT) == "resolved"


class TestLink:
    async def test_adds_one_note_however_often_it_runs(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        call = close_call(systems, link=True)

        for _ in range(2):
            answer = await run(records.link_related_record, call)

        assert answer.outcome.value == "linked"
        assert systems.pagerduty.effects_of("note") == {PD_INCIDENT: 1}
        assert "console/escalations/esc-01" in systems.pagerduty.note_texts(PD_INCIDENT)[0]
