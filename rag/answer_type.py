"""Answer types: a "how many" question wants a number, a "when" question a date.

A sentence that shares the question's words but holds no number cannot answer "how
many"; one that does is more likely the answer. Written by hand because no offline
library here reads question types in English, Danish, Arabic and Chinese alike; the
cue words are the common question forms of each language, not words of the articles.
"""

from __future__ import annotations

import re

from rag.keyword import fold


def _pattern(source: str) -> re.Pattern:
    """A case-blind pattern over text folded as the keyword stage folds it (so أ and ا match alike)."""
    return re.compile(fold(source), re.I)


_WANTS = {
    "number": _pattern(
        r"\bhow (?:many|much|far|long|old|big)\b|\bwhat (?:percentage|share|proportion|number)\b"
        r"|\bhvor (?:mange|meget|stor|længe|lang)\b|\bhvilken andel\b"
        r"|(?:^|\s)كم(?:\s|$)|\bما (?:عدد|نسبة)\b|多少|几|百分之",
    ),
    "date": _pattern(
        r"\bwhen\b|\bsince when\b|\bwhat (?:date|day|year|month|time)\b|\bwhich (?:day|date|year|month)\b"
        r"|\bby what time\b|\bhvornår\b|\bhvilken (?:dag|dato|måned)\b|\bhvilket år\b"
        r"|(?:^|\s)متى(?:\s|$)|\bأي يوم\b|\bمنذ متى\b|什么时候|何时|哪一?年|哪一?天|几月|几点",
    ),
}

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?"
    r"|billions?|half|percent|tre|fem|seks|syv|otte|hundrede|tusind|millioner|procent"
)
_HOLDS = {
    "number": _pattern(
        rf"\d|\b(?:{_NUMBER_WORDS})\b|[一二三四五六七八九十百千万两亿]"
        r"|(?<![\u0600-\u06ff])(?:ال|و)?(?:واحد|اثن|ثلاث|أربع|خمس|سبع|ثمان|تسع|عشر|مئة|مائة|مئات|ألف|آلاف|مليون|نصف)",
    ),
    "date": _pattern(
        r"\d|\b(?:january|february|march|april|june|july|august|september|october|november|december"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last week|this week"
        r"|januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
        r"|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|i går|i dag)\b"
        r"|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
        r"|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|أمس|اليوم"
        r"|[年月日]|星期|周[一二三四五六日]|昨天|今天",
    ),
}


def wanted(question: str) -> str | None:
    """"number", "date", or None when the question's form does not say."""
    text = fold(question)
    return next((kind for kind, cue in _WANTS.items() if cue.search(text)), None)


def holds(kind: str, text: str) -> bool:
    """True when the text holds an answer of that kind (a figure, a date)."""
    return bool(_HOLDS[kind].search(fold(text)))
