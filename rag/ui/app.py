"""The chat window: ask the news articles in any language, read the answer beside its quoted sources.

    rag ui                      # index the corpus (incrementally), then serve on 127.0.0.1:7860
    build_app(settings)         # the gr.Blocks, for tests and embedding

Layout and wiring only: what each control does is in handlers.py, the HTML comes from
render.py, the assistant's lifecycle and error messages from session.py. Every answer
streams into the chat (Stop, shown only meanwhile, cancels it and gives the question back;
Regenerate asks the question last sent again); the "ask" API endpoint returns the answer as
JSON for gradio_client. Each answer can be rated (feedback.py); conversations are kept in
the browser (conversations.py), listed in a sidebar, the last one reopened on load. Adding, deleting
and re-indexing articles are admin actions, allowed only when the window listens on this
machine alone.
"""

import functools
import hashlib
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace

import anyio
import gradio as gr

from rag.components.store import Manifest, corpus_folder
from rag.errors import SettingsError
from rag.ingest.build import build_index
from rag.ingest.load import SUPPORTED_SUFFIXES
from rag.schema import LLM, OFFLINE
from rag.settings import Settings, get_settings
from rag.text import printable_name
from rag.ui import conversations
from rag.ui.feedback import SEARCH
from rag.ui.handlers import Handlers
from rag.ui.render import (
    CLOSE_ON_PHONE_JS, CSS, NEW_CONVERSATION_JS, SCROLL_TO_ANSWER_JS, SOURCES_PLACEHOLDER, index_html, model_label,
    render_admin_off, render_loading_status,
)
from rag.ui.session import AssistantHolder, article_choices, language_choices

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

EXAMPLES = [
    "How many people were on the Probability team?",
    "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟",
    "田渊栋领导开发了什么围棋AI？",
    "Hvem har forladt Meta?",
]
# Events of one question: the answer itself shares one worker with the "ask" API; the steps around it
# (the Ask button disabled, then enabled, then the answer brought into view on a phone) skip the queue.
ANSWER_EVENT = {"concurrency_id": "answer", "concurrency_limit": 1, "api_visibility": "undocumented",
                "show_progress": "hidden"}
INSTANT_EVENT = {"queue": False, "api_visibility": "private", "show_progress": "hidden"}
BUILD_EVENT = {"concurrency_id": "build", "concurrency_limit": 1}


def build_app(settings: Settings, admin: bool = True) -> gr.Blocks:
    """The chat window for one corpus and index (see the module docstring).

    admin: whether the Index tab may add articles and rebuild the index; main() allows it only when
    the window listens on this machine alone. The index and models start loading at once, in the
    background, so the first answer is as quick as the next ones.
    """
    holder = AssistantHolder(settings)
    holder.start_warm_up(EXAMPLES)
    handlers = Handlers(settings, holder, admin)
    with warnings.catch_warnings():
        # Gradio 6 prefers css at launch(); keeping it on the Blocks makes every launch() styled.
        warnings.simplefilter("ignore", UserWarning)
        # System fonts: the window works offline and asks no font server for anything.
        theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "Segoe UI", "Noto Sans", "sans-serif"],
                                  font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])
        app = gr.Blocks(title="Ask the news", css=CSS, theme=theme, analytics_enabled=False)
    with app:
        turns = gr.State([])
        asked = gr.State("")  # the question last sent: Stop puts it back in the box, Regenerate asks it
        kept = _kept_conversations(settings)
        side = _sidebar()
        with gr.Row(elem_id="app-top", equal_height=True):
            gr.HTML('<div id="app-header"><h1>Ask the news</h1><p>Questions in English, العربية, 中文 or '
                    "dansk; every answer quotes the articles it comes from.</p></div>")
            new = gr.Button("New conversation", elem_id="new-conversation", size="sm", scale=0, min_width=150)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = _chat_tab(settings)
            with gr.Tab("Index", id="index"):
                index = _index_tab(settings, admin)
        chat.new, chat.asked = new, asked
        _wire(app, handlers, chat, index, turns)
        _wire_conversations(app, handlers, chat, turns, kept, side)
    app.queue(default_concurrency_limit=1)
    return app


def _kept_conversations(settings: Settings) -> SimpleNamespace:
    """The browser's store of conversations and the id of the open one.

    The storage key and secret are fixed per index folder, so conversations survive a restart of the
    window (a random secret would make the stored ones unreadable) and two indexes do not share them.
    """
    digest = hashlib.sha256(str(settings.index_dir.resolve()).encode("utf-8")).hexdigest()
    store = gr.BrowserState(conversations.empty(), storage_key=f"rag-conversations-{digest[:12]}",
                            secret=digest[12:44])
    return SimpleNamespace(store=store, current=gr.State(""))


def _sidebar() -> SimpleNamespace:
    """The conversations kept in this browser, newest first, in a sidebar (closed on phones, see CLOSE_ON_PHONE_JS),
    with rename and a delete that asks first."""
    with gr.Sidebar(label="Conversations", open=True, elem_id="sidebar", width=300):
        listing = gr.Radio([], value=None, label="Conversations kept in this browser", elem_id="conversations",
                           info="Newest first: click one to reopen it.")
        name = gr.Textbox(label="Name", elem_id="conversation-name", max_lines=1)
        with gr.Row():
            rename = gr.Button("Rename", size="sm", elem_id="rename-conversation")
            delete = gr.Button("Delete", size="sm", elem_id="delete-conversation")
        with gr.Group(visible=False, elem_id="delete-confirmation") as confirmation:
            question = gr.HTML(elem_id="delete-question")
            with gr.Row():
                confirm = gr.Button("Delete it", size="sm", variant="stop", elem_id="confirm-delete")
                cancel = gr.Button("Keep it", size="sm", elem_id="cancel-delete")
    return SimpleNamespace(conversations=listing, name=name, rename=rename, delete=delete,
                           confirmation=confirmation, question=question, confirm=confirm, cancel=cancel)


def _chat_tab(settings: Settings) -> SimpleNamespace:
    """The chat beside its sources panel (under it on narrow screens), the question box and the settings."""
    mode_choices = [("Offline extractive (quotes only)", OFFLINE)]
    if settings.llm_configured:
        mode_choices.append((f"LLM: {model_label(settings)}", LLM))
    mode_choices.append(("Search only (list the passages, no answer)", SEARCH))
    # Minimum widths small enough for both columns to fit side by side above render.NARROW_PX, where the
    # CSS stacks them: the bubbles' own sources and the pointer to the panel follow the same breakpoint.
    with gr.Row(equal_height=False, elem_id="chat-row"):
        with gr.Column(scale=3, min_width=300):
            # No label: floating over the chat, it covered the first line of the answer on narrow screens.
            chatbot = gr.Chatbot(
                show_label=False, elem_id="chat", height=480, latex_delimiters=[],
                buttons=["copy", "copy_all"], feedback_options=("Like", "Dislike"), layout="bubble",
                placeholder="Ask about the indexed news articles. Answers quote their sources.",
            )
            with gr.Row(elem_id="question-row"):
                question = gr.Textbox(
                    show_label=False, elem_id="question", scale=6, lines=1, max_lines=5,
                    placeholder="Ask a question — English, العربية, 中文, dansk…", autofocus=True,
                )
                send = gr.Button("Ask", variant="primary", scale=0, min_width=72, elem_id="ask")
                stop = gr.Button("Stop", scale=0, min_width=72, elem_id="stop", visible=False)
            # Right under the question box: what happened to it (an error, an answer's model and time).
            status = gr.HTML(render_loading_status("starting", 0), elem_id="status")
            with gr.Row():
                regenerate = gr.Button("Regenerate", size="sm", elem_id="regenerate", scale=1, min_width=110)
                comment = gr.Textbox(show_label=False, elem_id="feedback-comment", scale=4, max_lines=3,
                                     placeholder="Optional comment, sent with your 👍 or 👎 on an answer")
            examples = gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions",
                                   elem_id="examples")
            with gr.Accordion("Search settings: passages, article, language, answer mode", open=False):
                with gr.Row():
                    top_k = gr.Slider(1, max(20, settings.top_k), value=settings.top_k, step=1,
                                      label="Passages to retrieve (top-k)", elem_id="top-k")
                    mode = gr.Radio(mode_choices, value=LLM if settings.llm_configured else OFFLINE,
                                    label="Answer mode", elem_id="mode",
                                    info=None if settings.llm_configured else
                                    "Set RAG_LLM_BASE_URL and RAG_LLM_MODEL to answer with an LLM.")
                with gr.Row():
                    article = gr.Dropdown(article_choices(settings), value="", label="Only this article",
                                          elem_id="article-filter")
                    language = gr.Dropdown(language_choices(settings), value="", label="Only this language",
                                           elem_id="language-filter")
        with gr.Column(scale=2, min_width=260):
            gr.Markdown("### Sources", elem_id="sources-title")
            sources = gr.HTML(SOURCES_PLACEHOLDER, elem_id="sources")
    return SimpleNamespace(chatbot=chatbot, question=question, send=send, status=status, examples=examples,
                           top_k=top_k, mode=mode, article=article, language=language, sources=sources,
                           regenerate=regenerate, stop=stop, comment=comment)


def _index_tab(settings: Settings, admin: bool) -> SimpleNamespace:
    """What the index holds; adding articles and rebuilding, or why they are turned off here."""
    info = gr.HTML(index_html(settings), elem_id="index-info")
    gr.HTML(render_admin_off(), visible=not admin, elem_id="index-admin-off")
    with gr.Row():
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        upload = gr.File(label=f"Add articles ({kinds}; up to {settings.max_upload_bytes / 1e6:.0f} MB each)",
                         file_count="multiple", elem_id="upload", visible=admin)
        with gr.Column():
            rebuild = gr.Button("Rebuild the whole index", elem_id="rebuild", interactive=admin)
            result = gr.HTML(elem_id="upload-result")
    with gr.Row():
        with gr.Column(scale=1):
            document = gr.Dropdown([], value=None, label="Preview or delete an article", elem_id="document")
            delete = gr.Button("Delete this article from the index", variant="stop", elem_id="delete-document",
                               interactive=admin, visible=admin)
        preview = gr.HTML(elem_id="document-preview")
    return SimpleNamespace(info=info, upload=upload, rebuild=rebuild, result=result, document=document,
                           delete=delete, preview=preview)


def _wire(app: gr.Blocks, handlers: Handlers, chat: SimpleNamespace, index: SimpleNamespace,
          turns: gr.State) -> None:
    """Every event: asking (three ways, again, stopped), an earlier answer's sources, rating it, the Index tab,
    the API."""
    settings = [chat.top_k, chat.article, chat.language, chat.mode]
    outputs = [chat.chatbot, chat.question, chat.sources, chat.status, turns]
    controls = [chat.send, chat.regenerate, chat.stop]
    asking = [(chat.question.submit, handlers.respond, [chat.question, turns], "chat"),
              (chat.send.click, handlers.respond, [chat.question, turns], "chat_click"),
              (chat.examples.load_input_event.then, handlers.respond, [chat.question, turns], "chat_example"),
              (chat.regenerate.click, handlers.regenerate, [turns, chat.asked], "regenerate")]
    answers = []
    for listener, fn, inputs, api_name in asking:
        if fn is handlers.regenerate:
            locked = listener(handlers.lock, None, controls, **INSTANT_EVENT)
        else:
            locked = listener(handlers.lock_asking, [chat.question], [*controls, chat.asked], **INSTANT_EVENT)
        answer = locked.then(_stoppable(fn), inputs + settings, outputs, api_name=api_name, **ANSWER_EVENT)
        answers.append(answer)
        (answer.then(handlers.unlock, None, controls, **INSTANT_EVENT)
         .then(None, js=SCROLL_TO_ANSWER_JS, **INSTANT_EVENT))
    chat.stop.click(handlers.stop, [turns, chat.asked, chat.question],
                    [chat.chatbot, chat.question, chat.status, *controls], cancels=answers,
                    api_visibility="private", show_progress="hidden")
    chat.chatbot.select(handlers.show_sources, [turns], [chat.sources], api_visibility="private",
                        show_progress="hidden")
    chat.chatbot.like(handlers.feedback, [turns, chat.comment], [chat.status, chat.comment],
                      api_visibility="private", show_progress="hidden")
    filters = [index.info, chat.article, chat.language, index.document]
    index.upload.upload(handlers.add_articles, [index.upload], [index.result, *filters, index.upload],
                        api_name="add_articles", **BUILD_EVENT)
    index.rebuild.click(handlers.rebuild_index, None, [index.result, *filters], api_name="rebuild", **BUILD_EVENT)
    index.document.change(handlers.preview, [index.document], [index.preview], api_visibility="private",
                          show_progress="hidden")
    index.delete.click(handlers.delete_article, [index.document], [index.result, *filters, index.preview],
                       api_name="delete_article", **BUILD_EVENT)
    app.load(handlers.index_updates, None, filters, api_visibility="private", show_progress="hidden")
    app.load(handlers.status_until_warm, None, [chat.status], api_visibility="private",
             show_progress="hidden", concurrency_limit=None)
    app.load(None, js=CLOSE_ON_PHONE_JS, **INSTANT_EVENT)
    gr.api(handlers.ask, api_name="ask", concurrency_id="answer", concurrency_limit=1)


_END = object()


def _stoppable(fn: Callable[..., Iterator]) -> Callable[..., AsyncIterator]:
    """fn's stream of outputs, each step taken in a worker thread that Stop abandons at once.

    Gradio waits for a plain generator's step to end before a cancel completes, and the browser drops a
    question asked meanwhile: Stop during a search or a model's silence lost the next question. An abandoned
    step ends by itself, and its generator is closed once nothing holds it.
    """
    @functools.wraps(fn)
    async def stream(*args):
        steps = fn(*args)
        while (step := await anyio.to_thread.run_sync(next, steps, _END, abandon_on_cancel=True)) is not _END:
            yield step

    return stream


def _wire_conversations(app: gr.Blocks, handlers: Handlers, chat: SimpleNamespace, turns: gr.State,
                        kept: SimpleNamespace, side: SimpleNamespace) -> None:
    """Conversations kept in the browser: saved after each answer, the last one reopened on load, reopened from
    the list, renamed, deleted once confirmed; a new one started."""
    listing = [kept.store, side.conversations, chat.status]
    shown = [chat.chatbot, chat.sources, turns, kept.current, side.name, chat.asked]
    turns.change(handlers.save_conversation, [turns, kept.current, kept.store],
                 [kept.store, kept.current, side.conversations, side.name], **INSTANT_EVENT)
    app.load(handlers.restore_conversation, [kept.store], [side.conversations, *shown], api_visibility="private",
             show_progress="hidden")
    side.conversations.input(handlers.open_conversation, [kept.store, side.conversations],
                             [chat.status, *shown], **INSTANT_EVENT).then(None, js=CLOSE_ON_PHONE_JS, **INSTANT_EVENT)
    side.rename.click(handlers.rename_conversation, [kept.store, side.conversations, side.name],
                      listing, **INSTANT_EVENT)
    confirming = [side.confirmation, side.question]
    side.delete.click(handlers.ask_to_delete, [kept.store, side.conversations], [*confirming, chat.status],
                      **INSTANT_EVENT)
    side.cancel.click(handlers.keep_conversation, None, confirming, **INSTANT_EVENT)
    side.confirm.click(handlers.delete_conversation, [kept.store, side.conversations, kept.current],
                       listing + shown + confirming, **INSTANT_EVENT)
    cleared = [chat.chatbot, chat.question, chat.sources, chat.status, turns, kept.current, side.name, chat.asked]
    chat.new.click(handlers.clear, None, cleared + [side.conversations], api_visibility="private",
                   js=NEW_CONVERSATION_JS)
    typing_kept = [c for c in cleared if c is not chat.question]
    chat.chatbot.clear(handlers.clear_chat, None, typing_kept + [side.conversations],
                       api_visibility="private")  # the chat's own bin


def main(host: str = "127.0.0.1", port: int = 7860, share: bool = False) -> None:
    """Index the corpus (incrementally), then serve the chat window; local-only unless told otherwise.

    Beyond this machine (another host, or a share link) the window cannot change the index.
    """
    settings = get_settings()
    if host not in LOCAL_HOSTS:
        print(f"WARNING: listening on {host}:{port}, not only on this machine. Anyone who can reach it on "
              "the network can read the indexed articles and use the assistant; there is no login. Adding "
              "articles and rebuilding the index are turned off.",
              file=sys.stderr)
    if share:
        print("WARNING: share=True publishes the app on a public gradio.live link: anyone with the link "
              "can read the indexed articles. Adding articles and rebuilding the index are turned off.",
              file=sys.stderr)
    manifest = Manifest.load(settings.index_dir)
    followed = corpus_folder(settings, manifest)
    print(f"Indexing {followed} (only changed articles are re-embedded)…" if manifest else
          f"Building the index of {followed} (a first build embeds every article)…", file=sys.stderr)
    report = build_index(settings, progress=lambda f, m: print(f"[{f:4.0%}] {m}", file=sys.stderr))
    print(f"Index ready: {report.documents} articles, {report.chunks} passages "
          f"({report.embedded} embedded, {report.removed} removed, {report.seconds:.1f} s).", file=sys.stderr)
    for name, why in report.skipped:
        print(f"skipped {printable_name(name)}: {why}", file=sys.stderr)
    admin = host in LOCAL_HOSTS and not share
    try:
        build_app(settings, admin=admin).launch(server_name=host, server_port=port, share=share, show_error=False,
                                               max_file_size=settings.max_upload_bytes)  # refused before it is stored
    except OSError as exc:  # Gradio's "Cannot find empty port in range …", or the address refused
        raise SettingsError(f"cannot listen on {host}:{port} ({_first_sentence(exc)}); "
                            "choose another port with --port") from None


def _first_sentence(exc: OSError) -> str:
    """An error's first sentence, without the advice that follows it (Gradio's names its own settings)."""
    return str(exc).split(". ")[0].rstrip(".")

