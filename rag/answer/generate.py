"""Generate: the citation prompt for the chat model, its passages numbered within a token budget."""

from __future__ import annotations

from rag.components import prompts
from rag.schema import Passage
from rag.text import language_name

NOT_FOUND = "NOT FOUND"
PASSAGE_HEADER_TOKENS = 12  # "[n] (from file, Language)" and the blank line


def fit_passages(passages: list[Passage], budget: int) -> list[Passage]:
    """The passages that fit in the token budget, best first; the first always goes in."""
    from rag.ingest.chunk import count_tokens  # the chunker's libraries only on the chat model's path

    kept, used = [], 0
    for passage in passages:
        cost = count_tokens(passage.text) + PASSAGE_HEADER_TOKENS
        if kept and used + cost > budget:
            break
        kept.append(passage)
        used += cost
    return kept


def number_passages(passages: list[Passage]) -> str:
    """Passages as "[n] (source) text" blocks, numbered from 1 in retrieval order."""
    return "\n\n".join(
        f"[{i}] (from {p.source}, {language_name(p.language)})\n{p.text.strip()}"
        + (f"\n(English word gloss: {p.gloss})" if p.gloss else "")
        for i, p in enumerate(passages, start=1)
    )


def answer_prompt(question: str, passages: list[Passage]) -> str:
    """The citation prompt for the chat model."""
    return prompts.template("answer").format(passages=number_passages(passages), question=question)
