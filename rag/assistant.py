"""The assistant: question in, grounded answer out, each stage of the path once per question.

clean -> stand alone (follow-ups) -> evidence -> retrieve -> then, with a chat model, the model
decides (its NOT FOUND is the refusal) and cite keeps the claims whose quotes hold their figures
and names, the policy's reading of those quotes being the answer's confidence; offline, or when
the model is down, slow or unverifiable (with a notice), extract -> the policy decides -> answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from rag.answer import condense
from rag.answer.abstain import Decision, decide
from rag.answer.cite import ArticleTexts, Cited, backed_short, cite, make_citation, split_short
from rag.answer.extract import Extract, extract
from rag.answer.generate import NOT_FOUND, answer_prompt, fit_passages
from rag.answer.question import NO_TOPIC, Question, Topic, analyse
from rag.components import Components, build_components, prompts
from rag.components.store import Generation, check_passages, chroma_client, corpus_folder, manifest_generation
from rag.errors import EmbeddingUnavailableError, LLMUnavailableError, QuestionError
from rag.schema import FALLBACK, HIGH, LLM, LLM_PARTIAL, LOW, OFFLINE, Answer, Citation, Filters, Passage
from rag.search.gloss import DICTIONARY_LANGUAGES
from rag.search.retrieve import Retriever
from rag.settings import MAX_TOP_K, Settings
from rag.text import (detect_language, language_name, prose_words, question_language, quoted, script_language,
                      script_of, speaks, strip_markers)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|「[^」]*」")  # text a model quotes from the articles
MIN_LANGUAGE_WORDS = 4  # fewer words of prose are too few to tell a script from
MIN_PROSE_WORDS = 6  # fewer words in the question's own script are too few to tell its language from
MIN_SCRIPT_SHARE = 0.3  # an answer with fewer of its words in the question's script is in another language
ASK_MODES = (None, OFFLINE, LLM)  # None: the chat model when one is configured
# The conversation a question may lean on (see clean_history): a follow-up needs the last few turns only.
MAX_HISTORY_TURNS = 8
MAX_HISTORY_ANSWER_CHARS = 1_000  # of each earlier answer (the follow-up rewrite shows the model 300)
MAX_HISTORY_CHARS = 12_000  # every kept question and answer together: room for 8 turns of ordinary length


def _clean_text(text: str) -> str:
    """Text without control characters or lone surrogates (each becomes "?"), stripped."""
    return _CONTROL.sub(" ", text or "").encode("utf-8", "replace").decode("utf-8").strip()


def clean_question(question: str, max_chars: int) -> tuple[str, list[str]]:
    """The question without control characters, truncated if huge; notices say what changed."""
    if not isinstance(question, (str, type(None))):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    notices = []
    text = _clean_text(question)
    if not text:
        raise QuestionError("Please type a question: the question is empty.")
    if len(text) > max_chars:
        text = text[:max_chars]
        notices.append(f"The question was {len(question):,} characters; only the first {max_chars:,} were used.")
    return text, notices


def check_k(k: int | None) -> int | None:
    """k passages as asked (None: the configured default); a k outside 1..MAX_TOP_K is a QuestionError."""
    if k is not None and not (isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= MAX_TOP_K):
        raise QuestionError(f"The number of passages must be a whole number from 1 to {MAX_TOP_K}, not {k!r}.")
    return k


def clean_history(history: list[tuple[str, str]] | None, max_question_chars: int
                  ) -> tuple[list[tuple[str, str]], list[str]]:
    """The conversation as the assistant uses it: its most recent turns, bounded; notices say what was cut.

    A follow-up leans on the last few turns only, so a long (or hostile) history must not cost
    more than a question does. Each turn is cleaned like a question (empty ones are left out), its
    question cut to max_question_chars and its answer to MAX_HISTORY_ANSWER_CHARS; then, newest
    first, turns are kept while there are at most MAX_HISTORY_TURNS and their texts together hold at
    most MAX_HISTORY_CHARS characters; every older turn is dropped. Turns past MAX_HISTORY_TURNS and
    the ends of long answers go silently (a long chat and long answers are normal); a question cut
    short or a turn dropped for its size gets one notice.
    """
    turns = list(history or [])
    if not all(isinstance(t, (tuple, list)) and len(t) == 2 and all(isinstance(x, str) for x in t)
               for t in turns):
        raise QuestionError("The history must be a list of (question, answer) pairs of text.")
    kept: list[tuple[str, str]] = []
    used, cut = 0, False
    for question, answer in reversed(turns[-MAX_HISTORY_TURNS:]):
        question, answer = _clean_text(question), _clean_text(answer)
        if not question:
            continue
        short = (question[:max_question_chars], answer[:MAX_HISTORY_ANSWER_CHARS])
        cut = cut or len(question) > max_question_chars
        if used + len(short[0]) + len(short[1]) > MAX_HISTORY_CHARS:
            cut = True
            break
        kept.insert(0, short)
        used += len(short[0]) + len(short[1])
    notices = [f"The conversation so far was too long to use whole; only its last {len(kept)} turn(s), "
               f"{used:,} characters, were used."] if cut else []
    return kept, notices


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



def _other_language(question: str, answer: str) -> str | None:
    """The answer's language when it is plainly not the question's ("fr" for an English question answered
    in French), else None. Quotes and the short answer are left out (they may be in any of the articles'
    languages), and so are names and figures. Judged only on enough prose: fewer than MIN_LANGUAGE_WORDS
    words in another script, or fewer than MIN_PROSE_WORDS in the question's own script, say nothing
    ("The answer is Lady Gaga" is not Afrikaans), and prose holding the question language's function
    words is in it whatever a detector guesses."""
    prose = strip_markers(QUOTED.sub(" ", split_short(answer)[1]))
    asked = question_language(question)
    words = prose_words(prose)
    scripts = [script_language(w) for w in words]
    own = sum(script == script_of(asked) for script in scripts)
    if len(words) >= MIN_LANGUAGE_WORDS and own < MIN_SCRIPT_SHARE * len(words):
        return max(set(scripts), key=scripts.count) if script_of(asked) == "latin" else detect_language(prose)
    if script_of(asked) != "latin" or own < MIN_PROSE_WORDS or speaks(prose, asked):
        return None
    answered = detect_language(prose)
    return answered if "und" not in (asked, answered) and asked != answered else None


class Assistant:
    """One loaded index and, when configured, one chat model; thread-safe for reads.

    Before each question one stat() of the manifest tells whether a build (in this process or
    another) committed a new generation; if so the index is loaded again, so no restart is
    needed to see a re-index. With a Chroma server the generation is the server's manifest record,
    asked at most every rag.components.shared_state.POLL_S seconds, and the index folder is a cache of it.
    """

    def __init__(self, settings: Settings, components: Components | None = None) -> None:
        self.settings = settings
        self.components = components or build_components(settings)
        self.chat = self.components.chat
        self._reloading = threading.Lock()
        self._shared = self.components.shared_state
        self._load(self._committed(), fresh=False)

    def _committed(self, *, now: bool = False) -> Generation:
        """The committed generation: one stat() of the manifest, or with a Chroma server the version its
        manifest record names (asked at most every POLL_S seconds, unless now)."""
        if self._shared is None:
            return manifest_generation(self.settings.index_dir)
        return self._shared.version(now=now)

    def _load(self, generation: Generation, fresh: bool) -> None:
        """Open the committed generation: its retriever, and the articles it follows as they are on disk
        (with a Chroma server: downloaded into the index folder first, the articles as the server holds them).

        fresh: open the vector store anew, since Chroma does not see what another process added.
        """
        if self._shared is not None:
            generation = self._shared.sync(self.settings.index_dir)
        if fresh and self.components.client_override is None:
            self.components.chroma = chroma_client(self.settings, fresh=True)
        retriever = Retriever(self.components)
        check_passages(retriever.collection, retriever.manifest, self.settings)
        self.retriever, self.generation = retriever, generation
        texts = self._shared.article_texts(retriever.manifest) if self._shared is not None else None
        self.articles = ArticleTexts(corpus_folder(self.settings, retriever.manifest), texts)

    def refresh(self) -> None:
        """Load the index again when a new generation was committed since it was loaded."""
        generation = self._committed()
        if generation == self.generation:
            return
        with self._reloading:
            if generation != self.generation:
                self._load(generation, fresh=True)

    def retrieve(self, question: str, k: int | None = None, filters: Filters = Filters()) -> list[Passage]:
        """Cleaned question -> the best passages."""
        text, _ = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        self.retriever.check(filters)
        return self.retriever.retrieve(text, check_k(k), filters=filters)

    def ask(self, question: str, **options) -> Answer:
        """The final answer (the last item of ask_stream)."""
        answer = None
        for answer in self.ask_stream(question, **options):
            pass
        return answer

    def ask_stream(
        self, question: str, *, history: list[tuple[str, str]] | None = None, k: int | None = None,
        filters: Filters = Filters(), mode: str | None = None,
    ) -> Iterator[Answer]:
        """Partial answers while the model writes (mode "llm"), then the checked final answer."""
        started = time.perf_counter()
        text, notices = clean_question(question, self.settings.max_question_chars)
        k = check_k(k)
        if mode not in ASK_MODES:
            raise QuestionError(f"The answer mode must be 'offline', 'llm' or left out, not {mode!r}.")
        history, cut = clean_history(history, self.settings.max_question_chars)
        notices.extend(cut)
        self.refresh()
        self.retriever.check(filters)  # before any call to the chat model
        llm_wanted = self.chat is not None and mode != OFFLINE
        turn = _Turn(notices, use_llm=llm_wanted)
        if mode == LLM and self.chat is None:
            notices.append("No LLM endpoint is configured (RAG_LLM_BASE_URL, RAG_LLM_MODEL); answering offline.")
        asked = self._question(*self._standalone(text, history or [], turn))
        extra = self._translations(asked.searched, turn)
        searched = k or (max(self.settings.llm_top_k, self.settings.top_k) if turn.use_llm else None)
        passages = self._retrieve(asked, searched, notices, filters=filters, extra_queries=extra)
        notices.extend(self._dictionary_notices(asked.searched, passages))
        final = None
        if turn.use_llm and passages:  # the model decides; its NOT FOUND is the refusal
            for answer in self._llm_answer(asked, passages, turn):
                if answer.mode == LLM_PARTIAL:
                    yield answer
                else:
                    final = answer
        if final is None:
            asked, final = self._offline(asked, text, passages[: k or self.settings.top_k], history, k, notices,
                                         filters, FALLBACK if llm_wanted else OFFLINE)
        final.question = asked.searched
        final.seconds = time.perf_counter() - started
        yield final

    def _offline(self, asked: Question, text: str, passages: list[Passage], history: list[tuple[str, str]],
                 k: int | None, notices: list[str], filters: Filters, mode: str) -> tuple[Question, Answer]:
        """The offline answer, or its refusal when decide() says the passages hold none; a follow-up it
        refuses alone is asked again with the conversation's topic, kept only when that answers."""
        found = extract(asked, passages)
        if not self._decide(found).answer:
            retry = self._with_topic(text, history, k, notices, filters) if history and not asked.topic else None
            if retry is None:
                return asked, self._refusal(passages, notices, mode)
            asked, passages, found = retry
        return asked, self._offline_answer(found, passages, notices, mode)

    def offline_candidate(self, question: str, history: list[tuple[str, str]] | None = None
                          ) -> tuple[Extract, Answer]:
        """A question's extraction and the offline answer it makes before the policy decides (what
        rag.eval.fit_policy fits the policy on); a follow-up leans on its history's topic as in ask()."""
        text, notices = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        asked = self._question(*self._standalone(text, history or [], _Turn(notices, use_llm=False)))
        passages = self._retrieve(asked, None, notices)
        found = extract(asked, passages)
        return found, self._offline_answer(found, passages, notices, OFFLINE)

    def _dictionary_notices(self, question: str, passages: list[Passage]) -> list[str]:
        """The glossary's notice of missing dictionaries, when the question or a passage is in a language they
        serve: the answer may be missing for want of them, and the user can install them."""
        languages = {question_language(question)} | {p.language for p in passages}
        return list(self.components.glossary.notices) if languages & set(DICTIONARY_LANGUAGES) else []

    def _question(self, text: str, topic: Topic = NO_TOPIC) -> Question:
        """The question analysed once, its evidence weighed by the search stage (a follow-up's with its topic)."""
        return analyse(text, self.retriever.evidence(text, topic.text), topic)

    def _with_topic(self, text: str, history: list[tuple[str, str]], k: int | None, notices: list[str],
                    filters: Filters) -> tuple[Question, list[Passage], Extract] | None:
        """A question with no answer alone, asked again with the conversation's topic: kept only if that answers
        and the answer holds the question's own names and figures in some form (the topic's words must not
        carry "Who founded Anthropic?" to a passage that never names Anthropic)."""
        asked = self._question(text, self._topic(history))
        passages = self._retrieve(asked, k, notices, filters=filters)
        found = extract(asked, passages)
        return (asked, passages, found) if self._decide(found).answer and not found.missing_keys else None

    def _retrieve(self, asked: Question, k: int | None, notices: list[str], **options) -> list[Passage]:
        """_search, once more on the newest generation if a build committed one meanwhile (embedded: one stat();
        with a server, asked of it now when passages the build removed came back empty) or removed the
        collection or folder this generation named."""
        try:
            passages = self._search(asked, k, notices, **options)
        except Exception:
            if self._committed(now=True) == self.generation:
                raise
        else:
            if self._committed(now=not all(p.text for p in passages)) == self.generation:
                return passages
        self.refresh()
        return self._search(asked, k, notices, **options)

    def _search(self, asked: Question, k: int | None, notices: list[str], **options) -> list[Passage]:
        """Hybrid retrieval, or keywords alone with a notice when the embeddings endpoint is down."""
        try:
            return self.retriever.retrieve(asked.searched, k, evidence=asked.evidence, **options)
        except EmbeddingUnavailableError as exc:
            notices.append(f"{str(exc).capitalize()}; the passages were found by keyword search alone.")
            return self.retriever.retrieve(asked.searched, k, evidence=asked.evidence, dense=False, **options)

    def _standalone(self, text: str, history: list[tuple[str, str]], turn: _Turn) -> tuple[str, Topic]:
        """(question, topic): a follow-up rewritten to stand alone by the chat model when configured, else
        with the earlier questions it leans on as its topic; any other question as it is, with no topic."""
        if not history or not condense.is_elliptical(text, self.retriever.keyword):
            return text, NO_TOPIC
        if turn.use_llm:
            try:
                return condense.model_standalone(text, history, self.chat), NO_TOPIC
            except LLMUnavailableError as exc:
                turn.llm_failed("Could not rewrite the follow-up with the LLM", exc)
        return text, self._topic(history)

    def _topic(self, history: list[tuple[str, str]]) -> Topic:
        """The earlier questions a follow-up leans on, back to the last one that stood alone, and the people
        the last answer named (whom its "she" means)."""
        return Topic(tuple(condense.topic_questions(history, self.retriever.keyword)),
                     tuple(condense.answer_names(history[-1][1])))

    def _translations(self, question: str, turn: _Turn) -> list[str]:
        """The question in the corpus's other languages, for keyword search (RAG_LLM_TRANSLATE_QUERIES)."""
        if not (turn.use_llm and self.settings.llm_translate_queries):
            return []
        asked = question_language(question)
        languages = sorted({d.language for d in self.retriever.manifest.documents.values()} - {asked})
        out = []
        for code in languages:
            try:
                out.append(condense.translate(question, language_name(code), self.chat))
            except LLMUnavailableError as exc:
                turn.llm_failed("Query translation failed", exc)
                break
        return out

    def _offline_answer(self, found: Extract, passages: list[Passage], notices: list[str], mode: str) -> Answer:
        """The best sentences quoted, or a refusal when none of them is in its article as it stands."""
        citations = [self._citation(s, passages[n - 1]) for n, s in found.picks
                     if self.articles.verify(s, passages[n - 1].source)]
        if not citations:
            return self._refusal(passages, notices, mode)
        body = "\n".join(f"{quoted(c.quote)} [{passages.index(c.passage) + 1}]" for c in citations)
        return Answer(text=body, citations=citations, abstained=False, passages=passages, mode=mode,
                      notices=notices, short=found.short)

    def _confidence(self, asked: Question, cited: Cited) -> tuple[str, str]:
        """(HIGH or LOW, why low): the policy's decision taken on the model's quotes as if they were the
        retrieved passages. Shown with the answer, never a veto: a right answer may quote a sentence
        that words the question otherwise, or in a language the dictionaries read poorly."""
        quoted_only = [replace(c.passage, text=c.quote) for c in cited.citations]
        decision = self._decide(extract(asked, quoted_only))
        return (HIGH, "") if decision.answer else (LOW, decision.reason)

    def _decide(self, found: Extract) -> Decision:
        """The policy's decision on an extraction, at the configured threshold (the policy's own by default)."""
        return decide(found, self.components.policy, self.settings.answer_threshold)

    def _citation(self, quote: str, passage: Passage) -> Citation:
        """A citation, with the word-by-word dictionary gloss of a non-English quote."""
        citation = make_citation(quote, passage)
        if passage.language not in ("en", "und", ""):
            citation.gloss = self.components.glossary.gloss_line(quote, passage.language, passage.text)
        return citation

    def _refusal(self, passages: list[Passage], notices: list[str], mode: str) -> Answer:
        return Answer(text=prompts.text("not_found"), citations=[], abstained=True,
                      passages=passages, mode=mode, notices=notices)

    def _llm_answer(self, asked: Question, passages: list[Passage], turn: _Turn) -> Iterator[Answer]:
        """Stream the model's answer, then keep it only if its citations verify."""
        notices = turn.notices
        shown = fit_passages(passages, self.settings.context_tokens)
        written = ""
        try:
            for piece in self.chat.stream(answer_prompt(asked.searched, shown)):
                written += piece
                yield Answer(text=written, citations=[], abstained=False, passages=shown, mode=LLM_PARTIAL)
        except LLMUnavailableError as exc:
            turn.llm_failed("The LLM endpoint failed", exc)
            return
        written = self.settings.scrub(written.strip())
        if not written:
            notices.append("The LLM returned an empty answer; this is the offline answer.")
            return
        wrong_language = _other_language(asked.searched, written)
        if wrong_language:
            notices.append(f"The model answered in {language_name(wrong_language)}, not in the question's "
                           "language; this is the offline answer.")
            return
        if NOT_FOUND in written.upper():
            yield self._refusal(passages, notices, LLM)
            return
        short, written = split_short(written)
        cited = cite(written, shown, self.articles, asked)
        if cited.dropped:
            notices.append(f"{cited.dropped} citation(s) in the model's answer could not be verified "
                           "and were dropped.")
        if not cited.citations:
            notices.append("The model's answer had no verifiable citation; this is the offline answer.")
            return
        if cited.left_out:
            notices.append(f"{cited.left_out} sentence(s) of the model's answer had no verified quote "
                           "and were left out.")
        citations = [self._citation(c.quote, c.passage) for c in cited.citations]
        confidence, why = self._confidence(asked, cited)
        short = backed_short(short, citations, asked)
        yield Answer(text=cited.text, citations=citations, abstained=False, passages=shown, mode=LLM,
                     notices=notices, short=short, confidence=confidence, confidence_reason=why)
