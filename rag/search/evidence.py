"""Evidence: a question's words, weighted by rarity, ready to measure any passage or sentence against.

Built once per question and shared by the rerank, the offline extraction, the LLM
path's citation check and the abstention decision, so they all agree on what the
question asks. Each word counts once (any of its stems or cross-lingual bridge tokens
will do), weighted by its rarity in the corpus (IDF), so "Axios" or "Levels.fyi"
weigh more than "Meta". Through the gloss layer a word also meets its translations:
an English question word its Arabic, Danish and Chinese dictionary equivalents, an
Arabic or Danish question word its English glosses; such a meeting counts GLOSS_WEIGHT
of a meeting in the word's own language.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

import numpy as np

from rag.language import pack
from rag.search.bridge import SKELETON
from rag.search.gloss import GLOSSED_LANGUAGES, Glossary
from rag.search.keyword import KeywordIndex, terms, tokenize
from rag.text import (LANGUAGE_NAMES, asks_two_things, finder_names, is_arabic, month_numbers, name_runs, names,
                      number_words, question_language, script_language)

GLOSS_WEIGHT = 0.7  # a word met only through a dictionary gloss or expansion counts this much
TOPIC_WEIGHT = 0.3  # a word a follow-up borrows from the earlier question weighs this much of its own words
NON_LATIN_SCRIPTS = ("ar", "zh")  # script_language() of a text in Arabic or Chinese script
ACRONYM = re.compile(r"[A-Z]{2,}")
_LATIN_WORD = re.compile(r"[A-Za-zæøåÆØÅ][\w'’-]*")
# "danish": "da", as a question names an article by its language
LANGUAGE_OF_NAME = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()}
# A web address (Levels.fyi, x.com) is copied as written into every language, never translated.
WEB_ADDRESS = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")


class Evidence:
    """A question's word groups, their dictionary translations, and their weights."""

    def __init__(self, question: str, index: KeywordIndex, glossary: Glossary | None = None, topic: str = "") -> None:
        """topic: the earlier questions a follow-up leans on; their words count TOPIC_WEIGHT of the follow-up's."""
        self.question = question
        self.index = index
        self.glossary = glossary
        own = [set(g) for g in terms(question, query=True)]
        borrowed = [set(g) for g in terms(topic, query=True) if not any(set(g) & o for o in own)]
        self.groups = own + borrowed
        self.own = len(own)  # groups [0, own) are the question's own words
        self.translations = [mine | borrowed for mine, borrowed in
                             zip(self._translations(question), self._translations(topic))]
        self.weights = [max(index.idf(t) for t in g) * (1.0 if i < len(own) else TOPIC_WEIGHT)
                        for i, g in enumerate(self.groups)]
        self.total = sum(self.weights)

    def _translations(self, question: str) -> list[set[str]]:
        """Per word group, the tokens of its dictionary translations (empty without a glossary)."""
        found: list[set[str]] = [set() for _ in self.groups]
        if self.glossary is None:
            return found
        language = question_language(question)
        for word, tokens in self._translated_words(question, language):
            stems = set(tokenize(word, query=True))
            for group, extra in zip(self.groups, found):
                if group & stems:
                    extra.update(tokens - group)
        return found

    def _translated_words(self, question: str, language: str):
        """(question word, tokens of its translations) for each word the dictionaries know."""
        if language in GLOSSED_LANGUAGES:
            for word, glosses in self.glossary.gloss_words(question, language):
                if glosses:
                    yield word, set(tokenize(" ".join(glosses), "en"))
            return
        for word in _LATIN_WORD.findall(question):
            tokens = {t for lang in GLOSSED_LANGUAGES for w in self.glossary.expand(word.lower(), lang)
                      for t in _surface_token(w, lang)}
            if tokens:
                yield word, tokens

    def keyword_tokens(self) -> list[str]:
        """Every token of the question and of its translations, for keyword search."""
        return [t for group, extra in zip(self.groups, self.translations) for t in sorted(group | extra)]

    def support(self, text: str, language: str = "und") -> float:
        """Weighted share of the question's words found in the text (0..1), translations counting less."""
        return self.joint_support([(text, language)])

    def joint_support(self, texts: list[tuple[str, str]]) -> float:
        """support() of several (text, language) read together: each word counts where it is met best."""
        if not self.total or not texts:
            return 0.0
        credits = [max(column) for column in zip(*(self._credits(text, language) for text, language in texts))]
        return sum(w * c for w, c in zip(self.weights, credits)) / self.total

    def missing(self, text: str, language: str = "und") -> list[int]:
        """Indexes of the question's word groups the text does not hold in any form."""
        return [i for i, credit in enumerate(self._credits(text, language)) if not credit]

    def _credits(self, text: str, language: str) -> list[float]:
        """Per word group: 1 when the text holds the word, GLOSS_WEIGHT when only a translation or gloss, else 0."""
        have = text_tokens(text, language)
        glossed = gloss_tokens(self.glossary, text, language) if self.glossary and language != "en" else frozenset()
        return [1.0 if group & have else GLOSS_WEIGHT if extra & have or group & glossed else 0.0
                for group, extra in zip(self.groups, self.translations)]

    @cached_property
    def question_tokens(self) -> set[str]:
        """Every token of the question's own words (not a follow-up's borrowed ones): tokenize(question)."""
        return set().union(*self.groups[: self.own])

    @cached_property
    def keys(self) -> dict[str, set[int]]:
        """The question's numbers and rare names, each with the word groups it is made of.

        A text that holds none of a key's groups in any form does not speak of what the question
        names: "Llama 5" is not "Llama 4", "the CEO of Google" is not "CEO Mark Zuckerberg".
        """
        found = {}
        for group_index, group in enumerate(self.groups[: self.own]):
            found.update({token: {group_index} for token in group if token[:1].isdigit()})
        for name in self._names():
            stems = set(tokenize(name, query=True))
            if self.index.is_rare_name(name):
                groups = {i for i, g in enumerate(self.groups) if g & stems}
                if groups:
                    found[name] = groups
        return found

    def _names(self) -> list[str]:
        """The question's names: Latin-script ones in any language, then those its language's name finder
        adds: jieba's in a Chinese question (谷歌), in an Arabic one the words no dictionary knows (جوجل)."""
        found = [name for _, name in names(self.question)]
        return found + finder_names(self.question, question_language(self.question), self.glossary)

    def missing_keys(self, text: str, language: str = "und") -> list[str]:
        """The keys (numbers, rare names) of the question that the text holds in no form.

        An acronym is not missing from a text in Arabic or Chinese script, which writes it out in
        its own words (GPU is 显卡, AI is الذكاء الاصطناعي) when it does not keep the Latin letters, nor
        from a text that spells out its initials (SP in "the Scottish Parliament"); a name in Arabic script
        is looked for in Arabic texts only, since its transliteration elsewhere (تيان يواندونغ, 田渊栋) is
        too loose to tell absent from spelled otherwise; a web address is looked for as written (a
        translation of "levels" is not Levels.fyi); a language's name is held by a text in that language
        ("the Danish article").
        """
        missing = set(self.missing(text, language))
        script = script_language(text)
        near = self._met_by_skeleton_only(text, language) if script == "latin" else set()
        figures = month_numbers(text) | number_words(text)
        absent = [key for key, groups in self.keys.items()
                  if (groups <= missing or (_is_latin(key) and groups <= missing | near)
                      or _address_absent(key, text))
                  and key not in figures
                  and not (script in NON_LATIN_SCRIPTS and ACRONYM.fullmatch(key))
                  and not (is_arabic(key[0]) and script != "ar")
                  and not _spelled_out(key, text)
                  and LANGUAGE_OF_NAME.get(key.casefold()) != language]
        return [key for key in absent if self._name_ends.get(key, key) in absent]

    @cached_property
    def _name_ends(self) -> dict[str, str]:
        """Each earlier word of a name the question writes in several words, with the name's last word when that
        is a key: a text that names "Wang" speaks of "Alexandr Wang" (a person is called by the family name
        after the first mention), one that names "Devi" alone does not speak of "Devi Park"."""
        keys = self.keys
        return {word: run[-1] for run in name_runs(self.question) if run[-1] in keys for word in run[:-1]}

    def keys_named_by(self, text: str, language: str = "und") -> set[str]:
        """The keys every word of which the text holds in some form (a consonant skeleton alone does not
        make a Latin name, as in missing_keys): a short text that names them all, such as a file's name."""
        absent = set(self.missing(text, language))
        if script_language(text) == "latin":
            absent |= self._met_by_skeleton_only(text, language)
        return {key for key, groups in self.keys.items() if not groups & absent}

    def _met_by_skeleton_only(self, text: str, language: str) -> set[int]:
        """The word groups a Latin-script text meets only through a name's consonant skeleton: within one script
        a name is written as it is, so "Park" met by "Parikh" (both b-r-k) is another name, not this one; a word
        that only extends it is the same (Germany, German), and so is one a slip of the pen away (Geegen,
        Gegeen: a question often misspells the name it asks about)."""
        have = text_tokens(text, language)
        words = [w.casefold() for w in _LATIN_WORD.findall(text)]
        near = set()
        for i, (group, extra) in enumerate(zip(self.groups, self.translations)):
            own = {t for t in group if not t.startswith(SKELETON)}
            if (own | extra) & have or not group & have:
                continue
            if not any(_derived(t, w) for t in own for w in words) and not any(_misspelt(t, h) for t in own
                                                                             for h in have):
                near.add(i)
        return near

    def keys_held_by(self, chunk_id: str) -> set[str]:
        """The question's keys an indexed passage holds in some form (its gloss tokens included)."""
        held = [own | other for own, other in self._holdings([chunk_id])]
        return {key for key, holders in self._key_holders(held).items() if holders[0]}

    def passage_supports(self, chunk_ids: list[str]) -> list[float]:
        """support() of several indexed passages, from the keyword index (their gloss tokens included):
        one look at each token's postings for all of them."""
        return self.passage_scores(chunk_ids)[0].tolist()

    def passage_scores(self, chunk_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For several indexed passages: their support (as passage_supports) and the share of the question's
        keys each holds in some form (0 without keys, or for a question asking two things, whose keys no one
        passage is expected to hold together); one look at each token's postings for both."""
        support, keys = np.zeros(len(chunk_ids)), np.zeros(len(chunk_ids))
        if not self.total or not chunk_ids:
            return support, keys
        held = []
        for (own, other), weight in zip(self._holdings(chunk_ids), self.weights):
            support += weight * np.where(own, 1.0, GLOSS_WEIGHT * other)
            held.append(own | other)
        if self.keys and not asks_two_things(self.question):
            keys = np.sum(list(self._key_holders(held).values()), axis=0) / len(self.keys)
        return support / self.total, keys

    def _holdings(self, chunk_ids: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per word group, which of the indexed passages hold it in its own words, and which through one of
        its translations or their gloss tokens."""
        return [(self.index.hold(chunk_ids, group), self.index.hold(chunk_ids, extra))
                for group, extra in zip(self.groups, self.translations)]

    def _key_holders(self, held: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Per key, which passages hold any of its word groups, from each group's holders (held)."""
        return {key: np.logical_or.reduce([held[i] for i in groups]) for key, groups in self.keys.items()}


MIN_DERIVED_CHARS = 4  # a shared start this long makes two words one word's forms (german, germany)
MIN_MISSPELT_CHARS = 5  # shorter names one letter apart are other names (Mark, Mary)
MAX_PASSED_WORD = 3  # the longest lower-case word passed over between an acronym's words (on, of, and)


def _derived(a: str, b: str) -> bool:
    """True when one word begins with the other's first MIN_DERIVED_CHARS letters and the shorter is its start."""
    short, long = sorted((a, b), key=len)
    return len(short) >= MIN_DERIVED_CHARS and long.startswith(short[: max(MIN_DERIVED_CHARS, len(short) - 1)])


def _misspelt(a: str, b: str) -> bool:
    """True when two words of at least MIN_MISSPELT_CHARS letters are one slip apart: a letter added, dropped,
    changed, or two neighbours swapped (Geegen, Gegeen); a name asked about is often spelled so."""
    if min(len(a), len(b)) < MIN_MISSPELT_CHARS or abs(len(a) - len(b)) > 1 or a == b:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    end_a, end_b = a[start + 1:], b[start + 1:]
    return (end_a == b[start:] or a[start:] == end_b or end_a == end_b
            or (a[start + 2:] == b[start + 2:] and a[start: start + 2] == b[start: start + 2][::-1]))


def _spelled_out(key: str, text: str) -> bool:
    """True when the key is an acronym whose letters begin the capitalised words of a run in the text ("SP":
    "the Scottish Parliament"; "IPCC": "Intergovernmental Panel on Climate Change"); short lower-case words
    between them (on, of, and) are passed over."""
    if not ACRONYM.fullmatch(key):
        return False
    words = _LATIN_WORD.findall(text)
    for start, word in enumerate(words):
        if word[0] != key[0]:
            continue
        initials = ""
        for following in words[start:]:
            if following[0].isupper():
                initials += following[0]
            elif len(following) > MAX_PASSED_WORD:
                break
            if len(initials) == len(key):
                break
        if initials == key:
            return True
    return False


def _address_absent(key: str, text: str) -> bool:
    """True when the key is a web address the text does not write out (in any letter case)."""
    return bool(WEB_ADDRESS.fullmatch(key)) and key.casefold() not in text.casefold()


def _is_latin(key: str) -> bool:
    """A key in Latin letters (a name such as Devi Park), not a figure or a word of another script."""
    return bool(_LATIN_WORD.match(key))


def _surface_token(word: str, language: str) -> list[str]:
    """A translation's own token only, without its bridges (whose glosses would translate it back, noisily);
    in an unspaced language (Chinese) the word itself, which keyword search would cut further."""
    found = pack(language)
    return [word] if found is not None and not found.spaced else tokenize(word, language)[:1]


@lru_cache(maxsize=4096)
def text_tokens(text: str, language: str) -> frozenset[str]:
    """A text's keyword tokens (cached: extraction and abstention measure the same sentences several times)."""
    return frozenset(tokenize(text, language))


@lru_cache(maxsize=4096)
def gloss_tokens(glossary: Glossary, text: str, language: str) -> frozenset[str]:
    """English keyword tokens of a non-English text's dictionary glosses (cached: sentences repeat)."""
    words = [g for _, glosses in glossary.gloss_words(text, language) for g in glosses]
    return frozenset(tokenize(" ".join(words), "en"))
