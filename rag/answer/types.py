"""Answer types: what kind of answer a question asks for, and the spans of a sentence that are one.

"How many" wants a number, "how long" a duration, "who" a person, "which company" an
organisation, "which two researchers" a list. A sentence that lacks the asked type cannot
be the answer; the span of that type is the short answer. Written by hand because no
offline library here reads question forms and finds names in English, Danish, Arabic
and Chinese alike: the cue words are the common question forms of each language, names
are capitalised Latin words, jieba's person/place/organisation tags for Chinese, and
Arabic words that no dictionary knows (transliterated names).
"""

from __future__ import annotations

import re

from rag.text import ARABIC, HAN_NAME_TAGS, fold, han_names

PERSON, ORGANISATION, PLACE, NUMBER, PERCENT, DURATION, DATE, LIST = (
    "person", "organisation", "place", "number", "percent", "duration", "date", "list")
ENTITY_KINDS = (PERSON, ORGANISATION, PLACE)
LIST_ITEM = {LIST: PERSON}  # a list question names several people
TYPE_WEIGHT = 0.1  # a sentence with (without) the kind of answer asked for gains (loses) this much support


def _pattern(source: str) -> re.Pattern:
    """A case-blind pattern over text folded as the keyword stage folds it (so أ and ا match alike)."""
    return re.compile(fold(source), re.I)


# Question forms, tried in this order (a "how long" question is a duration, not a number).
_WANTS = {
    LIST: _pattern(
        r"\bwhich (?:two|three|four|people|persons|researchers|executives|companies)\b|\bname (?:one|two|three)\b"
        r"|\bwhat (?:two|three)\b"
        r"|\bhvilke (?:to|tre|personer|folk|virksomheder)\b|\bnævn (?:en|to|tre)\b"
        r"|\bمن هم|\bما (?:هما|هي) (?:الشركتان|الشخصان)|哪两|哪三|哪几|哪些人|有谁|列举",
    ),
    DURATION: _pattern(
        r"\bhow long\b|\bfor how many (?:years|months|weeks|days)\b|\bhow many (?:years|months|weeks|days)\b"
        r"|\bhvor længe\b|\bhvor mange (?:år|måneder|uger|dage)\b"
        r"|\bكم (?:من الوقت|سنة|عاما|شهرا|يوما)\b|\bمنذ متى\b|\bما (?:مدة|المدة)\b|多久|多长时间|几年|多少年|几个月|多少个月",
    ),
    DATE: _pattern(
        r"(?:^\W*|\band |\bsince )when\b|\bwhat (?:date|day|year|month|time)\b|\bwhich (?:day|date|year|month)\b|\bby what time\b"
        r"|\bhvornår\b|\bhvilken (?:dag|dato|måned)\b|\bhvilket år\b|\bhvad tid\b"
        r"|(?:^|\s)متى(?:\s|$)|\bأي (?:يوم|تاريخ|عام|سنة)\b|\bفي أي\b|什么时候|何时|哪一?年|哪一?天|几月|几点|什么时间",
    ),
    PERCENT: _pattern(
        r"\b(?:what|which) (?:percentage|share|proportion)\b|\bhow many (?:percent|per cent)\b|\bby what percent"
        r"|\bhvor mange procent\b|\bhvilken andel\b|\bhvor stor (?:en )?andel\b|\bما (?:النسبة|نسبة)\b|(?:^|\s)كم (?:في المئة|بالمئة)|百分之几|百分比|多少百分",
    ),
    NUMBER: _pattern(
        r"\bhow (?:many|much|far|old|big)\b|\bwhat (?:number|amount)\b|\bby how much\b"
        r"|\bhvor (?:mange|meget|stor)\b|\bhvor meget\b"
        r"|(?:^|\s)كم(?:\s|$)|\bما (?:عدد|حجم)\b|多少|几",
    ),
    ORGANISATION: _pattern(
        r"\bwhich (?:company|companies|firm|organi[sz]ation|outlet|news outlet|publication|lab|agency|site|website)\b"
        r"|\bwhat (?:company|firm|organi[sz]ation|outlet|news outlet|publication|agency|site|website)\b"
        r"|\bhvilken (?:virksomhed|organisation)\b|\bhvilket (?:firma|medie|selskab)\b"
        r"|\bأي (?:شركة|وكالة|موقع|مؤسسة)\b|\bما (?:الشركة|الوكالة|الموقع)\b|哪家|哪个公司|什么公司|哪个机构|哪家媒体",
    ),
    PLACE: _pattern(
        r"^\W*where\b|\bin which (?:city|country|place)\b|^\W*hvor\b(?! (?:mange|meget|længe|stor))|\bhvilket land\b"
        r"|(?:^|\s)أين(?:\s|$)|\bفي أي (?:مدينة|بلد)\b|哪里|在哪|哪个城市|哪个国家",
    ),
    PERSON: _pattern(
        r"(?:^\W*|\band )(?:who|whom|whose)\b|\bwhich (?:person|executive|researcher|manager|director)\b"
        r"|(?:^\W*|\bog )hvem\b|\bhvilken (?:person|direktør|forsker|chef)\b|^\s*من\s|\sمن (?:هو|هي|الذي|التي)\b|谁|哪位",
    ),
}

_DANISH_NUMBER_WORDS = frozenset(
    "en et to tre fire fem seks syv otte ni ti tolv hundrede tusind millioner procent".split())
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty|hundred|dozens?"
    r"|hundreds?|thousands?|millions?|billions?|half|percent|en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|tolv"
    r"|hundrede|tusind|millioner|procent"
)
# An Arabic number word, whole: with its endings (ثمانية, عشرين, آلاف) but not the start of another word
# (الفرق "the teams" is not ألف "thousand", الأربعاء "Wednesday" is not أربع "four").
_ARABIC_NUMBER = (rf"(?<![{ARABIC}])(?:ال|و)?(?:واحد|اثن|ثلاث|أربع|خمس|سبع|ثمان|تسع|عشر|مئة|مائة|مئات|ألف|آلاف"
                  rf"|مليون|نصف)(?:ية|ة|ان|ين|ون|تان|تين|ا|ات|ي)?(?![{ARABIC}])")
_HAN_NUMBER = "[一二三四五六七八九十百千万两亿]+"
_HAN_ONE = "一"
# A share said in words: "a third", "halvdelen", "ثلث", "三分之一" (not "half-year").
_FRACTION = (r"\b(?:(?:a|one|two|three) (?:thirds?|quarters?)|half)\b(?!-)|\b(?:en )?(?:tredjedel|tredjedele|halvdel"
             rf"|halvdelen|fjerdedel|kvart)\b|(?<![{ARABIC}])(?:ال)?(?:ثلث|ربع)(?![{ARABIC}])"
             r"|[一二三四五六七八九十]+分之[一二三四五六七八九十]+|一半")
_NUMBER = _pattern(rf"{_FRACTION}|\d[\d,.]*\d%?|\d%?|\b(?:{_NUMBER_WORDS})\b|{_ARABIC_NUMBER}"
                   rf"|{_HAN_NUMBER}|[0-9]+")
_PERCENT = _pattern(rf"\d[\d,.]*\s?[%٪]|\d[\d,.]*\s(?:percent|per cent|procent|في المئة|بالمئة|في المائة)"
                    rf"|百分之[\d一二三四五六七八九十]+|{_FRACTION}")
_UNIT_WORDS = (
    r"years?|months?|weeks?|days?|hours?|decades?|år|årti|måneder|måned|uger|uge|dage|dag|timer"
    r"|سنوات|سنة|سنين|عاما|أعوام|عام|أشهر|شهرا|شهر|أسابيع|أيام|يوما|ساعات"
)
_DURATION = _pattern(
    rf"(?:(?:more than|over|almost|nearly|about|mere end|over|næsten|omkring|أكثر من|نحو|حوالي|超过|近)\s*)?"
    rf"(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS})\b|{_ARABIC_NUMBER}|{_HAN_NUMBER}|a|an|et|en)[\s-]*"
    rf"(?:{_UNIT_WORDS})\b|(?:{_HAN_NUMBER}|(?<!\d)\d{{1,2}}(?!\d))\s*(?:年|个月|月|周|天|小时)多?"
)
_DATE = _pattern(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last (?:week|month|year)"
    r"|januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
    r"|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|i går|i dag|sidste uge)\b(?:\s+\d{1,2}(?:st|nd|rd|th)?)?"
    r"|\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)[a-z]*\.?\s+\d{4}|\b(?:19|20)\d\d\b"
    r"|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|الاثنين|الثلاثاء|الأربعاء"
    r"|الخميس|الجمعة|السبت|الأحد|أمس|اليوم|\d+年\d*月?\d*日?|\d+月\d+日|星期.|周[一二三四五六日]|昨天|今天|上周"
)
# Latin names: a run of capitalised words (Devi Parikh, Silicon Valley, Levels.fyi), or an acronym (FAIR).
# A name word; a hyphen only between capitalised parts (Jean-Luc): "Google-backed" is Google, "EU-regler" none.
_NAME_WORD = r"[A-Z][A-Za-z.’']*(?:-[A-Z][A-Za-z.’']*)*[A-Za-z]"
_LATIN_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|van|von|al))*\b|\b[A-Z]{{2,}}\b")
# A person: two or more name words (Devi Parikh, Yann LeCun), none an acronym, a possessive or hyphenated.
_PERSON_WORD = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?![\w’'\-]|\.\w)"
_PERSON_NAME = re.compile(rf"\b{_PERSON_WORD}(?:\s+(?:(?:de|van|von|al)\s+)?{_PERSON_WORD})+")
LONG_NAME = 3  # a run this long that starts a sentence begins with an ordinary word (Forskningsscientist Abhishek Das)
_HAN_TAGS = {PERSON: ("nr",), PLACE: ("ns",), ORGANISATION: ("nt", "nz", "eng")}
_SENTENCE_START = re.compile(r"^\W*")


def wanted(question: str) -> str | None:
    """The kind of answer the question asks for, or None when its form does not say."""
    text = fold(question)
    return next((kind for kind, cue in _WANTS.items() if cue.search(text)), None)


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
    ("about 7 years", "2023"), which answer "how long" and "when", not "how many"; in English,
    not the Danish number words that are English words too ("to", "fire"); in Chinese, not a lone
    一, which mostly means "a" (一次, 一起)."""
    taken = [m.span() for pattern in (_DURATION, _DATE) for m in pattern.finditer(text)]
    found = [m.group().strip() for m in _NUMBER.finditer(text)
             if not any(start <= m.start() < end for start, end in taken)]
    if language == "zh":
        return [f for f in found if f != _HAN_ONE]
    return [f for f in found if f.casefold() not in _DANISH_NUMBER_WORDS] if language == "en" else found


def holds(kind: str, text: str, language: str = "und") -> bool:
    """True when the text holds an answer of that kind (a figure, a date, a name …)."""
    return bool(spans(LIST_ITEM.get(kind, kind), text, language))


def fit(wants: str | None, text: str, language: str = "und") -> float:
    """+TYPE_WEIGHT if the text holds the kind of answer asked for, minus that if not, 0 when none is asked."""
    if wants is None:
        return 0.0
    return TYPE_WEIGHT if holds(wants, text, language) else -TYPE_WEIGHT


def names(text: str, language: str, kind: str = PERSON) -> list[str]:
    """Names in the text: Latin capitalised runs (not the sentence's first word alone), jieba's tagged
    names in Chinese, unknown-to-the-dictionary words in Arabic."""
    pattern = _PERSON_NAME if kind == PERSON else _LATIN_NAME
    found = [m.group() for m in pattern.finditer(text) if not _first_word_only(text, m)
             and not (kind == PERSON and _in_organisation_name(text, m))]
    if kind == PERSON:
        found = [_without_opening_word(text, name) for name in found if not _common_words(name)]
    if language == "zh":
        tagged = han_names(text, _HAN_TAGS.get(kind, HAN_NAME_TAGS))
        found += [word for word in tagged if not (kind == PERSON and _ordinary_han_word(word))]
    elif language == "ar":
        from rag.search.gloss import get_glossary

        runs = get_glossary().arabic_names(text)
        full = [run for run in runs if " " in run]  # a person is named by first and last name
        found += full if kind == PERSON and full else runs
    return list(dict.fromkeys(found))


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
