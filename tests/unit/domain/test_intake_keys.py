"""Group keys: hashtags, services, threads and customers as the policy matches them."""

from __future__ import annotations

import pytest

from config.policy_files import load_policy
from domain.intake.keys import group_keys, hashtags, services
from domain.intake.policy import IntakePolicy, MatchKind

POLICY = load_policy(None).intake


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Down again #AcmeDown", ["acmedown"], id="case-folded"),
    pytest.param("#\uff21\uff43\uff4d\uff45Down", ["acmedown"], id="full-width"),
    pytest.param("#acme_down #acme_down #Acme_Down", ["acme_down"], id="each-once"),
    pytest.param("I write C# and see issue#4", [], id="not-inside-a-word"),
    pytest.param("#help the app is down", [], id="ignored"),
    pytest.param("#مساعدة التطبيق", [], id="ignored-in-arabic"),
])
def test_hashtags_are_normalised(text: str, expected: list[str]) -> None:
    assert hashtags(text, POLICY.ignore_hashtags) == expected


@pytest.mark.parametrize(("one", "other"), [
    pytest.param("#عطل_الخدمة", "#عطل_الخدمه", id="teh-marbuta-and-heh"),
    pytest.param("#قطعی", "#قطعي", id="persian-and-arabic-yeh"),
    pytest.param("#كرت", "#کرت", id="arabic-and-persian-kaf"),
])
def test_spellings_of_one_arabic_script_hashtag_are_one_key(one: str, other: str) -> None:
    assert hashtags(one) == hashtags(other) != []


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("The mobile app will not open", ["app"], id="english"),
    pytest.param("cannot LOG IN since 9", ["login"], id="case"),
    pytest.param("مشكلة بالتطبيق من الصبح", ["app"], id="arabic-prefix-taken-off"),
    pytest.param("پرداخت انجام نمیشه", ["payments"], id="persian"),
    pytest.param("Happy with the apple pie", [], id="whole-words-only"),
])
def test_services_are_matched_like_triage_keywords(text: str, expected: list[str]) -> None:
    assert services(text, POLICY) == expected


def test_every_kind_the_policy_matches_on_makes_a_key() -> None:
    keys = group_keys(text="#AcmeDown the app", channel="twitter", thread_id="1790",
                      customer_id="cust-42", named_services=["app"], policy=POLICY)
    assert keys == ["hashtag:acmedown", "thread:twitter:1790", "service:app",
                    "customer:cust-42"]


def test_kinds_left_out_of_match_make_no_key() -> None:
    only_threads = IntakePolicy(match=[MatchKind.THREAD])
    keys = group_keys(text="#AcmeDown the app", channel="twitter", thread_id="1790",
                      customer_id="cust-42", named_services=["app"], policy=only_threads)
    assert keys == ["thread:twitter:1790"]
