"""Handlers: what each control of the chat window does, from its inputs to its outputs.

Kept apart from app.py (layout and wiring) so each can be read on its own. HTML comes
from render.py, the assistant and error messages from session.py.
"""

# No `from __future__ import annotations`: gr.api reads the "ask" endpoint's real type hints.

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from rag.assistant import clean_question
from rag.errors import QuestionError
from rag.ingest.uploads import delete_article, preview_article, save_uploads, writable_corpus
from rag.schema import LLM, LLM_PARTIAL, OFFLINE, Filters
from rag.settings import Settings
from rag.ui import conversations
from rag.ui.feedback import SEARCH, answer_record, record_feedback, search_record
from rag.ui.render import (
    ADMIN_OFF, SOURCES_PLACEHOLDER, esc, idle_status, index_html, model_label, render_bubble,
    render_build_report, render_error_bubble, render_feedback_saved, render_index_result, render_loading_status,
    render_preview, render_question, render_search_bubble, render_search_sources, render_search_status,
    render_sources, render_status, render_status_message, render_uploads,
)
from rag.ui.session import AssistantHolder, article_choices, friendly_error, language_choices

# How often the status line tells how long the index and models have been loading.
LOADING_TICK_S = 1.0
PENDING_BUBBLE = '<div class="answer-body">Searching the articles…</div>'
SEARCHING = "Searching the articles and checking quotes…"
STOPPED = "Stopped. Your question is back in the box: ask it again, change it, or press Regenerate."
NOTHING_TO_REGENERATE = "There is no question to answer again yet."
NOTHING_TO_RATE = "Only answers can be rated."
NO_CONVERSATION = "Choose a conversation in the list first."
CONVERSATION_DELETED = "Deleted “{title}”."
NO_ARTICLE = "Choose an article first."


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


def _whole(top_k: Any) -> Any:
    """The API's top_k with a whole float (JSON's 5.0) as an int; anything else as sent, for check_k to judge."""
    return int(top_k) if isinstance(top_k, float) and top_k.is_integer() else top_k


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
            k = int(top_k or self.settings.top_k)
            if mode == SEARCH:
                yield self._search(pending["question"], turns, k, filters)
            else:
                yield from self._answer(pending, turns, k, filters, mode or self.default_mode)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, the app keeps serving
            message = friendly_error(exc, "answering")
            turns.append({"question": question.strip(), "answer": "", "bubble": render_error_bubble(message),
                          "sources": None})
            yield messages(turns), question, gr.skip(), render_status_message(message, error=True), turns

    def _answer(self, pending: dict, turns: list[dict], k: int, filters: Filters, mode: str
                ) -> Iterator[tuple]:
        """The model's words while it writes, then the checked answer with its sources, as turn outputs."""
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
                "sources": render_sources(answer, assistant.articles),
                "record": answer_record(answer, pending["question"], self.settings, k, filters)}
        turns.append(turn)
        yield messages(turns), "", turn["sources"], render_status(answer, self.settings), turns

    def _search(self, question: str, turns: list[dict], k: int, filters: Filters) -> tuple:
        """Search only: the passages found, each with its source, and no answer (nor any history: none is sent)."""
        started = time.perf_counter()
        passages = self.holder.get().retrieve(question, k=k, filters=filters)
        turn = {"question": question, "answer": "", "bubble": render_search_bubble(passages),
                "sources": render_search_sources(question, passages),
                "record": search_record(question, passages, self.settings, k, filters)}
        turns.append(turn)
        return (messages(turns), "", turn["sources"], render_search_status(passages, time.perf_counter() - started),
                turns)

    def regenerate(self, turns: list[dict], asked: str, top_k: float, source: str, language: str, mode: str
                   ) -> Iterator[tuple]:
        """The question last sent answered again, with the settings as they are now.

        When its answer is the last turn it is replaced; a question stopped before its answer (so not a
        turn) is answered after the turns. Outputs as respond's; whatever is in the question box stays there.
        """
        turns = list(turns or [])
        last = turns[-1]["question"] if turns and turns[-1].get("question") else ""
        question = (asked or "").strip()
        if question == last or not question:
            question = last
            turns = turns[:-1] if last else turns
        if not question:
            yield (gr.skip(), gr.skip(), gr.skip(), render_status_message(NOTHING_TO_REGENERATE, error=True),
                   gr.skip())
            return
        for chat, box, *rest in self.respond(question, turns, top_k, source, language, mode):
            yield chat, (box if box == question else gr.skip()), *rest

    @staticmethod
    def stop(turns: list[dict], asked: str, box: str) -> tuple:
        """After Stop: the chat as it was before the question, which is back in the question box (unless another
        is being typed there), the controls back: (chat, question box, status, ask, regenerate, stop)."""
        back = asked if asked and not (box or "").strip() else gr.skip()
        return (messages(turns or []), back, render_status_message(STOPPED), *Handlers.unlock())

    def feedback(self, turns: list[dict], comment: str, evt: gr.LikeData) -> tuple:
        """A thumbs up or down on an answer, with the comment box's text, saved as its line of the feedback file
        (a switch replaces it; clicking the same thumb again takes it back).

        Returns (status, comment box): the box is emptied once its comment is saved.
        """
        turn = turn_at(turns or [], int(evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index))
        if turn is None or not turn.get("record"):
            return render_status_message(NOTHING_TO_RATE), gr.skip()
        liked = evt.liked if isinstance(evt.liked, bool) else None  # anything else: the thumb clicked off
        try:
            record_feedback(self.settings.feedback_file, turn["record"], liked, comment)
        except OSError as exc:
            message = f"The feedback could not be saved to {self.settings.feedback_file} ({exc.strerror or exc})."
            return render_status_message(message, error=True), gr.skip()
        if liked is None:
            return render_status_message(f"Your rating of “{turn['question']}” was taken back."), gr.skip()
        return render_feedback_saved(liked, turn["question"], bool((comment or "").strip())), ""

    @staticmethod
    def lock() -> tuple:
        """While a question runs: Ask and Regenerate disabled (a second click cannot ask it twice), Stop shown."""
        return gr.update(interactive=False), gr.update(interactive=False), gr.update(visible=True)

    @staticmethod
    def lock_asking(question: str) -> tuple:
        """lock(), and the question remembered for Stop and Regenerate (an empty one changes nothing)."""
        return *Handlers.lock(), ((question or "").strip() or gr.skip())

    @staticmethod
    def unlock() -> tuple:
        """Once the answer is in (or stopped): Ask and Regenerate back, Stop hidden."""
        return gr.update(interactive=True), gr.update(interactive=True), gr.update(visible=False)

    @staticmethod
    def show_sources(turns: list[dict], evt: gr.SelectData):
        """Clicking an answer in the chat brings its sources back into the panel."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        turn = turn_at(turns or [], int(index or 0))
        if turn is None or not turn.get("sources"):
            return gr.skip()
        return turn["sources"]

    def clear(self) -> tuple:
        """A new conversation: (chat, question box, sources, status, turns, conversation id, its name, the question
        last sent, the conversations list with none chosen)."""
        return [], "", SOURCES_PLACEHOLDER, self._status_now(), [], "", "", "", gr.update(value=None)

    def clear_chat(self) -> tuple:
        """The chat's own bin button: as clear(), but what is being typed stays (the chat empties in the
        browser at once, so a question typed right after would otherwise be wiped by this reply)."""
        chat, _, *rest = self.clear()
        return chat, *rest

    # ------------------------------------------------------------ conversations kept in the browser

    @staticmethod
    def save_conversation(turns: list[dict], conversation_id: str, store: Any) -> tuple:
        """After an answer: the conversation saved in the browser (store, id, list, name)."""
        if not turns:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        conversation_id = conversation_id or conversations.new_id()
        store = conversations.save(store, conversation_id, turns)
        title = (conversations.find(store, conversation_id) or {}).get("title", "")
        return (store, conversation_id, gr.update(choices=conversations.choices(store), value=conversation_id),
                title)

    @staticmethod
    def restore_conversation(store: Any) -> tuple:
        """On page load: the conversations this browser kept, the latest reopened as it was left:
        (list, chat, sources, turns, id, name, question last sent)."""
        latest = next(iter(conversations.conversations(store)), None)
        listing = gr.update(choices=conversations.choices(store), value=latest["id"] if latest else None)
        if latest is None:
            return listing, *[gr.skip()] * 6
        return listing, *Handlers._shown(latest)

    @staticmethod
    def _shown(found: dict) -> tuple:
        """A kept conversation in the chat: (chat, sources, turns, id, name, question last sent)."""
        turns = found["turns"]
        last = next((t["sources"] for t in reversed(turns) if t.get("sources")), SOURCES_PLACEHOLDER)
        return messages(turns), last, turns, found["id"], found.get("title", ""), ""

    def open_conversation(self, store: Any, conversation_id: str | None) -> tuple:
        """A kept conversation back in the chat: (status, chat, sources, turns, id, name, question last sent)."""
        found = conversations.find(store, conversation_id or "")
        if found is None:
            return render_status_message(NO_CONVERSATION, error=True), *[gr.skip()] * 6
        status = render_status_message(f"Reopened “{found.get('title', '')}”: ask a follow-up, or click an answer "
                                       "to see its sources.")
        return status, *self._shown(found)

    @staticmethod
    def rename_conversation(store: Any, conversation_id: str | None, title: str) -> tuple:
        """(store, list, status) with the chosen conversation renamed."""
        if conversations.find(store, conversation_id or "") is None:
            return gr.skip(), gr.skip(), render_status_message(NO_CONVERSATION, error=True)
        store = conversations.rename(store, conversation_id, title)
        name = conversations.find(store, conversation_id)["title"]
        return (store, gr.update(choices=conversations.choices(store), value=conversation_id),
                render_status_message(f"Renamed to “{name}”."))

    @staticmethod
    def ask_to_delete(store: Any, conversation_id: str | None) -> tuple:
        """Delete asks first: (confirmation shown, its question, status)."""
        found = conversations.find(store, conversation_id or "")
        if found is None:
            return gr.skip(), gr.skip(), render_status_message(NO_CONVERSATION, error=True)
        question = (f'<p class="delete-question">Delete “<span dir="auto">{esc(found.get("title", ""))}</span>” '
                    "from this browser? It cannot be brought back.</p>")
        return gr.update(visible=True), question, gr.skip()

    @staticmethod
    def keep_conversation() -> tuple:
        """The delete not confirmed: (confirmation hidden, its question)."""
        return gr.update(visible=False), ""

    def delete_conversation(self, store: Any, conversation_id: str | None, current: str) -> tuple:
        """The confirmed delete: (store, list, status, then chat, sources, turns, id, name, question last sent:
        cleared when it was the open one, then the confirmation hidden and its question)."""
        hidden = self.keep_conversation()
        found = conversations.find(store, conversation_id or "")
        if found is None:
            return (gr.skip(), gr.skip(), render_status_message(NO_CONVERSATION, error=True), *[gr.skip()] * 6,
                    *hidden)
        store = conversations.delete(store, found["id"])
        status = render_status_message(CONVERSATION_DELETED.format(title=found.get("title", "")))
        listing = gr.update(choices=conversations.choices(store), value=None)
        if found["id"] != current:
            return store, listing, status, *[gr.skip()] * 6, *hidden
        return store, listing, status, [], SOURCES_PLACEHOLDER, [], "", "", "", *hidden

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
        """The index table, the filter choices and the Index tab's article choices, as the index now stands."""
        articles = article_choices(self.settings)
        return (index_html(self.settings), gr.update(choices=articles),
                gr.update(choices=language_choices(self.settings)), gr.update(choices=articles[1:], value=None))

    def _writable_corpus(self) -> Path:
        """The folder uploads go to and deletions come from (see uploads.writable_corpus)."""
        return writable_corpus(self.holder.corpus_dir(), self.settings.library_dir)

    def _follow(self, folder: Path) -> None:
        """Index and answer from `folder` from now on (the library, once the window has written to it)."""
        if Path(folder).resolve() != self.holder.corpus_dir().resolve():
            self.settings = self.settings.model_copy(update={"corpus_dir": Path(folder)})
            self.holder.use_settings(self.settings)

    def preview(self, name: str | None) -> str:
        """An article's title, size and first lines, before deleting it or asking about it."""
        if not name:
            return ""
        try:
            return render_preview(preview_article(self.holder.corpus_dir(), name, self.settings.max_article_bytes))
        except Exception as exc:  # noqa: BLE001
            return render_status_message(friendly_error(exc, "previewing an article"), error=True)

    def delete_article(self, name: str | None, progress=gr.Progress()):
        """Move an article out of the corpus and re-index: (message, index, article, language, articles, preview)."""
        self._refuse_unless_admin()
        if not name:
            return render_index_result(render_status_message(NO_ARTICLE, error=True)), *[gr.skip()] * 5
        try:
            folder = self._writable_corpus()
            moved = delete_article(folder, name, self.settings.deleted_dir)
            self._follow(folder)
            message = (f"<p>Deleted <code>{esc(name)}</code> from the index; the file was moved to "
                       f"<code>{esc(moved)}</code>.</p>") + self._reindex(False, progress)
        except Exception as exc:  # noqa: BLE001
            message = render_status_message(friendly_error(exc, "deleting an article"), error=True)
        return render_index_result(message), *self.index_updates(), ""

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
            folder = self._writable_corpus()
            saved, rejected = save_uploads(paths, folder, self.settings.max_upload_bytes)
            message = render_uploads(bool(paths), saved, rejected, folder)
            if saved:
                self._follow(folder)
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
            pairs = [(str(h[0]), str(h[1])) for h in (history or []) if len(h) >= 2]
            answer = self.holder.get().ask(question, history=pairs, k=_whole(top_k),
                                           filters=Filters(_optional(source), _optional(language)),
                                           mode=_optional(mode))
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(friendly_error(exc, "the ask API"), print_exception=False) from None
        return answer.to_json()
