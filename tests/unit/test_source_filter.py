"""A source filter naming an article the index does not hold is one clear line, not an empty search."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from rag.assistant import Assistant
from rag.components import build_components
from rag.errors import QuestionError
from rag.schema import OFFLINE, Filters
from rag.search import retrieve
from rag.ui.feedback import SEARCH
from rag.ui.handlers import Handlers
from rag.ui.render import esc
from tests.fakes import HashEmbedding, ScriptedChat

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_ARTICLE = "000_e4361c01c8850e8e.txt"
UNKNOWN = "nope.txt"
REFUSAL = (r"^No article named 'nope\.txt' is in the index; it holds 000_e4361c01c8850e8e\.txt, "
           r"001_11aa8dc79ed4b7a5\.txt, 002_ea614d0ca7ddad52\.txt, 003_d6d766e19608138f\.txt, "
           r"004_0d2ab960e419d201\.txt\.$")


def test_the_api_refuses_an_unknown_source_naming_it_and_the_indexed_ones(fast_assistant):
    with pytest.raises(QuestionError, match=REFUSAL):
        fast_assistant.retrieve(PROBABILITY, 5, Filters(source=UNKNOWN))
    with pytest.raises(QuestionError, match=REFUSAL):
        fast_assistant.ask(PROBABILITY, filters=Filters(source=UNKNOWN), mode=OFFLINE)


def test_a_known_source_still_restricts_the_search(fast_assistant):
    passages = fast_assistant.retrieve(PROBABILITY, 5, Filters(source=PROBABILITY_ARTICLE))
    assert passages and {p.source for p in passages} == {PROBABILITY_ARTICLE}


def test_a_long_list_of_articles_is_cut_short_and_counted(fast_assistant, monkeypatch):
    monkeypatch.setattr(retrieve, "NAMED_SOURCES", 2)
    with pytest.raises(QuestionError) as refused:
        fast_assistant.retrieve(PROBABILITY, 5, Filters(source="new\nline" + "x" * 1_000 + ".txt"))
    message = str(refused.value)
    assert message.endswith("it holds 000_e4361c01c8850e8e.txt, 001_11aa8dc79ed4b7a5.txt and 3 more.")
    assert "\n" not in message and len(message) < 300, "the name asked for is cut short, on one line"


def test_an_unknown_source_is_refused_before_the_chat_model_is_asked(fast_settings):
    settings = fast_settings.model_copy(update={"llm_translate_queries": True})  # a model call before the search
    chat = ScriptedChat(lambda prompt: "Die Frage.")
    assistant = Assistant(settings, build_components(settings, embed_override=HashEmbedding(), chat_override=chat))
    with pytest.raises(QuestionError, match=REFUSAL):
        assistant.ask(PROBABILITY, filters=Filters(source=UNKNOWN))
    assert chat.prompts == []


@pytest.mark.parametrize("mode", [OFFLINE, SEARCH])
def test_the_window_shows_the_one_line_refusal_and_gives_the_question_back(fast_assistant, mode):
    handlers = Handlers(fast_assistant.settings, SimpleNamespace(rebuilding=False, get=lambda: fast_assistant),
                        admin=False)
    *_, box, _, status, _ = list(handlers.respond(PROBABILITY, [], 5, UNKNOWN, "", mode))[-1]
    assert esc(f"No article named '{UNKNOWN}' is in the index; it holds ") in status and box == PROBABILITY


def test_the_ui_api_shows_the_one_line_refusal(fast_assistant):
    handlers = Handlers(fast_assistant.settings, SimpleNamespace(rebuilding=False, get=lambda: fast_assistant),
                        admin=False)
    with pytest.raises(gr.Error) as caught:
        handlers.ask(PROBABILITY, source=UNKNOWN, mode=OFFLINE)
    assert caught.value.message.startswith(f"No article named '{UNKNOWN}' is in the index; it holds ")


@pytest.mark.parametrize("filters", [Filters(source=PROBABILITY_ARTICLE, language="ar"),
                                     Filters(source=PROBABILITY_ARTICLE, language="zh")])
def test_filters_that_match_no_passage_find_nothing_and_the_answer_says_so(fast_assistant, filters):
    assert fast_assistant.retrieve(PROBABILITY, 5, filters) == []
    answer = fast_assistant.ask(PROBABILITY, filters=filters, mode=OFFLINE)
    assert answer.abstained and answer.passages == []
