"""Each signal the answer policy reads (rag.answer.extract.signals), on made-up passages: it moves the way its
name says when only the thing it measures changes. No sentence here is from the bundled articles."""

from __future__ import annotations

import pytest

from rag.answer.abstain import hard_refusal
from rag.answer.extract import extract
from rag.answer.policy import FEATURES
from rag.answer.question import analyse
from rag.schema import Passage

BUILT = "The harbour board of Vesterby built 14 lighthouses along the northern coast in 1887."
UNRELATED = "The county fair sold apples and pears to visitors from the valley."
BUILT_DA = "Havnebestyrelsen i Vesterby byggede 14 fyrtårne langs nordkysten i 1887."


def _passage(text: str, number: int, language: str = "en", **ranks: int) -> Passage:
    return Passage(text=text, source=f"made-up-{number}.txt", score=1.0 / (60 + number), chunk_id=f"made-up#{number}",
                   language=language, ranks=ranks or {"dense": number, "keyword": number})


def _signals(assistant, question: str, *passages: Passage, topic: str = "") -> dict[str, float]:
    asked = analyse(question, assistant.retriever.evidence(question, topic))
    return extract(asked, list(passages)).signals


def test_every_feature_the_policy_reads_is_computed(fast_assistant):
    found = _signals(fast_assistant, "How many lighthouses did the harbour board build?", _passage(BUILT, 1))
    assert set(FEATURES) <= set(found)


def test_support_typed_and_short_rise_when_the_sentence_holds_the_asked_figure(fast_assistant):
    question = "How many lighthouses did the harbour board of Vesterby build?"
    holding = _signals(fast_assistant, question, _passage(BUILT, 1))
    lacking = _signals(fast_assistant, question, _passage("The harbour board of Vesterby built lighthouses.", 1))
    unrelated = _signals(fast_assistant, question, _passage(UNRELATED, 1))
    assert holding["typed"] == holding["has_short"] == 1.0 and lacking["typed"] == lacking["has_short"] == 0.0
    assert holding["support"] > unrelated["support"] and holding["gap"] < unrelated["gap"]


def test_cross_lingual_marks_an_answer_from_another_language(fast_assistant):
    question = "How many lighthouses did the harbour board of Vesterby build?"
    assert _signals(fast_assistant, question, _passage(BUILT, 1))["cross_lingual"] == 0.0
    assert _signals(fast_assistant, question, _passage(BUILT_DA, 1, "da"))["cross_lingual"] == 1.0


def test_ranks_say_where_retrieval_put_the_answering_passage(fast_assistant):
    question = "How many lighthouses did the harbour board of Vesterby build?"
    found = _signals(fast_assistant, question, _passage(UNRELATED, 1), _passage(BUILT, 2, dense=7, keyword=3))
    assert (found["pick_rank"], found["dense_rank"], found["keyword_rank"]) == (2.0, 7.0, 3.0)


def test_a_name_the_passage_never_writes_is_a_missing_key_and_a_hard_refusal(fast_assistant):
    asked = analyse("How many lighthouses did Kastrup Maritime build?",
                    fast_assistant.retriever.evidence("How many lighthouses did Kastrup Maritime build?"))
    found = extract(asked, [_passage(BUILT, 1)])
    assert found.signals["missing_keys"] >= 1 and found.signals["keys_missing_in_own_script"] >= 1
    assert "Kastrup" in hard_refusal(found)


@pytest.mark.parametrize(("question", "signal", "value"), [
    ("Who founded the harbour board, and when did the lighthouses open?", "two_parts", 1.0),
    ("How many lighthouses did the harbour board build?", "two_parts", 0.0),
    ("Describe the harbour board's lighthouses.", "no_type_asked", 1.0),
    ("How many lighthouses did the harbour board build?", "no_type_asked", 0.0),
])
def test_the_question_s_form_is_read_into_its_signals(fast_assistant, question, signal, value):
    assert _signals(fast_assistant, question, _passage(BUILT, 1))[signal] == value


def test_question_words_and_follow_up_count_what_the_question_brings(fast_assistant):
    short = _signals(fast_assistant, "How many lighthouses?", _passage(BUILT, 1))
    long = _signals(fast_assistant, "How many lighthouses did the harbour board of Vesterby build in 1887?",
                    _passage(BUILT, 1))
    assert long["question_words"] > short["question_words"] and short["follow_up"] == 0.0
    follow = _signals(fast_assistant, "How many did it build?", _passage(BUILT, 1),
                      topic="the harbour board of Vesterby lighthouses")
    assert follow["follow_up"] == 1.0


def test_a_question_of_figures_and_light_verbs_names_no_topic(fast_assistant):
    found = _signals(fast_assistant, "What happened in 1887?", _passage(BUILT, 1))
    assert found["topic_words"] == 0.0


def test_a_web_address_is_looked_for_as_written_not_through_a_translation_of_its_words(fast_assistant):
    """"Harbours.dk" is not held by a Danish sentence that only says havn (harbour); written out, in any case, it is."""
    question = "Who owns Harbours.dk?"
    evidence = fast_assistant.retriever.evidence(question)
    assert evidence.missing_keys("Havnen i Vesterby ejes af kommunen.", "da") == ["Harbours.dk"]
    assert evidence.missing_keys("Kommunen ejer harbours.dk og havnen i Vesterby.", "da") == []


def test_a_name_the_article_file_gives_is_the_subject_its_sentences_leave_implied(fast_assistant):
    """A page about "Harbour Festival 12" says "the festival"; its file's name holds what the question names. A
    file named by a hash names nothing, and the key stays missing."""
    question = "Who sang the opening song at Harbour Festival 12?"
    sentence = "Anna Holm sang the opening song, while the choir of Vesterby closed the evening."
    asked = analyse(question, fast_assistant.retriever.evidence(question))
    named = Passage(text=sentence, source="07_harbour_festival_12.txt", score=1.0, chunk_id="made-up#1", language="en")
    hashed = Passage(text=sentence, source="007_4f0c2a9e1b7d33aa.txt", score=1.0, chunk_id="made-up#1", language="en")
    assert not extract(asked, [named]).missing_keys
    assert "12" in extract(asked, [hashed]).missing_keys


def test_a_name_spelled_one_letter_off_is_the_same_name_a_shorter_or_further_one_is_not(fast_assistant):
    evidence = fast_assistant.retriever.evidence("When did Queen Margarethe of Vesterby rule?")
    assert "Margarethe" not in evidence.missing_keys("Queen Margrethe of Vesterby ruled from 1412.", "en")
    assert "Margarethe" in evidence.missing_keys("Queen Margit of Vesterby ruled from 1412.", "en")


def test_an_acronym_is_held_by_the_words_whose_initials_spell_it(fast_assistant):
    evidence = fast_assistant.retriever.evidence("Who chairs the VHB?")
    assert "VHB" not in evidence.missing_keys("The Vesterby Harbour Board is chaired by Lene Dahl.", "en")
    assert "VHB" in evidence.missing_keys("The Board of Vesterby Harbours is chaired by Lene Dahl.", "en")
    assert "VHB" in evidence.missing_keys("The harbour board is chaired by Lene Dahl.", "en")


def test_a_language_named_by_the_question_is_held_by_a_passage_in_it(fast_assistant):
    evidence = fast_assistant.retriever.evidence("What does the Danish report say about the lighthouses of Vesterby?")
    assert "Danish" not in evidence.missing_keys(BUILT_DA, "da")
    assert "Danish" in evidence.missing_keys(BUILT, "en")


def test_a_family_name_alone_speaks_of_the_whole_name_a_given_name_alone_does_not(fast_assistant):
    evidence = fast_assistant.retriever.evidence("When did Alva Renko leave the harbour board?")
    assert evidence.missing_keys("Renko left the harbour board in 2019.", "en") == []
    assert "Renko" in evidence.missing_keys("Alva left the harbour board in 2019.", "en")


def test_a_follow_up_answered_by_its_topic_s_words_alone_is_refused(fast_assistant):
    """"What pension did it promise them?" after a question about the lighthouses: a sentence holding only the
    topic's words (lighthouses, harbour board) answers the question before, not this one."""
    topic = "How many lighthouses did the harbour board of Vesterby build?"
    asked = analyse("What pension did it promise them?",
                    fast_assistant.retriever.evidence("What pension did it promise them?", topic))
    found = extract(asked, [_passage(BUILT, 1)])
    assert found.signals["own_words_met"] == 0.0
    assert "own words" in hard_refusal(found)
    promised = extract(asked, [_passage("The harbour board promised the keepers a pension after 1887.", 1)])
    assert promised.signals["own_words_met"] > 0.0 and not hard_refusal(promised)


def test_a_question_with_no_words_of_its_own_leans_on_its_topic_without_refusal(fast_assistant):
    found = _signals(fast_assistant, "And how many?", _passage(BUILT, 1),
                     topic="How many lighthouses did the harbour board of Vesterby build?")
    assert found["own_words_met"] == 1.0
