"""Question analysis: a question read once into the record every later stage works from.

The asked answer type, the language, whether it asks two things, its names and figures, the topic a
follow-up leans on, and its evidence (the word groups with their rarity weights and their dictionary
translations, built by the search stage: rag.search.evidence). The extraction, the abstention
decision and the citation check all read this record instead of each reading the question again,
so they agree on what was asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.types import wanted
from rag.search.evidence import Evidence
from rag.text import asks_two_things, name_runs, number_words, question_language


@dataclass(frozen=True)
class Topic:
    """What a follow-up leans on: the earlier questions back to the last that stood alone, and the people the
    last answer named (whom its "she" means), kept apart so names stay names."""

    questions: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.questions or self.names)

    @property
    def text(self) -> str:
        """The topic as words to search with: the questions, then the names in brackets."""
        questions = " ".join(self.questions)
        return f"{questions} ({', '.join(self.names)})" if self.names else questions


NO_TOPIC = Topic()  # a question that stands alone


@dataclass(frozen=True)
class Question:
    """One question, analysed."""

    text: str  # as the user asked it
    language: str
    wants: str | None  # the kind of answer asked for (rag.answer.types), None when its form does not say
    two_parts: bool  # asks two things ("Who led it, and how many left?"): no single sentence need hold it all
    names: tuple[str, ...]  # the names it holds, each as one string ("Alexandr Wang")
    figures: tuple[str, ...]  # its figures, digits and number words alike, as digits
    topic: Topic  # what a follow-up leans on (empty for a question that stands alone)
    evidence: Evidence

    @property
    def searched(self) -> str:
        """The text searched for: a follow-up after its topic."""
        return f"{self.topic.text} {self.text}".strip()

    @property
    def follow_up(self) -> bool:
        """True when the question borrows words from an earlier one."""
        return len(self.evidence.groups) > self.evidence.own


def analyse(text: str, evidence: Evidence, topic: Topic = NO_TOPIC) -> Question:
    """The question read once: `evidence` is its word groups as the search stage weighs them (a follow-up's
    topic words borrowed at a lesser weight)."""
    figures = {word for word in text.split() if word[:1].isdigit()} | number_words(text)
    return Question(
        text=text, language=question_language(text), wants=wanted(text, evidence.glossary),
        two_parts=asks_two_things(text),
        names=tuple(" ".join(run) for run in name_runs(text)), figures=tuple(sorted(figures)),
        topic=topic, evidence=evidence,
    )
