"""Extract: the offline answer, the sentences of the retrieved passages that answer the question best.

Each sentence is scored by the question's evidence (rarity-weighted words, through
every bridge between languages and the gloss layer), a little by its passage's
evidence (a sentence saying "it had 50 members" leans on the passage for its subject),
and by whether it holds the kind of answer asked for. A list question collects one
sentence per new name across passages and articles; any other question may add the
best sentence of a second article when it is nearly as good. The span of the asked
type in the best sentence is the short answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answer.types import DURATION, ENTITY_KINDS, LIST, NUMBER, PERSON, fit, holds, spans
from rag.answer.types import names as typed_names
from rag.schema import Passage
from rag.search.evidence import Evidence
from rag.search.keyword import tokenize
from rag.text import names, split_sentences

CONTEXT_WEIGHT = 0.2  # share of a sentence's score that its passage's evidence adds
RANK_PRIOR = 0.01  # per rank: retrieval order breaks near-ties
SECOND_ARTICLE_RATIO = 0.8  # a second article's sentence is added when it scores this share of the best
LIST_RATIO = 0.6  # a list item's sentence must score this share of the best
MAX_LIST_ITEMS = 4
MAX_SENTENCES = 2
SHORT_WINDOW_CHARS = 40  # the surroundings of a candidate short answer weighed against the question
COMMON_NAME_SHARE = 0.3  # a name in this share of the passages (the company itself) is no key of the question


@dataclass
class Scored:
    """One sentence of one passage, scored against the question."""

    number: int  # the passage's place in the retrieved list, from 1
    sentence: str
    support: float  # the question's evidence in the sentence (its passage's share included)
    score: float  # support plus the answer-type fit and the rank prior


@dataclass
class Extract:
    """The best sentences for a question, their support, and what the abstention decision weighs."""

    picks: list[tuple[int, str]]
    support: float
    typed: bool = True  # the best sentence holds the kind of answer asked for (True when none is asked)
    missing_keys: list[str] = field(default_factory=list)  # names and numbers of the question its passage lacks
    short: str = ""


def extract(evidence: Evidence, wants: str | None, passages: list[Passage]) -> Extract:
    """The sentences that answer best, with the short answer and the facts abstention needs."""
    scored = sorted(_score_all(evidence, wants, passages), key=lambda s: -s.score)
    if not scored:
        return Extract(picks=[], support=0.0, typed=wants is None)
    best = scored[0]
    passage = passages[best.number - 1]
    picks = _list_picks(scored, passages, evidence) if wants == LIST else _picks(scored, passages)
    return Extract(
        picks=[(s.number, s.sentence) for s in picks], support=best.support,
        typed=wants is None or holds(wants, best.sentence, passage.language),
        missing_keys=_missing_keys(evidence, wants, best, passage),
        short=short_answer(wants, [(s.sentence, passages[s.number - 1].language) for s in picks], evidence),
    )


def sentences_of(passage: Passage) -> list[str]:
    """The passage's sentences, stripped, without empty ones."""
    return [s.strip() for s in split_sentences(passage.text) if s.strip()]


def _score_all(evidence: Evidence, wants: str | None, passages: list[Passage]) -> list[Scored]:
    out = []
    for number, passage in enumerate(passages, start=1):
        context = CONTEXT_WEIGHT * evidence.passage_support(passage.chunk_id)
        prior = RANK_PRIOR * (len(passages) - number)
        for sentence in sentences_of(passage):
            support = (1 - CONTEXT_WEIGHT) * evidence.support(sentence, passage.language) + context
            score = support + fit(wants, sentence, passage.language) + prior
            out.append(Scored(number, sentence, support, score))
    return out


def _picks(scored: list[Scored], passages: list[Passage]) -> list[Scored]:
    """The best sentence, and the best of another article when it is nearly as good."""
    best, picks = scored[0], [scored[0]]
    for candidate in scored[1:]:
        if len(picks) >= MAX_SENTENCES or candidate.score < SECOND_ARTICLE_RATIO * best.score:
            break
        if passages[candidate.number - 1].source not in {passages[p.number - 1].source for p in picks}:
            picks.append(candidate)
    return picks


def _list_picks(scored: list[Scored], passages: list[Passage], evidence: Evidence) -> list[Scored]:
    """One sentence per new name, best first, from any passage or article."""
    picks, seen = [], set(typed_names(evidence.question, "und"))
    for candidate in scored:
        if len(picks) >= MAX_LIST_ITEMS or candidate.score < LIST_RATIO * scored[0].score:
            break
        new = set(typed_names(candidate.sentence, passages[candidate.number - 1].language)) - seen
        if new and candidate.sentence not in {p.sentence for p in picks}:
            picks.append(candidate)
            seen |= new
    return picks or scored[:1]


def _missing_keys(evidence: Evidence, wants: str | None, best: Scored, passage: Passage) -> list[str]:
    """The question's numbers and rare names that the answer does not hold in any form (not even a gloss).

    "Llama 5" met by a passage about Llama 4 misses "5". For who / which company / where the name
    must be in the answering sentence itself ("the CEO of Google" is not "CEO Mark Zuckerberg");
    otherwise in its passage. A name most passages hold (the company itself) is no key.
    """
    numbers = [s for s in spans(NUMBER, evidence.question) if s[:1].isdigit()]
    rare = [n for _, n in names(evidence.question)
            if all(evidence.index.share(t) < COMMON_NAME_SHARE for t in tokenize(n, query=True)[:1])]
    text = best.sentence if wants in ENTITY_KINDS else passage.text
    missing = set(evidence.missing(text, passage.language))
    return [key for key in numbers + rare if _groups_of(evidence, key) and _groups_of(evidence, key) <= missing]


def _groups_of(evidence: Evidence, key: str) -> set[int]:
    stems = set(tokenize(key, query=True))
    return {i for i, g in enumerate(evidence.groups) if g & stems}


def short_answer(wants: str | None, sentences: list[tuple[str, str]], evidence: Evidence) -> str:
    """The span of the asked kind that answers: not already in the question, and among several the one
    whose surroundings hold most of the question ("19" in "50 members; … 19 people doing Bayesian
    models" when the question asks about Bayesian models)."""
    if wants is None or not sentences:
        return ""
    asked = set(tokenize(evidence.question, query=True))
    kind = PERSON if wants == LIST else wants
    found = []
    for sentence, language in sentences if wants == LIST else sentences[:1]:
        candidates = [span for span in spans(kind, sentence, language)
                      if not set(tokenize(span, language)) <= asked and span not in found]
        if wants != LIST:
            best = max(candidates, key=lambda span: _near_support(evidence, span, sentence, language), default="")
            return _with_unit(best, sentence) if best and wants in (NUMBER, DURATION) else best
        found += candidates
    return ", ".join(found)


def _near_support(evidence: Evidence, span: str, sentence: str, language: str) -> float:
    """The question's evidence in the words around a span; the earlier span wins ties."""
    at = max(sentence.find(span), 0)
    window = sentence[max(0, at - SHORT_WINDOW_CHARS): at + len(span) + SHORT_WINDOW_CHARS]
    return evidence.support(window, language) - at * 1e-6


def _with_unit(span: str, sentence: str) -> str:
    """A figure with the word after it ("50 members", "600 موظف"), when that word follows in the sentence."""
    at = sentence.find(span)
    if at < 0 or span.endswith("%"):
        return span
    rest = sentence[at + len(span):].split(maxsplit=1)
    unit = rest[0].strip(".,;:!?،。，") if rest else ""
    return f"{span} {unit}" if unit.isalpha() and len(unit) > 1 else span
