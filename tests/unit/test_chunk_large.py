"""Chunking a large article: every offset right, nothing copied per chunk, no punctuation dropped."""

from __future__ import annotations

import tracemalloc

from llama_index.core import Document

from rag.ingest.chunk import _locate, chunk_documents, make_splitter
from rag.ingest.load import load_corpus
from tests.conftest import CORPUS, make_settings

LARGE_CHARS = 2_000_000  # big enough that one copy of the article dwarfs every chunk-sized allocation


def _large_article() -> str:
    """The five bundled articles (four scripts) repeated to LARGE_CHARS: repeated text is where offsets go wrong."""
    base = "\n".join(doc.text for doc in load_corpus(CORPUS).documents)
    return (base * (LARGE_CHARS // len(base) + 1))[:LARGE_CHARS]


def _assert_spans_tile(text: str, nodes) -> None:
    """Each chunk's span holds its text; spans run forward, overlapping or apart by whitespace only, end to end."""
    covered, previous = 0, -1
    for node in nodes:
        start, end = node.start_char_idx, node.end_char_idx
        assert start is not None and text[start:end] == node.text
        assert start > previous and not text[covered:start].strip()
        previous, covered = start, max(covered, end)
    assert not text[covered:].strip()


def test_a_large_article_chunks_with_every_offset_and_quote_in_place(tmp_path):
    text = _large_article()
    nodes = chunk_documents([Document(text=text, id_="big.txt")], make_settings(tmp_path))
    assert len(nodes) > 2_000
    _assert_spans_tile(text, nodes)
    arabic = next(n for n in nodes if n.metadata["chunk_index"] > 1_000 and "ميتا" in n.text)
    assert text[arabic.start_char_idx:arabic.end_char_idx] == arabic.text


def test_locating_chunks_copies_nothing_the_size_of_the_article(tmp_path):
    """Linear time: _locate reads a window around each chunk and never copies the rest of the article."""
    text = _large_article()
    nodes = make_splitter(make_settings(tmp_path)).get_nodes_from_documents([Document(text=text)])
    tracemalloc.start()
    try:
        _locate(text, nodes)
        kept, peak = tracemalloc.get_traced_memory()  # kept: the offsets set on the nodes
    finally:
        tracemalloc.stop()
    assert peak - kept < LARGE_CHARS // 10
    _assert_spans_tile(text, nodes)


def test_runs_of_commas_and_semicolons_survive_in_long_sentences(tmp_path):
    """A sentence longer than a passage is cut at clauses; "a,,b" keeps both commas, in every script."""
    text = ("a,,b;;c،،d，，e " * 300).strip()
    nodes = chunk_documents([Document(text=text, id_="marks.txt")],
                            make_settings(tmp_path, chunk_tokens=32, chunk_overlap=4))
    assert len(nodes) > 10
    _assert_spans_tile(text, nodes)
