"""Language packs: every fact of a language the assistant relies on, one module per language.

Each module of this package defines PACK, a LanguagePack: its function words, pronouns,
negations, number, month and unit words, numerals, clitics, the marks and letter variants
folding evens out, the cue words of its question forms, how its names are found, its stemmer,
what glossing it takes (its backend and dictionary packages, its article, compound joints,
look-alike spellings), and the dictionary that glosses it. The rest of the project reads
languages only through packs() and the word tables built from them (rag.text,
rag.answer.types, rag.search.gloss), so adding a language is one new module here. Written by
hand because no library offline knows these small closed word classes for Arabic, Chinese and
Danish alike.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache

LATIN, ARABIC_SCRIPT, HAN_SCRIPT = "latin", "arabic", "han"
# How names are found in a language's text (a pack's name_finder): its capitalised words, a word segmenter's
# name tags (jieba's, for Chinese), or its words no dictionary knows (names transliterated into Arabic).
CAPITALS, SEGMENTER, UNKNOWN_WORDS = "capitals", "segmenter", "unknown_words"
_PAIR_SEPARATOR = re.compile("[=>]")  # between the two sides of a pair attribute's item


@dataclass(frozen=True)
class LanguagePack:
    """What the assistant knows of one language. Word lists are space-separated; pairs are space-separated
    "a=b" or "a>b" items, read with pairs(); patterns are regex sources matched case-blind on text folded as
    rag.text.fold folds it; empty means the language has none."""

    code: str  # ISO 639-1
    name: str  # in English
    script: str  # LATIN, ARABIC_SCRIPT or HAN_SCRIPT
    spaced: bool = True  # words are separated by spaces; else words are found as substrings (Chinese)
    right_to_left: bool = False
    glosser: str = ""  # the rag.search.gloss backend (GLOSSERS) that glosses it into English, "" for none
    dictionary_packages: str = ""  # the Debian packages of the dictd files its glosser reads
    stemmer: str = ""  # PyStemmer's algorithm for its words in Latin letters (keyword search), "" for none
    function_words: str = ""  # words that tell a short text's language (question_language, says_nothing)
    letters: str = ""  # letters of its script only this language writes (æ ø å)
    clitics: str = ""  # pattern: prefixes written onto a word ("and the"), stripped to find the word
    marks: str = ""  # character-class body: the marks rag.text.fold drops (Arabic vowel signs, tatweel)
    letter_folds: str = ""  # pairs: a letter = the letter fold() writes for it ("أ=ا إ=ا": أ and إ as ا)
    numeral_digits: str = ""  # numeral characters of 0 … 9, in order, a digit's together (零〇 一 二两 …)
    numeral_units: str = ""  # the numeral characters of ten, hundred, thousand …, in order (十百千)
    numeral_groups: str = ""  # numeral characters multiplying all before them, powers past the units (万亿)
    negation_endings: str = ""  # endings written onto a word that deny it ("n't"), read as negations
    look_alikes: str = ""  # codes langdetect may give this language's text (Norwegian, Swedish for Danish)
    stop_words: str = ""  # words keyword search does not look for (function words, question words)
    pronouns: str = ""  # words that point back to something said before (follow-ups, antecedents)
    bound_pronouns: str = ""  # an unspaced script's pronouns found inside runs of text (not those that begin
    # ordinary words: 这 alone starts 这次 "this time")
    person_opening: str = ""  # pattern: he or she opening a sentence, whose subject is then named before it
    negations: str = ""  # words that deny what a sentence says
    yes_no: str = ""  # words that only say yes or no, or how sure
    no_topic_words: str = ""  # light verbs and calendar words: a question of only these names nothing
    months: str = ""  # January … December, in order
    units: str = ""  # the number words one … nineteen (or as many as it has), in order
    ordinals: str = ""  # first … , in order
    tens: str = ""  # twenty … ninety, in order
    teen: str = ""  # the word that makes "X ten" a teen (Arabic عشر)
    two_parts: str = ""  # a question asking two things: "and who", "compare"
    instructions: str = ""  # text addressed to a model: "ignore the question", "answer only with"
    question_cues: dict[str, str] = field(default_factory=dict)  # answer kind -> cue pattern of its questions
    asking_words: str = ""  # pattern: "which"/"what" before the noun that says what is asked (which poet)
    # English only, since every glosser glosses into English: answer kind -> the nouns that name one (poet:
    # a person), read after asking_words in any language through its English glosses
    type_nouns: dict[str, str] = field(default_factory=dict)
    sort_nouns: str = ""  # English only: nouns that ask for a sort of thing, not one (what type of …)
    name_nouns: str = ""  # English only: nouns passed over to the noun they name (the name of the mayor)
    head_words: int = 1  # content words from the asking word to its noun: more where modifiers come first
    number_words: str = ""  # pattern: a figure written in words (spans of a number answer)
    fraction: str = ""  # pattern: a share in words (a third, halvdelen, ثلث, 三分之一)
    percent_words: str = ""  # pattern: the words after a figure that make it a percentage
    percent_forms: str = ""  # pattern: a percentage written otherwise (百分之十)
    hedges: str = ""  # pattern: "more than", "nearly" before a duration
    duration_units: str = ""  # pattern: years, months … after a figure
    duration_forms: str = ""  # pattern: a duration written as one run (八个月)
    articles: str = ""  # the indefinite articles, which count one of a unit ("a year")
    not_counts: str = ""  # number words that mostly mean "a" rather than "one": never a count (一 in 一起, 一次)
    date_words: str = ""  # pattern: month and day names, "yesterday"
    year_cues: str = ""  # words right before a year of any century (in 1564, عام 1564); 1900-2099 always are
    name_finder: str = CAPITALS  # how its text's names are found: CAPITALS, SEGMENTER or UNKNOWN_WORDS
    # the gloss layer's facts of the language (rag.search.gloss)
    definite_article: str = ""  # the "the" written onto a word (ال): dictionaries file some nouns with it
    pronoun_suffixes: str = ""  # pronouns written onto a word's end (ها "her", هم "their"), longest first
    final_spellings: str = ""  # pairs: a final letter fold may have made = the letters to try, likelier first
    linking_letters: str = ""  # letters that join a compound's parts (forskning|s|chef, gæst|e|forsker)
    verb_particles: str = ""  # particles that open compounds of any length (ud|brændt, op|gave)
    derivations: str = ""  # endings that leave a glossable base (rekrutt|ere, lønn|ing), in the order tried
    bound_endings: str = ""  # endings that never stand as a compound's last part (udbrændt|hed, ven|skab)
    cognate_spellings: str = ""  # pairs: its spellings of English sounds, applied in turn (ekspertise)
    function_glosses: str = ""  # pairs: its function words in English, for a word-by-word line
    transliteration: str = ""  # pairs: its letters as Latin consonants, to match names (rag.search.bridge)
    gloss: str = ""  # the dictionary that glosses it into English (rag.search.gloss), "" for none or English


@lru_cache(maxsize=1)
def packs() -> tuple[LanguagePack, ...]:
    """Every language pack of this package, in module-name order (each module's PACK)."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            found.append(importlib.import_module(f"{__name__}.{module.name}").PACK)
    return tuple(found)


def pack(code: str) -> LanguagePack | None:
    """The pack of a language code, or None when no pack speaks it."""
    return next((p for p in packs() if p.code == code), None)


def words(attribute: str, code: str | None = None) -> list[str]:
    """A word-list attribute of every pack (or of one), as a list of words in pack order."""
    return [w for p in packs() if code in (None, p.code) for w in getattr(p, attribute).split()]


def pattern(attribute: str) -> str:
    """A pattern attribute of every pack joined as one alternation (packs without it left out)."""
    return "|".join(f"(?:{source})" for p in packs() if (source := getattr(p, attribute)))


def pairs(source: str) -> dict[str, str]:
    """A pairs attribute as a mapping, in written order: "a=b" (a means b) or "a>b" (a is spelt b) items.
    Written as strings, not dicts, like the word lists, so a pack stays frozen and hashable."""
    return dict(_PAIR_SEPARATOR.split(item, maxsplit=1) for item in source.split())


def cues(kind: str) -> str:
    """The cue patterns of one answer kind's questions in every language, as one alternation."""
    return "|".join(f"(?:{p.question_cues[kind]})" for p in packs() if p.question_cues.get(kind))
