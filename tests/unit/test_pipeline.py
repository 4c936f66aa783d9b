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


AR_PASSAGE_QUESTION = "Who sent the internal memo about the AI lab restructuring?"


def _numbered(prompt: str, source: str) -> int:
    """The [n] the prompt gives the first passage of an article."""
    import re

    return int(re.search(rf"\[(\d+)\] \(from {re.escape(source)}", prompt).group(1))


def citing_arabic(short: str, claim: str):
    """A scripted model that answers with this short answer and claim, citing the Arabic article's passage."""
    def script(prompt: str) -> str:
        return f"Short answer: {short}\n{claim} [{_numbered(prompt, '001_11aa8dc79ed4b7a5.txt')}]."

    return script


def test_a_strong_models_cross_lingual_answer_survives_the_checker(fast_settings):
    strong = citing_arabic("Alexandr Wang", "The internal memo was sent by Alexandr Wang, Meta's head of AI")
    assistant, _ = with_chat(fast_settings, strong)
    answer = assistant.ask(AR_PASSAGE_QUESTION)
    assert answer.mode == LLM and answer.short == "Alexandr Wang"
    assert "ألكسندر وانج" in answer.citations[0].quote and answer.citations[0].gloss


def test_a_weak_models_wrong_name_does_not_survive(fast_settings):
    weak = citing_arabic("Mark Zuckerberg", "The internal memo was sent by Mark Zuckerberg")
    assistant, _ = with_chat(fast_settings, weak)
    answer = assistant.ask(AR_PASSAGE_QUESTION)
    assert answer.mode == FALLBACK and "Zuckerberg" not in answer.short


def test_a_wrong_number_on_an_arabic_quote_is_dropped(fast_settings):
    wrong = citing_arabic("900", "Meta will lay off about 900 employees from its AI lab")
    assistant, _ = with_chat(fast_settings, wrong)
    answer = assistant.ask("How many employees will Meta lay off from its AI lab, according to Axios?")
    assert "900" not in answer.text and "900" not in answer.short
    assert answer.abstained or answer.mode == FALLBACK  # refused, or the offline answer instead of the model's
