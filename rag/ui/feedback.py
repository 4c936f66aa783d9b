"""Feedback on answers: each thumbs up or down, with an optional comment, as one JSON line in a file.

The record holds what a reviewer needs to turn it into an eval question (rag/eval/feedback.py):
the question, the answer as shown, its short form, every citation with its source and
quote, the answer mode and the settings that shaped it. Lines are appended under a lock,
UTF-8 and unescaped, so Arabic and Chinese stay readable in the file.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from rag.schema import Answer, Filters, Passage
from rag.settings import Settings

SEARCH = "search"  # the window's "search only" mode: passages listed, nothing answered
UP, DOWN = "up", "down"
MAX_COMMENT_CHARS = 2000
_append_lock = threading.Lock()


def _settings_used(settings: Settings, top_k: int, filters: Filters, mode: str) -> dict:
    """The settings that change an answer: passages, filters, model and the abstention threshold."""
    return {"top_k": top_k, "source": filters.source, "language": filters.language,
            "model": settings.llm_model if mode != SEARCH and settings.llm_configured else None,
            "embed_model": settings.embed_model, "answer_threshold": settings.answer_threshold}


def answer_record(answer: Answer, asked: str, settings: Settings, top_k: int, filters: Filters) -> dict:
    """What feedback on this answer records (see the module docstring); `asked` is the question as typed."""
    return {"question": asked, "searched": answer.question, "answer": answer.text, "short": answer.short,
            "abstained": answer.abstained, "mode": answer.mode,
            "citations": [{"source": c.source, "language": c.language, "quote": c.quote}
                          for c in answer.citations],
            "settings": _settings_used(settings, top_k, filters, answer.mode)}


def search_record(asked: str, passages: list[Passage], settings: Settings, top_k: int, filters: Filters
                  ) -> dict:
    """What feedback on a search-only turn records: the passages listed, in order, as its citations."""
    return {"question": asked, "searched": asked, "answer": "", "short": "", "abstained": False, "mode": SEARCH,
            "citations": [{"source": p.source, "language": p.language, "quote": p.text} for p in passages],
            "settings": _settings_used(settings, top_k, filters, SEARCH)}


def append_feedback(path: Path, record: dict, liked: bool, comment: str = "") -> dict:
    """Append one feedback line (time, verdict, comment, then the answer's record) and return it."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rating": UP if liked else DOWN,
            "comment": (comment or "").strip()[:MAX_COMMENT_CHARS], **record}
    path = Path(path)
    with _append_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line
