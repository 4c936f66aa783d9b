"""Rerank: reorder fused candidates by how much of the question each passage actually contains.

Offline and cheap: each word of the question counts once (any of its stems or
cross-lingual bridge tokens will do), weighted by its rarity in the corpus (IDF), so
"Axios" or "Levels.fyi" weigh more than "Meta". The same measure scores sentences
for the extractive answer and decides abstention.
"""

from __future__ import annotations

from rag import answer_type
from rag.keyword import KeywordIndex, terms, tokenize

RERANK_DEPTH = 15
OVERLAP_WEIGHT = 0.05  # fused RRF scores are ~0.01-0.03, so full evidence is worth about two rank-1 votes
TYPE_WEIGHT = 0.1  # a sentence with (without) the figure or date the question asks for gains (loses) this


class Evidence:
    """A question's words with their weights, ready to measure any text against."""

    def __init__(self, question: str, index: KeywordIndex) -> None:
        self.question = question
        self.index = index
        self.groups = [set(g) for g in terms(question, query=True)]
        self.weights = [max(index.idf(t) for t in g) for g in self.groups]
        self.total = sum(self.weights)
        self.wants = answer_type.wanted(question)

    def support(self, text: str, language: str = "und") -> float:
        """Weighted share of the question's words found in the text (0..1)."""
        if not self.total:
            return 0.0
        have = set(tokenize(text, language))
        return sum(w for g, w in zip(self.groups, self.weights) if g & have) / self.total

    def fit(self, text: str) -> float:
        """+TYPE_WEIGHT if the text holds the kind of answer the question asks for, minus that if not, else 0."""
        if self.wants is None:
            return 0.0
        return TYPE_WEIGHT if answer_type.holds(self.wants, text) else -TYPE_WEIGHT

    def passage_support(self, chunk_id: str) -> float:
        """support() of an indexed passage, from the keyword index: no re-tokenizing per query."""
        if not self.total:
            return 0.0
        held = (any(self.index.holds(chunk_id, t) for t in g) for g in self.groups)
        return sum(w for w, has in zip(self.weights, held) if has) / self.total


def rerank(evidence: Evidence, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The top (passage id, fused score) pairs reordered by score plus evidence; the rest keep their order.

    Ids, not passages: only the final top k then need fetching from the store.
    """
    head = [(cid, score + OVERLAP_WEIGHT * evidence.passage_support(cid)) for cid, score in fused[:RERANK_DEPTH]]
    return sorted(head, key=lambda item: -item[1]) + fused[RERANK_DEPTH:]
