"""The chat model's limits against scripted endpoints: answer size, one total deadline, retries.

Each endpoint is a real HTTP server on loopback (tests/servers.py) that the real `openai`
client talks to through ChatModel, with no index: these are the chat model's own rules.
"""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest

from rag.components.chat import ChatModel, answer_char_limit, retryable
from rag.errors import LLMUnavailableError
from tests.conftest import free_port, make_settings
from tests.servers import DONE, chunk, fake_endpoint, send_stream, start_stream

TIMEOUT = 2.0
MARGIN = 1.0  # seconds beyond the deadline for a busy 2-core machine
MAX_TOKENS = 64
FLOOD_PIECES = 2_000
FLOOD_PIECE_CHARS = 1_000  # 2 MB in 2,000 pieces: what an endpoint that never stops wrote
SLOW_FIRST_BYTE_S = 1.2  # more than TIMEOUT / 3, the share each of three attempts used to get


def chat(tmp_path, url: str, **overrides) -> ChatModel:
    values = {"llm_base_url": url, "llm_model": "fake-model", "llm_timeout": TIMEOUT, "llm_retries": 2,
              "llm_max_tokens": MAX_TOKENS, **overrides}
    return ChatModel(make_settings(tmp_path, **values))


def floods(h):
    """An answer that does not end: 2 MB as fast as the socket takes it."""
    start_stream(h)
    for _ in range(FLOOD_PIECES):
        h.wfile.write(chunk("word " * (FLOOD_PIECE_CHARS // 5)))
    h.wfile.write(DONE)
    h.wfile.flush()


def drips(h):
    """One character every 10 ms for ten seconds: never silent, never done, never long."""
    start_stream(h)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        h.wfile.write(chunk("a"))
        h.wfile.flush()
        time.sleep(0.01)


def slow_first_byte(h):
    time.sleep(SLOW_FIRST_BYTE_S)
    send_stream(h, [chunk("Fifty "), chunk("members."), DONE])


def status(code: int):
    def behaviour(h):
        send_stream(h, [json.dumps({"error": {"message": f"status {code}"}}).encode()], status=code,
                    content_type="application/json")
    return behaviour


def fails_twice_then_answers(h):
    if len(h.seen) <= 2:
        status(503)(h)
    else:
        send_stream(h, [chunk("Fifty members."), DONE])


def test_an_answer_that_never_ends_is_cut_at_the_size_limit(tmp_path):
    limit = answer_char_limit(MAX_TOKENS)
    received = ""
    with fake_endpoint(floods) as (url, _):
        started = time.perf_counter()
        with pytest.raises(LLMUnavailableError, match=f"ran past {limit:,} characters"):
            for piece in chat(tmp_path, url).stream("Who left?"):
                received += piece
        elapsed = time.perf_counter() - started
    assert len(received) <= limit < FLOOD_PIECES * FLOOD_PIECE_CHARS
    assert elapsed < TIMEOUT, "cut when it outgrew the limit, not at the deadline"


def test_the_deadline_covers_the_whole_answer_however_steadily_it_arrives(tmp_path):
    """A reader slower than the endpoint always finds text waiting; the deadline still holds."""
    with fake_endpoint(drips) as (url, _):
        started = time.perf_counter()
        with pytest.raises(LLMUnavailableError, match=f"within {TIMEOUT:g} s"):
            for _ in chat(tmp_path, url).stream("Who left?"):
                time.sleep(0.05)  # the UI rendering each piece
        elapsed = time.perf_counter() - started
    assert TIMEOUT * 0.9 <= elapsed <= TIMEOUT + MARGIN


def test_a_slow_first_byte_keeps_the_whole_deadline_and_is_asked_once(tmp_path):
    with fake_endpoint(slow_first_byte) as (url, seen):
        text = chat(tmp_path, url, llm_retries=2).complete("How many members?")
    assert text == "Fifty members."
    assert len(seen) == 1, "a slow attempt was abandoned and the endpoint asked again"


def test_fast_server_errors_are_retried_within_the_deadline(tmp_path):
    with fake_endpoint(fails_twice_then_answers) as (url, seen):
        started = time.perf_counter()
        text = chat(tmp_path, url, llm_retries=2).complete("How many members?")
    assert text == "Fifty members." and len(seen) == 3
    assert time.perf_counter() - started < TIMEOUT


def test_retries_of_an_always_failing_endpoint_stop_at_the_deadline(tmp_path):
    with fake_endpoint(status(500)) as (url, seen):
        started = time.perf_counter()
        with pytest.raises(LLMUnavailableError, match="InternalServerError"):
            chat(tmp_path, url, llm_retries=50).complete("How many members?")
    assert 2 <= len(seen) < 51
    assert time.perf_counter() - started <= TIMEOUT + MARGIN


def test_a_client_error_is_not_retried(tmp_path):
    with fake_endpoint(status(401)) as (url, seen):
        with pytest.raises(LLMUnavailableError, match="AuthenticationError"):
            chat(tmp_path, url, llm_retries=2).complete("How many members?")
    assert len(seen) == 1


def test_a_refused_connection_is_retried_and_fails_fast(tmp_path):
    started = time.perf_counter()
    with pytest.raises(LLMUnavailableError, match="APIConnectionError"):
        chat(tmp_path, f"http://127.0.0.1:{free_port()}/v1", llm_retries=2).complete("How many members?")
    assert time.perf_counter() - started < TIMEOUT


def test_only_fast_failures_are_retryable():
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")

    def status_error(code: int) -> openai.APIStatusError:
        return openai.APIStatusError("failed", response=httpx.Response(code, request=request), body=None)

    assert retryable(openai.APIConnectionError(request=request))
    assert retryable(status_error(502)) and retryable(status_error(500))
    assert not retryable(openai.APITimeoutError(request=request))
    assert not retryable(status_error(400)) and not retryable(status_error(429))
    assert not retryable(ValueError("bad JSON"))
