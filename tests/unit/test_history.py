"""The conversation history is bounded like the question: most recent turns kept, hostile sizes cut."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.assistant import MAX_HISTORY_ANSWER_CHARS, MAX_HISTORY_CHARS, MAX_HISTORY_TURNS, clean_history
from rag.errors import QuestionError
from rag.schema import OFFLINE
from rag.ui.handlers import Handlers

QUESTION_CHARS = 2000
HOSTILE_CHARS = 30_000  # one history question this long took seconds per 10,000 characters before the cap


def test_only_the_most_recent_turns_are_kept_within_the_caps():
    history = [(f"Question {i} about the Meta layoffs? " * 200, f"Answer {i}. " * 500)
               for i in range(1000)]
    kept, notices = clean_history(history, QUESTION_CHARS)
    assert 0 < len(kept) <= MAX_HISTORY_TURNS
    assert sum(len(q) + len(a) for q, a in kept) <= MAX_HISTORY_CHARS
    assert all(len(q) <= QUESTION_CHARS and len(a) <= MAX_HISTORY_ANSWER_CHARS for q, a in kept)
    assert kept[-1][0].startswith("Question 999 ") and kept[0][0].startswith(f"Question {1000 - len(kept)} ")
    assert len(notices) == 1 and f"last {len(kept)} turn(s)" in notices[0]


def test_an_ordinary_conversation_is_kept_whole_and_silently_trimmed_to_its_last_turns():
    history = [("他们裁了多少人？", "أفاد تقرير " * 200), ("And in Danish?", "Meta fyrede 7.800.")] * 10
    kept, notices = clean_history(history, QUESTION_CHARS)
    assert len(kept) == MAX_HISTORY_TURNS and kept[-1] == history[-1] and notices == []
    assert kept[0] == ("他们裁了多少人？", ("أفاد تقرير " * 200)[:MAX_HISTORY_ANSWER_CHARS].strip())


def test_empty_and_control_character_turns_are_cleaned_like_questions():
    kept, _ = clean_history([("\x00\x07 ", "lost"), ("Who left\x00 Meta?\ud800", "Devi Parikh.")], QUESTION_CHARS)
    assert kept == [("Who left  Meta??", "Devi Parikh.")]


@pytest.mark.parametrize("history", [["just a string"], [("one", "two", "three")], [("q", None)], [(1, "a")]])
def test_a_malformed_history_is_a_one_line_question_error(history):
    with pytest.raises(QuestionError, match=r"^The history must be a list of \(question, answer\) pairs"):
        clean_history(history, QUESTION_CHARS)


def test_a_huge_history_question_is_cut_before_it_is_searched(fast_assistant):
    hostile = [("Meta engineers layoffs them " * (HOSTILE_CHARS // 28), "They left.")]
    answer = fast_assistant.ask("How many of them were engineers?", history=hostile, mode=OFFLINE)
    limit = fast_assistant.settings.max_question_chars
    assert len(answer.question) <= limit + len("How many of them were engineers?") + 1
    assert any("conversation so far was too long" in n for n in answer.notices)


def test_the_ui_ask_api_caps_the_history_it_is_given(fast_assistant):
    handlers = Handlers(fast_assistant.settings, SimpleNamespace(rebuilding=False, get=lambda: fast_assistant),
                        admin=False)
    history = [["Meta engineers layoffs them " * (HOSTILE_CHARS // 28), "x" * HOSTILE_CHARS]] * 3
    result = handlers.ask("How many of them were engineers?", mode=OFFLINE, history=history)
    assert len(result["question"]) <= MAX_HISTORY_CHARS + len("How many of them were engineers?") + 1
    assert any("conversation so far was too long" in n for n in result["notices"])


def test_an_unknown_answer_mode_is_one_line_error(fast_assistant):
    import pytest

    from rag.errors import QuestionError

    with pytest.raises(QuestionError, match="answer mode"):
        fast_assistant.ask("How many people were on the Probability team?", mode="bogus")
