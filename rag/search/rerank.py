"""Rerank: reorder fused candidates by how much of the question each passage actually contains."""

from __future__ import annotations

from rag.search.evidence import Evidence

OVERLAP_WEIGHT = 0.08  # fused RRF scores are ~0.01-0.03: full evidence outweighs a few rank-1 votes (tune half)


def rerank(evidence: Evidence, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The (passage id, fused score) candidates reordered by score plus evidence.

    Every candidate, not only the head: a passage that holds the question's rare name but
    ranks low by vectors (an Arabic passage for a Chinese question) must be able to rise.
    Ids, not passages: only the final top k then need fetching from the store.
    """
    supports = evidence.passage_supports([cid for cid, _ in fused])
    scored = [(cid, score + OVERLAP_WEIGHT * support) for (cid, score), support in zip(fused, supports)]
    return sorted(scored, key=lambda item: -item[1])
