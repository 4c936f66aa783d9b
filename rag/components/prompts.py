"""Prompt templates and fixed messages, read from the package's prompts/ folder (package data)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=32)
def _read(name: str) -> str:
    return resources.files("rag").joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")


def template(name: str) -> str:
    """The prompt template prompts/<name>.txt, its {fields} filled with str.format (the same syntax as
    llama-index's PromptTemplate, without importing llama-index on a question's path)."""
    return _read(name)


def text(name: str) -> str:
    """A fixed message from prompts/<name>.txt, such as the not-found sentence."""
    return _read(name).strip()
