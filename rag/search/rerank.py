"""Rerank: reorder fused candidates by how much of the question each passage actually contains,
and whether it holds the question's rare names and numbers (the keys abstention checks too)."""

from __future__ import annotations

from rag.search.evidence import Evidence

# Fused RRF scores are ~0.01-0.03: the whole question's evidence outweighs a few rank-1 votes, and
# holding all of its rare names and numbers ("Axios", "600") is worth about one (both: the tune half).
OVERLAP_WEIGHT = 0.08
KEY_WEIGHT = 0.015


def rerank(evidence: Evidence, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The (passage id, fused score) candidates reordered by score plus evidence.

    Every candidate, not only the head: a passage that holds the question's rare name but
    ranks low by vectors (an Arabic passage for a Chinese question) must be able to rise.
    Ids, not passages: only the final top k then need fetching from the store.
    """
    ids = [cid for cid, _ in fused]
    supports, keys = evidence.passage_scores(ids)
    bonus = OVERLAP_WEIGHT * supports + KEY_WEIGHT * keys
    scored = [(cid, score + extra) for (cid, score), extra in zip(fused, bonus.tolist())]
    return sorted(scored, key=lambda item: -item[1])
