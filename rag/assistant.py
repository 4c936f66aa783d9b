"""The assistant: question in, grounded answer out, joining every stage of the path.

validate -> (condense follow-up) -> retrieve -> prompt -> generate -> cite -> answer,
falling back to the offline extractive answer, with a notice, whenever the chat
model is down, slow, or gives no verifiable citation.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag import prompt as prompts
from rag.cite import ArticleTexts, Citation, cite, make_citation
from rag.load import detect_language, script_language
from rag.generate import NOT_FOUND, ChatModel, LLMUnavailableError, extract
from rag.retrieve import EmbeddingUnavailableError, Passage, Retriever
from rag.settings import Settings

FOLLOW_UP_WORDS = 10  # offline, a follow-up this short borrows the previous question's words
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuestionError(ValueError):
    """The question cannot be asked (empty after cleaning)."""


@dataclass
class Answer:
    """An answer with its verified citations and how it was made."""

    text: str
    citations: list[Citation]
    abstained: bool
    passages: list[Passage]
    mode: str  # "offline", "llm" or "fallback" (LLM configured but the offline answer was used)
    notices: list[str] = field(default_factory=list)
    question: str = ""
    seconds: float = 0.0


def clean_question(question: str, max_chars: int) -> tuple[str, list[str]]:
    """The question without control characters, truncated if huge; notices say what changed."""
    notices = []
    text = _CONTROL.sub(" ", question or "").strip()
    if not text:
        raise QuestionError("Please type a question: the question is empty.")
    if len(text) > max_chars:
        text = text[:max_chars]
        notices.append(f"The question was {len(question):,} characters; only the first {max_chars:,} were used.")
    return text, notices


@dataclass
class _Turn:
    """One question's notices for the user, and whether the chat model may still be called.

    After the first failure the rest of the question is answered offline, so a dead
    endpoint costs one timeout per question, not one per call.
    """

    notices: list[str]
    use_llm: bool

    def llm_failed(self, what: str, exc: LLMUnavailableError) -> None:
        self.notices.append(f"{what} ({exc}); this is the offline answer.")
        self.use_llm = False


class Assistant:
    """One loaded index and, when configured, one chat model; thread-safe for reads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever = Retriever(settings)
        corpus = self.retriever.manifest.corpus_dir or str(settings.corpus_dir)
        self.articles = ArticleTexts(Path(corpus))
        self.chat = ChatModel(settings) if settings.llm_configured else None

    def retrieve(self, question: str, k: int | None = None, **filters) -> list[Passage]:
        """Cleaned question -> the best passages."""
        text, _ = clean_question(question, self.settings.max_question_chars)
        return self.retriever.retrieve(text, k, **filters)

    def ask(self, question: str, **options) -> Answer:
        """The final answer (the last item of ask_stream)."""
        answer = None
        for answer in self.ask_stream(question, **options):
            pass
        return answer

    def ask_stream(
        self, question: str, *, history: list[tuple[str, str]] | None = None, k: int | None = None,
        source: str | None = None, language: str | None = None, mode: str | None = None,
    ) -> Iterator[Answer]:
        """Partial answers while the model writes (mode "llm"), then the checked final answer."""
        started = time.perf_counter()
        text, notices = clean_question(question, self.settings.max_question_chars)
        llm_wanted = self.chat is not None and mode != "offline"
        turn = _Turn(notices, use_llm=llm_wanted)
        if mode == "llm" and self.chat is None:
            notices.append("No LLM endpoint is configured (RAG_LLM_BASE_URL, RAG_LLM_MODEL); answering offline.")
        standalone = self._standalone(text, history or [], turn)
        extra = self._translations(standalone, turn)
        passages = self._retrieve(standalone, k, notices, source=source, language=language, extra_queries=extra)
        final = None
        if turn.use_llm:
            for answer in self._llm_answer(standalone, passages, turn):
                if answer.mode == "llm-partial":
                    yield answer
                else:
                    final = answer
        if final is None:
            final = self._offline_answer(standalone, passages, notices, "fallback" if llm_wanted else "offline")
        final.question = standalone
        final.seconds = time.perf_counter() - started
        yield final

    def _retrieve(self, question: str, k: int | None, notices: list[str], **options) -> list[Passage]:
        """Hybrid retrieval, or keywords alone with a notice when the embeddings endpoint is down."""
        try:
            return self.retriever.retrieve(question, k, **options)
        except EmbeddingUnavailableError as exc:
            notices.append(f"{str(exc).capitalize()}; the passages were found by keyword search alone.")
            return self.retriever.retrieve(question, k, dense=False, **options)

    def _standalone(self, text: str, history: list[tuple[str, str]], turn: _Turn) -> str:
        """A follow-up rewritten to stand alone: by the chat model, else a short one gets the last question's words."""
        if not history:
            return text
        if turn.use_llm:
            lines = "\n".join(f"User: {q}\nAssistant: {a[:300]}" for q, a in history[-3:])
            try:
                return self.chat.complete(
                    prompts.template("condense", self.settings).format(history=lines, question=text), 96
                ).splitlines()[0].strip() or text
            except LLMUnavailableError as exc:
                turn.llm_failed("Could not rewrite the follow-up with the LLM", exc)
        if len(text.split()) <= FOLLOW_UP_WORDS or script_language(text) in ("ar", "zh") and len(text) <= 20:
            return f"{history[-1][0]} {text}"  # elliptical ("and how many of them...?"): borrow the topic
        return text

    def _translations(self, question: str, turn: _Turn) -> list[str]:
        """The question in the corpus's other languages, for keyword search (RAG_LLM_TRANSLATE_QUERIES)."""
        if not (turn.use_llm and self.settings.llm_translate_queries):
            return []
        asked = detect_language(question)
        languages = sorted({d.language for d in self.retriever.manifest.documents.values()} - {asked})
        out = []
        for code in languages:
            request = prompts.template("translate", self.settings).format(
                language=prompts.LANGUAGE_NAMES.get(code, code), question=question)
            try:
                out.append(self.chat.complete(request, 96).splitlines()[0])
            except LLMUnavailableError as exc:
                turn.llm_failed("Query translation failed", exc)
                break
        return out

    def _offline_answer(self, question: str, passages: list[Passage], notices: list[str], mode: str) -> Answer:
        """The quoted sentences that answer best, or an honest refusal when support is too thin."""
        found = extract(self.retriever.evidence(question), passages)
        if found.support < self.settings.min_support:
            return self._refusal(passages, notices, mode)
        citations = [make_citation(s, passages[n - 1]) for n, s in found.picks
                     if self.articles.verify(s, passages[n - 1].source)]
        if not citations:
            return self._refusal(passages, notices, mode)
        body = "\n".join(f"“{c.quote}” [{passages.index(c.passage) + 1}]" for c in citations)
        return Answer(text=body, citations=citations, abstained=False, passages=passages, mode=mode,
                      notices=notices)

    def _refusal(self, passages: list[Passage], notices: list[str], mode: str) -> Answer:
        return Answer(text=prompts.text("not_found", self.settings), citations=[], abstained=True,
                      passages=passages, mode=mode, notices=notices)

    def _llm_answer(self, question: str, passages: list[Passage], turn: _Turn) -> Iterator[Answer]:
        """Stream the model's answer, then keep it only if its citations verify."""
        notices = turn.notices
        shown = prompts.fit_passages(passages, self.settings.context_tokens)
        evidence = self.retriever.evidence(question)
        if extract(evidence, shown).support < self.settings.min_support:
            yield self._refusal(passages, notices, "llm")
            return
        written = ""
        try:
            for piece in self.chat.stream(prompts.answer_prompt(question, shown, self.settings)):
                written += piece
                yield Answer(text=written, citations=[], abstained=False, passages=shown, mode="llm-partial")
        except LLMUnavailableError as exc:
            turn.llm_failed("The LLM endpoint failed", exc)
            return
        written = written.strip()
        if not written:
            notices.append("The LLM returned an empty answer; this is the offline answer.")
            return
        if NOT_FOUND in written.upper():
            yield self._refusal(passages, notices, "llm")
            return
        cited = cite(written, shown, self.articles, evidence)
        if cited.dropped:
            notices.append(f"{cited.dropped} citation(s) in the model's answer could not be verified "
                           "and were dropped.")
        if not cited.citations:
            notices.append("The model's answer had no verifiable citation; this is the offline answer.")
            return
        if cited.left_out:
            notices.append(f"{cited.left_out} sentence(s) of the model's answer had no verified quote "
                           "and were left out.")
        yield Answer(text=cited.text, citations=cited.citations, abstained=False, passages=shown, mode="llm",
                     notices=notices)
