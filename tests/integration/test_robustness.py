"""Load and fuzz: concurrent questions give the same answers as one at a time; quotes are never invented."""

from __future__ import annotations

import statistics
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from rag.answer.cite import ArticleTexts, cite
from rag.schema import Passage
from tests.conftest import CORPUS
from tests.integration.test_ui import launch

QUESTIONS = [
    "How many people were on the Probability team?",
    "How many employees did Meta fire after training AI on their work?",
    "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟",
    "田渊栋领导开发了什么围棋AI？",
    "Hvem var Metas senior direktør for generative AI?",
    "What compensation did the dismissed employees receive?",
    "What is the recipe for Danish rye bread with caraway?",
    "What did Zuhayeer Musa of Levels.fyi tell The Wall Street Journal?",
    "Meta将裁员的刀架到了谁的脖子上?",
    "Who is Erik Meijer?",
]


def signature(answer) -> tuple:
    return answer.text, answer.abstained, tuple((c.source, c.quote) for c in answer.citations)


def test_fifty_concurrent_questions_through_the_python_api(assistant, capsys):
    expected = {q: signature(assistant.ask(q)) for q in QUESTIONS}
    asked = QUESTIONS * 5

    def timed(question):
        started = time.perf_counter()
        answer = assistant.ask(question)
        return question, answer, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(timed, asked))
    assert len(results) == 50
    for question, answer, _ in results:
        assert signature(answer) == expected[question], question
    latencies = sorted(r[2] for r in results)
    with capsys.disabled():
        print(f"\n[load] 50 concurrent API questions: p50 {statistics.median(latencies):.3f} s, "
              f"p95 {latencies[int(0.95 * len(latencies)) - 1]:.3f} s")


def test_twenty_concurrent_questions_through_the_running_app(settings, assistant, capsys):
    app, url = launch(settings)
    try:
        expected = {q: signature(assistant.ask(q)) for q in QUESTIONS[:4]}
        clients = [Client(url, verbose=False, download_files=False) for _ in range(4)]
        started = time.perf_counter()
        jobs = [clients[i % 4].submit(question=q, api_name="/ask") for i, q in enumerate(QUESTIONS[:4] * 5)]
        results = [(job, job.result(timeout=120)) for job in jobs]
        elapsed = time.perf_counter() - started
    finally:
        app.close()
    assert len(results) == 20
    for (job, data), question in zip(results, QUESTIONS[:4] * 5):
        text, abstained, citations = expected[question]
        assert data["text"] == text and data["abstained"] == abstained
        assert [(c["source"], c["quote"]) for c in data["citations"]] == list(citations)
    with capsys.disabled():
        print(f"\n[load] 20 concurrent questions through the Gradio queue: {elapsed:.2f} s in all")


ARTICLE = (CORPUS / "002_ea614d0ca7ddad52.txt").read_text(encoding="utf-8")


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.lists(st.sampled_from(list("abc 123.[]()。,田渊栋ميتا\n") + ["[1]", "[2]", "[99]", "[1, 2]"]),
                       max_size=120).map("".join),
       start=st.integers(0, len(ARTICLE) - 1), length=st.integers(1, 400), mutate=st.booleans())
def test_fuzz_citation_checker_never_reports_a_quote_not_in_the_article(answer, start, length, mutate):
    text = ARTICLE[start:start + length]
    if mutate:  # a passage that no longer matches its article, as after an edit on disk
        text = text[::-1]
    passages = [Passage(text=text or "x", source="002_ea614d0ca7ddad52.txt", score=1.0, chunk_id="c"),
                Passage(text="Invented sentence. Not in any article!", source="002_ea614d0ca7ddad52.txt",
                        score=0.5, chunk_id="d")]
    for citation in cite(answer, passages, ArticleTexts(CORPUS)).citations:
        assert unicodedata.normalize("NFC", citation.quote) in ARTICLE
        assert citation.quote.strip()
