"""Condense: make a follow-up question stand alone, and translate a question for keyword search.

A question is a follow-up only when it is elliptical: a pronoun or demonstrative
without a name of its own ("How many of them…", "hvornår forlod hun…", "他…"), or no
content word at all ("And in Danish?"). Anything else stands alone, however short.
The chat model, when configured, rewrites a follow-up; offline, the follow-up is
searched together with the questions back to the last one that stood alone and the
people the last answer named (its topic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.answer.types import names as person_names
from rag.components import prompts
from rag.search.keyword import KeywordIndex, terms
from rag.text import first_pronoun, names, question_language

if TYPE_CHECKING:  # the chat model's module imports openai, which a question without a model does not need
    from rag.components.chat import ChatModel

HISTORY_TURNS = 3  # turns shown to the chat model when it rewrites a follow-up
HISTORY_ANSWER_CHARS = 300


def is_elliptical(question: str, index: KeywordIndex) -> bool:
    """True when the question leans on an earlier one: no content word, or a pronoun that no name of
    its own comes before ("How long had Devi Parikh worked there before she left?" stands alone).

    A name most passages hold (the company itself) is no topic of its own.
    """
    if not terms(question, query=True):
        return True
    pronoun = first_pronoun(question)
    if pronoun is None:
        return False
    return not any(position < pronoun and index.is_rare_name(name) for position, name in names(question))


def topic_questions(history: list[tuple[str, str]], index: KeywordIndex) -> list[str]:
    """The earlier questions a follow-up leans on: back to (and including) the last that stood alone."""
    chain: list[str] = []
    for question, _ in reversed(history):
        chain.insert(0, question)
        if not is_elliptical(question, index):
            break
    return chain


def answer_names(answer: str) -> list[str]:
    """The people an earlier answer named in its first line (its short answer or first quote): whom
    a follow-up's "she" most likely means ("Hvor længe havde hun arbejdet der?" after "Devi Parikh …")."""
    first = answer.strip().splitlines()[0] if answer.strip() else ""
    return person_names(first, question_language(first))


def model_standalone(question: str, history: list[tuple[str, str]], chat: ChatModel) -> str:
    """The chat model's standalone rewrite of a follow-up (raises LLMUnavailableError on failure)."""
    lines = "\n".join(f"User: {q}\nAssistant: {a[:HISTORY_ANSWER_CHARS]}" for q, a in history[-HISTORY_TURNS:])
    request = prompts.template("condense").format(history=lines, question=question)
    return chat.complete(request, 96).splitlines()[0].strip() or question


def translate(question: str, language_name: str, chat: ChatModel) -> str:
    """The question in another language, by the chat model (raises LLMUnavailableError on failure)."""
    request = prompts.template("translate").format(language=language_name, question=question)
    return chat.complete(request, 96).splitlines()[0]
