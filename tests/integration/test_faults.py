"""Nothing lost: every way the chat endpoint can fail still gives the offline answer, in time.

Each fault is a real HTTP server on 127.0.0.1 (http.server in a thread) that the real
`openai` client talks to through rag.components.chat.ChatModel. For each one the answer must
be the offline answer (mode "fallback"), with a notice saying what happened, citations
that occur word for word in the article file, within the configured timeout plus a small
margin, and without the API key anywhere a user could see it. A model that cites a
passage for a claim the passage does not make (a number it does not hold, or nothing
in common at all) counts as a fault too: its citations are dropped.
"""

from __future__ import annotations

import json
import re
import socket
import time
import unicodedata

import pytest
from pydantic import SecretStr

from rag.ingest.build import build_index
from rag.assistant import Assistant
from rag.schema import Answer
from tests.conftest import CORPUS, copy_corpus, free_port, make_settings
from tests.servers import DONE, Behaviour, chunk, fake_endpoint, send_stream, start_stream
from tests.e2e.test_llm import INJECTION, PLANTED

API_KEY = "sk-test-SECRET-1234"
TIMEOUT = 2.0
QUESTION = "How many people were on Meta's Probability team?"
FOLLOW_UP = "and how many of them worked on Bayesian models?"
HISTORY = [("How many people were on the Probability team?", "The team had 50 members [1].")]
MARGIN = 1.0  # seconds beyond llm_timeout for retrieval and the offline answer on a busy machine


# Behaviours ---------------------------------------------------------------------------

def sleeps(seconds: float) -> Behaviour:
    def behaviour(h):
        time.sleep(seconds)
        send_stream(h, [chunk("Too late [1]."), DONE])
    return behaviour


def http_500(h):
    send_stream(h, [json.dumps({"error": {"message": "internal error", "type": "server_error"}}).encode()],
                status=500, content_type="application/json")


def http_500_echoing_key(h):
    """A misconfigured proxy that echoes the request headers in its error body."""
    echoed = {"error": {"message": f"upstream failed for Authorization: {h.headers.get('Authorization')}",
                        "type": "server_error"}}
    send_stream(h, [json.dumps(echoed).encode()], status=500, content_type="application/json")


def malformed_sse(h):
    send_stream(h, [chunk("The team "), b"data: {\"choices\": [{\"delta\": {\"content\": \n\n", DONE])


def malformed_json(h):
    send_stream(h, [b"{this is not json"], content_type="application/json")


def html_page(h):
    send_stream(h, [b"<html><body>502 Bad Gateway</body></html>"], content_type="text/html")


def empty_completion(h):
    send_stream(h, [chunk(None), chunk(""), chunk("  \n"), DONE])


def cites_missing_passages(h):
    send_stream(h, [chunk("The Probability team had 50 members [7] [99]."), DONE])


def prompt_passages(h) -> dict[int, str]:
    """The numbered passages of the prompt the assistant sent: {n: text}."""
    prompt = json.loads(h.request_body)["messages"][-1]["content"]
    blocks = re.findall(r"^\[(\d+)\] \(from [^)]*\)\n(.*?)(?=^\[\d+\] \(from |^Question:)", prompt,
                        flags=re.M | re.S)
    return {int(n): text for n, text in blocks}


def miscites_a_number(h):
    """Cites, for a true number, a passage that does not hold it."""
    wrong = [n for n, text in prompt_passages(h).items() if "50 members" not in text]
    send_stream(h, [chunk(f"The Probability team had 50 members [{wrong[0]}]."), DONE])


def cites_for_an_unrelated_claim(h):
    send_stream(h, [chunk("Yes, absolutely [1]."), DONE])


def obeys_planted_instruction(h):
    """A model that does what the planted article says, citing it."""
    send_stream(h, [chunk(f"{INJECTION} [1]."), DONE])


def drops_mid_stream(h):
    """Promises a long body, sends half an answer, then hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.write(chunk("The Probability team had "))
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


def writes_without_end(h):
    """2 MB of answer in 2,000 pieces, as fast as the socket takes them."""
    start_stream(h)
    for _ in range(2_000):
        h.wfile.write(chunk("The team " * 111))
    h.wfile.write(DONE)
    h.wfile.flush()


def keepalive_forever(h):
    """Keeps the stream open with SSE comments (what sse-starlette's pings look like), never answering."""
    start_stream(h)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        h.wfile.write(b": ping\n\n")
        h.wfile.flush()
        time.sleep(0.2)


def trickles_forever(h):
    """Writes a word every 0.3 s and never finishes."""
    start_stream(h)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        h.wfile.write(chunk("and "))
        h.wfile.flush()
        time.sleep(0.3)


# --------------------------------------------------------------------------- helpers

def article(source: str) -> str:
    return unicodedata.normalize("NFC", (CORPUS / source).read_text(encoding="utf-8"))


def assert_offline_fallback(answer: Answer, offline: Answer, elapsed: float, limit: float,
                            expect: tuple[str, ...]) -> None:
    """The fallback answer is the offline one, explained, verified, in time and without the key."""
    assert answer.mode == "fallback", (answer.mode, answer.text, answer.notices)
    notices = " ".join(answer.notices)
    assert any(word.lower() in notices.lower() for word in expect), answer.notices
    assert "offline answer" in notices, answer.notices
    assert answer.text == offline.text
    assert not answer.abstained and answer.citations, "the offline answer to this question quotes the article"
    for citation in answer.citations:
        assert unicodedata.normalize("NFC", citation.quote) in article(citation.source), citation.quote
    assert [c.quote for c in answer.citations] == [c.quote for c in offline.citations]
    assert elapsed <= limit, f"took {elapsed:.2f} s, limit {limit:.2f} s"
    assert_no_key(answer)


def assert_no_key(answer: Answer) -> None:
    visible = [answer.text, *answer.notices, *(c.quote for c in answer.citations)]
    for text in visible:
        assert API_KEY not in text and "SECRET-1234" not in text, f"API key leaked: {text!r}"


def llm_settings(settings, base_url: str, **overrides):
    """The session's settings pointed at a chat endpoint, with the fake key."""
    values = {**settings.model_dump(exclude={"llm_api_key"}), "llm_base_url": base_url,
              "llm_model": "fake-model", "llm_api_key": SecretStr(API_KEY),
              "llm_timeout": TIMEOUT, "llm_retries": 0, **overrides}
    return type(settings).model_validate(values)


def timed_ask(assistant: Assistant, question: str, **options) -> tuple[Answer, float, list[Answer]]:
    """The final answer, seconds taken, and the partial answers streamed before it."""
    started = time.perf_counter()
    answers = list(assistant.ask_stream(question, **options))
    return answers[-1], time.perf_counter() - started, answers[:-1]


@pytest.fixture(scope="module")
def offline(settings) -> tuple[Answer, float]:
    """The offline answer to QUESTION, and the slowest of three offline runs (warm)."""
    assistant = Assistant(settings)
    runs = [timed_ask(assistant, QUESTION) for _ in range(3)]
    answer = runs[-1][0]
    assert answer.mode == "offline" and answer.citations
    assert answer.passages[0].source == "000_e4361c01c8850e8e.txt"
    return answer, max(r[1] for r in runs)


def limit_for(offline_seconds: float, timeout: float = TIMEOUT) -> float:
    return timeout + offline_seconds + MARGIN


# --------------------------------------------------------------------------- tests

FAULTS = {
    "http-500": (http_500, ("InternalServerError", "500")),
    "malformed-sse": (malformed_sse, ("failed", "JSON", "malformed")),
    "malformed-json": (malformed_json, ("empty",)),
    "html-page": (html_page, ("empty",)),
    "empty-completion": (empty_completion, ("empty",)),
    "cites-missing-passages": (cites_missing_passages, ("could not be verified", "no verifiable citation")),
    "drops-mid-stream": (drops_mid_stream, ("failed",)),
    "writes-without-end": (writes_without_end, ("ran past",)),
    "miscites-a-number": (miscites_a_number, ("could not be verified", "no verifiable citation")),
    "cites-for-an-unrelated-claim": (cites_for_an_unrelated_claim, ("could not be verified",)),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_endpoint_fault_falls_back_to_offline_answer(settings, offline, name):
    behaviour, expect = FAULTS[name]
    with fake_endpoint(behaviour) as (url, seen):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert seen, "the endpoint was never called"
    assert seen[0]["headers"].get("authorization") == f"Bearer {API_KEY}"
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), expect)


def test_cited_passages_that_do_not_exist_are_counted_as_dropped(settings, offline):
    with fake_endpoint(cites_missing_passages) as (url, _):
        answer = Assistant(llm_settings(settings, url, top_k=5)).ask(QUESTION)
    assert any("2 citation(s)" in n for n in answer.notices), answer.notices
    assert len(answer.passages) <= 5


def test_connection_refused_falls_back_fast(settings, offline):
    port = free_port()  # nothing listens there
    assistant = Assistant(llm_settings(settings, f"http://127.0.0.1:{port}/v1", llm_retries=2))
    answer, elapsed, partials = timed_ask(assistant, QUESTION)
    assert partials == []
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("APIConnectionError", "connect"))


def test_slow_endpoint_is_abandoned_at_the_timeout(settings, offline):
    with fake_endpoint(sleeps(TIMEOUT * 3)) as (url, seen):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert len(seen) == 1
    assert elapsed >= TIMEOUT * 0.9, "gave up before the timeout"
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("timed out", "Timeout", "within"))


def test_a_slow_endpoint_is_not_retried_but_keeps_the_whole_timeout(settings, offline):
    """llm_timeout is the whole budget; a slow attempt is not abandoned for another (that only adds load)."""
    with fake_endpoint(sleeps(TIMEOUT * 3)) as (url, seen):
        assistant = Assistant(llm_settings(settings, url, llm_retries=4))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert len(seen) == 1, "a slow attempt was abandoned and the endpoint asked again"
    assert elapsed >= TIMEOUT * 0.9, "gave up before the timeout"
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("timed out", "Timeout", "within"))


def test_server_errors_are_retried_within_the_total_timeout(settings, offline):
    with fake_endpoint(http_500) as (url, seen):
        assistant = Assistant(llm_settings(settings, url, llm_retries=2))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert len(seen) == 3, "a fast 5xx is tried again, llm_retries times"
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("InternalServerError", "500"))


def test_endpoint_that_writes_forever_is_cut_at_the_deadline(settings, offline):
    with fake_endpoint(trickles_forever) as (url, _):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, partials = timed_ask(assistant, QUESTION)
    assert partials, "the words written before the deadline were streamed"
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("within",))


def test_endpoint_that_only_sends_keepalives_is_cut_at_the_deadline(settings, offline):
    with fake_endpoint(keepalive_forever) as (url, _):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("within", "timed out"))


def test_follow_up_costs_one_timeout_not_two(settings):
    """When the rewrite of a follow-up already timed out, the answer does not wait a second time."""
    offline_answer = Assistant(settings).ask(FOLLOW_UP, history=HISTORY)
    with fake_endpoint(sleeps(TIMEOUT * 3)) as (url, seen):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, _ = timed_ask(assistant, FOLLOW_UP, history=HISTORY)
    assert answer.mode == "fallback"
    assert answer.text == offline_answer.text
    assert answer.passages[0].source == "000_e4361c01c8850e8e.txt"
    assert any("follow-up" in n for n in answer.notices), answer.notices
    assert elapsed <= TIMEOUT + offline_answer.seconds + MARGIN, (elapsed, len(seen), answer.notices)


def test_query_translation_and_answer_share_one_timeout(settings):
    """With RAG_LLM_TRANSLATE_QUERIES on, a dead endpoint still costs one timeout, not one per call."""
    with fake_endpoint(sleeps(TIMEOUT * 3)) as (url, seen):
        assistant = Assistant(llm_settings(settings, url, llm_translate_queries=True))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert answer.mode == "fallback" and answer.citations, (answer.mode, answer.notices)
    assert elapsed <= TIMEOUT + 2 * MARGIN, (elapsed, len(seen), answer.notices)


def test_api_key_echoed_by_the_endpoint_is_not_shown(settings, offline):
    with fake_endpoint(http_500_echoing_key) as (url, _):
        assistant = Assistant(llm_settings(settings, url))
        answer, elapsed, _ = timed_ask(assistant, QUESTION)
    assert_offline_fallback(answer, offline[0], elapsed, limit_for(offline[1]), ("500",))


def test_api_key_is_not_in_settings_repr(settings):
    s = llm_settings(settings, "http://127.0.0.1:9/v1")
    assert API_KEY not in repr(s) and API_KEY not in str(s.model_dump())


@pytest.fixture(scope="module")
def planted_settings(tmp_path_factory):
    """The bundled articles plus one that carries an instruction to the model."""
    tmp = tmp_path_factory.mktemp("planted")
    corpus = copy_corpus(tmp)
    (corpus / "900_planted.txt").write_text(PLANTED, encoding="utf-8")
    s = make_settings(tmp, corpus)
    build_index(s)
    return s


def test_a_model_that_obeys_a_planted_instruction_is_not_shown(planted_settings):
    """Even a verbatim quote does not carry a claim that has nothing to do with the question."""
    question = "How many people does Meta's data centre in Odense employ?"
    offline_answer = Assistant(planted_settings).ask(question)
    with fake_endpoint(obeys_planted_instruction) as (url, _):
        answer = Assistant(llm_settings(planted_settings, url)).ask(question)
    assert answer.passages[0].source == "900_planted.txt"
    outside_quotes = answer.text
    for citation in answer.citations:
        outside_quotes = outside_quotes.replace(citation.quote, "")
    assert INJECTION not in outside_quotes, (answer.mode, answer.text)
    assert answer.mode == "fallback" and answer.text == offline_answer.text
    assert "350" in answer.text


def test_api_key_can_be_set_by_field_name(tmp_path):
    """Settings(llm_api_key=...) must not be silently replaced by the "not-needed" default."""
    s = make_settings(tmp_path, llm_api_key=API_KEY)
    assert s.llm_api_key.get_secret_value() == API_KEY


def half_true(h):
    """One claim its passage backs, one it does not."""
    send_stream(h, [chunk("The Probability team had 50 members [1]. "), chunk("It was founded in 1887 [1]."), DONE])


def test_a_claim_its_quote_does_not_back_is_cut_from_the_answer(settings):
    """The model's answer stays, minus the sentence whose citation failed, and the notice says so."""
    with fake_endpoint(half_true) as (url, _):
        answer, _, partials = timed_ask(Assistant(llm_settings(settings, url)), QUESTION)
    assert partials and "1887" in partials[-1].text, "the draft was streamed as written"
    assert answer.mode == "llm", (answer.mode, answer.notices)
    assert answer.text == "The Probability team had 50 members [1]."
    assert any("could not be verified" in n for n in answer.notices), answer.notices
    assert [c.source for c in answer.citations] == ["000_e4361c01c8850e8e.txt"]
    assert "50 members" in answer.citations[0].quote


def test_index_time_glosses_with_the_endpoint_down_still_build_the_index(tmp_path):
    """A dead endpoint costs the glosses, not the build, nor the retrieval of the article."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "001_11aa8dc79ed4b7a5.txt").write_bytes((CORPUS / "001_11aa8dc79ed4b7a5.txt").read_bytes())
    s = make_settings(tmp_path, corpus, llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="m",
                      llm_gloss_passages=True, llm_timeout=TIMEOUT, llm_retries=0)
    started = time.perf_counter()
    report = build_index(s)
    assert report.chunks > 1 and report.skipped == []
    assert time.perf_counter() - started < 60
    answer = Assistant(s).ask("كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟")
    assert answer.passages and answer.passages[0].source == "001_11aa8dc79ed4b7a5.txt"
