"""The whole path with a fake embedder and a scripted chat model: what the assistant does, in seconds."""

from __future__ import annotations

import re

from pydantic import SecretStr

from rag.assistant import Assistant
from rag.components import build_components
from rag.schema import FALLBACK, HIGH, LLM, LOW
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


def _cited(claim: str, source: str = "000_e4361c01c8850e8e.txt"):
    """A scripted model that makes the claim, citing the first passage of the article."""
    return lambda prompt: f"{claim} [{_numbered(prompt, source)}]."


def test_a_figure_the_quote_gives_another_role_does_not_survive(fast_settings):
    assistant, _ = with_chat(fast_settings, _cited("The Probability team had 19 members"))
    answer = assistant.ask(PROBABILITY)  # the quote: "50 members; … 19 people doing Bayesian models"
    assert answer.mode == FALLBACK and "19 members" not in answer.text


def test_a_claim_that_denies_its_quote_does_not_survive(fast_settings):
    assistant, _ = with_chat(fast_settings, _cited("The Probability team never had 50 members; it had none"))
    answer = assistant.ask(PROBABILITY)
    assert answer.mode == FALLBACK and "never" not in answer.text


def _citing_the_passage_with(phrase: str, claim: str):
    """A scripted model that makes the claim, citing the passage of the prompt that holds the phrase."""
    import re

    def script(prompt: str) -> str:
        blocks = re.split(r"(?=\[\d+\] \(from )", prompt)
        number = next(re.match(r"\[(\d+)\]", b).group(1) for b in blocks if phrase in b and b.startswith("["))
        return f"{claim} [{number}]."

    return script


def test_a_true_quote_that_does_not_answer_is_shown_with_low_confidence(fast_settings):
    claim = "Emily McMillen said it took about 7 years at Meta to find such an amazing team as Probability"
    assistant, _ = with_chat(fast_settings, _citing_the_passage_with("McMillen", claim))
    answer = assistant.ask(PROBABILITY)  # a true sentence about the team, but not its size
    assert answer.mode == LLM and answer.confidence == LOW and "chance of being right" in answer.confidence_reason


def test_a_quote_that_answers_is_shown_with_high_confidence(fast_settings):
    assistant, _ = with_chat(fast_settings, _cited("The Probability team had 50 members"))
    answer = assistant.ask(PROBABILITY)
    assert answer.mode == LLM and answer.confidence == HIGH and not answer.confidence_reason


def test_an_answer_in_another_language_than_the_question_is_not_kept(fast_settings):
    french = _cited("L'équipe Probability comptait 50 membres selon la lettre")
    assistant, _ = with_chat(fast_settings, french)
    answer = assistant.ask(PROBABILITY)
    assert answer.mode == FALLBACK and "membres" not in answer.text
    assert any("French" in notice or "fr" in notice for notice in answer.notices)


def test_a_secret_echoed_by_the_model_is_scrubbed_from_the_answer(fast_settings):
    key = "sk-test-0123456789abcdef"
    settings = fast_settings.model_copy(update={"llm_api_key": SecretStr(key)})
    assistant, _ = with_chat(settings, _cited(f"The Probability team had 50 members, key {key}"))
    answer = assistant.ask(PROBABILITY)
    assert key not in answer.text and key not in " ".join(answer.notices)


TWO_ARTICLES = ("Hvem ledede Probability-gruppen, og hvor mange af holdets medlemmer arbejdede med bayesianske "
                "modeller?")


def test_the_model_decides_even_where_the_offline_decision_refuses(fast_settings, fast_assistant):
    """A two-article question the offline answerer refuses reaches the model, whose cited answer is kept."""
    assert fast_assistant.ask(TWO_ARTICLES).abstained

    def both(prompt: str) -> str:
        danish = _citing_the_passage_with("Meijer", "")(prompt).strip(" .[]")
        english = _citing_the_passage_with("19 people", "")(prompt).strip(" .[]")
        return (f"Short answer: Erik Meijer; 19\nGruppen blev ledet af Erik Meijer [{danish}]. "
                f"19 af medlemmerne arbejdede med bayesianske modeller [{english}].")

    assistant, chat = with_chat(fast_settings, both)
    answer = assistant.ask(TWO_ARTICLES)
    assert chat.prompts and answer.mode == LLM and not answer.abstained
    assert "Meijer" in answer.text and "19" in answer.text and len(answer.citations) == 2


def test_the_models_not_found_is_the_refusal(fast_settings):
    assistant, chat = with_chat(fast_settings, lambda prompt: "NOT FOUND")
    answer = assistant.ask(PROBABILITY)
    assert chat.prompts and answer.abstained and answer.mode == LLM and not answer.citations


def test_a_right_cross_lingual_answer_naming_the_sender_is_kept(fast_settings):
    assistant, _ = with_chat(fast_settings, citing_arabic("Alexandr Wang", "Alexandr Wang sent the memo"))
    answer = assistant.ask(AR_PASSAGE_QUESTION)
    assert answer.mode == LLM and "Alexandr Wang sent the memo" in answer.text
    assert "ألكسندر وانج" in answer.citations[0].quote


def test_the_model_reads_more_passages_than_the_offline_answer(fast_settings):
    assistant, chat = with_chat(fast_settings, lambda prompt: "NOT FOUND")
    answer = assistant.ask(PROBABILITY)
    shown = len(re.findall(r"^\[\d+\] \(from ", chat.prompts[-1], re.M))
    assert shown > fast_settings.top_k and len(answer.passages) == shown


def _scored(settings, model_class, count: int = 16):
    """(answer, gold) for the first count single questions of the report half, answered with the scripted model."""
    from rag.eval.score import load_questions

    questions = [q for q in load_questions(split="report") if not q.turns][:count]
    model = model_class(questions, settings.corpus_dir)
    assistant = Assistant(settings, build_components(settings, embed_override=HashEmbedding(), chat_override=model))
    return [(assistant.ask(q.question, mode="llm"), q) for q in questions]


def test_the_oracles_answers_are_delivered_and_its_refusals_kept(fast_settings):
    from rag.eval.score import answer_is_right
    from rag.eval.scripted import Oracle

    scored = _scored(fast_settings, Oracle)
    answerable = [(a, q) for a, q in scored if q.answerable]
    delivered = [a for a, q in answerable if a.mode == LLM and answer_is_right(a.text, q.answer_contains)]
    assert len(delivered) >= 0.8 * len(answerable)
    assert all(a.abstained for a, q in scored if not q.answerable)


def test_no_lie_of_the_liar_is_shown_as_a_model_answer(fast_settings):
    from rag.eval.scripted import Liar

    assert not [q.id for a, q in _scored(fast_settings, Liar) if a.mode == LLM and not a.abstained]


def test_missing_dictionaries_are_named_in_the_answers_notices(fast_settings, tmp_path):
    """Without the FreeDict files (the README's apt-get line not run), the answer says so and how to mend it."""
    from rag.search.gloss import Glossary

    components = build_components(fast_settings, embed_override=HashEmbedding())
    components.glossary = Glossary(tmp_path)  # a folder without the dictionaries
    answer = Assistant(fast_settings, components).ask("من أرسل المذكرة الداخلية؟")
    assert any("dict-freedict-ara-eng" in notice for notice in answer.notices), answer.notices
    assert "dict-freedict-ara-eng" in answer.to_json()["notices"][-1]
