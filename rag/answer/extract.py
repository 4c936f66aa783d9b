"""Extract: the offline answer, the sentences of the retrieved passages that answer the question best.

Each sentence is scored by the question's evidence (rarity-weighted words, through
every bridge between languages and the gloss layer), a little by its passage's
evidence (a sentence saying "it had 50 members" leans on the passage for its subject),
and by whether it holds the kind of answer asked for (for "how many researchers", a figure
counting researchers). A list question collects one
sentence per new name across passages and articles; any other question adds the
sentence that holds most of what the best one leaves out (a two-part question), else
the best sentence of a second article when it is nearly as good. The span of the asked
type nearest the question's words is the short answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rag.answer.question import Question
from rag.answer.types import (ENTITY_KINDS, LIST, LIST_ITEM, NUMBER, ORGANISATION, PERSON, PLACE, TYPE_WEIGHT,
                              fit, spans, without_hedge)
from rag.answer.types import names as typed_names
from rag.language import pack
from rag.schema import Passage
from rag.search.bridge import SKELETON
from rag.search.evidence import Evidence
from rag.search.keyword import STOPWORDS, tokenize
from rag.text import (NO_TOPIC_WORDS, file_subject, first_pronoun, fold, is_han, looks_like_instructions,
                      opens_with_person_pronoun, script_language, split_sentences)

CONTEXT_WEIGHT = 0.2  # share of a sentence's score that its passage's evidence adds
RANK_PRIOR = 0.01  # per rank: retrieval order breaks near-ties
SECOND_ARTICLE_RATIO = 0.8  # a second article's sentence is added when it scores this share of the best
LIST_RATIO = 0.6  # a list item's sentence must score this share of the best
MAX_LIST_ITEMS = 4
COMPLEMENT_SHARE = 0.25  # a second sentence is added when it holds this share of what the first lacks
MAX_COMPLEMENT_CANDIDATES = 40  # the best-scored sentences considered as a complement
UNIT_WORDS = 2  # words after a figure read as what it counts ("50 AI researchers")
UNIT_CHARS = 4  # characters after a figure read so in an unspaced script (50名研究员)
SHORT_WINDOW_CHARS = 40  # the surroundings of a candidate short answer weighed against the question
DENSE = "dense"  # the dense retriever's name in Passage.ranks (the others are keyword rankings)
ABSENT_RANK = 100  # the rank signal of a passage a retriever did not return
_CLAUSE_END = re.compile(r"[,;:،؛，、；。!?！？]|\.(?=\s)")  # where a figure's own clause ends


@dataclass
class Scored:
    """One sentence of one passage, scored against the question."""

    number: int  # the passage's place in the retrieved list, from 1
    sentence: str
    support: float  # the question's evidence in the sentence (its passage's share included)
    score: float  # support plus the answer-type fit and the rank prior
    context: float = 0.0  # the passage's share of support


@dataclass
class Extract:
    """The best sentences for a question, their support, and what the abstention decision weighs."""

    picks: list[tuple[int, str]]
    support: float
    typed: bool = True  # the best sentence holds the kind of answer asked for (True when none is asked)
    missing_keys: list[str] = field(default_factory=list)  # names and numbers of the question its passage lacks
    gap: float = 0.0  # weight share of the heaviest question word the best sentence's passage lacks in any form
    short: str = ""
    signals: dict[str, float] = field(default_factory=dict)  # what the policy reads (rag.answer.policy.FEATURES)


def extract(question: Question, passages: list[Passage]) -> Extract:
    """The sentences that answer best, with the short answer and the facts abstention needs."""
    evidence, wants = question.evidence, question.wants
    scored = sorted(_score_all(evidence, wants, passages), key=lambda s: -s.score)
    if not scored:
        return Extract(picks=[], support=0.0, typed=wants is None)
    best = scored[0]
    passage = passages[best.number - 1]
    picks = _list_picks(scored, passages, evidence) if wants == LIST else _picks(scored, passages, evidence)
    answer = [(s.sentence, passages[s.number - 1].language) for s in picks]
    found = Extract(
        picks=[(s.number, s.sentence) for s in picks], support=_support(question, picks, passages),
        typed=_typed(wants, picks if wants == LIST or question.two_parts else picks[:1], passages, evidence),
        missing_keys=_keys_missing_from_answer(question, picks, passages),
        gap=_gap(evidence, passage),
        short=short_answer(wants, answer, evidence),
    )
    found.signals = signals(found, question, best.number, passage, answer)
    return found


def signals(found: Extract, question: Question, number: int, passage: Passage,
            answer: list[tuple[str, str]]) -> dict[str, float]:
    """The extraction's signals the policy reads: how much of the question the answer holds and in what
    form, and where retrieval put the answering passage (passage number `number`); `answer` is the picks
    as (sentence, language)."""
    evidence = question.evidence
    keyword = min((rank for name, rank in passage.ranks.items() if name != DENSE), default=ABSENT_RANK)
    return {
        "support": found.support, "typed": float(found.typed), "gap": found.gap,
        "missing_keys": float(len(found.missing_keys)), "two_parts": float(question.two_parts),
        "no_type_asked": float(question.wants is None),
        "cross_lingual": float(passage.language != question.language),
        "pick_rank": float(number), "dense_rank": float(passage.ranks.get(DENSE, ABSENT_RANK)),
        "keyword_rank": float(keyword), "fused_score": passage.score, "picks": float(len(found.picks)),
        "has_short": float(bool(found.short)), "question_words": float(evidence.own),
        "follow_up": float(question.follow_up),
        "keys_missing_in_own_script": float(sum(_same_script(key, passage.text) for key in found.missing_keys)),
        "topic_words": float(topic_words(evidence)),
        "own_words_met": own_words_met(evidence, answer),
    }


def own_words_met(evidence: Evidence, sentences: list[tuple[str, str]]) -> float:
    """The share of the question's own word groups (not a follow-up's borrowed ones) that the answer's
    sentences hold in some form, 1 when it has none ("And how many?"): a follow-up's answer holding only
    its topic's words answers the question before."""
    if not evidence.own:
        return 1.0
    held: set[int] = set()
    for sentence, language in sentences:
        held |= set(range(evidence.own)) - set(evidence.missing(sentence, language))
    return len(held) / evidence.own


def topic_words(evidence: Evidence) -> int:
    """How many of the question's word groups (a follow-up's borrowed ones included) name something: not a
    figure, nor a word of rag.text.NO_TOPIC_WORDS ("What happened in 2023?" names nothing)."""
    light = no_topic_tokens()
    return sum(1 for group in evidence.groups if not any(t[:1].isdigit() for t in group) and not group & light)


@lru_cache(maxsize=1)
def no_topic_tokens() -> frozenset[str]:
    """The keyword tokens of rag.text.NO_TOPIC_WORDS, as a question's word groups hold them."""
    return frozenset(t for word in NO_TOPIC_WORDS for t in tokenize(word, query=True))


def _same_script(key: str, text: str) -> bool:
    """True when a missing key could only be written as it is in the text: a figure, or a name in the text's
    own script (a name in another script may be there transliterated otherwise: تيان يواندونغ, 田渊栋)."""
    return key[:1].isdigit() or script_language(key) == script_language(text)


def sentences_of(passage: Passage) -> list[str]:
    """The passage's sentences, stripped, without empty ones."""
    return [s.strip() for s in split_sentences(passage.text) if s.strip()]


def _score_all(evidence: Evidence, wants: str | None, passages: list[Passage]) -> list[Scored]:
    out = []
    supports = evidence.passage_supports([passage.chunk_id for passage in passages])
    for number, (passage, passage_support) in enumerate(zip(passages, supports), start=1):
        context = CONTEXT_WEIGHT * passage_support
        prior = RANK_PRIOR * (len(passages) - number)
        previous = ""
        for sentence in sentences_of(passage):
            if looks_like_instructions(sentence):  # planted for a model, or the prompt's own structure: no answer
                continue
            read = f"{sentence} {_antecedents(previous, sentence, passage.language)}"
            support = (1 - CONTEXT_WEIGHT) * evidence.support(read, passage.language) + context
            score = support + fit(wants, sentence, passage.language) + prior
            if wants == NUMBER and _counts_asked(evidence, sentence, passage.language):
                score += TYPE_WEIGHT
            out.append(Scored(number, sentence, support, score, context))
            previous = sentence
    return out


def _counts_asked(evidence: Evidence, sentence: str, language: str) -> bool:
    """True when a figure of the sentence counts what the question counts: "how many researchers" and
    "50 researchers", not "600 employees" (the words right after a figure, its unit, hold a word of the
    question's own; an unspaced script writes the unit in the next few characters)."""
    found = pack(language)
    spaced = found is None or found.spaced
    for at, span in _located(new_spans(NUMBER, sentence, language, evidence), sentence):
        after = sentence[at + len(span):]
        unit = " ".join(after.split()[:UNIT_WORDS]) if spaced else after[:UNIT_CHARS]
        if unit and own_words_met(evidence, [(unit, language)]):
            return True
    return False


def _antecedents(previous: str, sentence: str, language: str) -> str:
    """The people the sentence before names, when this one says "he" or "she" (他, hun, هو): whom it
    means."""
    if not previous or first_pronoun(sentence) is None:
        return ""
    return " ".join(typed_names(previous, language))


def _picks(scored: list[Scored], passages: list[Passage], evidence: Evidence) -> list[Scored]:
    """The best sentence; then the sentence that answers most of what it leaves out (a two-part or
    two-article question), else the best of another article when it is nearly as good."""
    best = scored[0]
    complement = _complement(best, scored, passages, evidence)
    if complement is not None:
        return [best, complement]
    for candidate in scored[1:]:
        if candidate.score < SECOND_ARTICLE_RATIO * best.score:
            break
        if passages[candidate.number - 1].source != passages[best.number - 1].source:
            return [best, candidate]
    return [best]


def _complement(best: Scored, scored: list[Scored], passages: list[Passage], evidence: Evidence) -> Scored | None:
    """The sentence holding the largest weight of the question's words the best sentence lacks, when that
    weight is at least COMPLEMENT_SHARE of the question."""
    first = passages[best.number - 1]
    left = set(evidence.missing(best.sentence, first.language))
    if not left or not evidence.total:
        return None

    def adds(candidate: Scored) -> float:
        language = passages[candidate.number - 1].language
        held = left - set(evidence.missing(candidate.sentence, language))
        return sum(evidence.weights[i] for i in held) / evidence.total

    options = [c for c in scored[1:MAX_COMPLEMENT_CANDIDATES] if c.sentence != best.sentence]
    pick = max(options, key=adds, default=None)
    return pick if pick is not None and adds(pick) >= COMPLEMENT_SHARE else None


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


def _typed(wants: str | None, picks: list[Scored], passages: list[Passage], evidence: Evidence) -> bool:
    """Whether the answer holds the kind asked for, other than what the question itself states ("How many
    stay after the 600 cuts?" is not answered by the 600): the best sentence, or for a list or a question
    asking two things any pick (the best may be the lead-in, or answer the other part)."""
    if wants is None:
        return True
    kind = LIST_ITEM.get(wants, wants)
    return any(new_spans(kind, p.sentence, passages[p.number - 1].language, evidence) for p in picks)


def new_spans(kind: str, sentence: str, language: str, evidence: Evidence) -> list[str]:
    """The spans of that kind in the sentence that the question does not already state; a span's own
    words decide, not its name skeleton ("Metas" is the question's "Meta"), and a figure's without its hedge
    ("نحو 600" states the question's "roughly 600"). A company or place that most passages name ("AI",
    "Meta") is the articles' subject, not an answer to "which company". A person whose family name the
    question says is the question's own ("Mark Zuckerberg" to "Who did Zuckerberg blame?")."""
    asked = evidence.question_tokens
    found = [span for span in spans(kind, sentence, language)
             if not _words(without_hedge(span), language) <= asked]
    if kind == PERSON:
        found = [span for span in found if not _words(span.split()[-1], language) <= asked]
    if kind in (ORGANISATION, PLACE):
        found = [span for span in found if evidence.index.is_rare_name(span)]
    return list(dict.fromkeys(found))


def _words(span: str, language: str) -> set[str]:
    """The span's tokens without its consonant skeletons (those only when it has nothing else)."""
    tokens = set(tokenize(span, language))
    return {t for t in tokens if not t.startswith(SKELETON)} or tokens


def _support(question: Question, picks: list[Scored], passages: list[Passage]) -> float:
    """The best sentence's support; for a question asking two things, that of its picks read together
    (one sentence names who led the group, the other how many of its members did what)."""
    if len(picks) < 2 or not question.two_parts:
        return picks[0].support
    together = question.evidence.joint_support([(p.sentence, passages[p.number - 1].language) for p in picks])
    return (1 - CONTEXT_WEIGHT) * together + picks[0].context


def _keys_missing_from_answer(question: Question, picks: list[Scored], passages: list[Passage]) -> list[str]:
    """The keys the best sentence lacks; for a question asking two things, those that every pick lacks
    (how many the AI lab lost is in one article, what Tian Yuandong received in another)."""
    answering = picks if question.two_parts else picks[:1]
    lacking = [_missing_keys(question.evidence, question.wants, pick, passages[pick.number - 1])
               for pick in answering]
    return [key for key in lacking[0] if all(key in other for other in lacking[1:])]


def _missing_keys(evidence: Evidence, wants: str | None, best: Scored, passage: Passage) -> list[str]:
    """The question's numbers and rare names that the answer holds in no form (not even a gloss).

    For who / which company / where the key must be in the answering sentence itself ("the CEO of
    Google" is not "CEO Mark Zuckerberg"), or, when the sentence says "he" or "she", in the one before
    it, where that person is named; otherwise in its passage. A "he" that no name before it in the
    passage explains ("He added that the dismissed employees … three months of job support") is
    named in the article's passage before: its keys count.
    """
    if wants not in ENTITY_KINDS:
        missing = evidence.missing_keys(passage.text, passage.language)
    else:
        sentences = sentences_of(passage)
        at = sentences.index(best.sentence) if best.sentence in sentences else 0
        start = at - 1 if at and first_pronoun(best.sentence) is not None else at
        missing = evidence.missing_keys(" ".join(sentences[start: at + 1]), passage.language)
    if missing and passage.previous_id and _named_before_passage(best.sentence, passage):
        held = evidence.keys_held_by(passage.previous_id)
        missing = [key for key in missing if key not in held]
    return _unnamed_by_file(evidence, missing, passage.source)


def _unnamed_by_file(evidence: Evidence, missing: list[str], source: str) -> list[str]:
    """The missing keys less those the article's file name holds: a page about Super Bowl 50 says "the
    game", not the name its file gives (rag.text.file_subject)."""
    subject = file_subject(source) if missing else ""
    if not subject:
        return missing
    named = evidence.keys_named_by(subject)
    return [key for key in missing if key not in named]


def _named_before_passage(sentence: str, passage: Passage) -> bool:
    """True when the sentence opens with he or she (他, hun, هو) and the passage names nobody before it:
    whom it means is named earlier in the article."""
    at = passage.text.find(sentence)
    if at < 0 or not opens_with_person_pronoun(sentence):
        return False
    return not typed_names(passage.text[:at], passage.language)


def _gap(evidence: Evidence, passage: Passage) -> float:
    """How much of the question the best passage misses at once: the heaviest absent word's weight share.

    "What severance did the 7,800 employees … receive?" met by a passage without any word for severance
    has a large gap, however many of its other words the passage holds.
    """
    if not evidence.total:
        return 1.0
    missing = evidence.missing(passage.text, passage.language)
    return max((evidence.weights[i] for i in missing), default=0.0) / evidence.total


def short_answer(wants: str | None, sentences: list[tuple[str, str]], evidence: Evidence) -> str:
    """The span of the asked kind that answers: not already in the question, and among several the one
    whose surroundings hold most of the question ("19" in "50 members; … 19 people doing Bayesian
    models" when the question asks about Bayesian models)."""
    if wants is None or not sentences:
        return ""
    kind = LIST_ITEM.get(wants, wants)
    found: list[str] = []
    for sentence, language in sentences if wants == LIST else sentences[:1]:
        located = _located(new_spans(kind, sentence, language, evidence), sentence)
        if wants != LIST:
            if not located:
                return ""
            at, best = max(located, key=lambda item: _near_support(evidence, item, sentence, language))
            return _with_unit(best, at, sentence) if wants == NUMBER else best
        found += [span for _, span in located if span not in found]
    return ", ".join(found)


def _located(found: list[str], sentence: str) -> list[tuple[int, str]]:
    """Each span with where it starts, as the sentence writes it: figures are read from the folded text
    (ه for ة), and a "5" is not the start of "50"; spans not found are left out."""
    folded = fold(sentence)
    taken: set[int] = set()
    out = []
    for span in found:
        edges = (r"(?<!\d)" if span[:1].isdigit() else "", r"(?!\d)" if span[-1:].isdigit() else "")
        pattern = re.compile(edges[0] + re.escape(span) + edges[1])
        for text in (sentence, folded):
            match = next((m for m in pattern.finditer(text) if m.start() not in taken), None)
            if match is not None:
                break
        if match is None:
            continue
        taken.add(match.start())
        same = text is sentence or len(folded) == len(sentence)
        out.append((match.start(), sentence[match.start(): match.end()] if same else span))
    return out


def _near_support(evidence: Evidence, located: tuple[int, str], sentence: str, language: str) -> float:
    """The question's evidence in the span's own clause ("19 people doing Bayesian models", between the
    commas of an enumeration) and in the words around it; the earlier span wins ties."""
    at, span = located
    end = at + len(span)
    starts = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)]
    ends = [m.start() for m in _CLAUSE_END.finditer(sentence, end)]
    clause = sentence[starts[-1] if starts else 0: ends[0] if ends else len(sentence)]
    window = sentence[max(0, at - SHORT_WINDOW_CHARS): end + SHORT_WINDOW_CHARS]
    return evidence.support(clause, language) + evidence.support(window, language) - at * 1e-6


def _with_unit(span: str, at: int, sentence: str) -> str:
    """A figure with the word after it ("50 members", "600 موظف"), when that word follows in the sentence and
    is no function word ("50 were"); in Chinese the measure word written onto it (十二页, 50名)."""
    after = sentence[at + len(span): at + len(span) + 1]
    if span.endswith("%"):
        return span
    if is_han(after[:1]):
        return span + after if after not in STOPWORDS else span
    if not after.isspace():
        return span
    rest = sentence[at + len(span):].split(maxsplit=1)
    unit = rest[0].strip(".,;:!?،。，") if rest else ""
    is_unit = unit.isalpha() and len(unit) > 1 and fold(unit).casefold() not in STOPWORDS
    return f"{span} {unit}" if is_unit else span
