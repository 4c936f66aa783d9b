"""Feedback on answers: each thumbs up or down, with an optional comment, as one JSON line in a file.

The record holds what a reviewer needs to turn it into an eval question (rag/eval/feedback.py):
the question, the answer as shown, its short form, every citation with its source and
quote, the answer mode and the settings that shaped it. One line per answer, its latest rating (a
switch replaces it, a second click takes it back), written under a lock, UTF-8 and unescaped, so
Arabic and Chinese stay readable in the file.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
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
    return {"answer_id": uuid.uuid4().hex, "question": asked, "searched": answer.question, "answer": answer.text,
            "short": answer.short,
            "abstained": answer.abstained, "mode": answer.mode,
            "citations": [{"source": c.source, "language": c.language, "quote": c.quote}
                          for c in answer.citations],
            "settings": _settings_used(settings, top_k, filters, answer.mode)}


def search_record(asked: str, passages: list[Passage], settings: Settings, top_k: int, filters: Filters
                  ) -> dict:
    """What feedback on a search-only turn records: the passages listed, in order, as its citations."""
    return {"answer_id": uuid.uuid4().hex, "question": asked, "searched": asked, "answer": "", "short": "",
            "abstained": False, "mode": SEARCH,
            "citations": [{"source": p.source, "language": p.language, "quote": p.text} for p in passages],
            "settings": _settings_used(settings, top_k, filters, SEARCH)}


def record_feedback(path: Path, record: dict, liked: bool | None, comment: str = "") -> dict | None:
    """Set an answer's feedback to its latest state and return the line written (None when taken back).

    One line per answer (its answer_id): a second rating replaces the first (👎 then 👍), and
    liked=None (a second click on the same thumb) takes it back. The file is rewritten whole
    through a temporary file and os.replace, so a crash leaves the old file or the new one.
    """
    path = Path(path)
    line = None if liked is None else {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rating": UP if liked else DOWN,
        "comment": (comment or "").strip()[:MAX_COMMENT_CHARS], **record}
    with _append_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = [raw for raw in _lines(path) if not _same_answer(raw, record)]
        if line is not None:
            kept.append(json.dumps(line, ensure_ascii=False))
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text("".join(f"{raw}\n" for raw in kept), encoding="utf-8")
        os.replace(partial, path)
    return line


def _lines(path: Path) -> list[str]:
    """The file's non-empty lines as written ([] when there is no file yet)."""
    try:
        return [raw for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]
    except FileNotFoundError:
        return []


def _same_answer(raw: str, record: dict) -> bool:
    """True when a line is feedback on the record's answer (lines that cannot be read are kept as they are)."""
    try:
        return json.loads(raw).get("answer_id") == record.get("answer_id") is not None
    except (ValueError, RecursionError, AttributeError):
        return False
