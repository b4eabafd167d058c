"""Triage of posts: keywords in several scripts, temperature, routing, whether to escalate."""

# ruff: noqa: RUF001
# (Single Arabic letters look like Latin o and l to ruff's confusables check; here they are the
# subject.)

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from config.policy_files import preset_text
from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.models import Customer
from domain.policy import Policy, Triage, parse_policy
from domain.routing import route
from domain.triage import (
    TITLE_LENGTH,
    TriageAuthor,
    TriageInput,
    classify,
    contains_keyword,
    normalise,
    spellings,
    to_create_input,
    triage,
)

POLICY = parse_policy(preset_text("default"))
SMALL = TriageAuthor(handle="@someone", followers=12)
STAR = TriageAuthor(handle="@star", verified=True, followers=52_000)

POSTS = [
    # text, author, category, temperature, priority, should_escalate
    ("I was charged twice for my order!!", SMALL, Category.BILLING, Temperature.HOT,
     Priority.P2, True),
    ("The app is DOWN and I cannot log in", SMALL, Category.OUTAGE, Temperature.HOT,
     Priority.P1, True),
    ("How do I change my email address?", SMALL, Category.OTHER, Temperature.COLD,
     Priority.P3, False),
    ("How do I change my email address?", STAR, Category.OTHER, Temperature.COLD,
     Priority.P1, True),
    ("Download page looks nice", SMALL, Category.OTHER, Temperature.COLD, Priority.P3, False),
    ("My parcel never arrived", SMALL, Category.UNDELIVERED, Temperature.HOT, Priority.P3, True),
    ("Can I get a demo and your pricing?", SMALL, Category.SALES_OPPORTUNITY, Temperature.HOT,
     Priority.P3, True),
    ("Worst service ever, this is a scam", STAR, Category.CALLOUT, Temperature.HOT,
     Priority.P1, True),
    ("二重請求されました。返金してください", SMALL, Category.BILLING, Temperature.HOT,
     Priority.P2, True),
    ("商品がまだ届かない", SMALL, Category.UNDELIVERED, Temperature.HOT, Priority.P3, True),
    ("我被重复扣款了\uff0c请退款", SMALL, Category.BILLING, Temperature.HOT, Priority.P2, True),
    ("Me hicieron un cobro doble, quiero un reembolso", SMALL, Category.BILLING,
     Temperature.HOT, Priority.P2, True),
    ("Die App funktioniert nicht!", SMALL, Category.OUTAGE, Temperature.HOT, Priority.P1, True),
    ("BITTE UM RÜCKERSTATTUNG", SMALL, Category.BILLING, Temperature.HOT, Priority.P2, True),
    ("\uff32\uff25\uff26\uff35\uff2e\uff24 please", SMALL, Category.BILLING,  # full-width
     Temperature.HOT, Priority.P2, True),
    ("I can\u2019t log in since this morning", SMALL, Category.OUTAGE, Temperature.HOT, Priority.P1,
     True),
    ("いつもありがとうございます", SMALL, Category.OTHER, Temperature.COLD, Priority.P3, False),
]


@pytest.mark.parametrize(
    ("text", "author", "category", "temperature", "priority", "escalate"), POSTS,
    ids=[p[0][:30] for p in POSTS],
)
def test_triage_posts(
    text: str, author: TriageAuthor, category: Category, temperature: Temperature,
    priority: Priority, escalate: bool,
) -> None:
    result = triage(POLICY, TriageInput(text=text, channel=SourceChannel.TWITTER, author=author))
    assert (result.category, result.temperature, result.priority, result.should_escalate) == (
        category, temperature, priority, escalate
    ), result.reasons


KEYWORDS = [
    # normalised text, keyword, matches
    ("the site is down", "down", True),
    ("download failed", "down", False),
    ("down-time again", "down", True),  # a hyphen is a word boundary
    ("refundしてください", "refund", True),  # kana next to a Latin word is a boundary
    ("二重請求されました", "二重請求", True),
    ("환불을 원합니다", "환불", True),  # Korean particles attach to the noun
    ("was charged twice today", "charged twice", True),
    ("was charged twicefold", "charged twice", False),
    (normalise("cafe\u0301 closed"), normalise("café"), True),  # composed and decomposed
    ("cafés closed", "café", False),
    ("ok", "", False),
]


@pytest.mark.parametrize(("text", "keyword", "matches"), KEYWORDS)
def test_contains_keyword(text: str, keyword: str, matches: bool) -> None:
    assert contains_keyword(text, keyword) is matches


SPELLED = [
    # post, keyword as the policy writes it, matches
    ("اپ کار نمی\u200cکنه", "کار نمی\u200cکنه", True),  # ZWNJ as written
    ("اپ کار نمی کنه", "کار نمی\u200cکنه", True),  # a space for the ZWNJ
    ("اپ کار نمیکنه", "کار نمی\u200cکنه", True),  # nothing for it
    ("اپ کار نمی کنه", "کار نمیکنه", True),  # the keyword without its ZWNJ: می is joined back
    ("سایت کار می\u200cکنه", "کار نمی\u200cکنه", False),  # works: no negation
    ("الطلب ماوصلني", "ما وصل", True),  # a particle typed onto the verb
    ("والرابط لا يعمل", "رابط لا يعمل", True),  # the article and "and" on a phrase's word
    ("الرابط، لا يعمل", "رابط لا يعمل", False),  # a phrase does not run across punctuation
    ("لا يعمل الرابط", "رابط لا يعمل", False),  # nor in another order
    ("ما استلمت الكود", "ما استلمت", True),
    ("دفعت وما استلمت", "ما استلمت", True),  # "and" on the negation
    ("خـدمـة مُتَوَقِّفَة", "خدمة متوقفة", True),  # tatweel and marks on the post
    ("خدمه متوقفه", "الخِدْمَة مُتَوَقِّفَة", False),  # the keyword's article is required
    ("طلب ٤٥٦٧", "4567", True),  # Arabic-Indic digits
    ("ببساطة", "بساطة", True),
    ("باب", "اب", False),  # too short a stem to take ب off
    ("لماذا؟", "؟", True),  # a keyword of punctuation alone is a substring
]


@pytest.mark.parametrize(("post", "keyword", "matches"), SPELLED)
def test_arabic_script_keywords_match_the_spellings_people_type(
    post: str, keyword: str, matches: bool,
) -> None:
    found = any(contains_keyword(normalise(post), k) for k in spellings(keyword))
    assert found is matches


def _policy(**keywords: list[str]) -> Policy:
    return POLICY.model_copy(update={"triage": Triage(
        keywords={Category(c): k for c, k in keywords.items()}, hot=POLICY.triage.hot,
    )})


OVERLAPS = [
    # keywords per category, post, category, keywords that count
    ({"outage": ["لا يعمل"], "undelivered": ["رابط لا يعمل"]}, "الرابط لا يعمل",
     Category.UNDELIVERED, ["رابط لا يعمل"]),
    ({"outage": ["not working"], "undelivered": ["link not working"]}, "the link not working",
     Category.UNDELIVERED, ["link not working"]),
    ({"outage": ["لا يعمل"], "undelivered": ["رابط لا يعمل"]},
     "الرابط لا يعمل والتطبيق لا يعمل", Category.OUTAGE, ["لا يعمل"]),  # once outside: a tie
    ({"billing": ["فاتورة", "فاتوره"], "outage": ["عطل", "لا يعمل"]},
     "الفاتورة لا تفتح، عطل؟ لا يعمل", Category.OUTAGE, ["عطل", "لا يعمل"]),
    ({"sales_opportunity": ["كم سعر", "كم السعر"]}, "كم السعر؟", Category.SALES_OPPORTUNITY,
     ["كم سعر"]),  # the same words: the first listed counts
]


@pytest.mark.parametrize(("keywords", "post", "category", "counted"), OVERLAPS)
def test_a_keyword_counts_where_it_is_the_longest_found(
    keywords: dict[str, list[str]], post: str, category: Category, counted: list[str],
) -> None:
    assert classify(_policy(**keywords), post) == (category, counted)


def test_shipped_keywords_are_distinct_after_normalisation() -> None:
    every = [k for keywords in POLICY.triage.keywords.values() for k in keywords]
    normalised = [normalise(k) for k in every]
    assert all(normalised)
    assert len(set(normalised)) == len(normalised)


@pytest.mark.parametrize("category", POLICY.triage.hot)
@pytest.mark.parametrize(
    ("language", "letters"), [("Arabic", "يكةىأإؤ"), ("Persian", "یکپچژگ")],
)
def test_every_hot_category_has_arabic_and_persian_keywords(
    category: Category, language: str, letters: str,
) -> None:
    assert any(set(k) & set(letters) for k in POLICY.triage.keywords[category]), language


def test_most_distinct_keywords_win() -> None:
    text = "refund? the site is down, outage everywhere, not working"
    assert triage(POLICY, TriageInput(text=text)).category is Category.OUTAGE


def test_tie_goes_to_the_category_listed_first() -> None:
    result = triage(POLICY, TriageInput(text="refund, and the site is down"))
    assert result.category is Category.BILLING  # billing is listed before outage


def test_repeating_a_keyword_counts_once() -> None:
    result = triage(POLICY, TriageInput(text="down down down down, please refund and overcharged"))
    assert result.category is Category.BILLING


def test_reasons_explain_every_step() -> None:
    post = TriageInput(text="Charged twice!", author=STAR, customer=Customer(id="c-1", vip=True))
    reasons = triage(POLICY, post).reasons
    assert reasons[0] == "category billing: 'charged twice'"
    assert "rule 'billing-vip' matched: category=billing; customer is VIP" in reasons
    assert "verified author: already P1" in reasons
    assert reasons[-1] == "escalate: hot and priority P1"


def test_no_keyword_falls_back_and_says_so() -> None:
    result = triage(POLICY, TriageInput(text="hello there"))
    assert result.reasons[0] == "no keyword matched: category other (triage.fallback)"
    assert result.reasons[-1] == "do not escalate: cold and P3"


def test_repeat_customer_raises_triage_priority() -> None:
    post = TriageInput(text="hello there", customer=Customer(id="c-9"))
    assert triage(POLICY, post, prior_escalations=1).priority is Priority.P2
    assert triage(POLICY, post, prior_escalations=1).should_escalate


def test_creation_input_reproduces_the_triage_routing() -> None:
    post = TriageInput(text="  I was charged\n twice  ", channel=SourceChannel.FACEBOOK,
                       author=STAR, customer=Customer(id="c-1"))
    result = triage(POLICY, post)
    created = to_create_input(post, result)
    assert created.title == "I was charged twice"
    assert created.description == "I was charged\n twice"
    assert created.priority is None  # creation routes again and may add the repeat signal
    assert created.source is not None
    assert created.source.followers == 52_000
    decision = route(POLICY, created)
    assert (decision.rule, decision.team, decision.priority) == (
        result.rule, result.team, result.priority
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("word " * 100, ("word " * 23).strip() + "…"),
        ("あ" * 300, "あ" * (TITLE_LENGTH - 1) + "…"),
    ],
)
def test_long_titles_are_cut(text: str, title: str) -> None:
    post = TriageInput(text=text)
    created = to_create_input(post, triage(POLICY, post))
    assert created.title == title
    assert len(created.title) <= TITLE_LENGTH


@pytest.mark.parametrize(
    "body",
    [
        {"text": "   "},
        {"text": "x" * 10_001},
        {"text": "x", "mood": "angry"},
        {"text": "x", "author": {"handle": "@a", "followers": -1}},
        {"text": "x", "author": {"handle": "@a", "karma": 3}},
        {"text": "x", "customer": {"id": "bad id with spaces"}},
        {"text": "x", "channel": "carrier-pigeon"},
    ],
)
def test_bad_triage_input_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TriageInput.model_validate(body)
