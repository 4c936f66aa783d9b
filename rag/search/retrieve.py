"""Retrieve: dense and keyword candidates, fused by reciprocal rank, then reranked.

Dense retrieval queries the Chroma collection that the build filled through llama-index's
ChromaVectorStore; keyword retrieval is our multilingual BM25. Both are read here with
Chroma's own client rather than llama-index's retriever: a question then imports no
llama-index (about a second of every cold start) and builds no node objects per hit.
Fusion is ours rather than llama-index's QueryFusionRetriever because we keep each
passage's per-retriever ranks and fused score on the result, and restrict BM25 with the
same filters as Chroma.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from rag.components import Components
from rag.components.store import REFRESH_HINT, Manifest, committed_collection, read_keyword_folder
from rag.errors import EmbeddingUnavailableError, IndexDamagedError, IndexMissingError, QuestionError
from rag.schema import Filters, Passage
from rag.search.evidence import Evidence
from rag.search.keyword import KeywordIndex
from rag.search.rerank import rerank
from rag.text import LANGUAGES

def _load_keyword(folder: Path) -> KeywordIndex:
    """The keyword index in folder, or IndexDamagedError in one line naming the repair when a part of it is
    missing or cannot be read."""
    try:
        return KeywordIndex.load(folder)
    except FileNotFoundError:
        raise  # read_keyword_folder looks for a newer generation first
    except (OSError, ValueError, RecursionError, EOFError, KeyError, TypeError) as exc:
        raise IndexDamagedError(f"the keyword index {folder} is damaged ({type(exc).__name__}); "
                                f"rebuild it with: {REFRESH_HINT}") from None


NODE_CONTENT = "_node_content"  # where llama-index's ChromaVectorStore keeps a node's fields
NAMED_SOURCES = 5  # of the indexed articles, in the message refusing an unknown source (the rest are counted)
SHOWN_SOURCE_CHARS = 80  # of an unknown source's name, in that message


def passage_from_record(chunk_id: str, text: str, metadata: dict) -> Passage:
    """A passage from a Chroma record written by llama-index (score filled in later)."""
    node = json.loads(metadata.get(NODE_CONTENT) or "{}")
    return Passage(
        text=text or "", source=metadata.get("file_name", ""), score=0.0, chunk_id=chunk_id,
        title=metadata.get("title", ""), language=metadata.get("language", ""),
        start_char=node.get("start_char_idx"), end_char=node.get("end_char_idx"),
    )


def chroma_where(filters: Filters) -> dict | None:
    """The filters as a Chroma where-clause (None: everything)."""
    wanted = [{"file_name": filters.source}] if filters.source else []
    wanted += [{"language": filters.language}] if filters.language else []
    return wanted[0] if len(wanted) == 1 else {"$and": wanted} if wanted else None


class Retriever:
    """Hybrid retrieval over one committed index; build once, query many times."""

    def __init__(self, components: Components) -> None:
        settings = components.settings
        manifest = Manifest.load(settings.index_dir)
        if manifest is None:
            raise IndexMissingError(f"no index in {settings.index_dir}; build one with: rag index")
        manifest.check_model(settings)
        self.settings = settings
        manifest, self.collection = committed_collection(components, manifest)  # the folder it names
        self.embed_question = components.query_embedder
        try:
            self.manifest, self.keyword = read_keyword_folder(settings.index_dir, manifest, _load_keyword)
        except FileNotFoundError:
            raise IndexDamagedError(f"the keyword index {settings.index_dir / manifest.keyword_dir} is missing a "
                                    f"part; rebuild it with: {REFRESH_HINT}") from None
        self.glossary = components.glossary
        self._ids = self.manifest.chunk_ids

    def check(self, filters: Filters) -> None:
        """Refuse a source filter naming an article this index does not hold (the search would quietly find
        nothing): a QuestionError naming it and the first NAMED_SOURCES of the indexed articles; and a language
        filter that is not a language code of the assistant's, as the CLI's --language refuses it."""
        if filters.language is not None and filters.language not in LANGUAGES:
            raise QuestionError(f"The language filter must be one of {', '.join(LANGUAGES)}, not {filters.language!r}.")
        if not filters.source or filters.source in self.manifest.documents:
            return
        names = sorted(self.manifest.documents)
        listed = ", ".join(names[:NAMED_SOURCES]) + (f" and {len(names) - NAMED_SOURCES} more"
                                                     if len(names) > NAMED_SOURCES else "")
        shown = filters.source[:SHOWN_SOURCE_CHARS] + ("…" if len(filters.source) > SHOWN_SOURCE_CHARS else "")
        raise QuestionError(f"No article named {shown!r} is in the index; it holds {listed or 'none'}.")

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
        try:
            vector = self.embed_question(question)
        except Exception as exc:  # noqa: BLE001 - an endpoint fails in many ways; the bundled model does not
            if not self.settings.embed_base_url:
                raise
            raise EmbeddingUnavailableError(
                f"the embeddings endpoint {self.settings.embed_base_url} failed ({type(exc).__name__})") from exc
        hits = self.collection.query(query_embeddings=[vector], n_results=n, where=chroma_where(filters),
                                     include=[])  # ids only: the k kept after fusion are fetched at the end
        return [cid for cid in hits["ids"][0] if cid in self._ids]

    def retrieve(
        self, question: str, k: int | None = None, *, filters: Filters = Filters(),
        evidence: Evidence | None = None, extra_queries: list[str] | None = None, dense: bool = True,
    ) -> list[Passage]:
        """The k passages that best answer the question, best first, each with its fused score.

        evidence is the question's (built once per question by the caller, else here);
        dense=False searches by keywords alone (when the embeddings endpoint is down).
        """
        self.check(filters)
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        allowed = self.allowed_ids(filters) if filters else None
        evidence = evidence or self.evidence(question)
        rankings = {"dense": self.dense(question, n, filters) if dense else []}
        rankings["keyword"] = [cid for cid, _ in self.keyword.search_tokens(evidence.keyword_tokens(), n, allowed)]
        for i, query in enumerate(extra_queries or [], start=1):
            rankings[f"keyword{i}"] = [cid for cid, _ in self.keyword.search(query, n, allowed)]
        weights = {"dense": self.settings.dense_weight}
        fused = distinct(reciprocal_rank_fusion(rankings, self.settings.rrf_k, weights))[:n]
        if self.settings.rerank:
            fused = rerank(evidence, fused)
        return self._passages(fused[:k], rankings)

    def evidence(self, question: str, topic: str = "") -> Evidence:
        """The question's words weighted by their rarity in this index (a follow-up's topic weighing less)."""
        return Evidence(question, self.keyword, self.glossary, topic)

    def _passages(self, fused: list[tuple[str, float]], rankings: dict[str, list[str]]) -> list[Passage]:
        """The fused top passages read from the store (one read; a passage a newer build removed comes back
        empty, which tells the assistant to retry on the newer index); none read for none (Chroma refuses
        a get of no ids: filters that match no passage find nothing)."""
        if not fused:
            return []
        found = self.collection.get(ids=[cid for cid, _ in fused], include=["documents", "metadatas"])
        records = {cid: (text, meta or {}) for cid, text, meta in zip(found["ids"], found["documents"],
                                                                       found["metadatas"])}
        passages = []
        for cid, score in fused:
            passage = passage_from_record(cid, *records.get(cid, ("", {})))
            passage.score = score
            passage.ranks = {name: ids.index(cid) + 1 for name, ids in rankings.items() if cid in ids}
            passage.previous_id = self._previous_ids.get(cid, "")
            passages.append(passage)
        return passages

    @cached_property
    def _previous_ids(self) -> dict[str, str]:
        """Each passage's id -> the id of the passage before it in its article (the first has none)."""
        return {chunk: before for document in self.manifest.documents.values()
                for before, chunk in zip(document.chunk_ids, document.chunk_ids[1:])}


def distinct(fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The fused passages with each text once: a passage id is its article and its text's hash (file#hash), so
    the same article saved twice, or linked, gives its passages once, in the best place either had."""
    seen: set[str] = set()
    out = []
    for cid, score in fused:
        text = cid.split("#", 1)[-1]
        if text not in seen:
            seen.add(text)
            out.append((cid, score))
    return out


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
