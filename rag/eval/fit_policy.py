"""Fit the answer policy (rag/answer/policy.py) and report it on questions it was not fitted on.

    python -m rag.eval.fit_policy --corpus ../shared/generalization/corpus [--precision 0.75] [--write]

The policy is fitted on the bundled set's tune half and the second corpus's questions; its
threshold is the lowest whose out-of-fold precision (right answers among those given, the
unanswerable ones counting as wrong when answered) reaches --precision. Reported: the bundled
report half, scored by the policy fitted on everything else, and the second corpus by nested
cross-validation with folds by article: each fold answered by a policy (and a threshold) fitted
without it (rag eval --corpus prints the same folds through the whole offline path, score.held_out_rows).
--write saves the policy fitted on everything as rag/answer/policy.json.
scikit-learn (installed with sentence-transformers) is needed for fitting only, here and for those rows;
the shipped policy is read with numpy.
"""

from __future__ import annotations

import argparse
import json
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag.answer.abstain import hard_refusal
from rag.answer.policy import FEATURES, POLICY_FILE, Policy, set_digest
from rag.eval.score import QUESTIONS, answer_is_right, eval_settings, load_questions, questions_file
from rag.settings import PACKAGE_DIR, get_settings

POLICY_VERSION = 1
FOLDS = 5
REGULARISATION = 0.3  # scikit-learn's C: the signals are few and correlated, so the weights are kept small
THRESHOLDS = np.round(np.arange(0.2, 0.81, 0.05), 2)
DEFAULT_PRECISION = 0.75  # the hand-set rules it replaces gave about 0.7 on the report half


@dataclass
class Row:
    """One question's signals, whether the offline answer to it is right, and its fold."""

    id: str
    answerable: bool
    right: bool
    signals: list[float]
    fold: int
    origin: str  # tune | report | corpus
    vetoed: bool = False  # refused whatever the policy says (abstain.hard_refusal)
    kind: str = ""  # same | cross | multi | list | unanswerable | followup


def collect(settings, questions, origin: str) -> list[Row]:
    """Every question's (every chain turn's) signals and label, answered offline with the policy's decision
    left out; a chain's turns share its fold."""
    import rag
    from rag.ingest.build import build_index

    build_index(settings)
    assistant = rag.get_assistant(settings)
    rows = []
    for q in questions:
        history: list[tuple[str, str]] = []
        for turn in q.turns or [q]:
            found, answer = assistant.offline_candidate(turn.question, history)
            history.append((turn.question, answer.text))
            right = turn.answerable and not answer.abstained and answer_is_right(answer.text, turn.answer_contains)
            signals = [found.signals[name] for name in FEATURES] if found.picks else []  # none: nothing to answer
            rows.append(Row(turn.id, turn.answerable, right, signals, fold_of(q),
                            origin if origin != "bundled" else q.split, vetoed=bool(hard_refusal(found)),
                            kind=q.kind))
    return rows


def fold_of(question) -> int:
    """Folds by article, so that no article's questions are both fitted on and scored; an unanswerable
    question by its id."""
    key = question.sources[0] if question.sources else question.id
    return zlib.crc32(key.encode("utf-8")) % FOLDS


def fit(rows: list[Row]):
    """A standardised logistic regression on the rows that have signals."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    usable = [r for r in rows if r.signals]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=REGULARISATION, max_iter=5000))
    return model.fit(np.array([r.signals for r in usable]), np.array([r.right for r in usable], dtype=int))


def probabilities(model, rows: list[Row]) -> np.ndarray:
    """Each row's probability of a right answer as the assistant acts on it: 0 for a row refused whatever
    the policy says (nothing to answer with, or a hard refusal)."""
    out = np.zeros(len(rows))
    usable = [i for i, r in enumerate(rows) if r.signals]
    if usable:
        out[usable] = model.predict_proba(np.array([rows[i].signals for i in usable]))[:, 1]
    out[[i for i, r in enumerate(rows) if r.vetoed]] = 0.0  # refused whatever the policy says
    return out


def out_of_fold(rows: list[Row]) -> np.ndarray:
    """Each row's probability from a model fitted without its fold."""
    out = np.zeros(len(rows))
    for k in range(FOLDS):
        held = [i for i, r in enumerate(rows) if r.fold == k]
        model = fit([r for r in rows if r.fold != k])
        out[held] = probabilities(model, [rows[i] for i in held])
    return out


def threshold_for(rows: list[Row], probs: np.ndarray, precision: float) -> tuple[float, float]:
    """The lowest threshold whose answers are right at least `precision` of the time, and that precision."""
    for threshold in THRESHOLDS:
        given = [r.right for r, p in zip(rows, probs) if p >= threshold]
        if given and np.mean(given) >= precision:
            return float(threshold), float(np.mean(given))
    return float(THRESHOLDS[-1]), 0.0


def scores(rows: list[Row], answered: list[bool]) -> dict[str, float]:
    """Accuracy on answerable questions, unanswerable ones refused, and answers given wrong, as the eval counts."""
    answerable = [a and r.right for r, a in zip(rows, answered) if r.answerable]
    refused = [not a for r, a in zip(rows, answered) if not r.answerable]
    wrong = [a and not r.right for r, a in zip(rows, answered)]
    mean = lambda xs: float(np.mean(xs)) if xs else float("nan")  # noqa: E731
    return {"n": len(rows), "accuracy": mean(answerable), "refused": mean(refused), "wrong": mean(wrong)}


def fold_policy(pool: list[Row], precision: float = DEFAULT_PRECISION, fitted_on: str = "",
                fitted_sets: tuple[str, ...] = ()) -> Policy:
    """A policy fitted on the pool, its threshold the lowest whose out-of-fold precision on the pool reaches
    `precision`: what the shipped policy is, and what each held-out fold is answered by."""
    threshold, reached = threshold_for(pool, out_of_fold(pool), precision)
    return policy_from(fit(pool), threshold, reached, fitted_on, fitted_sets)


def gives_answer(policy: Policy, row: Row) -> bool:
    """Whether the assistant gives the row's offline answer under this policy (never for a vetoed row)."""
    return bool(row.signals) and not row.vetoed and \
        policy.probability(dict(zip(FEATURES, row.signals))) >= policy.threshold


def policy_from(model, threshold: float, precision: float, fitted_on: str, fitted_sets: tuple[str, ...]) -> Policy:
    scaler, regression = model[0], model[-1]
    return Policy(version=POLICY_VERSION, features=FEATURES, mean=tuple(map(float, scaler.mean_)),
                  scale=tuple(map(float, scaler.scale_)), weights=tuple(map(float, regression.coef_[0])),
                  intercept=float(regression.intercept_[0]), threshold=threshold, precision=precision,
                  fitted_on=fitted_on, fitted_sets=fitted_sets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.eval.fit_policy", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="the second corpus's folder of articles")
    parser.add_argument("--questions", default=None, help="its question set (default: questions.jsonl beside it)")
    parser.add_argument("--precision", type=float, default=DEFAULT_PRECISION)
    parser.add_argument("--write", action="store_true", help=f"save the policy as rag/answer/{POLICY_FILE}")
    args = parser.parse_args(argv)
    settings = get_settings()
    bundled = collect(settings, load_questions(QUESTIONS, "all"), "bundled")
    second_path = questions_file(args)
    second = collect(eval_settings(settings, Path(args.corpus)), load_questions(second_path), "corpus")
    tune, report = [r for r in bundled if r.origin == "tune"], [r for r in bundled if r.origin == "report"]

    held = [False] * len(second)  # the second corpus, nested: each fold by a policy fitted without it
    for k in range(FOLDS):
        policy = fold_policy(tune + [r for r in second if r.fold != k], args.precision)
        for i, row in enumerate(second):
            if row.fold == k:
                held[i] = gives_answer(policy, row)

    policy = fold_policy(tune + second, args.precision, fitted_sets=tuple(
        set_digest(p.read_text(encoding="utf-8")) for p in (QUESTIONS, second_path)))
    fitted_on = (f"{QUESTIONS.name} tune half ({len(tune)} questions) and {second_path} ({len(second)}); "
                 f"threshold {policy.threshold} for out-of-fold precision >= {args.precision}")
    policy = replace(policy, fitted_on=fitted_on)
    report_answered = [gives_answer(policy, r) for r in report]
    print(f"policy: {fitted_on}; out-of-fold precision {policy.precision:.2f}")
    for name, value in zip(FEATURES, policy.weights):
        print(f"  {name:<16}{value:+.2f}")
    for name, rows, answered in (("bundled report half (never fitted on)", report, report_answered),
                                 (f"{second_path.name}, held-out folds", second, held)):
        for kind in ("", *sorted({r.kind for r in rows})):
            chosen = [(r, a) for r, a in zip(rows, answered) if kind in ("", r.kind)]
            s = scores([r for r, _ in chosen], [a for _, a in chosen])
            label = name if not kind else f"  kind={kind}"
            print(f"{label:<48} n={s['n']:<4} accuracy {s['accuracy']:.2f}  unanswerable refused "
                  f"{s['refused']:.2f}  answered wrong {s['wrong']:.2f}")
    if args.write:
        path = PACKAGE_DIR / "answer" / POLICY_FILE
        path.write_text(json.dumps(policy.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
