"""The learned answer policy: read from package data, monotone in its evidence, refusing outright only for
hard reasons, and its threshold chosen for a stated precision (made-up signals and rows)."""

from __future__ import annotations

import pytest

from rag.answer.abstain import decide, hard_refusal
from rag.answer.extract import Extract
from rag.answer.policy import FEATURES, Policy, shipped_policy
from rag.eval.fit_policy import FOLDS, THRESHOLDS, Row, fold_policy, gives_answer, scores, threshold_for

GOOD = {"support": 0.9, "typed": 1.0, "gap": 0.0, "missing_keys": 0.0, "two_parts": 0.0, "no_type_asked": 0.0,
        "cross_lingual": 0.0, "pick_rank": 1.0, "dense_rank": 1.0, "keyword_rank": 1.0, "fused_score": 0.03,
        "picks": 1.0, "has_short": 1.0, "question_words": 6.0, "keys_missing_in_own_script": 0.0,
        "follow_up": 0.0}


def found(**changes) -> Extract:
    return Extract(picks=[(1, "A sentence.")], support=0.9, signals={**GOOD, **changes})


def test_the_shipped_policy_reads_this_versions_features_and_says_what_it_was_fitted_on():
    policy = shipped_policy()
    assert policy.features == FEATURES and len(policy.weights) == len(FEATURES)
    assert 0 < policy.threshold < 1 and "tune half" in policy.fitted_on


@pytest.mark.parametrize(("signal", "worse"), [("support", 0.2), ("typed", 0.0), ("keyword_rank", 30.0),
                                                ("has_short", 0.0)])
def test_weaker_evidence_gives_a_lower_probability(signal, worse):
    policy = shipped_policy()
    assert policy.probability({**GOOD, signal: worse}) < policy.probability(GOOD)


def test_strong_evidence_is_answered_and_weak_evidence_refused_with_the_probability():
    policy = shipped_policy()
    assert decide(found(), policy).answer
    weak = decide(found(support=0.1, typed=0.0, has_short=0.0, keyword_rank=40.0, dense_rank=40.0), policy)
    assert not weak.answer and "chance of being right" in weak.reason


def test_a_threshold_setting_overrides_the_policys_own():
    assert not decide(found(), shipped_policy(), threshold=0.999).answer


@pytest.mark.parametrize(("extract", "reason"), [
    (Extract(picks=[], support=0.0), "no sentence"),
    (Extract(picks=[(1, "s")], support=0.9, missing_keys=["Acme"], signals={**GOOD, "keys_missing_in_own_script": 1.0}),
     "Acme"),
])
def test_hard_reasons_refuse_whatever_the_signals(extract, reason):
    assert reason in hard_refusal(extract) and not decide(extract, shipped_policy()).answer


def test_a_policy_for_other_features_is_refused():
    raw = {**shipped_policy().to_json(), "features": ["support"]}
    with pytest.raises(ValueError, match="features"):
        Policy.from_json(raw)


def _rows(labels: list[bool]) -> list[Row]:
    return [Row(id=str(i), answerable=True, right=right, signals=[0.0], fold=0, origin="tune")
            for i, right in enumerate(labels)]


def test_the_threshold_is_the_lowest_that_reaches_the_stated_precision():
    rows = _rows([True, True, True, False, False, True, False, False])
    probabilities = [0.9, 0.8, 0.7, 0.65, 0.45, 0.4, 0.3, 0.25]
    threshold, precision = threshold_for(rows, probabilities, 0.75)
    assert threshold == 0.5 and precision == 0.75  # 3 right of the 4 given from 0.5 up; at 0.45, 3 of 5


def test_scores_count_as_the_eval_does():
    rows = _rows([True, False]) + [Row(id="u", answerable=False, right=False, signals=[0.0], fold=0, origin="tune")]
    result = scores(rows, [True, True, False])
    assert result["accuracy"] == 0.5 and result["refused"] == 1.0 and result["wrong"] == pytest.approx(1 / 3)


def _signals(support: float) -> list[float]:
    return [{**GOOD, "support": support}[name] for name in FEATURES]


def test_a_fold_policy_learns_the_signal_that_separates_and_reaches_its_precision():
    """Made-up rows whose answers are right exactly when support is high, over every fold."""
    rows = [Row(id=f"{i}", answerable=True, right=i % 2 == 0, signals=_signals(0.9 if i % 2 == 0 else 0.1),
                fold=i % FOLDS, origin="corpus") for i in range(60)]
    policy = fold_policy(rows, precision=0.9)
    assert policy.threshold in THRESHOLDS and policy.precision >= 0.9
    assert gives_answer(policy, rows[0]) and not gives_answer(policy, rows[1])


def test_a_vetoed_row_or_one_without_signals_is_never_answered():
    policy = shipped_policy()
    strong = Row(id="s", answerable=True, right=True, signals=[GOOD[name] for name in FEATURES], fold=0,
                 origin="corpus")
    assert gives_answer(policy, strong)
    assert not gives_answer(policy, Row(**{**strong.__dict__, "vetoed": True}))
    assert not gives_answer(policy, Row(**{**strong.__dict__, "signals": []}))


def test_the_eval_says_which_offline_rows_are_held_out(tmp_path):
    """The bundled set (or a copy) is held out on its report half only; another set is held out unless the
    shipped policy was fitted on it, and then its held-out figures are the folds' rows."""
    from rag.eval.score import HELD_OUT, QUESTIONS, fitted_note, is_bundled_set, policy_fitted_on

    copy = tmp_path / "copy.jsonl"
    copy.write_text(QUESTIONS.read_text(encoding="utf-8"), encoding="utf-8")
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "q1", "question": "Who?", "language": "en", "kind": "same"}\n', encoding="utf-8")
    assert is_bundled_set(copy) and not is_bundled_set(other)
    assert not policy_fitted_on(copy, "report") and policy_fitted_on(copy, "tune")
    assert not policy_fitted_on(other, "all")
    assert "not fitted on" in fitted_note(False, False)
    assert HELD_OUT in fitted_note(True, True) and "fit_policy" in fitted_note(True, False)
