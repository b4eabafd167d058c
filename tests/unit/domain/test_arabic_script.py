"""Folding Arabic and Persian spellings, and the forms of a word with its clitics taken off."""

# ruff: noqa: RUF001, RUF003
# (Single Arabic letters look like Latin o and l to ruff's confusables check; here they are the
# subject.)

from __future__ import annotations

import pytest

from domain.arabic_script import (
    MIN_STEM,
    PREFIXES,
    fold,
    joined_particles,
    word_forms,
)
from domain.triage import normalise

FOLDS = [
    # rule, typed, folded
    ("Persian yeh is Arabic yeh", "قطعی", "قطعي"),
    ("alef maksura is yeh", "فاتورتى", "فاتورتي"),
    ("Persian kaf is Arabic kaf", "کار", "كار"),
    ("hamza above the alef goes", "أسعار", "اسعار"),
    ("hamza below the alef goes", "إرجاع", "ارجاع"),
    ("madda goes", "آزمایشی", "ازمايشي"),
    ("wasla goes", "ٱلخدمة", "الخدمه"),
    ("hamza on waw goes", "مسؤول", "مسوول"),
    ("hamza on yeh goes", "طائرة", "طايره"),
    ("teh marbuta is heh", "فاتورة", "فاتوره"),
    ("heh inside a word stays", "مهم", "مهم"),
    ("Persian heh with yeh above is heh", "نسخۀ", "نسخه"),
    ("a hamza mark on heh goes", "نسخهٔ", "نسخه"),
    ("harakat and tanween go", "فَوْرًا", "فورا"),
    ("shadda goes", "مُتَوَقِّفَة", "متوقفه"),
    ("superscript alef goes", "هٰذا", "هذا"),
    ("tatweel goes", "خـدمـــة", "خدمه"),
    ("ZWNJ goes", "می\u200cخواهم", "ميخواهم"),
    ("direction marks go", "\u200fفاتورة\u200e \u061cرقم", "فاتوره رقم"),
    ("Arabic-Indic digits are ASCII", "طلب ٤٥٦٧", "طلب 4567"),
    ("Persian digits are ASCII", "۲۰ کاربر", "20 كاربر"),
    ("a letter stretched three times is one", "اسوووء", "اسوء"),
    ("a doubled letter stays", "ممنون", "ممنون"),
    ("a detached mi is joined", "می خواهم", "ميخواهم"),
    ("a detached nemi is joined", "کار نمی کنه", "كار نميكنه"),
    ("a detached plural is joined", "لینک ها خراب", "لينكها خراب"),
    ("a detached plural with yeh is joined", "لینک های شما", "لينكهاي شما"),
    ("spaces collapse", "لا   يعمل\n", "لا يعمل"),
    ("other scripts are left alone", "café — down", "café — down"),
]


@pytest.mark.parametrize(("rule", "typed", "folded"), FOLDS, ids=[f[0] for f in FOLDS])
def test_fold(rule: str, typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_normalise_reads_presentation_forms_as_letters() -> None:
    assert normalise("ﻻ ﻳﻌﻤﻞ") == "لا يعمل"  # NFKC first, then the fold


WORD_FORMS = [
    # word (folded), form, whether the word has that form
    ("بالفاتوره", "فاتوره", True),
    ("والفاتوره", "فاتوره", True),
    ("للفاتوره", "فاتوره", True),
    ("كالفاتوره", "فاتوره", True),
    ("فاتورتي", "فاتوره", True),  # ة is written ت before a suffix
    ("فاتورتك", "فاتوره", True),
    ("وبفاتورتنا", "فاتوره", True),  # a prefix and a suffix
    ("اسعاركم", "اسعار", True),
    ("مصاريي", "مصاري", True),
    ("قيمتش", "قيمت", True),
    ("ماوصلش", "ماوصل", True),  # Egyptian ما…ش
    ("لينكها", "لينك", True),
    ("وما", "ما", True),  # a negation after "and"
    ("فلا", "لا", True),
    ("باب", "اب", False),  # a door is not a father: two letters are not a stem
    ("بكم", "كم", False),
    ("ولد", "لد", False),
    ("عطله", "عطل", False),  # a holiday is not a breakdown: no ه suffix
    ("عطلات", "عطل", False),  # holidays either: no ات suffix
    ("سعرات", "سعر", False),  # calories are not a price
    ("قطعي", "قطع", False),  # "definitive" is not "cut": one-letter suffix, short word
    ("دموي", "دمو", False),  # "bloody" is not a demo
    ("نرسيده", "رسيده", False),  # the negation ن stays: not arrived is not arrived
    ("والد", "د", False),
]


@pytest.mark.parametrize(("word", "form", "has"), WORD_FORMS)
def test_word_forms(word: str, form: str, has: bool) -> None:
    assert (form in word_forms(word)) is has


def test_word_forms_of_other_scripts_are_the_word() -> None:
    assert word_forms("café") == frozenset(("café",))


@pytest.mark.parametrize("word", ["باب", "بنك", "فيها", "كلها", "الم", "الله"])
def test_no_form_is_shorter_than_a_stem(word: str) -> None:
    assert all(len(form) >= MIN_STEM for form in word_forms(word))


@pytest.mark.parametrize(
    ("prefix", "listed"),
    [("و", True), ("بال", True), ("وال", True), ("لل", True), ("فلل", True), ("كال", True),
     ("لال", False), ("ن", False), ("مي", False)],
)
def test_prefixes(prefix: str, listed: bool) -> None:
    assert (prefix in PREFIXES) is listed


@pytest.mark.parametrize(
    ("phrase", "spellings"),
    [
        ("ما وصل", ["ما وصل", "ماوصل"]),
        ("دو بار كسر شد", ["دو بار كسر شد", "دوبار كسر شد"]),
        ("لا يعمل", ["لا يعمل", "لايعمل"]),
        ("كار نميكنه", ["كار نميكنه"]),
        ("not working", ["not working"]),
    ],
)
def test_short_words_may_be_typed_onto_the_next(phrase: str, spellings: list[str]) -> None:
    assert joined_particles(phrase) == spellings
