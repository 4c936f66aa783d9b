"""The eval reads any corpus's question set: this set's format and the other one (lang, must_include), the
gold evidence, and its one-line refusals of a bad --corpus or question file."""

from __future__ import annotations

import json

import pytest

from rag.cli import main
from rag.eval.gold import evidence_sentences
from rag.eval.score import load_questions

OTHER_FORMAT = [
    {"id": "g-1", "question": "Who built the Harbour Tower?", "lang": "en", "sources": ["tower.txt"],
     "must_include": [["Lena Holt", "莉娜·霍尔特"]], "kind": "crosslingual"},
    {"id": "g-2", "question": "What does the moon eat?", "lang": "en", "sources": [], "must_include": [],
     "kind": "unanswerable"},
]


def test_the_other_format_is_read_as_this_one(tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in OTHER_FORMAT), encoding="utf-8")
    built, unanswerable = load_questions(path, "report")  # no halves: the whole set, whatever the split
    assert (built.language, built.kind, built.answer_contains) == ("en", "cross", ["Lena Holt|莉娜·霍尔特"])
    assert unanswerable.kind == "unanswerable" and not unanswerable.answerable


def test_the_evidence_is_the_first_sentence_holding_each_answer(tmp_path):
    (tmp_path / "tower.txt").write_text("The tower is tall. 它由莉娜·霍尔特设计。Lena Holt built it in 1901. "
                                        "It was repaired in 1950.", encoding="utf-8")
    found = evidence_sentences(["Lena Holt|莉娜·霍尔特", "1950"], ["tower.txt"], tmp_path)
    assert found == ["它由莉娜·霍尔特设计。", "It was repaired in 1950."]


def test_every_answerable_line_of_the_bundled_set_names_sentences_that_hold_its_answer():
    for question in load_questions():
        for turn in question.turns or [question]:
            if turn.answerable:
                text = " ".join(turn.evidence).casefold()
                assert all(any(s.casefold() in text for s in entry.split("|")) for entry in turn.answer_contains), turn.id


@pytest.mark.parametrize(("argv", "message"), [
    (["eval", "--corpus", "/no/such/folder"], "not a folder of articles"),
    (["eval", "--questions", "/no/such/file.jsonl", "--no-stock"], "not a question set"),
])
def test_a_bad_corpus_or_question_file_is_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_naive_baseline_quotes_the_sentence_sharing_most_words_and_never_refuses():
    from rag.eval.baseline import naive_answer
    from rag.schema import Passage

    passages = [Passage(text="The bridge is old. The river is wide.", source="a.txt", score=1.0, chunk_id="a#1",
                        language="en"),
                Passage(text="The bridge over the river opened in 1901.", source="b.txt", score=0.5, chunk_id="b#1",
                        language="en")]
    answer = naive_answer("When did the bridge over the river open?", passages)
    assert not answer.abstained and "1901" in answer.text and answer.citations[0].source == "b.txt"
    assert naive_answer("Anything?", []).abstained


def test_a_question_file_nested_too_deep_is_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000, encoding="utf-8")
    assert main(["eval", "--questions", str(deep), "--no-stock"]) == 2
    assert "not a question set" in capsys.readouterr().err


def test_a_feedback_file_nested_too_deep_is_one_line(tmp_path):
    from rag.errors import FeedbackError
    from rag.eval.feedback import read_feedback

    deep = tmp_path / "feedback.jsonl"
    deep.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(FeedbackError, match="nested too deep"):
        read_feedback(deep)
