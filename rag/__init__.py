"""Ask questions about a folder of news articles, in any language; answers quote their sources.

    import rag
    rag.retrieve("How many people were on the Probability team?", k=5)
    rag.ask("Who sent the internal memo about the AI lab restructuring?")

The first call builds the index if there is none (RAG_CORPUS_DIR, RAG_INDEX_DIR).
Importing this package loads nothing heavy: the stages, models and stores are
imported on first use, so `import rag` and `rag --help` are fast.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rag.errors import RagError
from rag.schema import Answer, Citation, Filters, Passage
from rag.settings import Settings, get_settings

if TYPE_CHECKING:
    from rag.assistant import Assistant

__all__ = ["Answer", "Citation", "Filters", "Passage", "RagError", "Settings", "ask", "get_assistant",
           "retrieve"]

_lock = threading.Lock()
_assistants: dict[int, Assistant] = {}


def get_assistant(settings: Settings | None = None) -> Assistant:
    """The process's assistant for these settings, indexing the corpus first if no index exists."""
    from rag.assistant import Assistant
    from rag.components import build_components

    settings = settings or get_settings()
    with _lock:
        if id(settings) not in _assistants:
            components = build_components(settings)
            if not _has_index(components):
                from rag.ingest.build import build_index  # the build's libraries only when there is no index

                build_index(settings, components=components)
            _assistants[id(settings)] = Assistant(settings, components)
        return _assistants[id(settings)]


def _has_index(components) -> bool:
    """An index to answer from: the manifest in the index folder, or with a Chroma server the version
    committed there (a replica's index folder starts empty and is filled from the server)."""
    from rag.components.store import Manifest

    if Manifest.load(components.settings.index_dir) is not None:
        return True
    state = components.shared_state
    return state is not None and state.version(now=True) is not None


def retrieve(question: str, k: int = 5, *, source: str | None = None, language: str | None = None,
             settings: Settings | None = None) -> list[Passage]:
    """The k passages that best answer the question, best first (.text .source .score .chunk_id)."""
    return get_assistant(settings).retrieve(question, k, Filters(source, language))


def ask(question: str, *, history: list[tuple[str, str]] | None = None, k: int | None = None,
        source: str | None = None, language: str | None = None, mode: str | None = None,
        settings: Settings | None = None) -> Answer:
    """A grounded answer (.text .short .citations .abstained .passages); mode "offline" skips the LLM."""
    return get_assistant(settings).ask(question, history=history, k=k, filters=Filters(source, language),
                                       mode=mode)
