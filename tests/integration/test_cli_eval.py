"""The `rag` command and the eval scorer, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rag.eval.fit_policy import fold_of
from rag.eval.score import (QUESTIONS, answer_is_right, first_rank, format_table, held_out_rows, load_questions,
                            run)
from tests.conftest import CORPUS


def rag_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_every_subcommand_has_help():
    for command in ("index", "ask", "ui", "eval"):
        result = rag_cli(command, "--help")
        assert result.returncode == 0 and "usage: rag " + command in result.stdout


def test_index_then_ask_as_json(tmp_path):
    env = {"RAG_INDEX_DIR": str(tmp_path / "idx"), "RAG_CORPUS_DIR": str(CORPUS)}
    built = rag_cli("index", env=env)
    assert built.returncode == 0 and "indexed 5 articles" in built.stdout
    again = rag_cli("index", env=env)
    assert "0 embedded" in again.stdout  # nothing changed, nothing re-embedded
    asked = rag_cli("ask", "How many employees did Meta fire after using their daily work to train AI?", "--json", env=env)
    data = json.loads(asked.stdout)
    assert data["citations"] and all(c["source"].endswith(".txt") for c in data["citations"])
    assert any("7,800" in c["quote"] for c in data["citations"])


def test_bad_input_is_one_line_not_a_traceback(tmp_path):
    env = {"RAG_INDEX_DIR": str(tmp_path / "idx"), "RAG_CORPUS_DIR": str(tmp_path / "nothing")}
    (tmp_path / "nothing").mkdir()
    result = rag_cli("index", env=env)
    assert result.returncode == 2 and ": error: no readable documents" in result.stderr
    assert "Traceback" not in result.stderr
    env["RAG_CORPUS_DIR"] = str(CORPUS)
    result = rag_cli("ask", "   ", env=env)
    assert result.returncode == 2 and "question is empty" in result.stderr


def test_question_set_covers_what_the_issue_asks():
    questions = load_questions(QUESTIONS)
    kinds = {q.kind for q in questions}
    assert len(questions) >= 100 and kinds == {"same", "cross", "multi", "list", "unanswerable", "followup"}
    assert {q.language for q in questions} == {"en", "ar", "zh", "da"}
    assert sum(q.kind == "unanswerable" for q in questions) >= 20
    chains = [q for q in questions if q.turns]
    assert len(chains) >= 8 and all(len(q.turns) >= 3 for q in chains)
    tune, report = load_questions(QUESTIONS, "tune"), load_questions(QUESTIONS, "report")
    assert not {q.id for q in tune} & {q.id for q in report} and len(tune) + len(report) == len(questions)
    for q in (turn for q in questions for turn in (q.turns or [q])):
        text = "".join((CORPUS / s).read_text(encoding="utf-8") for s in q.sources).casefold()
        assert all(any(alt.casefold() in text for alt in entry.split("|")) for entry in q.answer_contains), q.id


def test_scoring_helpers():
    assert answer_is_right("They had 50 members and 19 did Bayesian work", ["50|fifty", "19"])
    assert not answer_is_right("They had 50 members", ["50", "19"])
    assert first_rank(["a", "b", "c"], ["c"]) == 3 and first_rank(["a"], ["z"]) is None


def test_eval_runs_and_reports_every_figure(settings):
    questions = [q for q in load_questions(QUESTIONS) if q.id in {"en-001", "zh-001", "da-001", "none-001"}]
    results = run(settings, questions, stock=True)
    table = format_table(results)
    assert "stock llama-index all" in table and "offline" in table
    project = results["retrieval"]["project"]["all"]
    assert project["n"] == 3 and project["hit@5"] == 1.0
    assert results["answers"]["offline"]["citation_validity"] == 1.0


def test_held_out_rows_answer_every_question_once_fold_by_fold(settings):
    """A set answered by folds of articles: every question once, fold after fold (each by a policy fitted
    without it), every answer given with verbatim quotes."""
    questions = [q for q in load_questions(QUESTIONS, "report") if q.kind in ("same", "cross")][:12]
    assert len({fold_of(q) for q in questions}) > 1
    rows = held_out_rows(settings, questions, settings.corpus_dir)
    order = sorted(questions, key=fold_of)
    assert [r["id"] for r in rows] == [q.id for q in order]
    assert all(r["valid_citations"] == r["citations"] > 0 for r in rows if not r["abstained"])
    assert any(not r["abstained"] for r in rows)
