"""Answer types: what kind of answer a question asks for, and the spans of a sentence that are one.

"How many" wants a number, "how long" a duration, "who" a person, "which company" an
organisation, "which two researchers" a list. A sentence that lacks the asked type cannot
be the answer; the span of that type is the short answer. Written by hand because no
offline library here reads question forms and finds names in English, Danish, Arabic
and Chinese alike: each language's cue words, number, unit and date words are in its pack
(rag.language); names are capitalised Latin words, and those its pack's name finder adds
(rag.text.finder_names): jieba's person/place/organisation tags for Chinese, Arabic words that
no dictionary knows (transliterated names).
"""

from __future__ import annotations

import re

from rag.language import SEGMENTER, UNKNOWN_WORDS, cues, packs, pattern, words
from rag.search.gloss import Glossary
from rag.search.keyword import STOPWORDS
from rag.text import HAN_NAME_TAGS, finder_names, fold, name_finder, question_language

PERSON, ORGANISATION, PLACE, NUMBER, PERCENT, DURATION, DATE, LIST = (
    "person", "organisation", "place", "number", "percent", "duration", "date", "list")
ENTITY_KINDS = (PERSON, ORGANISATION, PLACE)
LIST_ITEM = {LIST: PERSON}  # a list question names several people
TYPE_WEIGHT = 0.1  # a sentence with (without) the kind of answer asked for gains (loses) this much support


def _pattern(source: str) -> re.Pattern:
    """A case-blind pattern over text folded as the keyword stage folds it (so أ and ا match alike)."""
    return re.compile(fold(source), re.I)


# Question forms, tried in this order (a "how long" question is a duration, not a number).
_WANTS = {kind: _pattern(cues(kind)) for kind in (LIST, DURATION, DATE, PERCENT, NUMBER, ORGANISATION, PLACE, PERSON)}
# Else the noun after "which" or "what", named in English by the English pack's type nouns.
_ASKING = {p.code: (_pattern(p.asking_words), p.head_words) for p in packs() if p.asking_words}
_TYPE_NOUNS = {kind: frozenset(n for p in packs() for n in p.type_nouns.get(kind, "").split())
               for kind in ENTITY_KINDS}
_SORT_NOUNS = frozenset(words("sort_nouns"))
_NAME_NOUNS = frozenset(words("name_nouns"))
_POSSESSIVE = re.compile(r"['’]s?$")  # which company's policies: the company
_PHRASE_END = re.compile(r"[^\w\s'’-]")  # punctuation ends the noun phrase (哪部《…》: a title)
HEAD_GLOSSES = 4  # a word's first glosses read (الصحفي: journalistic, press, newspaper, journalist)

_FRACTION = pattern("fraction")  # a share said in words: "a third", "halvdelen", "ثلث", "三分之一" (not "half-year")
_NUMBER_WORDS = pattern("number_words")
_NUMBER_WORDS_OF = {p.code: _pattern(p.number_words) for p in packs() if p.number_words}
_NOT_COUNTS = {p.code: frozenset(fold(w).casefold() for w in p.not_counts.split()) for p in packs()}
# A Latin word's or name's edges are Latin letters' edges, not \b: in Chinese text a Han character touches a
# Latin name (公司South Park Commons的).
_LATIN_LETTERS = "A-Za-zÀ-ÖØ-öø-ɏ0-9_"
_START, _END = rf"(?<![{_LATIN_LETTERS}])", rf"(?![{_LATIN_LETTERS}])"
# "more than", "超过" before a figure belong to the answer ("more than 70%"); not inside a word (turnover)
_HEDGE = rf"(?:{_START}(?:{pattern('hedges')})\s*)?"
_LEADING_HEDGE = _pattern(rf"^(?:{pattern('hedges')})\s*")
_NUMBER = _pattern(rf"{_HEDGE}(?:{_FRACTION}|\d[\d,.]*\d%?|\d%?|{_NUMBER_WORDS}|[0-9]+)")
_PERCENT = _pattern(rf"{_HEDGE}(?:\d[\d,.]*\s?[%٪]|\d[\d,.]*\s(?:{pattern('percent_words')})"
                    rf"|{pattern('percent_forms')}|{_FRACTION})")
_ARTICLES = "|".join(words("articles"))
_DURATION = _pattern(
    rf"{_HEDGE}(?:(?:\d[\d,.]*|{_NUMBER_WORDS}|\b(?:{_ARTICLES})\b)[\s-]*"
    rf"(?:{pattern('duration_units')})\b|{pattern('duration_forms')})"
)
# a date written as numbers (2024-04-17), a year: 1900-2099 anywhere, an earlier one after a word that
# introduces years (in 1564, عام 1564)
_AFTER_YEAR_CUE = "|".join(rf"(?<=\b{fold(word)} )" for word in words("year_cues"))
_DATE = _pattern(rf"{pattern('date_words')}|\b\d{{4}}-\d\d(?:-\d\d)?\b|\b(?:19|20)\d\d\b"
                 rf"|(?:{_AFTER_YEAR_CUE})1\d{{3}}\b")
# Latin names: a run of capitalised words (Devi Parikh, Silicon Valley, Levels.fyi), or an acronym (FAIR).
# A name word; a hyphen only between capitalised parts (Jean-Luc): "Google-backed" is Google, "EU-regler" none.
_NAME_WORD = r"[A-Z][A-Za-z.’']*(?:-[A-Z][A-Za-z.’']*)*[A-Za-z]"
_LATIN_NAME = re.compile(rf"{_START}{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|van|von|al))*{_END}"
                         rf"|{_START}[A-Z]{{2,}}{_END}")
# A person: two or more name words (Devi Parikh, Yann LeCun), none an acronym, a possessive or hyphenated.
# Its words are whole words (\b): a Latin run glued to Arabic or Han letters (وGoogle DeepMind) is read as a
# company or place, not a person.
_PERSON_WORD = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?![\w’'\-]|\.\w)"
_PERSON_NAME = re.compile(rf"\b{_PERSON_WORD}(?:\s+(?:(?:de|van|von|al)\s+)?{_PERSON_WORD})+")
LONG_NAME = 3  # a run this long that starts a sentence begins with an ordinary word (Forskningsscientist Abhishek Das)
_HAN_TAGS = {PERSON: ("nr",), PLACE: ("ns",), ORGANISATION: ("nt", "nz", "eng")}
_SENTENCE_START = re.compile(r"^\W*")


def wanted(question: str, glossary: Glossary | None = None) -> str | None:
    """The kind of answer the question asks for, or None when its form does not say: its cue words, else
    the noun after its "which" or "what" (which poet, ما النهر, 哪个乐队), read in English through the
    glossary."""
    text = fold(question)
    found = next((kind for kind, cue in _WANTS.items() if cue.search(text)), None)
    return found or _head_noun_kind(text, glossary)


def _head_noun_kind(text: str, glossary: Glossary | None) -> str | None:
    """The kind the noun after the question's asking word names: the first type noun among its pack's
    head_words content words (up to the first punctuation), each read through its first HEAD_GLOSSES
    English glosses; a name noun is passed over (the name of the mayor), a sort noun ends it with None
    ("what type of school" asks for a sort of school, not one)."""
    language = question_language(text)
    asking, head_words = _ASKING.get(language, (None, 0))
    match = asking.search(text) if asking else None
    if match is None:
        return None
    phrase = _PHRASE_END.split(text[match.end():], maxsplit=1)[0]
    counted = 0
    for english in _head_words(phrase, language, glossary):
        forms = {f for gloss in english[:HEAD_GLOSSES] for f in _singulars(gloss.lower())}
        if forms & _SORT_NOUNS:
            return None
        kind = next((kind for kind, nouns in _TYPE_NOUNS.items() if forms & nouns), None)
        if kind:
            return kind
        counted += not forms & _NAME_NOUNS
        if counted >= head_words:
            return None
    return None


def _singulars(word: str) -> set[str]:
    """The word and the singulars its English plural ending may stand for (companies: company); not the
    stemmer's stem, which makes "researcher" (a person) and "research" one word."""
    forms = {word}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s"):
        forms.add(word[:-1])
    return forms


def _head_words(phrase: str, language: str, glossary: Glossary | None) -> list[list[str]]:
    """The phrase's content words as English: an English word as itself, another language's through the
    glossary (words it has no gloss for, function words and names among them, left out)."""
    if language == "en":
        found = (_POSSESSIVE.sub("", word) for word in re.findall(r"[\w'’-]+", phrase))
        return [[word] for word in found if word.lower() not in STOPWORDS]
    if glossary is None:
        return []
    return [glosses for _, glosses in glossary.gloss_words(phrase, language) if glosses]


def spans(kind: str, text: str, language: str = "und") -> list[str]:
    """The spans of the text that are an answer of that kind, in order of appearance."""
    if kind == NUMBER:
        return _counts(fold(text), language)
    if kind == PERCENT:
        return [m.group().strip() for m in _PERCENT.finditer(fold(text))]
    if kind == DURATION:
        return [m.group().strip() for m in _DURATION.finditer(fold(text))]
    if kind == DATE:
        return [m.group().strip() for m in _DATE.finditer(fold(text))]
    return names(text, language, kind)


def _counts(text: str, language: str) -> list[str]:
    """The figures of a folded text that count something: not those of a duration or a date
    ("about 7 years", "2023"), which answer "how long" and "when", not "how many"; not another language's
    number word that is a word of this one (Danish "to", "fire" in English); not a number word that mostly
    means "a" (一次)."""
    taken = [m.span() for pattern in (_DURATION, _DATE) for m in pattern.finditer(text)]
    found = [m.group().strip() for m in _NUMBER.finditer(text)
             if not any(start <= m.start() < end for start, end in taken)]
    not_counts = _NOT_COUNTS.get(language, frozenset())
    return [f for f in found if f.casefold() not in not_counts and not _foreign_number_word(f, language)]


def _foreign_number_word(figure: str, language: str) -> bool:
    """True for a word that only another language's pack reads as a figure, in a text of a language with a pack."""
    own = _NUMBER_WORDS_OF.get(language)
    if own is None or own.fullmatch(figure):
        return False
    return any(other.fullmatch(figure) for code, other in _NUMBER_WORDS_OF.items() if code != language)


def without_hedge(span: str) -> str:
    """The figure of a span without its hedge ("600" of "roughly 600"): what a question may state."""
    return _LEADING_HEDGE.sub("", span)


def holds(kind: str, text: str, language: str = "und") -> bool:
    """True when the text holds an answer of that kind (a figure, a date, a name …)."""
    return bool(spans(LIST_ITEM.get(kind, kind), text, language))


def fit(wants: str | None, text: str, language: str = "und") -> float:
    """+TYPE_WEIGHT if the text holds the kind of answer asked for, minus that if not, 0 when none is asked."""
    if wants is None:
        return 0.0
    return TYPE_WEIGHT if holds(wants, text, language) else -TYPE_WEIGHT


def names(text: str, language: str, kind: str = PERSON) -> list[str]:
    """Names in the text: Latin capitalised runs (not the sentence's first word alone), then those the
    language's name finder adds (jieba's tagged names in Chinese, Arabic words no dictionary knows)."""
    pattern = _PERSON_NAME if kind == PERSON else _LATIN_NAME
    found = [m.group() for m in pattern.finditer(text) if not _first_word_only(text, m)
             and not (kind == PERSON and _in_organisation_name(text, m))]
    if kind == PERSON:
        found = [_without_opening_word(text, name) for name in found if not _common_words(name)]
    return _whole_names(list(dict.fromkeys(found + _finder_names(text, language, kind))))


def _whole_names(found: list[str]) -> list[str]:
    """The names without those that are only words of a longer one found too ("Park" of "South Park
    Commons", which a segmenter gives word by word)."""
    runs = [f" {name} " for name in found if " " in name]
    return [name for name in found if not any(f" {name} " in run and run != f" {name} " for run in runs)]


def _finder_names(text: str, language: str, kind: str) -> list[str]:
    """The names of that kind the language's name finder adds. A segmenter's persons leave out the words
    CC-CEDICT knows as ordinary ones; of runs of unknown words, a person is one of first and last name when
    the text has such a run."""
    from rag.search.gloss import get_glossary

    found = finder_names(text, language, get_glossary(), _HAN_TAGS.get(kind, HAN_NAME_TAGS))
    if kind != PERSON:
        return found
    finder = name_finder(language)
    if finder == SEGMENTER:
        return [word for word in found if not _ordinary_han_word(word)]
    if finder == UNKNOWN_WORDS:
        return [run for run in found if " " in run] or found
    return found


def _without_opening_word(text: str, name: str) -> str:
    """The name without its first word when it opens the sentence and the run is LONG_NAME words or more."""
    words = name.split()
    return " ".join(words[1:]) if len(words) >= LONG_NAME and _opens_sentence(text, text.find(name)) else name


def _in_organisation_name(text: str, match: re.Match) -> bool:
    """True when the capitalised run goes on into an acronym: "Acmes Applied AI Research" is a department,
    not a person called "Acmes Applied"."""
    run = _LATIN_NAME.match(text, match.start())
    return run is not None and any(word.isupper() for word in run.group()[match.end() - match.start():].split())


def _ordinary_han_word(word: str) -> bool:
    """True for a word jieba tags as a person that CC-CEDICT knows as an ordinary word, its pinyin in
    lower case (现代化 xian4 dai4 hua4, "to modernise"); a name is unknown to it or has capitalised pinyin
    (扎克伯格 Zha1 ke4 bo2 ge2)."""
    from rag.search.bridge import cedict

    pinyin = cedict().get_pinyin(word)
    return bool(pinyin) and not pinyin[:1].isupper()


def _common_words(name: str) -> bool:
    """True for a capitalised run made only of English dictionary words ("Silicon Valley", "Chief
    Scientist", "The Information"): a place, a title or a publication, not a person."""
    from rag.search.gloss import get_glossary

    return get_glossary().is_english_phrase(name)


def _first_word_only(text: str, match: re.Match) -> bool:
    """A single capitalised word that merely starts a sentence ("The", "Meanwhile")."""
    return _opens_sentence(text, match.start()) and " " not in match.group() and not match.group().isupper()


def _opens_sentence(text: str, at: int) -> bool:
    """True when position `at` of the text is the first word of a sentence."""
    return at == len(_SENTENCE_START.match(text).group()) or text[:at].rstrip()[-1:] in ".!?:\n"
