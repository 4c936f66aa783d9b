"""Prompt: templates from prompts/ and the numbered, token-budgeted passage block."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from llama_index.core import PromptTemplate

from rag.chunk import count_tokens
from rag.retrieve import Passage
from rag.settings import Settings

LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "zh": "Chinese", "da": "Danish"}


@lru_cache(maxsize=32)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def template(name: str, settings: Settings) -> PromptTemplate:
    """The prompt template prompts/<name>.txt."""
    return PromptTemplate(_read(settings.prompts_dir / f"{name}.txt"))


def text(name: str, settings: Settings) -> str:
    """A fixed message from prompts/<name>.txt, such as the not-found sentence."""
    return _read(settings.prompts_dir / f"{name}.txt").strip()


def fit_passages(passages: list[Passage], budget: int) -> list[Passage]:
    """The passages that fit in the token budget, best first; the first always goes in."""
    kept, used = [], 0
    for passage in passages:
        cost = count_tokens(passage.text) + 12
        if kept and used + cost > budget:
            break
        kept.append(passage)
        used += cost
    return kept


def number_passages(passages: list[Passage]) -> str:
    """Passages as "[n] (source) text" blocks, numbered from 1 in retrieval order."""
    return "\n\n".join(
        f"[{i}] (from {p.source}, {LANGUAGE_NAMES.get(p.language, p.language)})\n{p.text.strip()}"
        for i, p in enumerate(passages, start=1)
    )


def answer_prompt(question: str, passages: list[Passage], settings: Settings) -> str:
    """The citation prompt for the chat model."""
    return template("answer", settings).format(passages=number_passages(passages), question=question)
