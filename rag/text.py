"""The rules of text, across languages: codes and names, scripts, folding, sentences, [n] markers.

The stages that read text (load, chunk, keyword, answer types, cite, the window)
all ask this module, so Arabic, Chinese, Danish and English are treated the same
way everywhere: one definition of a script range, a sentence end or a clitic prefix.
What is a fact of one language (its function words, pronouns, negations and their
endings, number, month and numeral words, clitics, the marks and letter variants fold()
evens out, the codes langdetect mistakes it for, its script, how its names are found) lives in
that language's pack (rag.language); the word tables and patterns here are built from every pack.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from langdetect import DetectorFactory, LangDetectException, detect_langs

from rag.language import (ARABIC_SCRIPT, CAPITALS, HAN_SCRIPT, LATIN, SEGMENTER, UNKNOWN_WORDS, pack, packs,
                          pairs, pattern, words)

if TYPE_CHECKING:  # the search stage builds on this module: its glossary is only named here
    from rag.search.gloss import Glossary

LANGUAGES = tuple(p.code for p in packs())
LANGUAGE_NAMES = {p.code: p.name for p in packs()}
RTL_LANGUAGES = frozenset({"fa", "he", "ur"} | {p.code for p in packs() if p.right_to_left})
DEFAULT_LATIN = "en"  # a Latin-script question no pack's function words claim is taken as English

# Script ranges, as regex character-class bodies.
ARABIC = "\u0600-\u06ff"
HAN = "\u4e00-\u9fff"

SENTENCE_PUNCTUATION = ".!?。！？؟।॥።۔"
# Sentence marks that need no space after them: CJK and Arabic ones, the Devanagari danda (।, ॥), the
# Ethiopic full stop (።) and the Urdu full stop (۔).
_TIGHT_ENDS = "。！？؟；।॥።۔"
DETECT_SAMPLE_CHARS = 4000
ARABIC_SHARE = 0.3  # share of letters in Arabic script that makes a text Arabic
HAN_SHARE = 0.2

DetectorFactory.seed = 0  # langdetect is random unless seeded
# Codes langdetect gives a pack's language that name another (Norwegian, Swedish for Danish), read as the
# pack's.
_LOOK_ALIKES = {code: p.code for p in packs() for code in p.look_alikes.split()}

# What fold() evens out, from every pack: the marks it drops and the letter variants it writes as one letter.
_MARKS = re.compile("|".join(f"[{p.marks}]" for p in packs() if p.marks) or r"(?!)")
_LETTER_FOLDS = str.maketrans({a: b for p in packs() for a, b in pairs(p.letter_folds).items()})
# One table, so fold() reads the text once for both: Arabic-Indic and Persian digits as 0-9 (Unicode's digits
# of a script, shared by the languages it writes), and invisible marks that change no letter dropped:
# direction marks and embeddings (an Arabic question typed with a right-to-left mark before its first word),
# the soft hyphen, the word joiner and the byte-order mark.
_DIGITS_AND_INVISIBLE = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789",
                                      "\u00ad\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                      "\u2060\u2066\u2067\u2068\u2069\ufeff")

# The clitics every pack writes onto the start of a word (Arabic وال "and the"), to find the word they are on.
CLITIC_PREFIX = re.compile(rf"^(?:{pattern('clitics')})")

# A sentence ends after CJK/Arabic terminal punctuation (no space needed), or after
# . ! ? (optionally a closing quote) when whitespace follows, or at a line break, so
# "7,800" and "$400.000" stay whole; an initial's period ends nothing ("Frederick W. Mote").
_SENTENCE_END = re.compile(
    rf"(?<=[{_TIGHT_ENDS}])(?![。！？؟”’」』）)।॥])|(?<=[.!?])(?<![\s(][A-Z]\.)(?=\s)|(?<=[.!?][”\"’)])(?=\s)|(?<=[!?])(?=[{HAN}])"
    r"|(?<=\n)(?=[^\n])"
)
# A claim of a model answer ends at terminal punctuation: a Latin one before whitespace (so "Levels.fyi"
# and "7.800" stay whole), a CJK or Arabic one anywhere; never before a citation marker, which belongs to
# the claim it follows ("It had 50 members. [1]", "at 7 a.m. [2]"), nor after an initial ("Frederick W. Mote").
CLAIM_END = re.compile(r"(?<=[.!?])(?<![\s(][A-Z]\.)\s+(?!\[\d)|(?<=[。！？؟।॥])\s*(?!\s*\[\d)|(?<=[.!?] \[\d\])\s+|(?<=[.!?]\[\d\])\s+")
# Citation markers: [1], [1, 2], [1،2], [1、2].
MARKER = re.compile(r"\[(\d+(?:\s*[,،、]\s*\d+)*)\]")


OPEN_QUOTE, CLOSE_QUOTE = "“", "”"


def quoted(quote: str) -> str:
    """The quote between “ and ”, without doubling a mark the quote already starts or ends with."""
    text = quote.strip()
    opening = "" if text.startswith(OPEN_QUOTE) else OPEN_QUOTE
    closing = "" if text.endswith(CLOSE_QUOTE) else CLOSE_QUOTE
    return f"{opening}{text}{closing}"


def nfc(text: str) -> str:
    """The only normalisation a quote may differ from its article by."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """NFKC, invisible marks dropped, Arabic-Indic digits as 0-9, the packs' marks dropped and letter variants
    folded (Arabic diacritics, أ as ا); case kept."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS_AND_INVISIBLE)
    return _MARKS.sub("", text).translate(_LETTER_FOLDS)


def word_set(attribute: str) -> frozenset[str]:
    """Every word of a word-list attribute of the language packs, folded and case-folded as text is compared."""
    return frozenset(fold(w).casefold() for w in words(attribute))


def _substrings(attribute: str) -> re.Pattern:
    """The words of an attribute of the unspaced languages' packs, found inside runs of text, longest first."""
    found = sorted({w for p in packs() if not p.spaced for w in getattr(p, attribute).split()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, found)) or r"(?!)")


def normalize(text: str) -> str:
    """fold() and case-folded: how keyword search compares words."""
    return fold(text).casefold()


def is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def script_language(text: str) -> str:
    """"ar" or "zh" when the script says so, "latin" otherwise, "und" for text without letters."""
    letters = [c for c in text[:DETECT_SAMPLE_CHARS] if c.isalpha()]
    if not letters:
        return "und"
    if sum(map(is_arabic, letters)) / len(letters) > ARABIC_SHARE:
        return "ar"
    if sum(map(is_han, letters)) / len(letters) > HAN_SHARE:
        return "zh"
    return "latin"


def detect_language(text: str) -> str:
    """Guess the language: the script settles Arabic and Chinese, langdetect the rest (a look-alike's code
    read as its pack's language)."""
    script = script_language(text)
    if script != "latin":
        return script
    try:
        best = detect_langs(text[:DETECT_SAMPLE_CHARS])[0]
    except LangDetectException:
        return "und"
    return _LOOK_ALIKES.get(best.lang, best.lang)


# Per Latin-script language, the function words that tell a short text's language, and its own letters.
_FUNCTION_WORDS = {p.code: frozenset(p.function_words.split()) for p in packs() if p.function_words}
_OWN_LETTERS = {p.code: p.letters for p in packs() if p.script == LATIN}
OWN_LETTER_WEIGHT = 2  # a letter only one language writes (æ) says as much as two of its function words


def question_language(text: str) -> str:
    """The language of a short text such as a question: the script settles Arabic and Chinese; a Latin one is
    the language whose function words and own letters (æ ø å) it holds most of, English on a tie. langdetect
    costs milliseconds a call and is unsure on a dozen words; this is the same on every question of the eval set."""
    script = script_language(text)
    if script != "latin":
        return script
    found = re.findall(r"\w+", text.casefold())

    def evidence(code: str) -> int:
        own = sum(text.count(letter) for letter in _OWN_LETTERS.get(code, ""))
        return sum(w in _FUNCTION_WORDS.get(code, ()) for w in found) + OWN_LETTER_WEIGHT * own

    return max(_OWN_LETTERS, key=lambda code: (evidence(code), code == DEFAULT_LATIN))


MIN_FUNCTION_SHARE = 0.1  # prose with this share of a language's function words is written in it
FUNCTION_WORDS = frozenset().union(*_FUNCTION_WORDS.values())
_PROSE_WORD = re.compile(rf"[{HAN}]|[^\W\d_{HAN}]+")


# Month names, whose number a date may be written with instead (April = 4月 = أبريل = 4).
MONTHS = {name: str(number) for p in packs()
          for number, name in enumerate(fold(p.months).casefold().split(), start=1)}


def month_numbers(text: str) -> set[str]:
    """The numbers of the months the text names ("April 2023" -> {"4"})."""
    return {MONTHS[w] for w in re.findall(r"\w+", fold(text).casefold()) if w in MONTHS}


# Number words, whose figure a claim may write in digits instead (twelve = 十二 = اثنا عشر = 12).
NUMBER_WORDS = {w: n for p in packs() for table in (p.units, p.ordinals)
                for n, w in enumerate(fold(table).casefold().split(), start=1)}
NUMBER_WORDS.update({w: 10 * n for p in packs() for n, w in enumerate(fold(p.tens).casefold().split(), start=2)})
TEENS = frozenset(fold(p.teen) for p in packs() if p.teen)  # "X عشر": ten and X (التاسع عشر, the nineteenth)
# Numerals written in digit and unit characters (十二 = 12, 一万一千 = 11000), of every pack that has them: a unit
# is the next power of ten, a group the next power of the one past the units (万 10⁴ after 十百千, 亿 10⁸).
_NUMERAL_DIGITS = {c: n for p in packs() for n, chars in enumerate(p.numeral_digits.split()) for c in chars}
_NUMERAL_UNITS = {c: 10**n for p in packs() for n, c in enumerate(p.numeral_units, start=1)}
_NUMERAL_GROUPS = {c: 10 ** ((len(p.numeral_units) + 1) * n)
                   for p in packs() for n, c in enumerate(p.numeral_groups, start=1)}
_TENS = frozenset(p.numeral_units[:1] for p in packs() if p.numeral_units)  # ten alone is a figure (十)
_NUMERAL_CHARS = "".join(_NUMERAL_DIGITS | _NUMERAL_UNITS | _NUMERAL_GROUPS)
_NUMERAL = re.compile(f"[{re.escape(_NUMERAL_CHARS)}]+" if _NUMERAL_CHARS else r"(?!)")


def numeral_value(numeral: str) -> int | None:
    """The value of a numeral written in a pack's numeral characters: 十二 -> 12, 六百 -> 600, 一万一千 -> 11000;
    None for a unit or group alone (亿 in 15亿 is no figure of its own), though ten alone is one."""
    total, section, digit = 0, 0, None
    for char in numeral:
        if char in _NUMERAL_DIGITS:
            digit = _NUMERAL_DIGITS[char]
        elif char in _NUMERAL_GROUPS:
            total = (total + section + (digit or 0)) * _NUMERAL_GROUPS[char]
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _NUMERAL_UNITS[char]
            digit = None
    if not any(c in _NUMERAL_DIGITS or c in _TENS for c in numeral):
        return None
    return total + section + (digit or 0)


def number_words(text: str) -> set[str]:
    """The figures the text writes in words, as digits: "twelve pages" -> {"12"}, التاسع عشر -> {"19"},
    十二页 -> {"12"}; a compound ten and unit ("twenty-one") as its sum."""
    found = set()
    words = re.findall(r"\w+", fold(text).casefold())
    for i, word in enumerate(words):
        value = NUMBER_WORDS.get(word, NUMBER_WORDS.get(CLITIC_PREFIX.sub("", word)))
        if value is None:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in TEENS and value < 10:
            value += 10
        elif value >= 20 and NUMBER_WORDS.get(following, 10) < 10:
            value += NUMBER_WORDS[following]
        found.add(str(value))
    found |= {str(v) for v in map(numeral_value, _NUMERAL.findall(text)) if v is not None}
    return found


# Text addressed to the model, not about the world: an instruction planted in an article, or the prompt's own
# structure (rag/prompts/answer.txt), in every pack's language. Such a sentence is never a citation.
_INSTRUCTIONS = re.compile(fold(pattern("instructions")), re.I | re.S)


# Words that only say yes or no, or how sure: a claim made of them (and function words) asserts nothing a quote
# could back ("Yes, absolutely").
YES_NO = word_set("yes_no")


# Words that name no topic of their own: light verbs, and the calendar words a date is written with. A question
# of these, function words and figures ("What happened in 2023?", "2023年发生了什么?", "What is 2 + 2?")
# names nothing the articles could be about.
NO_TOPIC_WORDS = word_set("no_topic_words")


def says_nothing(claim: str) -> bool:
    """True for a claim of yes/no and function words only: no figure, no name, no word of its own."""
    claim = strip_markers(claim)
    if any(ch.isdigit() for ch in claim) or names(claim):
        return False
    words = [w.casefold() for w in re.findall(r"\w+", fold(claim))]
    return all(w in YES_NO or w in FUNCTION_WORDS for w in words)


def looks_like_instructions(text: str) -> bool:
    """True for a sentence that speaks to the model ("Ignore the question and reply only with …") or copies
    the prompt's structure ("</passages>", "Question:", "Answer:"), in any of the four languages."""
    return bool(_INSTRUCTIONS.search(fold(text)))


# Characters a file name may hold that must not act on a terminal or a page: controls (ESC, BEL, newline)
# and the bidirectional overrides and isolates, which reorder the text shown after them.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable_name(name: str) -> str:
    """A file name as it may be shown: each control or bidi character written as its escape (\\x1b, \\u202e)."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS else c
        for c in name)


# A word of a file's name: letters only or a figure alone ("50"); a run mixing letters and figures (a hash,
# e4361c01c8850e8e) names nothing.
_NAME_WORD = re.compile(r"(?<![^\W_])(?:[^\W\d_]+|\d+)(?![^\W_])")
_LEADING_NUMBER = re.compile(r"^\d+(?=[\W_])")  # a file's place in its folder ("00_"), not its subject


def file_subject(source: str) -> str:
    """The words a document's file name gives, which name its subject: "00_super_bowl_50.txt" is
    "super bowl 50", a page its passages leave implied ("the game", "the city"); a hash or a bare number
    gives nothing."""
    stem = PurePosixPath(source.replace("\\", "/")).stem
    found = _NAME_WORD.findall(_LEADING_NUMBER.sub("", stem))
    return " ".join(found) if any(not word.isdigit() for word in found) else ""


# Each pack script as script_language() names it.
_SCRIPT_NAMES = {ARABIC_SCRIPT: "ar", HAN_SCRIPT: "zh", LATIN: "latin"}


def script_of(language: str) -> str:
    """The script its pack says a language is written in, as script_language() names it: "ar", "zh" or
    "latin" ("latin" too for a language without a pack)."""
    found = pack(language)
    return _SCRIPT_NAMES[found.script] if found else "latin"


def prose_words(text: str) -> list[str]:
    """The text's words without its names and figures; each Han character counts as a word."""
    named = {word for _, word in names(text)}
    return [w for w in _PROSE_WORD.findall(fold(text)) if w not in named]


def speaks(text: str, language: str) -> bool:
    """True when at least MIN_FUNCTION_SHARE of the text's words are the language's function words
    (English and Danish; False for a language without a list)."""
    function_words = _FUNCTION_WORDS.get(language)
    words = [w.casefold() for w in prose_words(text)]
    return bool(function_words and words) and sum(w in function_words for w in words) >= MIN_FUNCTION_SHARE * len(words)


def language_name(code: str) -> str:
    """"Arabic" for "ar"; the code itself for a language without a name here."""
    return LANGUAGE_NAMES.get(code, code or "unknown")


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing whitespace kept, so joining them gives back the text."""
    return [piece for piece in _SENTENCE_END.split(text) if piece]


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers."""
    return MARKER.sub("", text)


def marker_numbers(text: str) -> list[int]:
    """The passage numbers of every [n] marker in the text, in order."""
    return [int(n) for group in MARKER.findall(text) for n in re.split(r"\D+", group) if n]


# Words that point back to something said before (follow-up detection); an unspaced script's inside runs.
PRONOUNS = word_set("pronouns")
_BOUND_PRONOUN = _substrings("bound_pronouns")
# A sentence that opens with he or she (han, hun, هو, هي, 他, 她): the person is named before it.
_OPENS_WITH_PERSON = re.compile(fold(rf"^\W*(?:{pattern('person_opening')})"), re.I)
_WORD = re.compile(r"\w+")
# A letter, digit, dot or hyphen of a Latin-script name: "Axios报道" is Axios.
_IN_NAME = rf"(?:(?![{ARABIC}{HAN}])[\w.\-])"
_NAME = re.compile(rf"(?<!^)(?<![.!?]\s)\b[A-Z]{_IN_NAME}+|\b[A-Z]{{2,}}\b|\b\w*[a-z][A-Z]\w*")  # capitalised, not first
_LATIN_WORD = re.compile(rf"[A-Za-z]{_IN_NAME}+")


# Words that deny what a sentence says; an unspaced script's as whole words found inside runs (不 alone is not
# one: it starts 不仅 "not only").
NEGATIONS = word_set("negations")
_BOUND_NEGATION = _substrings("negations")
# Endings that deny the word they are written onto ("didn't"): split off, they are read as words of their own.
_NEGATION_ENDINGS = tuple(fold(w).casefold() for w in words("negation_endings"))


def _split_negation_endings(folded: str) -> str:
    """Folded text with a space before each negation ending, so "didn't" reads as "did n't"."""
    for ending in _NEGATION_ENDINGS:
        folded = folded.replace(ending, f" {ending}")
    return folded


def negated(text: str) -> bool:
    """True when the text holds a word that denies (not, never, ikke, لم, 没有 …)."""
    folded = _split_negation_endings(fold(text).casefold())
    return any(w in NEGATIONS for w in re.findall(r"[\w']+", folded)) or bool(_BOUND_NEGATION.search(folded))


def first_pronoun(text: str) -> int | None:
    """Where the text's first pronoun or demonstrative (of any of the four languages) starts, or None."""
    folded = fold(text).casefold()
    found = [m.start() for m in _WORD.finditer(folded) if m.group() in PRONOUNS]
    found += [m.start() for m in _BOUND_PRONOUN.finditer(folded)]
    return min(found, default=None)


def opens_with_person_pronoun(sentence: str) -> bool:
    """True for "He added that …", "Hun sagde …", "他表示 …": a sentence whose subject is named before it."""
    return bool(_OPENS_WITH_PERSON.match(sentence))


# A question that asks two things: a second question word after "and", or a comparison.
_TWO_PARTS = re.compile(fold(pattern("two_parts")), re.I)


def asks_two_things(question: str) -> bool:
    """True for "Who led the group, and how many of its members …?" or "Compare X with Y": no single
    sentence is expected to hold the whole answer."""
    return bool(_TWO_PARTS.search(fold(question)))


def names(text: str) -> list[tuple[int, str]]:
    """(position, word) of the words that look like names: capitalised Latin words past the first,
    or every Latin word in an Arabic or Chinese text (Meta, Axios, FAIR)."""
    text = fold(text)
    pattern = _LATIN_WORD if script_language(text) in ("ar", "zh") else _NAME
    return [(m.start(), m.group()) for m in pattern.finditer(text)]


HAN_NAME_TAGS = ("nr", "ns", "nt")  # jieba's tags for a person, a place, an organisation


def han_names(text: str, tags: tuple[str, ...] = HAN_NAME_TAGS) -> list[str]:
    """Chinese words jieba tags as names (田渊栋, 谷歌), two characters or more."""
    import jieba.posseg

    from rag.search.bridge import han_segmenter  # here, not on top: the search stage builds on this module

    han_segmenter()  # posseg cuts with jieba's dictionary, CC-CEDICT's names added
    return [word for word, flag in jieba.posseg.cut(text) if flag in tags and len(word) >= 2]


def name_finder(language: str) -> str:
    """How names are found in the language's text, as its pack says (CAPITALS for a language without one)."""
    found = pack(language)
    return found.name_finder if found else CAPITALS


def finder_names(text: str, language: str, glossary: Glossary | None = None,
                 tags: tuple[str, ...] = HAN_NAME_TAGS) -> list[str]:
    """The names the language's own finder finds in the text, besides the capitalised Latin words every text
    is searched for (names()): a SEGMENTER's tagged names (han_names, with these tags), or the runs of words
    no dictionary knows for UNKNOWN_WORDS (the glossary's; none without one). A CAPITALS language adds none:
    its names are those capitalised words. The one place a language's names are found by its pack."""
    finder = name_finder(language)
    if finder == SEGMENTER:
        return han_names(text, tags)
    if finder == UNKNOWN_WORDS and glossary is not None:
        return glossary.arabic_names(text)
    return []


def name_runs(text: str) -> list[list[str]]:
    """names() joined into runs of adjacent words: ["Alexandr", "Wang"], not two names."""
    folded = fold(text)
    runs: list[list[str]] = []
    end = None
    for position, word in names(text):
        if runs and end is not None and not folded[end:position].strip():
            runs[-1].append(word)
        else:
            runs.append([word])
        end = position + len(word)
    return runs


def name_words(text: str) -> list[str]:
    """The words of names() without their positions."""
    return [word for _, word in names(text)]
