"""The related-record webhook, and what every record call shares: credentials by name,
scrubbed failure text, the policy's host rules."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from activities.channels import webhook as signing
from activities.channels.config import NotifyConfig
from activities.records.activities import RecordActivities
from domain.record_calls import Hosts
from tests.support.related_systems import ENV, JIRA_ISSUE, WEBHOOK_RECORD, RelatedSystems
from tests.unit.activities.record_builders import failed, record_call, refused, run


def webhook_call(systems: RelatedSystems, record: str = WEBHOOK_RECORD, **changes: object
                 ) -> object:
    return record_call(systems, "tracker", record, record.removeprefix("TRK-"), **changes)


class TestWebhook:
    async def test_close_is_a_post_signed_like_our_other_webhooks(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        answer = await run(records.close_related_record, webhook_call(systems))

        assert answer.outcome.value == "closed"
        [post] = systems.webhook.requests("POST")
        secret = ENV["RECORD_WEBHOOK_SECRET"]
        assert post.headers[signing.SIGNATURE_HEADER.lower()] == signing.signature(
            secret, post.body)
        assert post.headers["idempotency-key"] == "esc-01.related_record.close.TRK-9"
        assert post.json()["event"] == "related_record.close"

    async def test_a_409_is_already_closed(self, records: RecordActivities) -> None:
        with RelatedSystems(webhook_records={WEBHOOK_RECORD: "closed"}) as systems:
            answer = await run(records.close_related_record, webhook_call(systems))

        assert answer.outcome.value == "already_closed"

    async def test_a_repeat_carries_the_same_key_so_the_receiver_acts_once(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        for _ in range(2):
            answer = await run(records.close_related_record, webhook_call(systems))

        assert answer.outcome.value == "closed"
        assert systems.webhook.effects_of("close") == {WEBHOOK_RECORD: 1}

    async def test_without_its_own_secret_it_signs_with_the_webhook_secret(
        self, systems: RelatedSystems, http_client: httpx.AsyncClient
    ) -> None:
        config = NotifyConfig(webhook_secret=SecretStr(ENV["RECORD_WEBHOOK_SECRET"]))
        activities = RecordActivities(http_client, config, environ={})

        answer = await run(activities.close_related_record,
                           webhook_call(systems, secret_env=None))

        assert answer.outcome.value == "closed"


class TestEveryCall:
    async def test_a_missing_variable_is_refused_by_name(
        self, systems: RelatedSystems, http_client: httpx.AsyncClient
    ) -> None:
        activities = RecordActivities(http_client, NotifyConfig(), environ={})

        error = await refused(activities.close_related_record,
                              record_call(systems, "jira", JIRA_ISSUE, JIRA_ISSUE))

        assert error.message.endswith("environment variable JIRA_EMAIL is not set on the worker")

    async def test_a_credential_in_the_systems_answer_is_scrubbed(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        token = ENV["JIRA_API_TOKEN"]
        systems.jira.fail(status=503, body={"errorMessages": [f"bad token {token}"]})

        error = await failed(records.close_related_record,
                             record_call(systems, "jira", JIRA_ISSUE, JIRA_ISSUE))

        assert token not in error.message
        assert "bad token <redacted>" in error.message

    async def test_a_host_outside_allowed_hosts_is_refused_before_any_request(
        self, systems: RelatedSystems, records: RecordActivities
    ) -> None:
        hosts = Hosts(allowed_hosts=["*.corp.example"])

        error = await refused(records.close_related_record,
                              record_call(systems, "jira", JIRA_ISSUE, JIRA_ISSUE, hosts=hosts))

        assert "not in allowed_hosts" in error.message
        assert systems.jira.calls == []
