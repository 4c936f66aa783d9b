"""Abstain: the one decision whether the offline answer is given, and how far a model's quotes are backed.

Facts refuse outright (hard_refusal): no sentence found, a question naming nothing but figures, a
name or figure of the question missing from the answer's passage where it could only be written as the
question writes it, and a follow-up's answer holding none of its own words. Otherwise the learned policy
(policy.py) reads the extraction's signals and gives the probability that the offline answer is right; the
answer is given when that probability reaches the threshold
(RAG_ANSWER_THRESHOLD, by default the policy's own, chosen on out-of-fold predictions for its
stated precision). On the chat model's path the same probability, read on the model's quotes,
is the answer's confidence, never a veto: there the model decides (see assistant.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.extract import Extract
from rag.answer.policy import Policy


@dataclass(frozen=True)
class Decision:
    """Whether to answer, the policy's probability that the answer is right, and why not when not."""

    answer: bool
    probability: float = 0.0
    reason: str = ""


def decide(found: Extract, policy: Policy, threshold: float | None = None) -> Decision:
    """Answer when no hard reason refuses and the policy's probability reaches the threshold."""
    reason = hard_refusal(found)
    if reason:
        return Decision(False, 0.0, reason)
    least = policy.threshold if threshold is None else threshold
    probability = policy.probability(found.signals)
    if probability < least:
        return Decision(False, probability, f"the evidence gives the answer a {probability:.2f} chance of being "
                                            f"right, under {least:.2f}")
    return Decision(True, probability)


def hard_refusal(found: Extract) -> str:
    """Why no answer can be given whatever the signals say, or "": no sentence at all, a question naming
    nothing but figures (arithmetic, a bare year, code), or a name or figure
    of the question that the answer's passage holds in no form though it could only be written as the
    question writes it ("Who is the CEO of Google?" answered from a passage that never names Google), or a
    follow-up answered by a sentence holding only its topic's words."""
    if not found.picks:
        return "no sentence of the retrieved passages shares a word with the question"
    if not found.signals.get("topic_words", 1):
        return "the question names nothing the articles could be about, only figures or a verb like 'happen'"
    if not found.signals.get("own_words_met", 1):
        return "the answer holds none of the question's own words, only those of the questions before it"
    if found.signals.get("keys_missing_in_own_script"):
        return f"no passage pairs the answer with {', '.join(found.missing_keys)}"
    return ""
