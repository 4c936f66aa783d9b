"""A naive extractive baseline for the eval: the retrieved sentence sharing most words with the question.

It reads the same retrieved passages as the assistant and never refuses, so beside it the
assistant's figures show what its extraction and its decision add to retrieval alone.
"""

from __future__ import annotations

from rag.answer.extract import sentences_of
from rag.answer.cite import make_citation
from rag.schema import OFFLINE, Answer, Passage
from rag.search.keyword import tokenize
from rag.text import quoted


def naive_answer(question: str, passages: list[Passage]) -> Answer:
    """The sentence of the passages with the most of the question's tokens (the first on ties), quoted."""
    wanted = set(tokenize(question, query=True))
    options = [(len(wanted & set(tokenize(s, p.language))), -rank, s, p)
               for rank, p in enumerate(passages) for s in sentences_of(p)]
    if not options:
        return Answer(text="", citations=[], abstained=True, passages=passages, mode=OFFLINE)
    _, _, sentence, passage = max(options, key=lambda option: option[:2])
    return Answer(text=quoted(sentence), citations=[make_citation(sentence, passage)], abstained=False,
                  passages=passages, mode=OFFLINE)
