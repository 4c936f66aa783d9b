"""The stock llama-index pipeline, the reference row in eval and bench.

SentenceSplitter (256/32), VectorStoreIndex on Chroma, the same embedding model run the
quick start's way (sentence-transformers on torch), dense top-k: what a newcomer gets
from the llama-index quick start.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import chromadb
from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.retrievers import BaseRetriever
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.components.embed import make_embed_model
from rag.settings import Settings

# The stock reader warns on every call that the optional PDF/DOCX readers are not installed; the corpus is text.
logging.getLogger("llama_index.core.readers.file.base").setLevel(logging.ERROR)


def build_stock(settings: Settings, corpus_dir: Path, client: chromadb.ClientAPI | None = None,
                k: int = 5) -> BaseRetriever:
    """Index the folder the stock way and return its top-k dense retriever."""
    documents = SimpleDirectoryReader(str(corpus_dir), recursive=True).load_data()
    client = client or chromadb.EphemeralClient(chromadb.config.Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection(f"stock-{uuid.uuid4().hex[:8]}")
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(
        documents, storage_context=storage, embed_model=make_embed_model(settings.model_copy(update={"embed_backend": "torch"})),
        transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)],
    )
    return index.as_retriever(similarity_top_k=k)
