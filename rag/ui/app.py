"""The chat window: ask the news articles in any language, read the answer beside its quoted sources.

    rag ui                      # index the corpus (incrementally), then serve on 127.0.0.1:7860
    build_app(settings)         # the gr.Blocks, for tests and embedding

Layout and wiring only: the HTML comes from render.py, the assistant's lifecycle and
error messages from session.py, uploads are written by rag.ingest.uploads. Every
answer streams into the chat; the "ask" API endpoint returns the answer as JSON for
gradio_client.
"""

# No `from __future__ import annotations`: gr.api reads the "ask" endpoint's real type hints.

import sys
import warnings
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.assistant import clean_question
from rag.errors import BuildBusy
from rag.ingest.build import build_index
from rag.ingest.uploads import save_uploads
from rag.schema import LLM, LLM_PARTIAL, OFFLINE, Filters
from rag.settings import Settings, get_settings
from rag.ui.render import (
    CSS, SOURCES_PLACEHOLDER, esc, idle_status, index_html, model_label, render_bubble, render_error_bubble,
    render_sources, render_status, render_status_message,
)
from rag.ui.session import AssistantHolder, article_choices, friendly_error, language_choices

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

EXAMPLES = [
    "How many people were on the Probability team?",
    "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟",
    "田渊栋领导开发了什么围棋AI？",
    "Hvem har forladt Meta?",
]


def _messages(turns: list[dict], extra: list[dict] | None = None) -> list[dict]:
    """Chatbot messages for the turns so far (each turn: the question, then the answer)."""
    out: list[dict] = []
    for turn in turns + (extra or []):
        if turn["question"]:
            question = esc(turn["question"]).replace("\n", "<br>")
            out.append({"role": "user", "content": f'<div class="question" dir="auto">{question}</div>'})
        out.append({"role": "assistant", "content": turn["bubble"]})
    return out


def _turn_at(turns: list[dict], message_index: int) -> dict | None:
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


def build_app(settings: Settings) -> gr.Blocks:
    """The chat window for one corpus and index (see the module docstring)."""
    holder = AssistantHolder(settings)
    default_mode = LLM if settings.llm_configured else OFFLINE
    mode_choices = [("Offline extractive (quotes only)", OFFLINE)]
    if settings.llm_configured:
        mode_choices.append((f"LLM: {model_label(settings)}", LLM))

    def respond(question: str, turns: list[dict], top_k: float, source: str, language: str, mode: str
                ) -> Iterator[tuple]:
        """Stream one answer into the chat: (chat, question box, sources, status, turns)."""
        turns = list(turns or [])
        question = question or ""
        try:
            if holder.rebuilding:
                raise BuildBusy("The index is being rebuilt; ask again in a moment.")
            assistant = holder.get()
            clean_question(question, settings.max_question_chars)  # a readable QuestionError before anything
            history = [(t["question"], t["answer"]) for t in turns if t.get("answer")]
            pending = {"question": question.strip(),
                       "bubble": '<div class="answer-body">Searching the articles…</div>'}
            yield (_messages(turns, [pending]), "", gr.skip(),
                   render_status_message("Searching the articles and checking quotes…"), gr.skip())
            answer = None
            for answer in assistant.ask_stream(question, history=history, k=int(top_k or settings.top_k),
                                               filters=Filters(_optional(source), _optional(language)),
                                               mode=mode or default_mode):
                if answer.mode == LLM_PARTIAL:
                    pending["bubble"] = render_bubble(answer, partial=True)
                    yield (_messages(turns, [pending]), gr.skip(), gr.skip(),
                           render_status_message(f"The LLM {model_label(settings)} is writing…"), gr.skip())
            turn = {"question": question.strip(), "answer": answer.text, "bubble": render_bubble(answer),
                    "sources": render_sources(answer, assistant.articles)}
            turns.append(turn)
            yield _messages(turns), "", turn["sources"], render_status(answer, settings), turns
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, the app keeps serving
            message = friendly_error(exc, "answering")
            turns.append({"question": question.strip(), "answer": "", "bubble": render_error_bubble(message),
                          "sources": None})
            yield _messages(turns), question, gr.skip(), render_status_message(message, error=True), turns

    def show_sources(turns: list[dict], evt: gr.SelectData):
        """Clicking an answer in the chat brings its sources back into the panel."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        turn = _turn_at(turns or [], int(index or 0))
        if turn is None or not turn.get("sources"):
            return gr.skip()
        return turn["sources"]

    def clear():
        return [], "", SOURCES_PLACEHOLDER, idle_status(settings), []

    def index_updates() -> tuple:
        return (index_html(settings), gr.update(choices=article_choices(settings)),
                gr.update(choices=language_choices(settings)))

    def _reindex(rebuild: bool, progress: gr.Progress) -> str:
        report = holder.reindex(rebuild=rebuild, progress=lambda f, m: progress(f, desc=m))
        skipped = "".join(f"<li><code>{esc(n)}</code>: {esc(why)}</li>" for n, why in report.skipped)
        return (f"<p>Indexed {report.documents} articles, {report.chunks} passages "
                f"({report.embedded} passages embedded, {report.removed} removed) in {report.seconds:.1f} s.</p>"
                + (f'<p class="rejected">Skipped while indexing:</p><ul class="rejected">{skipped}</ul>'
                   if skipped else ""))

    def add_articles(files: list[str] | None, progress=gr.Progress()):
        """Copy uploads into the corpus folder and re-index: (message, index, article, language, upload)."""
        paths = files if isinstance(files, list) else ([files] if files else [])
        try:
            saved, rejected = save_uploads(paths, holder.corpus_dir(), settings.max_upload_bytes)
            parts = []
            if saved:
                parts.append("<p>Added: " + ", ".join(f"<code>{esc(n)}</code>" for n in saved) + "</p>")
            if rejected:
                items = "".join(f"<li><code>{esc(n)}</code>: {esc(why)}</li>" for n, why in rejected)
                parts.append(f'<p class="rejected">Not added:</p><ul class="rejected">{items}</ul>')
            if not paths:
                parts.append("<p>No file was uploaded.</p>")
            if saved:
                parts.append(_reindex(False, progress))
            message = "".join(parts)
        except Exception as exc:  # noqa: BLE001
            message = render_status_message(friendly_error(exc, "adding articles"), error=True)
        return (f'<div class="upload-result">{message}</div>', *index_updates(), None)

    def rebuild_index(progress=gr.Progress()):
        try:
            message = _reindex(True, progress)
        except Exception as exc:  # noqa: BLE001
            message = render_status_message(friendly_error(exc, "rebuilding the index"), error=True)
        return (f'<div class="upload-result">{message}</div>', *index_updates())

    def ask(question: str, top_k: int = settings.top_k, source: str | None = None,
            language: str | None = None, mode: str | None = None,
            history: list[list[str]] | None = None) -> dict:
        """Answer one question; returns text, abstained, mode, citations [{source, title, language, quote}], notices."""
        try:
            if holder.rebuilding:
                raise BuildBusy("The index is being rebuilt; ask again in a moment.")
            pairs = [(str(h[0]), str(h[1])) for h in (history or []) if len(h) >= 2]
            answer = holder.get().ask(question, history=pairs, k=int(top_k) if top_k else None,
                                      filters=Filters(_optional(source), _optional(language)),
                                      mode=_optional(mode))
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(friendly_error(exc, "the ask API"), print_exception=False) from None
        return answer.to_json()

    with warnings.catch_warnings():
        # Gradio 6 prefers css at launch(); keeping it on the Blocks makes every launch() styled.
        warnings.simplefilter("ignore", UserWarning)
        # System fonts: the window works offline and asks no font server for anything.
        theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "Segoe UI", "Noto Sans", "sans-serif"],
                                  font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])
        app = gr.Blocks(title="Ask the news", css=CSS, theme=theme, analytics_enabled=False)
    with app:
        gr.HTML('<div id="app-header"><h1>Ask the news</h1><p>Questions in English, العربية, 中文 or dansk; '
                "every answer quotes the articles it comes from.</p></div>")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=380):
                        chatbot = gr.Chatbot(
                            label="Conversation", elem_id="chat", height=480, latex_delimiters=[],
                            buttons=["copy", "copy_all"], feedback_options=None, layout="bubble",
                            placeholder="Ask about the indexed news articles. Answers quote their sources.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                show_label=False, elem_id="question", scale=6, lines=1, max_lines=5,
                                placeholder="Ask a question — English, العربية, 中文, dansk…", autofocus=True,
                            )
                            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                        status = gr.HTML(idle_status(settings), elem_id="status")
                        examples = gr.Examples([[q] for q in EXAMPLES], inputs=[question],
                                               label="Example questions")
                        with gr.Accordion("Search settings: passages, article, language, answer mode", open=False):
                            with gr.Row():
                                top_k = gr.Slider(1, max(20, settings.top_k), value=settings.top_k, step=1,
                                                  label="Passages to retrieve (top-k)", elem_id="top-k")
                                mode = gr.Radio(mode_choices, value=default_mode, label="Answer mode",
                                                interactive=settings.llm_configured, elem_id="mode",
                                                info=None if settings.llm_configured else
                                                "Set RAG_LLM_BASE_URL and RAG_LLM_MODEL to answer with an LLM.")
                            with gr.Row():
                                article = gr.Dropdown(article_choices(settings), value="", label="Only this article",
                                                      elem_id="article-filter")
                                language = gr.Dropdown(language_choices(settings), value="",
                                                       label="Only this language", elem_id="language-filter")
                            clear_btn = gr.Button("New conversation", size="sm")
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### Sources", elem_id="sources-title")
                        sources = gr.HTML(SOURCES_PLACEHOLDER, elem_id="sources")
            with gr.Tab("Index", id="index"):
                index_info = gr.HTML(index_html(settings), elem_id="index-info")
                with gr.Row():
                    upload = gr.File(label=f"Add articles (.txt or .md, up to "
                                           f"{settings.max_upload_bytes / 1e6:.0f} MB each)",
                                     file_count="multiple", elem_id="upload")
                    with gr.Column():
                        rebuild = gr.Button("Rebuild the whole index", elem_id="rebuild")
                        upload_result = gr.HTML(elem_id="upload-result")

        chat_inputs = [question, turns, top_k, article, language, mode]
        chat_outputs = [chatbot, question, sources, status, turns]
        common = {"concurrency_id": "answer", "concurrency_limit": 1, "api_visibility": "undocumented",
                  "show_progress": "hidden"}
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat", **common)
        send.click(respond, chat_inputs, chat_outputs, api_name="chat_click", **common)
        examples.load_input_event.then(respond, chat_inputs, chat_outputs, api_name="chat_example", **common)
        chatbot.select(show_sources, [turns], [sources], api_visibility="private", show_progress="hidden")
        clear_btn.click(clear, None, chat_outputs, api_visibility="private")
        chatbot.clear(clear, None, chat_outputs, api_visibility="private")  # the chat's own bin button
        upload.upload(add_articles, [upload], [upload_result, index_info, article, language, upload],
                      api_name="add_articles", concurrency_id="build", concurrency_limit=1)
        rebuild.click(rebuild_index, None, [upload_result, index_info, article, language],
                      api_name="rebuild", concurrency_id="build", concurrency_limit=1)
        app.load(index_updates, None, [index_info, article, language], api_visibility="private",
                 show_progress="hidden")
        gr.api(ask, api_name="ask", concurrency_id="answer", concurrency_limit=1)
    app.queue(default_concurrency_limit=1)
    return app


def main(host: str = "127.0.0.1", port: int = 7860, share: bool = False) -> None:
    """Index the corpus (incrementally), then serve the chat window; local-only unless told otherwise."""
    settings = get_settings()
    if host not in LOCAL_HOSTS:
        print(f"WARNING: listening on {host}:{port}, not only on this machine. Anyone who can reach it on "
              "the network can read the indexed articles and use the assistant; there is no login.",
              file=sys.stderr)
    if share:
        print("WARNING: share=True publishes the app on a public gradio.live link: anyone with the link "
              "can read the indexed articles.", file=sys.stderr)
    print(f"Indexing {settings.corpus_dir} (only changed articles are re-embedded)…", file=sys.stderr)
    report = build_index(settings, progress=lambda f, m: print(f"[{f:4.0%}] {m}", file=sys.stderr))
    print(f"Index ready: {report.documents} articles, {report.chunks} passages "
          f"({report.embedded} embedded, {report.removed} removed, {report.seconds:.1f} s).", file=sys.stderr)
    for name, why in report.skipped:
        print(f"skipped {name}: {why}", file=sys.stderr)
    build_app(settings).launch(server_name=host, server_port=port, share=share, show_error=False)

