"""Evidence: a question's words, weighted by rarity, ready to measure any passage or sentence against.

Built once per question and shared by the rerank, the offline extraction, the LLM
path's citation check and the abstention decision, so they all agree on what the
question asks. Each word counts once (any of its stems or cross-lingual bridge tokens
will do), weighted by its rarity in the corpus (IDF), so "Axios" or "Levels.fyi"
weigh more than "Meta".
"""

from __future__ import annotations

from rag.search.keyword import KeywordIndex, terms, tokenize


class Evidence:
    """A question's word groups with their weights."""

    def __init__(self, question: str, index: KeywordIndex) -> None:
        self.question = question
        self.index = index
        self.groups = [set(g) for g in terms(question, query=True)]
        self.weights = [max(index.idf(t) for t in g) for g in self.groups]
        self.total = sum(self.weights)

    def support(self, text: str, language: str = "und") -> float:
        """Weighted share of the question's words found in the text (0..1)."""
        if not self.total:
            return 0.0
        have = set(tokenize(text, language))
        return sum(w for g, w in zip(self.groups, self.weights) if g & have) / self.total

    def passage_support(self, chunk_id: str) -> float:
        """support() of an indexed passage, from the keyword index: no re-tokenizing per query."""
        if not self.total:
            return 0.0
        held = (any(self.index.holds(chunk_id, t) for t in g) for g in self.groups)
        return sum(w for w, has in zip(self.weights, held) if has) / self.total
