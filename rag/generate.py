"""Generate: an OpenAI-compatible chat model when one is configured, else an extractive answer.

The chat path is the `openai` client against any compatible endpoint (OpenAI, vLLM,
Ollama, llama.cpp's server), streamed, with a total deadline and the client's own
retries with back-off. The offline path picks the sentences of the retrieved
passages that share most with the question and quotes them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import openai

from rag.cite import sentences_of
from rag.rerank import Evidence
from rag.retrieve import Passage
from rag.settings import Settings

NOT_FOUND = "NOT FOUND"


class LLMUnavailableError(RuntimeError):
    """The chat endpoint refused, timed out, failed or answered nothing usable."""


@dataclass
class Extract:
    """The best sentences for a question: (passage number, sentence) pairs and their support."""

    picks: list[tuple[int, str]]
    support: float


def extract(evidence: Evidence, passages: list[Passage], max_sentences: int = 2) -> Extract:
    """The sentences that answer best; a second one only from another article and nearly as good."""
    scored = []
    for number, passage in enumerate(passages, start=1):
        rank_prior = 0.01 * (len(passages) - number)
        for sentence in sentences_of(passage):
            support = evidence.support(sentence, passage.language) + evidence.fit(sentence)
            scored.append((support + rank_prior, support, number, sentence))
    scored.sort(key=lambda item: -item[0])
    if not scored:
        return Extract(picks=[], support=0.0)
    best = scored[0]
    picks = [(best[2], best[3])]
    for total, _, number, sentence in scored[1:]:
        if len(picks) >= max_sentences or total < 0.8 * best[0]:
            break
        if passages[number - 1].source not in {passages[n - 1].source for n, _ in picks}:
            picks.append((number, sentence))
    return Extract(picks=picks, support=best[1])


class ChatModel:
    """A chat model behind an OpenAI-compatible endpoint, held to one total deadline per call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout / (settings.llm_retries + 1),
            max_retries=settings.llm_retries,
        )

    def stream(self, prompt: str, max_tokens: int | None = None) -> Iterator[str]:
        """Text pieces as the model writes them; raises LLMUnavailableError past the deadline or on failure.

        The request runs in a worker thread so the deadline holds even while the socket is
        silent or sends only keep-alives, and across the client's retries and back-off.
        """
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        deadline = time.monotonic() + self.settings.llm_timeout
        threading.Thread(target=self._produce, args=(prompt, max_tokens, pieces, stop), daemon=True).start()
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    raise LLMUnavailableError(
                        f"no complete answer within {self.settings.llm_timeout:g} s") from None
                if kind == "done":
                    return
                if kind == "error":
                    raise LLMUnavailableError(self._describe(value)) from value
                yield value
        finally:
            stop.set()

    def _produce(self, prompt: str, max_tokens: int | None, pieces: queue.Queue, stop: threading.Event) -> None:
        """Worker: put ("text", piece) items, then ("done", None) or ("error", exception)."""
        try:
            response = self.client.chat.completions.create(
                model=self.settings.llm_model or "",
                messages=[{"role": "user", "content": prompt}],
                temperature=0,
                max_tokens=max_tokens or self.settings.llm_max_tokens,
                stream=True,
            )
            with response:
                for chunk in response:
                    if stop.is_set():
                        return
                    if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                        pieces.put(("text", chunk.choices[0].delta.content))
            pieces.put(("done", None))
        except Exception as exc:  # noqa: BLE001 - any failure (HTTP, JSON, a dropped socket) means "fall back"
            pieces.put(("error", exc))

    def _describe(self, exc: BaseException) -> str:
        """A one-line reason for the user, with the API key never in it."""
        text = f"{type(exc).__name__}: {exc}"
        key = self.settings.llm_api_key.get_secret_value()
        if len(key) >= 4:
            text = text.replace(key, "***")
        return text[:200]

    def complete(self, prompt: str, max_tokens: int | None = None) -> str:
        """The whole answer as one string; empty answers count as a failure."""
        text = "".join(self.stream(prompt, max_tokens)).strip()
        if not text:
            raise LLMUnavailableError("the model returned an empty answer")
        return text
