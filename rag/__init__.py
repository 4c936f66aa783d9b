"""Ask questions about a folder of news articles, in any language; answers quote their sources.

    import rag
    rag.retrieve("How many people were on the Probability team?", k=5)
    rag.ask("Who sent the internal memo about the AI lab restructuring?")

The first call builds the index if there is none (RAG_CORPUS_DIR, RAG_INDEX_DIR).
"""

from __future__ import annotations

import threading

from rag.assistant import Answer, Assistant, QuestionError
from rag.cite import Citation
from rag.retrieve import Passage
from rag.settings import Settings, get_settings

__all__ = ["Answer", "Assistant", "Citation", "Passage", "QuestionError", "Settings", "ask", "assistant",
           "retrieve"]

_lock = threading.Lock()
_assistants: dict[int, Assistant] = {}


def assistant(settings: Settings | None = None) -> Assistant:
    """The process's assistant for these settings, indexing the corpus first if no index exists."""
    settings = settings or get_settings()
    with _lock:
        if id(settings) not in _assistants:
            from index.build import build_index
            from rag.store import Manifest

            if Manifest.load(settings.index_dir) is None:
                build_index(settings)
            _assistants[id(settings)] = Assistant(settings)
        return _assistants[id(settings)]


def retrieve(question: str, k: int = 5, *, source: str | None = None, language: str | None = None,
             settings: Settings | None = None) -> list[Passage]:
    """The k passages that best answer the question, best first (.text .source .score .chunk_id)."""
    return assistant(settings).retrieve(question, k, source=source, language=language)


def ask(question: str, *, history: list[tuple[str, str]] | None = None, k: int | None = None,
        source: str | None = None, language: str | None = None, mode: str | None = None,
        settings: Settings | None = None) -> Answer:
    """A grounded answer (.text .citations .abstained .passages); mode "offline" skips the LLM."""
    return assistant(settings).ask(question, history=history, k=k, source=source, language=language,
                                   mode=mode)
