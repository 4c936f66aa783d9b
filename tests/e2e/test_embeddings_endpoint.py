"""An index embedded through an OpenAI-compatible /v1/embeddings endpoint (llama.cpp on SmolLM2).

No mocks: llama.cpp's server runs with --embedding true on loopback, index.build embeds
two real articles through it, retrieval embeds the question through it, and an index
opened with another embedding model name is refused with the rebuild command.
"""

from __future__ import annotations

import shutil
import unicodedata

import pytest

from rag.ingest.build import build_index
from rag.assistant import Assistant
from rag.components import build_components
from rag.schema import Filters
from rag.search.retrieve import Retriever
from rag.components.store import chroma_client
from rag.errors import IndexMismatchError
from tests.conftest import CORPUS, free_port, make_settings
from tests.servers import embed_url  # noqa: F401 - session fixture

pytestmark = pytest.mark.llm

ARTICLES = ["000_e4361c01c8850e8e.txt", "004_0d2ab960e419d201.txt"]
SMOLLM2_DIM = 576  # SmolLM2-135M's hidden size; the bundled MiniLM gives 384


@pytest.fixture(scope="module")
def endpoint_index(tmp_path_factory, embed_url):  # noqa: F811
    tmp = tmp_path_factory.mktemp("endpoint-index")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in ARTICLES:
        shutil.copy(CORPUS / name, corpus / name)
    settings = make_settings(tmp, corpus, embed_base_url=embed_url, embed_model="smollm2-embed",
                             embed_batch_size=8, llm_timeout=120)
    report = build_index(settings)
    return settings, report


def test_build_embeds_every_passage_through_the_endpoint(endpoint_index):
    settings, report = endpoint_index
    assert report.documents == 2 and report.skipped == []
    assert report.chunks > 0 and report.embedded == report.chunks
    collection = chroma_client(settings).get_collection(settings.collection)
    stored = collection.get(include=["embeddings", "metadatas"])
    assert len(stored["ids"]) == report.chunks
    assert {len(v) for v in stored["embeddings"]} == {SMOLLM2_DIM}, "vectors are not SmolLM2's"
    assert collection.metadata["embed_model"] == "smollm2-embed"
    assert {m["file_name"] for m in stored["metadatas"]} == set(ARTICLES)


def test_retrieval_embeds_the_question_through_the_endpoint(endpoint_index):
    settings, _ = endpoint_index
    retriever = Retriever(build_components(settings))
    question = "How many people were on Meta's Probability team?"
    dense = retriever.dense(question, 5, Filters())
    assert dense, "the endpoint-built vector index returned nothing"
    passages = retriever.retrieve(question, k=3)
    assert passages and {p.source for p in passages} <= set(ARTICLES)
    assert passages[0].source == "000_e4361c01c8850e8e.txt"
    assert any("dense" in p.ranks for p in passages)

    answer = Assistant(settings).ask(question)
    assert answer.mode == "offline" and not answer.abstained and answer.citations
    for citation in answer.citations:
        text = unicodedata.normalize("NFC", (settings.corpus_dir / citation.source).read_text(encoding="utf-8"))
        assert unicodedata.normalize("NFC", citation.quote) in text
    assert "50" in answer.text


def test_another_embedding_model_name_is_refused_with_the_rebuild_command(endpoint_index, embed_url):  # noqa: F811
    settings, _ = endpoint_index
    other = settings.model_copy(update={"embed_model": "some-other-embedder"})
    with pytest.raises(IndexMismatchError, match="rag index --rebuild") as caught:
        Retriever(build_components(other))
    assert "smollm2-embed" in str(caught.value) and "some-other-embedder" in str(caught.value)
    with pytest.raises(IndexMismatchError, match="rag index --rebuild"):
        Assistant(other)
    with pytest.raises(IndexMismatchError, match="rag index --rebuild"):
        build_index(other)  # a refresh must not mix two models' vectors either


def test_embeddings_endpoint_down_at_query_time_falls_back_to_keywords(endpoint_index):
    """A stopped endpoint costs the dense half of retrieval, with a notice, not the answer."""
    settings, _ = endpoint_index
    down = settings.model_copy(update={"embed_base_url": f"http://127.0.0.1:{free_port()}/v1", "llm_timeout": 5})
    answer = Assistant(down).ask("How many people were on Meta's Probability team?")
    assert any("keyword search alone" in n for n in answer.notices), answer.notices
    assert answer.passages and all("dense" not in p.ranks for p in answer.passages)
    assert answer.passages[0].source == "000_e4361c01c8850e8e.txt"
    assert not answer.abstained and "50" in answer.text
