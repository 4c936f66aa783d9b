"""Policy: the learned decision whether the offline answer is given, from the evidence's signals.

A logistic regression over a handful of signals of the extraction (support, answer type found,
gap, missing keys, ranks and scores of the answering passage ...), fitted by
`python -m rag.eval.fit_policy` on the eval's tune half and a second corpus's questions, and
shipped as package data (policy.json) with its feature list, its version and what it was fitted
on. It replaces hand-set thresholds added together: on questions it was not fitted on (the
report half, the second corpus's held-out folds) it answers more questions right at the same
rate of wrong answers (eval/RESULTS.md). Reading it needs numpy only; fitting needs scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

# The signals the policy reads, in its weights' order (see rag.answer.extract.signals).
FEATURES = ("support", "typed", "gap", "missing_keys", "two_parts", "no_type_asked", "cross_lingual",
            "pick_rank", "dense_rank", "keyword_rank", "fused_score", "picks", "has_short", "question_words",
            "keys_missing_in_own_script", "follow_up")
POLICY_FILE = "policy.json"


@dataclass(frozen=True)
class Policy:
    """A fitted logistic regression: standardisation, weights, and the threshold chosen for its precision."""

    version: int
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float  # the least probability of being right at which the offline answer is given
    precision: float  # the share of answers right at that threshold, on out-of-fold predictions
    fitted_on: str  # the questions it was fitted on, in words
    fitted_sets: tuple[str, ...] = ()  # the SHA-256 of each question file it was fitted on (see set_digest)

    def probability(self, signals: dict[str, float]) -> float:
        """The probability that the offline answer with these signals is right."""
        x = (np.array([signals[name] for name in self.features]) - np.array(self.mean)) / np.array(self.scale)
        z = float(np.dot(x, self.weights)) + self.intercept
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict) -> Policy:
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        policy = cls(**fields)
        if tuple(policy.features) != FEATURES:
            raise ValueError(f"policy features {policy.features} are not this version's {FEATURES}")
        return policy


def set_digest(text: str) -> str:
    """A question file's digest, by which the eval tells a set the policy was fitted on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def shipped_policy() -> Policy:
    """The policy shipped with the package (rag/answer/policy.json)."""
    text = resources.files("rag.answer").joinpath(POLICY_FILE).read_text(encoding="utf-8")
    return Policy.from_json(json.loads(text))
