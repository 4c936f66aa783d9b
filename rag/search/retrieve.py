"""Retrieve: dense and keyword candidates, fused by reciprocal rank, then reranked.

Dense retrieval is llama-index's VectorIndexRetriever over Chroma; keyword retrieval
is our multilingual BM25. Fusion is written here rather than with llama-index's
QueryFusionRetriever because we keep each passage's per-retriever ranks and fused
score on the result, and restrict BM25 with the same filters as Chroma.
"""

from __future__ import annotations

from llama_index.core import VectorStoreIndex
from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores import FilterCondition, MetadataFilter, MetadataFilters

from rag.components import Components
from rag.components.store import Manifest, read_keyword_folder, vector_store
from rag.errors import EmbeddingUnavailableError, IndexMissingError
from rag.schema import Filters, Passage
from rag.search.evidence import Evidence
from rag.search.keyword import KeywordIndex
from rag.search.rerank import rerank


def passage_from_node(node: BaseNode) -> Passage:
    """A passage from a stored llama-index node (score filled in later)."""
    meta = node.metadata
    return Passage(
        text=node.get_content(metadata_mode="none"), source=meta.get("file_name", ""),
        score=0.0, chunk_id=node.node_id, title=meta.get("title", ""),
        language=meta.get("language", ""), start_char=node.start_char_idx, end_char=node.end_char_idx,
    )


class Retriever:
    """Hybrid retrieval over one committed index; build once, query many times."""

    def __init__(self, components: Components) -> None:
        settings = components.settings
        manifest = Manifest.load(settings.index_dir)
        if manifest is None:
            raise IndexMissingError(f"no index in {settings.index_dir}; build one with: rag index")
        manifest.check_model(settings)
        self.settings = settings
        self.store = vector_store(settings, components.chroma)
        self.index = VectorStoreIndex.from_vector_store(self.store, embed_model=components.embed_model)
        self.manifest, self.keyword = read_keyword_folder(settings.index_dir, manifest, KeywordIndex.load)
        self.glossary = components.glossary
        self._ids = self.manifest.chunk_ids
        self._nodes: dict[str, BaseNode] = {}

    def allowed_ids(self, filters: Filters) -> set[str]:
        """Passage ids of the articles that pass the filters."""
        return {
            cid
            for name, doc in self.manifest.documents.items()
            if filters.source in (None, name) and filters.language in (None, doc.language)
            for cid in doc.chunk_ids
        }

    def dense(self, question: str, n: int, filters: Filters) -> list[str]:
        """Passage ids by embedding similarity, best first."""
        wanted = [MetadataFilter(key="file_name", value=filters.source)] if filters.source else []
        wanted += [MetadataFilter(key="language", value=filters.language)] if filters.language else []
        retriever = self.index.as_retriever(
            similarity_top_k=n,
            filters=MetadataFilters(filters=wanted, condition=FilterCondition.AND) if wanted else None,
        )
        try:
            hits = retriever.retrieve(question)
        except Exception as exc:  # noqa: BLE001 - an endpoint fails in many ways; the bundled model does not
            if not self.settings.embed_base_url:
                raise
            raise EmbeddingUnavailableError(
                f"the embeddings endpoint {self.settings.embed_base_url} failed ({type(exc).__name__})") from exc
        self._cache_nodes(hit.node for hit in hits)
        return [hit.node.node_id for hit in hits if hit.node.node_id in self._ids]

    def retrieve(
        self, question: str, k: int | None = None, *, filters: Filters = Filters(),
        evidence: Evidence | None = None, extra_queries: list[str] | None = None, dense: bool = True,
    ) -> list[Passage]:
        """The k passages that best answer the question, best first, each with its fused score.

        evidence is the question's (built once per question by the caller, else here);
        dense=False searches by keywords alone (when the embeddings endpoint is down).
        """
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        allowed = self.allowed_ids(filters) if filters else None
        evidence = evidence or self.evidence(question)
        rankings = {"dense": self.dense(question, n, filters) if dense else []}
        rankings["keyword"] = [cid for cid, _ in self.keyword.search_tokens(evidence.keyword_tokens(), n, allowed)]
        for i, query in enumerate(extra_queries or [], start=1):
            rankings[f"keyword{i}"] = [cid for cid, _ in self.keyword.search(query, n, allowed)]
        weights = {"dense": self.settings.dense_weight}
        fused = reciprocal_rank_fusion(rankings, self.settings.rrf_k, weights)[:n]
        if self.settings.rerank:
            fused = rerank(evidence, fused)
        return self._passages(fused[:k], rankings)

    def evidence(self, question: str, topic: str = "") -> Evidence:
        """The question's words weighted by their rarity in this index (a follow-up's topic weighing less)."""
        return Evidence(question, self.keyword, self.glossary, topic)

    def _passages(self, fused: list[tuple[str, float]], rankings: dict[str, list[str]]) -> list[Passage]:
        missing = [cid for cid, _ in fused if cid not in self._nodes]
        if missing:
            self._cache_nodes(self.store.get_nodes(node_ids=missing))
        passages = []
        for cid, score in fused:
            passage = passage_from_node(self._nodes[cid])
            passage.score = score
            passage.ranks = {name: ids.index(cid) + 1 for name, ids in rankings.items() if cid in ids}
            passages.append(passage)
        return passages

    def _cache_nodes(self, nodes) -> None:
        """Keep fetched passages so a repeated hit costs no round trip (bounded for huge corpora)."""
        if len(self._nodes) > 50_000:
            self._nodes.clear()
        self._nodes.update((node.node_id, node) for node in nodes)


def reciprocal_rank_fusion(
    rankings: dict[str, list[str]], k: int = 60, weights: dict[str, float] | None = None
) -> list[tuple[str, float]]:
    """Weighted sum of 1/(k + rank) over every ranking a passage appears in, best first."""
    scores: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, cid in enumerate(ids, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
