"""Abstain: the one decision whether the passages hold an answer, taken the same way on every path.

Fed the offline extraction of the question's evidence over all retrieved passages,
whether the chat model or the extractive answerer then writes the answer, so the two
paths refuse the same questions. It weighs, in order:
- a sentence at all, and its support: the rarity-weighted share of the question's words
  the best sentence holds (through every bridge and gloss), against RAG_MIN_SUPPORT;
- the asked answer type: "how many" cannot be answered by a sentence without a figure;
- the question's own names and numbers: "Llama 5" met by a passage about Llama 4, or
  "Google's CEO" met by a passage on Meta, is not an answer;
- the gap: a passage that lacks, in every form, a question word weighing more than MAX_GAP of
  the question ("severance" in "What severance did the 7,800 employees receive?") does not answer it.
The chat model's NOT FOUND is the last word on the LLM path (see assistant.py).
Thresholds are calibrated on the tune half of eval/questions.jsonl (eval/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.extract import Extract

MAX_GAP = 0.4  # calibrated with RAG_MIN_SUPPORT on the tune half (eval/RESULTS.md)


@dataclass(frozen=True)
class Decision:
    """Whether to answer, and why not when not."""

    answer: bool
    reason: str = ""


def decide(found: Extract, min_support: float) -> Decision:
    """Answer only when every test passes; the reason names the first that failed."""
    if not found.picks:
        return Decision(False, "no sentence of the retrieved passages shares a word with the question")
    if found.support < min_support:
        return Decision(False, f"the best sentence holds {found.support:.2f} of the question, under {min_support}")
    if not found.typed:
        return Decision(False, "the best sentence does not hold the kind of answer asked for")
    if found.gap > MAX_GAP:
        return Decision(False, f"the passage lacks a word carrying {found.gap:.2f} of the question")
    if found.missing_keys:
        return Decision(False, f"no passage pairs the answer with {', '.join(found.missing_keys)}")
    return Decision(True)
