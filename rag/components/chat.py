"""The chat model: any OpenAI-compatible endpoint, streamed, held to one total deadline per call.

The `openai` client talks to OpenAI, vLLM, Ollama or llama.cpp's server alike; the
request runs in a worker thread so that no socket behaviour (silence, keep-alives,
retries with back-off) can stretch a call past RAG_LLM_TIMEOUT.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import openai

from rag.errors import LLMUnavailableError
from rag.settings import Settings


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
