"""The chat model: any OpenAI-compatible endpoint, streamed, held to one total deadline per call.

The `openai` client talks to OpenAI, vLLM, Ollama or llama.cpp's server alike; the
request runs in a worker thread so that no socket behaviour (silence, keep-alives, an
answer that never ends) can stretch a call past RAG_LLM_TIMEOUT, and no endpoint can
write more than the answer it was asked for.

Retries are ours, not the client's: only a failure that comes back at once (the
connection refused, a 5xx status) before any text is tried again, within the same
deadline. A slow attempt is never abandoned to start another: it keeps the time left.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import openai

from rag.errors import LLMUnavailableError
from rag.settings import Settings

# A token is rarely over ten characters: an answer longer than this per token asked for comes from
# an endpoint that ignores max_tokens, and is cut off there rather than read (and held) without end.
MAX_ANSWER_CHARS_PER_TOKEN = 16
RETRY_BACKOFF_S = 0.25  # before the first retry of a fast failure; doubled before each further one
MAX_REASON_CHARS = 200  # of an endpoint's error, in the notice the user reads
SERVER_ERROR = 500  # statuses from here up are the server's own failure, worth one more try


def answer_char_limit(max_tokens: int) -> int:
    """The most characters read from an answer of max_tokens tokens."""
    return max_tokens * MAX_ANSWER_CHARS_PER_TOKEN


def retryable(exc: BaseException) -> bool:
    """A failure that says at once the endpoint could not answer: refused or dropped connection, or a 5xx.

    A timeout is not one: the endpoint may be working, only slowly, and a new attempt would
    add to its load and start again from nothing.
    """
    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= SERVER_ERROR
    return isinstance(exc, openai.APIConnectionError)


class ChatModel:
    """A chat model behind an OpenAI-compatible endpoint, held to one total deadline per call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout,
            max_retries=0,  # see retryable(): our retries, within the one deadline
        )

    def stream(self, prompt: str, max_tokens: int | None = None) -> Iterator[str]:
        """Text pieces as the model writes them; raises LLMUnavailableError on failure, once RAG_LLM_TIMEOUT
        has passed since the call (however steadily text arrives), or when the answer outgrows
        answer_char_limit(max_tokens).
        """
        tokens = max_tokens or self.settings.llm_max_tokens
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        deadline = time.monotonic() + self.settings.llm_timeout
        worker = threading.Thread(target=self._produce, args=(prompt, tokens, deadline, pieces, stop), daemon=True)
        worker.start()
        try:
            while True:
                kind, value = self._next(pieces, deadline)
                if kind == "done":
                    return
                if kind == "too long":
                    raise LLMUnavailableError(str(value))
                if kind == "error":
                    raise LLMUnavailableError(self._describe(value)) from value
                yield value
        finally:
            stop.set()

    def _next(self, pieces: queue.Queue, deadline: float) -> tuple[str, object]:
        """The worker's next item, or LLMUnavailableError once the deadline has passed."""
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise queue.Empty
            return pieces.get(timeout=remaining)
        except queue.Empty:
            raise LLMUnavailableError(f"no complete answer within {self.settings.llm_timeout:g} s") from None

    def _produce(self, prompt: str, tokens: int, deadline: float, pieces: queue.Queue,
                 stop: threading.Event) -> None:
        """Worker: put ("text", piece) items, then ("done", None), ("error", exception) or ("too long", message).

        The one place the answer's length is counted: it reads no further than answer_char_limit(tokens)
        characters, and the piece that would pass the limit becomes the "too long" item instead. Tries
        again after a retryable() failure that came before any text, while retries and time are left.
        """
        limit = answer_char_limit(tokens)
        for attempt in range(self.settings.llm_retries + 1):
            written = 0
            try:
                for piece in self._attempt(prompt, tokens, deadline, stop):
                    written += len(piece)
                    if written > limit:
                        pieces.put(("too long", f"the answer ran past {limit:,} characters "
                                                f"({tokens} tokens were asked for)"))
                        return
                    pieces.put(("text", piece))
                pieces.put(("done", None))
                return
            except Exception as exc:  # noqa: BLE001 - any failure (HTTP, JSON, a dropped socket): "fall back"
                pause = RETRY_BACKOFF_S * 2 ** attempt
                last = attempt == self.settings.llm_retries or time.monotonic() + pause >= deadline
                if written or last or not retryable(exc) or stop.wait(pause):
                    pieces.put(("error", exc))
                    return

    def _attempt(self, prompt: str, tokens: int, deadline: float, stop: threading.Event) -> Iterator[str]:
        """One request, given all the time left before the deadline; its text pieces until stop is set."""
        response = self.client.chat.completions.create(
            model=self.settings.llm_model or "",
            messages=[{"role": "user", "content": prompt}],
            temperature=0,
            max_tokens=tokens,
            stream=True,
            timeout=max(deadline - time.monotonic(), 0.0),
        )
        with response:
            for chunk in response:
                if stop.is_set():
                    return
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    def _describe(self, exc: BaseException) -> str:
        """A one-line reason for the user, with the API key never in it."""
        return self.settings.scrub(f"{type(exc).__name__}: {exc}")[:MAX_REASON_CHARS]

    def complete(self, prompt: str, max_tokens: int | None = None) -> str:
        """The whole answer as one string; empty answers count as a failure."""
        text = "".join(self.stream(prompt, max_tokens)).strip()
        if not text:
            raise LLMUnavailableError("the model returned an empty answer")
        return text
