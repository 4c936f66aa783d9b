"""Embed and store: the embedding model, the Chroma collection and the index manifest.

Chroma holds the vectors (embedded PersistentClient by default, a `chroma run` server
when RAG_CHROMA_HOST is set); llama-index's ChromaVectorStore talks to it. The manifest
is the index's commit point: it names the embedding model, the documents and their
passages, and is replaced atomically, so a build killed part-way leaves the previous
index answering.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import chromadb
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.errors import IndexMismatchError
from rag.settings import Settings

FORMAT_VERSION = 2
MANIFEST = "manifest.json"


@dataclass
class DocumentEntry:
    """What the index knows of one article."""

    doc_hash: str
    title: str
    language: str
    chunk_ids: list[str]


@dataclass
class Manifest:
    """The committed state of an index: model, documents, passages, keyword index folder."""

    embed_model: str
    format_version: int = FORMAT_VERSION
    keyword_dir: str = ""
    corpus_dir: str = ""
    built_at: float = field(default_factory=time.time)
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chunk_ids(self) -> set[str]:
        """Every passage id the index answers with."""
        return {cid for doc in self.documents.values() for cid in doc.chunk_ids}

    def save(self, index_dir: Path) -> None:
        """Write atomically: a reader sees the old manifest or the new one, never half."""
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = index_dir / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / MANIFEST)

    @classmethod
    def load(cls, index_dir: Path) -> Manifest | None:
        """The committed manifest, or None when no index was ever completed here."""
        path = index_dir / MANIFEST
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"the index in {index_dir} was written by another version of this project "
                f"(format {raw.get('format_version')}, expected {FORMAT_VERSION}). "
                "Rebuild it with: rag index --rebuild"
            )
        raw["documents"] = {k: DocumentEntry(**v) for k, v in raw["documents"].items()}
        raw["skipped"] = [tuple(s) for s in raw.get("skipped", [])]
        return cls(**raw)

    def check_model(self, settings: Settings) -> None:
        """Refuse to query vectors made by a different embedding model than the configured one."""
        if self.embed_model != settings.embed_model:
            raise IndexMismatchError(
                f"the index in {settings.index_dir} was built with the embedding model "
                f"'{self.embed_model}', but RAG_EMBED_MODEL is '{settings.embed_model}'. "
                "Rebuild it with: rag index --rebuild (or set RAG_EMBED_MODEL back)"
            )


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    """A Chroma server client when RAG_CHROMA_HOST is set, else the embedded store in the index folder."""
    chroma_settings = chromadb.config.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


def vector_store(settings: Settings, client: chromadb.ClientAPI | None = None) -> ChromaVectorStore:
    """llama-index's view of the collection, labelled with the embedding model that fills it."""
    client = client or chroma_client(settings)
    collection = client.get_or_create_collection(
        settings.collection,
        metadata={"embed_model": settings.embed_model, "hnsw:space": "cosine"},
    )
    stored = (collection.metadata or {}).get("embed_model")
    if stored and stored != settings.embed_model:
        raise IndexMismatchError(
            f"the Chroma collection '{settings.collection}' holds vectors of '{stored}', "
            f"not of '{settings.embed_model}'. Rebuild it with: rag index --rebuild"
        )
    return ChromaVectorStore(chroma_collection=collection)
