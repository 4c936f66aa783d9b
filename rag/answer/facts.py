"""Facts: the figures and names a model's claim asserts, and whether the quote it cites holds them.

These are the checker's hard tests on the model's path (see cite.py): a claim may word its
answer freely, in the question's language, but each figure and each name it adds to the
question must be in the sentence it cites. Digits are compared folded across scripts
(٦٠٠ = 600, 7,800 = 7.800 = 7800) and names across scripts by transliteration and
dictionary: Wang = وانج (consonant skeletons) = 王 (pinyin), Zuckerberg = 扎克伯格 (CC-CEDICT).
What the question itself names or counts is the model restating it, not a claim of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.language import UNKNOWN_WORDS
from rag.search.bridge import SKELETON, arabic_skeleton, gloss, han_pinyin, latin_skeleton
from rag.search.evidence import gloss_tokens, text_tokens
from rag.search.keyword import STOPWORDS, terms, tokenize
from rag.text import (CLITIC_PREFIX, HAN, finder_names, fold, is_arabic, is_han, month_numbers, name_finder,
                      name_runs, names, number_words, script_language, strip_markers)

if TYPE_CHECKING:  # the dictionaries load only when a gloss is asked for
    from rag.search.gloss import Glossary

_ACRONYM = re.compile(r"[A-Z]{2,}s?")
MIN_SKELETON = 3  # consonants a transliterated name must share with any word: shorter skeletons meet by chance
SHORT_NAME = "nm~"  # a two-consonant skeleton (Meta = ميتا = mt, Google = جوجل = gl), met by a name's only
# A skeleton this long meets another it begins or ends (Catholicism ktlksm = الكاثوليكية ktlk): endings differ.
MIN_PREFIX_SKELETON = 4
SOUNDS = "sn~"  # the prefix of a skeleton blurred by sounds(), a token of this module's only
POSSESSIVE = re.compile(r"['’]s$")
# A foreign name written in Han characters, its parts joined by an interpunct: 约翰·埃尔维 (John Elway).
INTERPUNCT = re.compile("[·•‧・]")
HAN_FOREIGN_NAME = re.compile(f"[{HAN}]+(?:{INTERPUNCT.pattern}[{HAN}]+)+")
INITIAL = re.compile(r"[A-Z]\.?")  # "W." in "Frederick W. Mote": no word to look for
MAX_PINYIN_CHARS = 4  # Han characters read together as one transliterated name part (王, 渊栋, 扎克伯格)
NAME_SHARE = 0.5  # of a name's words the quote must hold ("William Iron Arm": a name and a title)


@dataclass(frozen=True)
class Facts:
    """A claim's figures (digits only, separators dropped) and names (each a tuple of its words)."""

    figures: tuple[str, ...]
    names: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.figures or self.names)

    def missing(self, quote: str, language: str, glossary: Glossary | None) -> list[str]:
        """The figures and names the quote does not hold, as the claim writes them."""
        have = quote_tokens(quote, language, glossary)
        gone = [f for f in self.figures if f not in have]
        gone += [" ".join(n) for n in self.names if not name_held(n, quote, have)]
        return gone

    def held_share(self, quote: str, language: str, glossary: Glossary | None) -> float:
        """The share of the claim's figures and names the quote holds (1 for a claim without any)."""
        total = len(self.figures) + len(self.names)
        return 1.0 - len(self.missing(quote, language, glossary)) / total if total else 1.0


def claim_facts(claim: str, question: str = "", glossary: Glossary | None = None) -> Facts:
    """The figures and names of the claim that the question does not already hold."""
    claim = strip_markers(claim)
    asked = quote_tokens(question, "und", None) if question else frozenset()
    figures = tuple(dict.fromkeys(digits(t) for group in terms(claim) for t in group
                                  if t[0].isdigit() and digits(t) not in asked))
    named = tuple(n for n in claim_names(claim, glossary) if not question or not name_held(n, question, asked))
    return Facts(figures, named)


def claim_names(text: str, glossary: Glossary | None = None) -> list[tuple[str, ...]]:
    """The names of a claim, each as its words: Latin-script runs of capitalised words past the first
    ("Alexandr Wang"), then those the name finder of the language its script says adds: jieba's names in
    Chinese (田渊栋), in Arabic the runs no dictionary knows; and in Han script, foreign names (约翰·埃尔维)."""
    found = [tuple(w for w in run if not INITIAL.fullmatch(w)) for run in name_runs(text)]
    script = script_language(text)
    found += [tuple(name.split()) for name in finder_names(text, script, glossary)]
    if script == "zh":
        found += [tuple(INTERPUNCT.split(n)) for n in HAN_FOREIGN_NAME.findall(text)]
    return [name for name in dict.fromkeys(found) if name and any(w.casefold() not in STOPWORDS for w in name)]


def quote_tokens(text: str, language: str, glossary: Glossary | None) -> frozenset[str]:
    """Every token a figure or a name may meet in the text: its words, their bridges (skeletons, pinyin,
    CC-CEDICT glosses), its dictionary glosses, the figures its number and month words stand for, and the pinyin
    of each short run of its Han characters with that pinyin's skeleton (杨立昆 Likun = LeCun)."""
    tokens = set(text_tokens(text, language)) | month_numbers(text) | number_words(text)
    if glossary is not None and language not in ("en", "und"):
        tokens |= gloss_tokens(glossary, text, language)
    if any(is_han(c) for c in text):
        runs = pinyin_runs(text)
        tokens |= runs | {SOUNDS + sounds(latin_skeleton(run)) for run in runs if len(latin_skeleton(run)) >= MIN_SKELETON}
    tokens |= {digits(t) for t in tokens if t[:1].isdigit()}
    tokens |= {SOUNDS + sounds(t[len(SKELETON):]) for t in tokens if t.startswith(SKELETON)}
    return frozenset(tokens | short_name_skeletons(text, glossary))


def short_name_skeletons(text: str, glossary: Glossary | None) -> set[str]:
    """The two-consonant skeletons of the text's names: its capitalised Latin words, and its Arabic words no
    dictionary knows (ميتا is a name; تم "was done", as common as it is short, is not)."""
    words = [w for _, w in names(text)]
    script = script_language(text)
    if name_finder(script) == UNKNOWN_WORDS:  # a segmenter's names are Han: no consonant skeleton
        words += [w for name in finder_names(text, script, glossary) for w in name.split()]
    skeletons = set()
    for word in words:
        skeletons |= {SHORT_NAME + sounds(s) for s in consonant_skeletons(word) if len(s) == MIN_SKELETON - 1}
    return skeletons


def consonant_skeletons(word: str) -> set[str]:
    """A name word's consonant skeletons: an Arabic word's with and without its prefix (وجوجل is جوجل), a Latin
    word's without a possessive ending (Eutelsat's)."""
    if is_arabic(word[:1]):
        return {arabic_skeleton(word), arabic_skeleton(CLITIC_PREFIX.sub("", word))}
    return {latin_skeleton(POSSESSIVE.sub("", word))} if word[:1].isalpha() else set()


def digits(figure: str) -> str:
    """A figure's digits alone: 1.5 and 15 (亿) alike, 7,800 and 7.800 alike."""
    return re.sub(r"\D", "", figure)


def sounds(skeleton: str) -> str:
    """A consonant skeleton as transliteration blurs it: s and z one sound (Joseph = جوزيف), and a first
    w or y dropped (Eurobird = يوربيرد), since Arabic writes a long vowel that opens a name with و or ي."""
    return skeleton.replace("z", "s").lstrip("wy")


@lru_cache(maxsize=1024)
def pinyin_runs(text: str) -> frozenset[str]:
    """The toneless pinyin of every run of 1 to MAX_PINYIN_CHARS Han characters: 王 -> wang, 渊栋 -> yuandong."""
    runs = set()
    for block in re.findall(r"[\u4e00-\u9fff]+", text):
        syllables = [han_pinyin(c) for c in block]
        for start in range(len(syllables)):
            for end in range(start + 1, min(start + MAX_PINYIN_CHARS, len(syllables)) + 1):
                if all(syllables[start:end]):
                    runs.add("".join(syllables[start:end]))
    return frozenset(runs)


def name_held(name: tuple[str, ...], quote: str, have: frozenset[str]) -> bool:
    """True when the quote holds, in some form, the name's longest word (its most telling: Lindqvist, not
    Robert) and at least NAME_SHARE of its words. A foreign name in Han characters (珀西·雪莱) needs every part
    of two or more characters, its first from wherever it starts (the claim runs into it: 答案是珀西)."""
    if len(name) > 1 and all(is_han(w[:1]) for w in name):
        first = any(word_held(name[0][i:], quote, have) for i in range(len(name[0]) - 1))
        return first and all(word_held(w, quote, have) for w in name[1:] if len(w) > 1)
    held = [word_held(word, quote, have) for word in name]
    longest = max(range(len(name)), key=lambda i: len(name[i]))
    return held[longest] and sum(held) >= NAME_SHARE * len(name)


def word_held(word: str, quote: str, have: frozenset[str]) -> bool:
    """One word of a name in the quote: as written, through its stems or bridges, its transliteration's
    consonant skeleton, or its pinyin; an acronym is let through in a quote in another script, which
    writes it out in its own words (GPU is 显卡)."""
    folded = fold(word).casefold()
    if folded in fold(quote).casefold():
        return True
    if _ACRONYM.fullmatch(word) and script_language(quote) in ("ar", "zh"):
        return True
    forms = word_forms(word)
    if forms & have:
        return True
    own = [f[len(SOUNDS):] for f in forms if f.startswith(SOUNDS)]
    return any(len(a) >= MIN_PREFIX_SKELETON and len(b) >= MIN_PREFIX_SKELETON and (a.startswith(b) or b.startswith(a))
               for a in own for b in (t[len(SOUNDS):] for t in have if t.startswith(SOUNDS)))


@lru_cache(maxsize=4096)
def word_forms(word: str) -> frozenset[str]:
    """The tokens one name word may be met by: its own stems and glosses, and its consonant skeletons (one of
    two consonants meets names only: see short_name_skeletons); a Chinese word, itself, its whole pinyin and
    its CC-CEDICT gloss (not a syllable alone: 特 is in many names)."""
    word = POSSESSIVE.sub("", word)
    if is_han(word[:1]):
        return frozenset({word, "".join(han_pinyin(c) for c in word), *gloss(word)})
    forms = {t for t in tokenize(word, query=True) if not t.startswith(SKELETON)} | month_numbers(word)
    if word[:1].isalpha() and not is_arabic(word[0]):
        forms.add(word.casefold())
    for skeleton in consonant_skeletons(word):
        if len(skeleton) >= MIN_SKELETON:
            forms |= {SKELETON + skeleton, SOUNDS + sounds(skeleton)}
        elif len(skeleton) == MIN_SKELETON - 1:
            forms.add(SHORT_NAME + sounds(skeleton))
    return frozenset(forms)
