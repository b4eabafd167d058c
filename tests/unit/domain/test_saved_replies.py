"""Saved replies: the policy's library, filtered by category and tags, rendered, and sent by
name from a notice or a status update."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from config.policy_files import preset_text
from domain import lifecycle
from domain.enums import Audience, TimelineType
from domain.errors import InvalidInput, PolicyError
from domain.lifecycle.replies import fitting
from domain.models import NoticeInput, StatusUpdateInput
from domain.policy import validate_policy
from tests.unit.domain.test_lifecycle import IM, T0, act, opened

REPLIES = [
    {"name": "any", "text": "About {title} ({id})."},
    {"name": "billing-only", "categories": ["billing"], "text": "Refund for {customer}."},
    {"name": "outage-only", "categories": ["outage"], "text": "Outage of {services}."},
    {"name": "tagged", "tags": ["VIP"], "text": "For our VIPs."},
    {"name": "internal", "audiences": ["internal"], "text": "See {link}"},
]


def policy_with(replies: list[dict[str, Any]]) -> dict[str, Any]:
    raw = tomllib.loads(preset_text("default"))
    raw["saved_replies"] = replies
    return raw


def with_replies(**body: Any) -> Any:
    state = opened(**body)
    return state.model_copy(update={"policy": validate_policy(policy_with(REPLIES))})


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"customer": {"id": "c", "name": "Acme"}}, ["any", "billing-only", "internal"]),
        ({"tags": ["vip"]}, ["any", "billing-only", "tagged", "internal"]),
        ({"category": "outage"}, ["any", "outage-only", "internal"]),
    ],
    ids=["billing", "billing-tagged-vip", "outage"],
)
def test_the_list_holds_the_replies_that_fit(body: dict[str, Any], names: list[str]) -> None:
    assert [r.name for r in fitting(with_replies(**body))] == names


def test_the_list_renders_the_escalation_s_placeholders() -> None:
    state = with_replies(customer={"id": "c", "name": "Acme"})
    texts = {r.name: r.text for r in fitting(state)}
    assert texts["any"] == f"About Charged twice ({state.id})."
    assert texts["billing-only"] == "Refund for Acme."


def test_a_notice_sends_the_saved_reply_rendered() -> None:
    state = with_replies()
    command = NoticeInput(actor=IM, saved_reply="any", audiences=[Audience.INTERNAL])
    done = lifecycle.apply(state, command, at=T0)
    notice = next(e for e in done.entries if e.type is TimelineType.NOTICE_SENT)
    assert notice.details["message"] == f"About Charged twice ({state.id})."


def test_a_status_update_sends_the_saved_reply_inside_its_template() -> None:
    state = act(with_replies(), NoticeInput(actor=IM, message="first"))
    done = lifecycle.apply(state, StatusUpdateInput(actor=IM, saved_reply="billing-only"), at=T0)
    update = next(e for e in done.entries if e.type is TimelineType.STATUS_UPDATE)
    assert update.details["saved_reply"] == "billing-only"
    assert update.details["message"] == "Refund for ."


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (NoticeInput(actor=IM, saved_reply="nope"), "no saved reply 'nope'"),
        (NoticeInput(actor=IM, saved_reply="internal"), "not for customers"),
        (NoticeInput(actor=IM, saved_reply="outage-only"), None),  # named replies need not fit
    ],
    ids=["unknown", "internal-to-customers", "not-fitting-but-known"],
)
def test_a_saved_reply_is_checked_before_it_is_sent(command: NoticeInput, message: str | None
                                                    ) -> None:
    state = with_replies()
    if message is None:
        lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[NoticeInput], command)
        return
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[NoticeInput], command)
    assert refused.value.problems[0].field == "saved_reply"
    assert message in refused.value.problems[0].message


@pytest.mark.parametrize(
    "body",
    [
        {"message": "hi", "saved_reply": "any"},
        {},
    ],
    ids=["both", "neither"],
)
def test_a_status_update_takes_exactly_one_of_message_and_saved_reply(body: dict[str, Any]
                                                                       ) -> None:
    with pytest.raises(ValidationError):
        StatusUpdateInput.model_validate(body)


def test_a_notice_refuses_both_message_and_saved_reply() -> None:
    with pytest.raises(ValidationError):
        NoticeInput.model_validate({"message": "hi", "saved_reply": "any"})


@pytest.mark.parametrize(
    ("replies", "problem"),
    [
        ([*REPLIES, {"name": "bad", "text": "Hi {nope}"}],
         "saved_replies[5].text: unknown placeholder {nope}"),
        ([{"name": "leaky", "text": "See {link}"}],
         "saved_replies[0]: text: {link} is an internal link"),
        ([{"name": "twice", "text": "a"}, {"name": "twice", "text": "b"}],
         "saved_replies[1].name: 'twice' is already the name of saved_replies[0]"),
        ([{"name": "Bad Name", "text": "a"}], "saved_replies[0].name:"),
    ],
    ids=["unknown-placeholder", "link-to-customers", "same-name", "bad-name"],
)
def test_policy_check_names_the_reply_s_key_path(replies: list[dict[str, Any]], problem: str
                                                 ) -> None:
    with pytest.raises(PolicyError) as refused:
        validate_policy(policy_with(replies))
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("preset", ["default", "rg271"])
def test_the_shipped_policies_carry_a_library(preset: str) -> None:
    policy = validate_policy(tomllib.loads(preset_text(preset)))
    assert len(policy.saved_replies) >= 5
