"""The whole path with a fake embedder and a scripted chat model: what the assistant does, in seconds."""

from __future__ import annotations

from rag.assistant import Assistant
from rag.components import build_components
from rag.schema import FALLBACK, LLM
from tests.fakes import HashEmbedding, ScriptedChat

PROBABILITY = "How many people were on the Probability team?"


def with_chat(settings, script) -> tuple[Assistant, ScriptedChat]:
    chat = ScriptedChat(script)
    return Assistant(settings, build_components(settings, embed_override=HashEmbedding(), chat_override=chat)), chat


def test_offline_answer_quotes_the_article(fast_assistant):
    answer = fast_assistant.ask(PROBABILITY)
    assert not answer.abstained and "50" in answer.text
    assert answer.citations[0].source == "000_e4361c01c8850e8e.txt"


def test_a_model_answer_with_a_true_citation_is_kept(fast_settings):
    assistant, chat = with_chat(fast_settings, lambda prompt: "The Probability team had 50 members [1].")
    answer = assistant.ask(PROBABILITY)
    assert answer.mode == LLM and "50" in answer.text and answer.citations
    assert PROBABILITY in chat.prompts[-1]


def test_a_failing_model_gives_the_offline_answer_with_a_notice(fast_settings):
    assistant, _ = with_chat(fast_settings, lambda prompt: None)
    answer = assistant.ask(PROBABILITY)
    assert answer.mode == FALLBACK and "50" in answer.text and "offline answer" in answer.notices[0]
