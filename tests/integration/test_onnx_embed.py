"""The bundled MiniLM on ONNX Runtime: the torch vectors, the same rankings, no torch or llama-index per question.

The ONNX export is what every query runs on by default, so these tests pin that it is
the same model (cosine >= 0.999 to the torch vectors on the real passages, the same dense
top-5, the same ranking as llama-index's retriever), that a question on a built index
imports neither torch nor llama-index, and that an export whose check fails leaves
nothing in the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rag.components import build_components
from rag.components import onnx_embed
from rag.components.embed import OnnxEmbedding, bundled_minilm, make_embed_model
from rag.errors import RagError
from rag.ingest.chunk import chunk_documents
from rag.ingest.load import load_corpus
from rag.schema import Filters
from rag.search.retrieve import Retriever
from tests.conftest import CORPUS, REPO

MIN_COSINE = 0.999
QUESTIONS = [
    "How many people were on the Probability team?",
    "Who sent the internal memo about the AI lab restructuring?",
    "田渊栋被裁时拿到了几个月的薪资补偿?",
    "Hvem var Metas senior direktør for generative AI?",
]
HEAVY = ("torch", "sentence_transformers", "transformers", "llama_index", "openai")  # seconds of imports
ASK = ("import json, sys, rag; answer = rag.ask({question!r}); "
       "print(json.dumps({{'passages': len(answer.passages), "
       "'loaded': [m for m in {heavy!r} if m in sys.modules]}}))")


@pytest.fixture(scope="module")
def passages(settings) -> list[str]:
    """Every passage of the bundled corpus, as the build embeds it."""
    nodes = chunk_documents(load_corpus(CORPUS).documents, settings)
    return [node.get_content(metadata_mode="embed") for node in nodes]


def _vectors(settings, backend: str, texts: list[str]) -> np.ndarray:
    model = make_embed_model(settings.model_copy(update={"embed_backend": backend}))
    return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)


def test_the_bundled_model_runs_on_onnx_by_default(settings):
    assert isinstance(make_embed_model(settings), OnnxEmbedding)


def test_onnx_and_torch_vectors_agree_on_every_corpus_passage(settings, passages):
    onnx, torch = _vectors(settings, "onnx", passages), _vectors(settings, "torch", passages)
    cosine = np.sum(onnx * torch, axis=1) / (np.linalg.norm(onnx, axis=1) * np.linalg.norm(torch, axis=1))
    assert len(passages) > 20 and float(cosine.min()) >= MIN_COSINE


def test_batching_does_not_change_a_vector(passages):
    model_dir = bundled_minilm()
    onnx_file = onnx_embed.ensure_onnx_model(model_dir)
    one_by_one = onnx_embed.OnnxRunner(onnx_file, model_dir, batch_size=1).embed(passages)
    padded = onnx_embed.OnnxRunner(onnx_file, model_dir, batch_size=8).embed(passages)
    assert np.allclose(one_by_one, padded, atol=1e-5)


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_direct_chroma_query_ranks_as_llama_indexs_retriever(settings, question):
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.components.store import open_collection

    components = build_components(settings)
    store = ChromaVectorStore(chroma_collection=open_collection(settings, components.chroma))
    stock = VectorStoreIndex.from_vector_store(store,
                                               embed_model=components.embed_model).as_retriever(similarity_top_k=5)
    assert Retriever(components).dense(question, 5, Filters()) == [hit.node.node_id for hit in stock.retrieve(question)]


@pytest.mark.parametrize("question", QUESTIONS)
def test_onnx_and_torch_rank_the_same_top_five(settings, question):
    onnx = Retriever(build_components(settings))
    torch = Retriever(build_components(settings.model_copy(update={"embed_backend": "torch"})))
    assert onnx.dense(question, 5, Filters()) == torch.dense(question, 5, Filters())


def test_asking_on_a_built_index_imports_no_torch_nor_llama_index(settings, tmp_path):
    onnx_embed.ensure_onnx_model(bundled_minilm())  # the export exists, as after any `rag index`
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(settings.index_dir), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    code = ASK.format(question=QUESTIONS[0], heavy=HEAVY)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["passages"] > 0 and result["loaded"] == []


@pytest.mark.slow
def test_an_export_that_disagrees_with_torch_is_not_cached(monkeypatch, tmp_path):
    monkeypatch.setattr(onnx_embed.rag_settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(onnx_embed, "MIN_AGREEMENT", 1.5)  # no cosine reaches it
    with pytest.raises(RagError, match="disagrees with torch"):
        onnx_embed.ensure_onnx_model(bundled_minilm())
    assert list((tmp_path / "onnx").iterdir()) == []
