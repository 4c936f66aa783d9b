"""Rerank: reorder fused candidates by how much of the question each passage actually contains.

Offline and cheap: the share of the question's keyword tokens (names, numbers and
cross-lingual bridge tokens count double) found in the passage. The same share is
the evidence score that abstention uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.keyword import tokenize

if TYPE_CHECKING:
    from rag.retrieve import Passage

RERANK_DEPTH = 12
OVERLAP_WEIGHT = 0.04  # RRF scores are ~0.01-0.03, so full overlap is worth about one rank-1 vote


def token_weight(token: str) -> float:
    """Names, numbers, bridge tokens and non-Latin words weigh double: they carry the question."""
    return 2.0 if token.startswith("sk_") or not token.isalpha() or not token.isascii() and len(token) > 2 else 1.0


def support(wanted: set[str], passage: Passage) -> float:
    """Weighted share of the question's distinct tokens (tokenize(query=True)) found in the passage (0..1)."""
    if not wanted:
        return 0.0
    have = set(tokenize(passage.text, passage.language))
    total = sum(token_weight(t) for t in wanted)
    return sum(token_weight(t) for t in wanted & have) / total


def rerank(question: str, passages: list[Passage]) -> list[Passage]:
    """The top candidates reordered by fused score plus lexical support; the rest keep their order."""
    head, tail = passages[:RERANK_DEPTH], passages[RERANK_DEPTH:]
    wanted = set(tokenize(question, query=True))
    for passage in head:
        passage.score += OVERLAP_WEIGHT * support(wanted, passage)
    return sorted(head, key=lambda p: -p.score) + tail
