"""Jira: comments, the close transition and problem issues, against the local Jira."""

from __future__ import annotations

import base64
from datetime import timedelta

from activities.records.activities import RecordActivities
from tests.support.jira_server import adf_text
from tests.support.related_systems import ENV, JIRA_ISSUE, RelatedSystems
from tests.unit.activities.record_builders import (
    CLOSE_MARKER,
    failed,
    problem_call,
    record_call,
    refused,
    run,
)


def close_call(systems: RelatedSystems, key: str = JIRA_ISSUE, **changes: object) -> object:
    return record_call(systems, "jira", key, key, **changes)


class TestClose:
    async def test_takes_the_transition_named_in_the_policy(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        answer = await run(records.close_related_record, close_call(systems))

        assert answer.outcome.value == "closed"
        assert systems.jira.status(JIRA_ISSUE) == "Done"
        [post] = systems.jira.requests("POST", "/transitions$")
        assert post.json() == {"transition": {"id": "31"}}  # looked up by its name, "Done"
        pair = f"{ENV['JIRA_EMAIL']}:{ENV['JIRA_API_TOKEN']}".encode()
        assert post.headers["authorization"] == "Basic " + base64.b64encode(pair).decode()

    async def test_the_close_note_is_an_adf_comment_before_the_transition(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        await run(records.close_related_record, close_call(systems))

        writes = [c.request.path.rsplit("/", 1)[1] for c in systems.jira.calls
                  if c.request.method == "POST"]
        assert writes == ["comment", "transitions"]
        [comment] = systems.jira.requests("POST", "/comment$")
        assert comment.json()["body"]["type"] == "doc"
        assert systems.jira.comment_texts(JIRA_ISSUE)[0].startswith(CLOSE_MARKER)

    async def test_a_transition_id_is_used_as_given(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        await run(records.close_related_record, close_call(systems, transition="31"))

        assert systems.jira.requests("GET", "/transitions$") == []
        assert systems.jira.status(JIRA_ISSUE) == "Done"

    async def test_a_done_issue_is_already_closed(self, records: RecordActivities) -> None:
        with RelatedSystems(issues={JIRA_ISSUE: "Done"}) as systems:
            answer = await run(records.close_related_record, close_call(systems))

            assert answer.outcome.value == "already_closed"
            assert systems.jira.requests("POST") == []

    async def test_an_unknown_issue_is_refused_with_jiras_answer(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        error = await refused(records.close_related_record, close_call(systems, "OPS-404"))

        assert error.message == ("jira answered 404 to GET issue OPS-404: Issue does not exist "
                                 "or you do not have permission to see it.")

    async def test_a_transition_the_workflow_lacks_is_refused_naming_those_offered(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        error = await refused(records.close_related_record,
                              close_call(systems, transition="Close Issue"))

        assert "'Close Issue'" in error.message
        assert "from status 'In Progress'" in error.message
        assert "(offered: Done)" in error.message

    async def test_a_conflicting_transition_is_retried(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        systems.jira.fail(status=409, method="POST", path="/transitions$",
                          body={"errorMessages": ["A transition is in progress."], "errors": {}})

        error = await failed(records.close_related_record, close_call(systems))

        assert "409" in error.message
        assert "A transition is in progress." in error.message
        assert systems.jira.status(JIRA_ISSUE) == "In Progress"

    async def test_a_rate_limit_is_retried_after_retry_after(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        systems.jira.rate_limit(retry_after=3)

        error = await failed(records.close_related_record, close_call(systems))

        assert error.next_retry_delay == timedelta(seconds=3)


class TestLinkAndProblem:
    async def test_the_link_comment_is_posted_once(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        for _ in range(2):
            await run(records.link_related_record, close_call(systems, link=True))

        assert systems.jira.effects_of("comment") == {JIRA_ISSUE: 1}

    async def test_a_problem_issue_opens_in_the_project_once(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        first = await run(records.open_problem_record, problem_call(systems, "jira"))
        again = await run(records.open_problem_record, problem_call(systems, "jira"))

        assert (first.record, first.created) == ("PRB-1", True)
        assert (again.record, again.created) == ("PRB-1", False)
        [create] = systems.jira.requests("POST", "/rest/api/3/issue$")
        fields = create.json()["fields"]
        assert fields["project"] == {"key": "PRB"}
        assert fields["labels"] == ["escalation-esc-01"]
        assert "idempotency keys" in adf_text(fields["description"])
