"""Feedback on answers: the JSONL record the window appends, and `rag eval --feedback` turning it into drafts."""

from __future__ import annotations

import json

import pytest

from rag.cli import main as cli_main
from rag.errors import FeedbackError
from rag.eval.feedback import drafts_from_feedback, read_feedback, write_drafts
from rag.eval.score import Question
from rag.schema import OFFLINE, Answer, Citation, Filters, Passage
from rag.settings import Settings
from rag.ui.feedback import answer_record, record_feedback

ARABIC_Q = "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟"
ARABIC_QUOTE = "ستسرح 600 موظف"


def _answer(question: str, short: str, quotes: list[tuple[str, str, str]]) -> Answer:
    passages = [Passage(text=f"… {q} …", source=s, score=1.0, chunk_id=f"{s}#{i}", language=lang)
                for i, (s, lang, q) in enumerate(quotes)]
    citations = [Citation(source=p.source, quote=q, passage=p, language=p.language)
                 for p, (_, _, q) in zip(passages, quotes)]
    return Answer(text=" ".join(q for _, _, q in quotes), citations=citations, abstained=not citations,
                  passages=passages, mode=OFFLINE, question=question, short=short)


def _record(question: str, short: str, quotes: list[tuple[str, str, str]]) -> dict:
    settings = Settings(_env_file=None, top_k=7)
    return answer_record(_answer(question, short, quotes), question, settings, 7, Filters(language="ar"))


def test_feedback_is_one_utf8_json_line_with_the_answer_citations_and_settings(tmp_path):
    path = tmp_path / "data" / "feedback.jsonl"
    record = _record(ARABIC_Q, "600", [("001.txt", "ar", ARABIC_QUOTE)])
    record_feedback(path, record, liked=True, comment="  صحيح  ")
    raw = path.read_text(encoding="utf-8")
    assert ARABIC_QUOTE in raw  # unescaped: Arabic stays readable in the file
    (first,) = [json.loads(line) for line in raw.splitlines()]
    assert first["rating"] == "up" and first["answer_id"] == record["answer_id"]
    assert first["comment"] == "صحيح" and first["time"]
    assert first["question"] == ARABIC_Q and first["answer"] == ARABIC_QUOTE and first["short"] == "600"
    assert first["citations"] == [{"source": "001.txt", "language": "ar", "quote": ARABIC_QUOTE}]
    assert first["mode"] == OFFLINE
    assert first["settings"]["top_k"] == 7 and first["settings"]["language"] == "ar"
    assert first["settings"]["answer_threshold"] == Settings(_env_file=None).answer_threshold


def _feedback_file(tmp_path, *lines: dict):
    path = tmp_path / "feedback.jsonl"
    for line in lines:
        record_feedback(path, line["record"], line["liked"], line.get("comment", ""))
    return path


def test_thumbs_up_becomes_an_answerable_draft_and_thumbs_down_a_flagged_one(tmp_path):
    up = _record("How many people were on the Probability team?", "50 members",
                 [("000.txt", "en", "The team had 50 members")])
    down = _record("田渊栋领导开发了什么围棋AI？", "", [("002.txt", "zh", "某句话")])
    multi = _record("Who left Meta and where did they go?", "Tian",
                    [("000.txt", "en", "Tian left"), ("003.txt", "da", "Tian forlod Meta")])
    path = _feedback_file(tmp_path, {"record": up, "liked": True}, {"record": down, "liked": False,
                                                                   "comment": "wrong article"},
                          {"record": multi, "liked": True})
    drafts = drafts_from_feedback(read_feedback(path))
    assert [d["id"] for d in drafts] == ["fb-0001", "fb-0002", "fb-0003"]
    good, bad, both = drafts

    assert good["sources"] == ["000.txt"] and good["answer_contains"] == ["50 members"]
    assert good["kind"] == "same" and good["language"] == "en" and good["status"] == "draft"
    assert both["kind"] == "multi" and both["sources"] == ["000.txt", "003.txt"]
    assert bad["flagged"] is True and bad["sources"] == [] and bad["answer_contains"] == []
    assert bad["language"] == "zh" and bad["feedback"]["comment"] == "wrong article"
    assert bad["feedback"]["cited"] == [{"source": "002.txt", "quote": "某句话"}]

    # The eval set reads every draft: the good one as answerable, the flagged one not (until reviewed).
    questions = [Question.from_json(d) for d in drafts]
    assert questions[0].answerable and questions[0].answer_contains == ["50 members"]
    assert not questions[1].answerable and questions[1].question == "田渊栋领导开发了什么围棋AI？"


def test_a_question_rated_twice_gives_one_draft_from_its_latest_rating(tmp_path):
    record = _record("How many people were on the Probability team?", "50",
                     [("000.txt", "en", "The team had 50 members")])
    path = _feedback_file(tmp_path, {"record": record, "liked": True}, {"record": record, "liked": False})
    (draft,) = drafts_from_feedback(read_feedback(path))
    assert draft["flagged"] is True


def test_a_thumbs_up_on_a_refusal_is_a_draft_unanswerable_question(tmp_path):
    path = _feedback_file(tmp_path, {"record": _record("Who is the CEO of Zorblax?", "", []), "liked": True})
    (draft,) = drafts_from_feedback(read_feedback(path))
    assert draft["kind"] == "unanswerable" and draft["sources"] == [] and "flagged" not in draft


def test_rag_eval_feedback_writes_drafts_and_never_overwrites_them(tmp_path, capsys):
    record = _record("How many people were on the Probability team?", "50",
                     [("000.txt", "en", "The team had 50 members")])
    path = _feedback_file(tmp_path, {"record": record, "liked": True})
    assert cli_main(["eval", "--feedback", str(path)]) == 0
    out = tmp_path / "feedback.drafts.jsonl"
    assert "wrote 1 draft questions" in capsys.readouterr().out
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["answer_contains"] == ["50"]
    out.write_text("reviewed\n", encoding="utf-8")
    assert cli_main(["eval", "--feedback", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "reviewed\n"


@pytest.mark.parametrize("line, why", [("{not json", "not JSON"), ('{"rating": "meh", "question": "q", '
                                                                    '"citations": []}', "not a feedback record")])
def test_a_bad_feedback_line_is_named(tmp_path, line, why):
    path = tmp_path / "feedback.jsonl"
    path.write_text('\n' + line + "\n", encoding="utf-8")
    with pytest.raises(FeedbackError, match=f"line 2 is {why}"):
        write_drafts(path)
    assert not (tmp_path / "feedback.drafts.jsonl").exists()


def test_a_rating_switched_replaces_its_line_and_a_second_click_takes_it_back(tmp_path):
    path = tmp_path / "feedback.jsonl"
    one = _record("How many cranes did the harbour have?", "40", [("h.txt", "en", "It had 40 cranes")])
    other = _record("When did the harbour open?", "1901", [("h.txt", "en", "It opened in 1901")])
    record_feedback(path, one, liked=False)
    record_feedback(path, other, liked=True)
    record_feedback(path, one, liked=True)  # 👎 then 👍: one line for that answer, the latest
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["answer_id"], line["rating"]) for line in lines] == [(other["answer_id"], "up"),
                                                                       (one["answer_id"], "up")]
    assert record_feedback(path, one, liked=None) is None  # 👍 clicked again: taken back
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["answer_id"] for line in lines] == [other["answer_id"]]
