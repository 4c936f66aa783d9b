"""Extract: the offline answer, the sentences of the retrieved passages that answer the question best.

Each sentence is scored by the question's evidence (rarity-weighted words, through
every bridge between languages) and by whether it holds the kind of answer asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.types import fit
from rag.schema import Passage
from rag.search.evidence import Evidence
from rag.text import split_sentences

@dataclass
class Extract:
    """The best sentences for a question: (passage number, sentence) pairs and their support."""

    picks: list[tuple[int, str]]
    support: float


def extract(evidence: Evidence, wants: str | None, passages: list[Passage], max_sentences: int = 2) -> Extract:
    """The sentences that answer best; a second one only from another article and nearly as good."""
    scored = []
    for number, passage in enumerate(passages, start=1):
        rank_prior = 0.01 * (len(passages) - number)
        for sentence in sentences_of(passage):
            support = evidence.support(sentence, passage.language) + fit(wants, sentence)
            scored.append((support + rank_prior, support, number, sentence))
    scored.sort(key=lambda item: -item[0])
    if not scored:
        return Extract(picks=[], support=0.0)
    best = scored[0]
    picks = [(best[2], best[3])]
    for total, _, number, sentence in scored[1:]:
        if len(picks) >= max_sentences or total < 0.8 * best[0]:
            break
        if passages[number - 1].source not in {passages[n - 1].source for n, _ in picks}:
            picks.append((number, sentence))
    return Extract(picks=picks, support=best[1])


def sentences_of(passage: Passage) -> list[str]:
    """The passage's sentences, stripped, without empty ones."""
    return [s.strip() for s in split_sentences(passage.text) if s.strip()]
