"""Arabic and Persian as customers type them, folded so that a keyword meets its post.

Two steps, both applied to the keywords and to the post alike:
- `fold` makes one spelling of the many a phone keyboard produces: letter variants, marks,
  tatweel, invisible joiners, digits, stretched letters and the detached Persian affixes.
- `word_forms` gives the readings of one word with the common attached clitics taken off
  (بالفاتورة, فاتورتي → فاتوره), which the triage compares a keyword's words against.

Why hand-written tables and not hazm (the maintained Persian normaliser the issue suggests):
`pip download hazm` fetches hazm 0.10.0, an 893 kB wheel (4.0 MB unpacked, 3.4 MB of it a
word list), but it requires numpy (pinned ==1.24.3), scipy, scikit-learn, gensim, nltk,
fasttext-wheel, python-crfsuite and flashtext: 23 distributions, 100 MB of wheels, 313 MB
unpacked, as much again as this service's whole virtualenv (319 MB of site-packages).
`hazm.Normalizer` cannot be taken alone either: its module imports the package root, which
loads the tagger, chunker and lemmatiser. It covers Persian only (no teh marbuta, no Arabic
article or clitics), and it folds toward Persian letters and Persian digits, the opposite of
what matching ASCII order numbers needs. Above all `domain/` is pure (STYLE rule 1: stdlib and
pydantic), and the workflow sandbox imports it. What matching needs is a few dozen characters
and a dozen affixes, written out below, each rule tested on its own
(tests/unit/domain/test_arabic_script.py).
"""

# ruff: noqa: RUF003
# (Single Arabic letters in comments look like Latin o and l to ruff's confusables check; here
# they are the subject.)

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

ZWNJ = "\u200c"

# A stem left after taking a clitic off must keep three letters: Arabic content words are built
# on (mostly) three-letter roots, so a real noun or verb keeps at least three, while a two-letter
# remainder is a particle or an accident of spelling (باب → اب, بكم → كم, فيها → في).
MIN_STEM = 3
# After a one-letter suffix, four: one letter at the end of a short word is as often part of the
# word (قطعي "definitive", دموي "bloody", بنك "bank") as a pronoun, and would turn those into the
# keywords قطع and دمو.
MIN_STEM_AFTER_ONE_LETTER = 4


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {
        # One yeh: Arabic ي, Persian ی and alef maksura ى, which Egyptian writers use for a
        # final ي (فاتورتى); a hamza on a yeh seat (ئ) is dropped as often as typed.
        0x06CC: "\u064a", 0x0649: "\u064a", 0x0626: "\u064a",
        # One kaf: Persian ک and Arabic ك are two code points for one letter, and which one
        # arrives depends on the keyboard, not the language.
        0x06A9: "\u0643",
        # One alef: hamza above or below (أ إ), madda (آ) and wasla (ٱ) are mostly left out
        # when typing (اسعار for أسعار, ازمایشی for آزمایشی).
        0x0623: "\u0627", 0x0625: "\u0627", 0x0622: "\u0627", 0x0671: "\u0627",
        # A hamza on a waw seat (ؤ) likewise.
        0x0624: "\u0648",
        # Teh marbuta (ة) is written only at the end of a word (it becomes ت before a suffix:
        # فاتورتي), and there people type ه for it as often as ة (فاتوره). Folding toward ه,
        # not the other way, leaves the ه inside words (مهم) alone. Persian writes the same
        # ending as ه, and its ezafe form ۀ (نسخهٔ) is that ه with a hamza.
        0x0629: "\u0647", 0x06C0: "\u0647", 0x06D5: "\u0647",
        # Tatweel only stretches a word on screen (خـدمـة).
        0x0640: None,
        # Invisible format characters: ZWNJ (Persian می‌خواهم, read below as no space at all;
        # the triage tries a keyword's ZWNJ as a space too), ZWJ, and the direction marks that
        # copy-paste brings along (LRM, RLM, ALM).
        0x200C: None, 0x200D: None, 0x200E: None, 0x200F: None, 0x061C: None,
    }
    for block in (range(0x0600, 0x0700), range(0x0750, 0x0780), range(0x08A0, 0x0900)):
        for code in block:
            # Every Arabic combining mark: harakat, tanween, shadda, sukun, superscript alef
            # (ـٰ), Quranic annotations. Written rarely and inconsistently, never needed to
            # tell two keywords apart.
            if unicodedata.category(chr(code)) == "Mn":
                table[code] = None
    for zero in (0x0660, 0x06F0):  # Arabic-Indic ٠-٩ and Persian ۰-۹ (order numbers, amounts)
        for digit in range(10):
            table[zero + digit] = str(digit)
    return table


_FOLD = _table()
_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
# Stretching a word by repeating a letter (اسوووأ, مرررة) is typing for emphasis; no Arabic or
# Persian word has one letter three times running (a doubled consonant is written once).
_STRETCHED = re.compile(f"([{_LETTER}])\\1{{2,}}")
# Persian writes the verb prefixes می/نمی and the plural ها/های with a ZWNJ, a space or nothing
# (می‌خواهم, می خواهم, میخواهم); with the ZWNJ gone, a detached one is joined back. (The
# Levantine مي, water, is joined to the next word too; no keyword needs it apart.)
_DETACHED_PREFIX = re.compile(f"(?<!\\S)(\u0646?\u0645\u064a) (?=[{_LETTER}])")
_DETACHED_PLURAL = re.compile(f"(?<=[{_LETTER}]) (\u0647\u0627\u064a?)(?!\\S)")


def fold(text: str) -> str:
    """`text` (already NFKC and casefolded) in one spelling, with single spaces."""
    flat = " ".join(text.translate(_FOLD).split())
    flat = _STRETCHED.sub(r"\1", flat)
    flat = _DETACHED_PREFIX.sub(r"\1", flat)
    return _DETACHED_PLURAL.sub(r"\1", flat)


def joined_particles(phrase: str) -> list[str]:
    """`phrase` (folded) and its spellings with short words typed onto the next one.

    Informal writing drops the space after a one- or two-letter word (ما وصل → ماوصل,
    لا يعمل → لايعمل, دو بار → دوبار); longer words keep theirs.
    """
    words = phrase.split(" ")
    short = [i for i, w in enumerate(words[:-1]) if len(w) <= 2 and is_arabic_script(w)]
    spellings = []
    for joins in product((False, True), repeat=len(short)):
        glue = {i for i, join in zip(short, joins, strict=True) if join}
        spelled = words[0]
        for i, word in enumerate(words[1:]):
            spelled += ("" if i in glue else " ") + word
        spellings.append(spelled)
    return spellings


# The Arabic blocks, with the presentation forms NFKC turns into letters before this sees them.
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def is_arabic_script(text: str) -> bool:
    return _ARABIC_SCRIPT.search(text) is not None


def _prefixes() -> tuple[str, ...]:
    # Clitics written onto the next word, in their only order: a conjunction (و and, ف so), a
    # preposition (ب with, ل for, ك like), the article (ال). ل before ال drops the alef (لل).
    # Persian writes none of these onto nouns, and its verb negation ن is left alone on
    # purpose: نرسیده (has not arrived) must not read as رسیده (has arrived).
    found = {
        (conj + prep + art).replace("\u0644\u0627\u0644", "\u0644\u0644")
        for conj, prep, art in product(("", "\u0648", "\u0641"),
                                       ("", "\u0628", "\u0644", "\u0643"), ("", "\u0627\u0644"))
    }
    return tuple(sorted(found - {""}, key=len, reverse=True))


PREFIXES = _prefixes()
# Negation particles are shorter than MIN_STEM but start many keywords (ما وصل, لا يعمل), and a
# complaint often goes on with "and"/"so" written onto them (دفعت وما استلمت, ولا يشتغل).
NEGATIONS = frozenset(("\u0644\u0627", "\u0645\u0627", "\u0644\u0645", "\u0644\u0646",
                       "\u0645\u0634", "\u0645\u0648", "\u0645\u0628"))
# Possessive and object pronouns written onto the word, folded (ی is ي, ک is ك): Arabic my,
# me, our, your, your (plural), her/its, their; Persian plural ها/های, my (ام, م), his (ش).
# The Egyptian negation ما…ش ends in the same ش (ماوصلش), so it goes too.
# Not ه (his): with ة folded to ه, عطلة (holiday) would read as عطل (breakdown). Not ات (the
# feminine plural): عطلات (holidays) would too, and سعرات (calories) as سعر (price).
SUFFIXES = (
    "\u064a", "\u0646\u064a", "\u0646\u0627", "\u0643", "\u0643\u0645", "\u0647\u0627",
    "\u0647\u0645", "\u0647\u0627\u064a", "\u0627\u0645", "\u0645", "\u0634",
)


def _suffix_forms(word: str) -> set[str]:
    forms: set[str] = set()
    for suffix in SUFFIXES:
        stem = word.removesuffix(suffix)
        least = MIN_STEM_AFTER_ONE_LETTER if len(suffix) == 1 else MIN_STEM
        if stem == word or len(stem) < least:
            continue
        forms.add(stem)
        if stem.endswith("\u062a"):
            # Before a suffix ة is written ت (فاتورة → فاتورتي): give back the folded ة.
            forms.add(stem[:-1] + "\u0647")
    return forms


@lru_cache(maxsize=16384)  # a post's words repeat, and so do the posts' words
def word_forms(word: str) -> frozenset[str]:
    """`word` (folded) and its readings with a prefix, a suffix or both taken off."""
    if not is_arabic_script(word):
        return frozenset((word,))
    bare = {word} | {
        word[len(p):] for p in PREFIXES
        if word.startswith(p) and len(word) - len(p) >= MIN_STEM
    }
    if word[:1] in ("\u0648", "\u0641") and word[1:] in NEGATIONS:
        bare.add(word[1:])
    return frozenset(bare.union(*(_suffix_forms(w) for w in bare)))
