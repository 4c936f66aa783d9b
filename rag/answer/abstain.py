"""Abstain: the one decision whether the passages hold an answer, taken the same way on every path.

Fed the offline extraction of the question's evidence over all retrieved passages,
whether the chat model or the extractive answerer writes the answer, so the two paths
refuse the same questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.extract import Extract


@dataclass(frozen=True)
class Decision:
    """Whether to answer, and why not when not."""

    answer: bool
    reason: str = ""


def decide(found: Extract, min_support: float) -> Decision:
    """Answer when the best sentence holds at least min_support of the question (see eval/RESULTS.md)."""
    if not found.picks:
        return Decision(False, "no sentence of the retrieved passages shares a word with the question")
    if found.support < min_support:
        return Decision(False, f"the best sentence holds {found.support:.2f} of the question, under {min_support}")
    return Decision(True)
