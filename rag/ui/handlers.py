"""Handlers: what each control of the chat window does, from its inputs to its outputs.

Kept apart from app.py (layout and wiring) so each can be read on its own. HTML comes
from render.py, the assistant and error messages from session.py.
"""

# No `from __future__ import annotations`: gr.api reads the "ask" endpoint's real type hints.

from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.assistant import clean_question
from rag.errors import BuildBusy, QuestionError
from rag.ingest.uploads import save_uploads
from rag.schema import LLM, LLM_PARTIAL, OFFLINE, Filters
from rag.settings import Settings
from rag.ui.render import (
    ADMIN_OFF, SOURCES_PLACEHOLDER, idle_status, index_html, model_label, render_bubble, render_build_report,
    render_error_bubble, render_index_result, render_loading_status, render_question, render_sources,
    render_status, render_status_message, render_uploads,
)
from rag.ui.session import AssistantHolder, article_choices, friendly_error, language_choices

# How often the status line tells how long the index and models have been loading.
LOADING_TICK_S = 1.0
PENDING_BUBBLE = '<div class="answer-body">Searching the articles…</div>'
SEARCHING = "Searching the articles and checking quotes…"
REBUILDING = "The index is being rebuilt; ask again in a moment."


def messages(turns: list[dict], extra: list[dict] | None = None) -> list[dict]:
    """Chatbot messages for the turns so far (each turn: the question, then the answer)."""
    out: list[dict] = []
    for turn in turns + (extra or []):
        if turn["question"]:
            out.append({"role": "user", "content": render_question(turn["question"])})
        out.append({"role": "assistant", "content": turn["bubble"]})
    return out


def turn_at(turns: list[dict], message_index: int) -> dict | None:
    """The turn a chat message index belongs to."""
    i = 0
    for turn in turns:
        n = 2 if turn["question"] else 1
        if message_index < i + n:
            return turn
        i += n
    return None


def _optional(value: Any) -> str | None:
    return value or None


class Handlers:
    """The window's handlers over one AssistantHolder; `admin` allows changing the index."""

    def __init__(self, settings: Settings, holder: AssistantHolder, admin: bool) -> None:
        self.settings = settings
        self.holder = holder
        self.admin = admin
        self.default_mode = LLM if settings.llm_configured else OFFLINE

    # ------------------------------------------------------------ the chat

    def respond(self, question: str, turns: list[dict], top_k: float, source: str, language: str, mode: str
                ) -> Iterator[tuple]:
        """Stream one answer into the chat: (chat, question box, sources, status, turns).

        The box is emptied as soon as the question is taken and gets it back only on an error; a
        question that cannot be asked (an empty one) is a status message, never a turn of the chat.
        """
        turns = list(turns or [])
        question = question or ""
        try:
            clean_question(question, self.settings.max_question_chars)
        except QuestionError as exc:
            yield messages(turns), question, gr.skip(), render_status_message(str(exc), error=True), gr.skip()
            return
        pending = {"question": question.strip(), "bubble": PENDING_BUBBLE}
        yield messages(turns, [pending]), "", gr.skip(), render_status_message(SEARCHING), gr.skip()
        try:
            filters = Filters(_optional(source), _optional(language))
            yield from self._answer(pending, turns, int(top_k or self.settings.top_k), filters,
                                    mode or self.default_mode)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, the app keeps serving
            message = friendly_error(exc, "answering")
            turns.append({"question": question.strip(), "answer": "", "bubble": render_error_bubble(message),
                          "sources": None})
            yield messages(turns), question, gr.skip(), render_status_message(message, error=True), turns

    def _answer(self, pending: dict, turns: list[dict], k: int, filters: Filters, mode: str
                ) -> Iterator[tuple]:
        """The model's words while it writes, then the checked answer with its sources, as turn outputs."""
        if self.holder.rebuilding:
            raise BuildBusy(REBUILDING)
        assistant = self.holder.get()
        history = [(t["question"], t["answer"]) for t in turns if t.get("answer")]
        answer = None
        for answer in assistant.ask_stream(pending["question"], history=history, k=k, filters=filters,
                                           mode=mode):
            if answer.mode == LLM_PARTIAL:
                pending["bubble"] = render_bubble(answer, partial=True)
                yield (messages(turns, [pending]), gr.skip(), gr.skip(),
                       render_status_message(f"The LLM {model_label(self.settings)} is writing…"), gr.skip())
        turn = {"question": pending["question"], "answer": answer.text, "bubble": render_bubble(answer),
                "sources": render_sources(answer, assistant.articles)}
        turns.append(turn)
        yield messages(turns), "", turn["sources"], render_status(answer, self.settings), turns

    @staticmethod
    def lock() -> dict:
        """The Ask button while a question runs: disabled, so a second click cannot ask it twice."""
        return gr.update(interactive=False)

    @staticmethod
    def unlock() -> dict:
        return gr.update(interactive=True)

    @staticmethod
    def show_sources(turns: list[dict], evt: gr.SelectData):
        """Clicking an answer in the chat brings its sources back into the panel."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        turn = turn_at(turns or [], int(index or 0))
        if turn is None or not turn.get("sources"):
            return gr.skip()
        return turn["sources"]

    def clear(self) -> tuple:
        """A new conversation: (chat, question box, sources, status, turns)."""
        return [], "", SOURCES_PLACEHOLDER, self._status_now(), []

    def status_until_warm(self) -> Iterator[str]:
        """The status line on page load: loading progress until the index and models are warm, then ready."""
        while not self.holder.wait_until_warm(0):
            yield self._status_now()
            self.holder.wait_until_warm(LOADING_TICK_S)
        yield self._status_now()

    def _status_now(self) -> str:
        """Loading (and how far), what went wrong loading, or ready."""
        if not self.holder.wait_until_warm(0):
            return render_loading_status(*self.holder.loading())
        if self.holder.load_error:
            return render_status_message(self.holder.load_error, error=True)
        return idle_status(self.settings)

    # ------------------------------------------------------------ the Index tab

    def index_updates(self) -> tuple:
        """The index table and the filter choices, as the index now stands."""
        return (index_html(self.settings), gr.update(choices=article_choices(self.settings)),
                gr.update(choices=language_choices(self.settings)))

    def _refuse_unless_admin(self) -> None:
        """Changing the index is for whoever runs the app on this machine (see app.main)."""
        if not self.admin:
            raise gr.Error(ADMIN_OFF, print_exception=False)

    def _reindex(self, rebuild: bool, progress: gr.Progress) -> str:
        report = self.holder.reindex(rebuild=rebuild, progress=lambda f, m: progress(f, desc=m))
        return render_build_report(report)

    def add_articles(self, files: list[str] | None, progress=gr.Progress()):
        """Copy uploads into the corpus folder and re-index: (message, index, article, language, upload)."""
        self._refuse_unless_admin()
        paths = files if isinstance(files, list) else ([files] if files else [])
        try:
            saved, rejected = save_uploads(paths, self.holder.corpus_dir(), self.settings.max_upload_bytes)
            message = render_uploads(bool(paths), saved, rejected)
            if saved:
                message += self._reindex(False, progress)
        except Exception as exc:  # noqa: BLE001
            message = render_status_message(friendly_error(exc, "adding articles"), error=True)
        return (render_index_result(message), *self.index_updates(), None)

    def rebuild_index(self, progress=gr.Progress()):
        """Re-embed every article from scratch: (message, index, article, language)."""
        self._refuse_unless_admin()
        try:
            message = self._reindex(True, progress)
        except Exception as exc:  # noqa: BLE001
            message = render_status_message(friendly_error(exc, "rebuilding the index"), error=True)
        return (render_index_result(message), *self.index_updates())

    # ------------------------------------------------------------ the API

    def ask(self, question: str, top_k: int | None = None, source: str | None = None,
            language: str | None = None, mode: str | None = None,
            history: list[list[str]] | None = None) -> dict:
        """Answer one question; returns question, short, text, abstained, mode, notices, seconds,
        citations [{source, title, language, quote, gloss, chunk_id}] and passages."""
        try:
            if self.holder.rebuilding:
                raise BuildBusy(REBUILDING)
            pairs = [(str(h[0]), str(h[1])) for h in (history or []) if len(h) >= 2]
            answer = self.holder.get().ask(question, history=pairs, k=int(top_k) if top_k else None,
                                           filters=Filters(_optional(source), _optional(language)),
                                           mode=_optional(mode))
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(friendly_error(exc, "the ask API"), print_exception=False) from None
        return answer.to_json()
