"""Rerank: reorder fused candidates by how much of the question each passage actually contains."""

from __future__ import annotations

from rag.search.evidence import Evidence

RERANK_DEPTH = 15
OVERLAP_WEIGHT = 0.05  # fused RRF scores are ~0.01-0.03, so full evidence is worth about two rank-1 votes


def rerank(evidence: Evidence, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The top (passage id, fused score) pairs reordered by score plus evidence; the rest keep their order.

    Ids, not passages: only the final top k then need fetching from the store.
    """
    head = fused[:RERANK_DEPTH]
    supports = evidence.passage_supports([cid for cid, _ in head])
    head = [(cid, score + OVERLAP_WEIGHT * support) for (cid, score), support in zip(head, supports)]
    return sorted(head, key=lambda item: -item[1]) + fused[RERANK_DEPTH:]
