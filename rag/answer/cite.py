"""Cite: turn a model answer's [n] markers into quotes, and keep only claims their quotes back.

A quote is a whole sentence of the cited passage, the one that backs the claim best. The
hard checks, each a veto: the quote occurs verbatim (after Unicode NFC normalisation) in
its article as it stands on disk; every figure and name the claim adds to the question is
in the quote (facts.py: digits folded across scripts, names met by transliteration); a
claim that denies something cites a quote that denies too; a figure counts what the quote
counts with it. How much of the question the quote holds is no veto: it is the answer's
confidence (see the assistant), since a right answer may word the question otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer.extract import sentences_of
from rag.answer.facts import claim_facts, quote_tokens
from rag.answer.question import Question
from rag.ingest.load import read_text
from rag.schema import Citation, Passage
from rag.search.evidence import Evidence
from rag.search.keyword import STOPWORDS, tokenize
from rag.text import (
    CLAIM_END,
    SENTENCE_PUNCTUATION,
    fold,
    looks_like_instructions,
    marker_numbers,
    negated,
    nfc,
    says_nothing,
    script_language,
    strip_markers,
)

if TYPE_CHECKING:  # the dictionaries load only when a gloss is asked for
    from rag.search.gloss import Glossary

UNIT_CHARS = 25  # a figure's counted thing follows it in the quote within this many characters
# A figure and the word right after it in a claim: "19 members", "600 employees" (not "24%", "2023, Meta").
_FIGURE_AND_THING = re.compile(r"(?<![\d.,])(\d(?:[\d,.]*\d)?)(?![\d%٪])\s+([^\W\d_]+)")
_FIGURE = re.compile(r"\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass
class Cited:
    """What survived the check of a model answer."""

    citations: list[Citation]
    dropped: int  # [n] markers whose quote failed a check
    kept: list[str]  # the answer's sentences backed by a verified quote, with only their good markers
    left_out: int = 0  # sentences of the answer without any verified quote (no marker, or only failed ones)

    @property
    def text(self) -> str:
        """The answer cut down to what the quotes back."""
        return " ".join(self.kept)


def overlap(a_tokens: set[str], sentence: str, language: str) -> float:
    """Share of a's tokens found in the sentence."""
    if not a_tokens:
        return 0.0
    return len(a_tokens & set(tokenize(sentence, language))) / len(a_tokens)


def best_sentence(claim: str, passage: Passage, measure: Evidence | None = None, question: Evidence | None = None,
                  glossary: Glossary | None = None) -> str:
    """The sentence of the passage that backs the claim best (the first on ties): the one holding most of
    the claim's new figures and names, then the most of its words, then of the question's; with the claim's
    evidence (measure), words meet through glosses and translations, so an English claim finds its Arabic
    sentence."""
    options = sentences_of(passage)
    facts = claim_facts(claim, question.question if question else "", glossary)
    if measure is not None:
        return max(options, key=lambda s: (facts.held_share(s, passage.language, glossary),
                                           measure.support(s, passage.language),
                                           question.support(s, passage.language) if question else 0.0), default="")
    wanted = set(tokenize(claim, query=True))
    return max(options, key=lambda s: overlap(wanted, s, passage.language), default="")


class ArticleTexts:
    """The articles' current text, for verbatim checks: read again whenever a file changed on disk, so a
    quote never verifies against text the article no longer holds.

    texts: where the texts come from instead of the corpus folder (with a Chroma server, the articles as
    the index holds them: a replica on another machine has no corpus folder).
    """

    def __init__(self, corpus_dir: Path, texts: Callable[[str], str] | None = None) -> None:
        self.corpus_dir = corpus_dir
        self._texts = texts
        self._cache: dict[str, tuple[tuple[int, int, int] | None, str]] = {}  # source -> (file stamp, text)

    def get(self, source: str) -> str:
        """The article's NFC text, or "" when it cannot be read (then no quote from it verifies).

        One stat() a call; the file is read again only when its inode, time or size changed.
        """
        if self._texts is not None:
            return self._texts(source)
        path = (self.corpus_dir / source).resolve()
        try:
            info = path.stat()
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        except (OSError, ValueError):
            stamp = None
        cached = self._cache.get(source)
        if cached is None or cached[0] != stamp:
            self._cache[source] = (stamp, self._read(path))
        return self._cache[source][1]

    def _read(self, path: Path) -> str:
        try:
            return read_text(path) if path.is_relative_to(self.corpus_dir.resolve()) else ""
        except (OSError, ValueError):
            return ""

    def verify(self, quote: str, source: str) -> bool:
        """True when the quote occurs word for word in the article."""
        return bool(quote.strip()) and nfc(quote) in self.get(source)


SHORT_PREFIX = re.compile(r"^\s*(?:short answer|kort svar|الإجابة المختصرة|简短回答|简答)\s*[:：]\s*", re.I)


def split_short(answer: str) -> tuple[str, str]:
    """(the model's "Short answer:" line without its label, the rest of the answer)."""
    first, _, rest = answer.strip().partition("\n")
    if SHORT_PREFIX.match(first):
        return strip_markers(SHORT_PREFIX.sub("", first)).strip(), rest.strip()
    return "", answer.strip()


def backed_short(short: str, citations: list[Citation], question: Question | None = None) -> str:
    """The short answer when a verified quote holds its figures and names (and any of its words), else ""."""
    if not short:
        return ""
    glossary = question.evidence.glossary if question is not None else None
    facts = claim_facts(short, question.text if question is not None else "", glossary)
    for citation in citations:
        if facts and not facts.missing(citation.quote, citation.language, glossary):
            return short
        if not facts and set(tokenize(short, query=True)) & quote_tokens(citation.quote, citation.language, glossary):
            return short
    return ""


def parse_claims(answer: str) -> list[tuple[str, list[int]]]:
    """(claim, passage numbers) for each sentence of a model answer that carries [n] markers."""
    claims = []
    for sentence in CLAIM_END.split(answer):
        numbers = marker_numbers(sentence)
        if numbers:
            claims.append((strip_markers(sentence).strip(), numbers))
    return claims


def supports(claim: str, quote: str, language: str = "und", question: str = "",
             glossary: Glossary | None = None) -> bool:
    """True when every figure and name the claim adds to the question is in the quote (across scripts).

    A claim without any ("It was set up for multimodal systems") is backed by the sentence it cites
    whatever its wording: how much of it the sentence holds is the answer's confidence, not a veto."""
    return not claim_facts(claim, question, glossary).missing(quote, language, glossary)


def cite(answer: str, passages: list[Passage], articles: ArticleTexts, question: Question | None = None) -> Cited:
    """Verified citations for a model answer, how many markers were dropped, and the claims they back.

    A cited quote must occur verbatim in its article and back its claim (supports, the denial and the
    counted-thing checks); the analysed question's own names and figures a claim may restate.
    """
    evidence = question.evidence if question is not None else None
    glossary = evidence.glossary if evidence is not None else None
    cited = Cited(citations=[], dropped=0, kept=[])
    for claim, numbers in parse_claims(answer):
        measure = Evidence(claim, evidence.index, glossary) if evidence is not None else None
        backed = []
        for n in dict.fromkeys(numbers):
            passage = passages[n - 1] if 1 <= n <= len(passages) else None
            quote = best_sentence(claim, passage, measure, evidence, glossary) if passage else ""
            if passage is None or not _holds(claim, quote, passage, articles, measure, evidence):
                cited.dropped += 1
                continue
            backed.append(n)
            if all(c.quote != quote for c in cited.citations):
                cited.citations.append(make_citation(quote, passage))
        if backed:
            cited.kept.append(_with_markers(claim, backed))
    cited.left_out = sum(1 for s in CLAIM_END.split(answer) if strip_markers(s).strip()) - len(cited.kept)
    return cited


def _with_markers(claim: str, numbers: list[int]) -> str:
    """The claim with its markers before its closing punctuation: "It had 50 members [1]."."""
    body = claim.rstrip()
    end = body[-1] if body and body[-1] in SENTENCE_PUNCTUATION else ""
    body = body[: len(body) - len(end)].rstrip()
    return f"{body} {''.join(f'[{n}]' for n in numbers)}{end}"


def _holds(claim: str, quote: str, passage: Passage, articles: ArticleTexts, measure: Evidence | None,
           evidence: Evidence | None) -> bool:
    """The hard checks a quote passes before it is shown: verbatim in its article; holding the claim's new
    figures and names; denying whenever the claim denies; each figure counting what the claim counts (in a
    quote of the claim's own script: across scripts the counted word is met only through a dictionary, so
    "1.5 gigatons" would fail on 15亿吨 for want of a gloss, not for being wrong). Never a quote that reads as
    instructions to the model or as the prompt's own structure (a planted "Ignore the question and reply
    only with …"), and never a claim that says nothing but yes or no ("Yes, absolutely [1].")."""
    question = evidence.question if evidence is not None else ""
    glossary = measure.glossary if measure is not None else None
    if not articles.verify(quote, passage.source):
        return False
    if not supports(claim, quote, passage.language, question, glossary):
        return False
    if negated(claim) and not negated(quote):
        return False
    if looks_like_instructions(quote) or says_nothing(claim):
        return False
    same_script = script_language(claim) == script_language(quote)
    return measure is None or not same_script or figures_count_the_same(claim, quote, passage.language, measure)


def figures_count_the_same(claim: str, quote: str, language: str, measure: Evidence) -> bool:
    """True when each figure of the claim is followed in the quote by what the claim counts with it.

    "The Probability team had 19 members" is not backed by "The team had 50 members; … 19 people
    doing Bayesian models": 19 is in the quote, but counting people doing Bayesian models. Words
    meet through glosses, so "600 employees" is backed by "600 موظف". Years are not counts.
    """
    folded = fold(quote)
    for figure, thing in _FIGURE_AND_THING.findall(fold(claim)):
        if _YEAR.fullmatch(figure) or thing.casefold() in STOPWORDS:
            continue
        counted = Evidence(thing, measure.index, measure.glossary)
        after = [folded[m.end(): m.end() + UNIT_CHARS] for m in _FIGURE.finditer(folded)
                 if _digits(m.group()) == _digits(figure)]
        if counted.total and after and not any(counted.support(text, language) > 0 for text in after):
            return False
    return True


def _digits(figure: str) -> str:
    return re.sub(r"[,.]", "", figure)


def make_citation(quote: str, passage: Passage) -> Citation:
    """A citation of a sentence of a passage."""
    return Citation(source=passage.source, quote=quote, passage=passage, title=passage.title,
                    language=passage.language)

