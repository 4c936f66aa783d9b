"""Stand-ins for the fast test tier, injected through rag.components: no model is loaded.

HashEmbedding replaces MiniLM (which takes seconds to load) by a deterministic bag of
hashed words; ScriptedChat replaces an OpenAI-compatible endpoint by canned answers.
The real parts are tested in tests/integration and tests/e2e.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.errors import LLMUnavailableError

DIMENSIONS = 64


class HashEmbedding(BaseEmbedding):
    """Each word hashed into one of DIMENSIONS buckets, L2-normalised: similar words, similar vectors."""

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for word in re.findall(r"\w+", text.casefold()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


class ScriptedChat:
    """A chat model that answers every prompt with script(prompt); raises like the real one when told to."""

    def __init__(self, script: Callable[[str], str]) -> None:
        self.script = script
        self.prompts: list[str] = []

    def stream(self, prompt: str, max_tokens: int | None = None) -> Iterator[str]:
        self.prompts.append(prompt)
        answer = self.script(prompt)
        if answer is None:
            raise LLMUnavailableError("scripted failure")
        yield from re.findall(r"\S+\s*", answer)

    def complete(self, prompt: str, max_tokens: int | None = None) -> str:
        return "".join(self.stream(prompt, max_tokens)).strip()
