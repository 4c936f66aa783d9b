"""The chat window: ask the news articles in any language, read the answer beside its quoted sources.

    python -m ui.app            # or: rag ui
    build_app(settings)         # the gr.Blocks, for tests and embedding

Every answer streams into the chat; beside it, each citation shows the article's
title, language and file, the quote marked inside its passage, and the whole
article (with the quote marked) one click away. The Index tab lists what is
indexed, takes new .txt/.md articles and re-indexes. The "ask" API endpoint
returns the answer as JSON for gradio_client. Errors become readable messages in
the window; the server keeps serving.
"""

# No `from __future__ import annotations`: gr.api reads the "ask" endpoint's real type hints.

import html
import logging
import os
import re
import secrets
import sys
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import gradio as gr

from index.build import build_index
from rag.assistant import Answer, Assistant, QuestionError, clean_question
from rag.cite import ArticleTexts, Citation, nfc
from rag.cli import answer_json
from rag.load import SUPPORTED_SUFFIXES, CorpusError, decode
from rag.retrieve import IndexMissingError
from rag.settings import Settings, get_settings
from rag.store import IndexMismatchError, Manifest

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "zh": "Chinese", "da": "Danish"}
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

EXAMPLES = [
    "How many people were on the Probability team?",
    "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟",
    "田渊栋领导开发了什么围棋AI？",
    "Hvem har forladt Meta?",
]

# An article longer than this is shown as a window around the quote, not whole.
ARTICLE_WINDOW_CHARS = 60_000

_MARKERS = re.compile(r"\[(\d+(?:\s*[,،、]\s*\d+)*)\]")

CSS = """
#app-header h1 { margin: 0 0 .2rem 0; font-size: 1.6rem; }
#app-header p { margin: 0; opacity: .8; }
#status .status { padding: .45rem .7rem; border-radius: .5rem; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); font-size: .92rem; }
#status .status.error { border-color: #dc2626; }
#status .notices { margin: .4rem 0 0 0; padding: .4rem .7rem .4rem 1.6rem; border-radius: .5rem;
  background: #fef3c7; color: #78350f; font-size: .88rem; }
.answer-body, .question { white-space: normal; line-height: 1.55; text-align: start; }
.source-passage, .article-text, .source-head { text-align: start; }
.answer-body .ref, .source .ref { font-size: .78em; font-weight: 600; color: var(--color-accent); }
.answer-sources { margin-top: .45rem; font-size: .8rem; opacity: .8; }
.answer-error { color: #b91c1c; font-weight: 500; }
.answer-abstained { font-style: italic; }
#sources { max-height: 78vh; overflow-y: auto; }
.sources-empty { opacity: .7; padding: 1rem; border: 1px dashed var(--border-color-primary); border-radius: .6rem; }
.sources-head { font-size: .85rem; opacity: .8; margin-bottom: .5rem; }
.source { border: 1px solid var(--border-color-primary); border-radius: .6rem; padding: .6rem .75rem;
  margin-bottom: .7rem; background: var(--background-fill-primary); }
.source-title { font-weight: 600; }
.source-meta { font-size: .8rem; opacity: .75; margin: .15rem 0 .4rem 0; }
.source-meta code { font-size: .78rem; }
.source-passage { margin: 0; padding: .4rem .6rem; border-inline-start: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); white-space: pre-wrap; font-size: .9rem; line-height: 1.5; }
.source-article { margin-top: .45rem; }
.source-article summary { cursor: pointer; font-size: .85rem; color: var(--color-accent); }
.article-text { white-space: pre-wrap; max-height: 26rem; overflow-y: auto; padding: .5rem .7rem; margin-top: .35rem;
  border: 1px solid var(--border-color-primary); border-radius: .4rem; font-size: .88rem; line-height: 1.55; }
mark.quote { background: #fde047; color: #111827; padding: 0 .1em; border-radius: .15em; }
.index-table { width: 100%; border-collapse: collapse; font-size: .9rem; }
.index-table th, .index-table td { text-align: start; padding: .3rem .5rem; border-bottom: 1px solid var(--border-color-primary); }
.upload-result ul { margin: .2rem 0; }
.upload-result .rejected { color: #b91c1c; }
"""


# --------------------------------------------------------------------------- rendering


def esc(text: object) -> str:
    """Text made safe to put inside our HTML."""
    return html.escape(str(text), quote=True)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code or "unknown")


def dir_attrs(language: str) -> str:
    """dir/lang attributes: right to left for Arabic, otherwise let the browser decide."""
    direction = "rtl" if language in RTL_LANGUAGES else "auto"
    lang = f' lang="{esc(language)}"' if language and language != "und" else ""
    return f'dir="{direction}"{lang}'


def mark_quote(text: str, quote: str, near: int | None = None) -> str:
    """Escaped text with the quote in <mark>; the occurrence closest to `near` when it repeats."""
    text, quote = nfc(text), nfc(quote).strip()
    at = -1
    if quote:
        if near is not None:
            at = text.find(quote, max(0, near - len(quote)))
        if at < 0:
            at = text.find(quote)
    if at < 0:
        return esc(text)
    end = at + len(quote)
    return f'{esc(text[:at])}<mark class="quote">{esc(text[at:end])}</mark>{esc(text[end:])}'


def _article_excerpt(article: str, quote: str, near: int | None) -> tuple[str, int | None, str]:
    """The article, or for a huge one a window around the quote: (text, near, note)."""
    if len(article) <= ARTICLE_WINDOW_CHARS:
        return article, near, ""
    at = article.find(nfc(quote), max(0, (near or 0) - len(quote)))
    if at < 0:
        at = max(0, article.find(nfc(quote)))
    start = max(0, at - ARTICLE_WINDOW_CHARS // 2)
    end = min(len(article), start + ARTICLE_WINDOW_CHARS)
    note = f"Showing characters {start:,}–{end:,} of {len(article):,} around the quote."
    return article[start:end], at - start, note


def _with_refs(escaped: str) -> str:
    """[n] markers of escaped answer text styled as references."""
    return _MARKERS.sub(lambda m: f'<span class="ref">[{m.group(1)}]</span>', escaped)


def answer_language(answer: Answer) -> str:
    """The language shared by all cited articles, or "" when mixed or none."""
    langs = {c.language for c in answer.citations}
    return langs.pop() if len(langs) == 1 else ""


def citation_number(answer: Answer, citation: Citation) -> int:
    """The [n] of the citation's passage, as the answer text numbers passages."""
    for n, passage in enumerate(answer.passages, start=1):
        if passage.chunk_id == citation.passage.chunk_id:
            return n
    return 0


def render_bubble(answer: Answer, partial: bool = False) -> str:
    """The chat message for an answer: the text (escaped) and, when final, its sources in brief."""
    text = answer.text.strip() or ("…" if partial else "")
    body = _with_refs(esc(text)).replace("\n", "<br>")
    language = answer_language(answer)
    if partial:
        return f'<div class="answer-body" {dir_attrs(language)}>{body} ▌</div>'
    css = "answer-body answer-abstained" if answer.abstained else "answer-body"
    out = f'<div class="{css}" {dir_attrs(language)}>{body}</div>'
    if answer.citations:
        seen, items = set(), []
        for c in answer.citations:
            if c.source not in seen:
                seen.add(c.source)
                title = c.title or c.source
                title = title if len(title) <= 60 else title[:59] + "…"
                items.append(f'<span dir="auto">{esc(title)}</span> ({esc(c.source)})')
        out += f'<div class="answer-sources">Sources: {" · ".join(items)} — quotes in the panel →</div>'
    return out


def render_error_bubble(message: str) -> str:
    return f'<div class="answer-body answer-error" dir="auto">⚠️ {esc(message)}</div>'


def render_sources(answer: Answer, articles: ArticleTexts) -> str:
    """The sources panel for one answer: every citation in its passage, the whole article a click away."""
    head = f'<div class="sources-head">Sources for: <q dir="auto">{esc(answer.question)}</q></div>'
    if not answer.citations:
        searched = []
        for p in answer.passages[:3]:
            if all(p.source != s for s, _ in searched):
                searched.append((p.source, p.title))
        names = "".join(f'<li><span dir="auto">{esc(t or s)}</span> <code>{esc(s)}</code></li>'
                        for s, t in searched)
        closest = f"<p>Closest articles searched:</p><ul>{names}</ul>" if names else ""
        return (f'{head}<div class="sources-empty">No quote in the articles supports an answer to this '
                f"question.{closest}</div>")
    cards = []
    for i, c in enumerate(answer.citations):
        n = citation_number(answer, c)
        attrs = dir_attrs(c.language)
        passage = c.passage
        passage_html = mark_quote(passage.text, c.quote)
        article = articles.get(c.source)
        if article:
            text, near, note = _article_excerpt(article, c.quote, passage.start_char)
            note_html = f'<div class="source-meta">{esc(note)}</div>' if note else ""
            article_html = (
                f'<details class="source-article" data-source="{esc(c.source)}">'
                f"<summary>Open the whole article</summary>{note_html}"
                f'<div class="article-text" {attrs}>{mark_quote(text, c.quote, near)}</div></details>'
            )
        else:
            article_html = '<div class="source-meta">The article file can no longer be read.</div>'
        ref = f'<span class="ref">[{n}]</span> ' if n else ""
        cards.append(
            f'<div class="source" id="source-{i + 1}" data-source="{esc(c.source)}" '
            f'data-language="{esc(c.language)}">'
            f'<div class="source-head" dir="auto">{ref}<span class="source-title">'
            f"{esc(c.title or c.source)}</span></div>"
            f'<div class="source-meta">{esc(language_name(c.language))} · <code>{esc(c.source)}</code></div>'
            f'<blockquote class="source-passage" {attrs}>{passage_html}</blockquote>'
            f"{article_html}</div>"
        )
    return head + "".join(cards)


SOURCES_PLACEHOLDER = ('<div class="sources-empty">Sources appear here: each quote inside its passage, '
                       "and the whole article one click away. Click an earlier answer to see its sources "
                       "again.</div>")


def model_label(settings: Settings) -> str:
    """The configured chat model and the host it runs on (never credentials)."""
    if not settings.llm_configured:
        return "none configured"
    url = urlparse(settings.llm_base_url or "")
    host = url.hostname or settings.llm_base_url or ""
    if url.port:
        host = f"{host}:{url.port}"
    return f"{settings.llm_model} at {host}"


def render_status(answer: Answer, settings: Settings) -> str:
    """Which model answered and how long it took, and any notices."""
    if answer.mode == "llm":
        who = f"the LLM <strong>{esc(model_label(settings))}</strong>"
    elif answer.mode == "fallback":
        who = (f"the <strong>offline extractive</strong> reader (fallback: the LLM {esc(model_label(settings))} "
               "could not give a checked answer)")
    else:
        who = "the <strong>offline extractive</strong> reader (quotes only, no LLM)"
    if answer.abstained:
        what = "No supported answer found"
    else:
        sources = len({c.source for c in answer.citations})
        what = (f"{len(answer.citations)} verified quote{'s' if len(answer.citations) != 1 else ''} "
                f"from {sources} article{'s' if sources != 1 else ''}")
    line = f'<div class="status">Answered by {who} in {answer.seconds:.2f} s · {what}</div>'
    return line + render_notices(answer.notices)


def render_notices(notices: Sequence[str]) -> str:
    if not notices:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notices)
    return f'<ul class="notices" role="status">{items}</ul>'


def render_status_message(message: str, error: bool = False) -> str:
    css = "status error" if error else "status"
    return f'<div class="{css}">{"⚠️ " if error else ""}{esc(message)}</div>'


def idle_status(settings: Settings) -> str:
    llm = (f"LLM <strong>{esc(model_label(settings))}</strong> available" if settings.llm_configured
           else "offline extractive answers (no LLM endpoint configured)")
    return f'<div class="status">Ready · {llm}. Ask a question below.</div>'


def index_html(settings: Settings) -> str:
    """What the index holds: articles, passages, embedding model, skipped files."""
    try:
        manifest = Manifest.load(settings.index_dir)
    except IndexMismatchError as exc:
        return render_status_message(str(exc), error=True)
    if manifest is None:
        return render_status_message("No index yet: add articles below, or press “Rebuild the whole index”.")
    docs = manifest.documents
    chunks = sum(len(d.chunk_ids) for d in docs.values())
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(manifest.built_at))
    rows = "".join(
        f'<tr data-source="{esc(name)}"><td dir="auto">{esc(d.title)}</td><td>{esc(language_name(d.language))}'
        f"</td><td><code>{esc(name)}</code></td><td>{len(d.chunk_ids)}</td></tr>"
        for name, d in sorted(docs.items())
    )
    skipped = ""
    if manifest.skipped:
        items = "".join(f"<li><code>{esc(n)}</code>: {esc(why)}</li>" for n, why in manifest.skipped)
        skipped = f"<p>Files skipped at the last build:</p><ul>{items}</ul>"
    return (
        f'<p><strong>{len(docs)}</strong> articles · <strong>{chunks}</strong> passages · embedding model '
        f"<code>{esc(manifest.embed_model)}</code> · built {esc(built)} · corpus folder "
        f"<code>{esc(manifest.corpus_dir or settings.corpus_dir)}</code></p>"
        '<table class="index-table"><thead><tr><th>Title</th><th>Language</th><th>File</th><th>Passages</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>{skipped}"
    )


def article_choices(settings: Settings) -> list[tuple[str, str]]:
    """Article filter choices: ("All articles", "") then each indexed article by title."""
    choices = [("All articles", "")]
    try:
        manifest = Manifest.load(settings.index_dir)
    except IndexMismatchError:
        manifest = None
    if manifest is not None:
        for name, d in sorted(manifest.documents.items()):
            title = d.title if len(d.title) <= 70 else d.title[:69] + "…"
            choices.append((f"{title} ({name})", name))
    return choices


def language_choices(settings: Settings) -> list[tuple[str, str]]:
    """Language filter choices: all, then the indexed languages (the four known ones at least)."""
    codes = list(LANGUAGE_NAMES)
    try:
        manifest = Manifest.load(settings.index_dir)
    except IndexMismatchError:
        manifest = None
    if manifest is not None:
        codes += sorted({d.language for d in manifest.documents.values()} - set(codes))
    return [("All languages", "")] + [(f"{language_name(c)} ({c})", c) for c in codes]


# --------------------------------------------------------------------------- uploads


class UploadRejected(ValueError):
    """An uploaded file cannot become an article; the message says why."""


def safe_file_name(name: str) -> str:
    """A plain file name for the corpus folder: basename only, no traversal, .txt or .md."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    base = re.sub(r'[<>:"|?*]', "_", base).strip().lstrip(". ").rstrip(". ")
    if not base:
        raise UploadRejected("the file has no usable name")
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(f"only {' and '.join(SUPPORTED_SUFFIXES)} files are accepted")
    stem = Path(base).stem
    if not stem.strip(". "):
        raise UploadRejected("the file has no usable name")
    while len((stem + suffix).encode("utf-8")) > 200:
        stem = stem[:-1]
    return stem + suffix


def save_uploads(
    files: Sequence[str | Path | tuple[str, str | Path]], corpus_dir: Path, max_bytes: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Copy uploaded files into the corpus folder as UTF-8 text.

    Each file is a path (its name is used) or (claimed name, path). Returns the saved
    file names and (name, reason) for each rejected file. Nothing is written outside
    corpus_dir: names are reduced to a sanitized basename, and links are refused.
    """
    corpus = Path(corpus_dir).resolve()
    saved: list[str] = []
    rejected: list[tuple[str, str]] = []
    for item in files or []:
        claimed, path = (item if isinstance(item, tuple) else (Path(str(item)).name, item))
        shown = str(claimed) or "(unnamed)"
        try:
            name = safe_file_name(str(claimed))
            source = Path(str(path))
            try:
                size = source.stat().st_size
            except OSError as exc:
                raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
            if size > max_bytes:
                raise UploadRejected(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
            if size == 0:
                raise UploadRejected("the file is empty")
            try:
                text = decode(source.read_bytes(), name)
            except ValueError as exc:
                raise UploadRejected(f"not readable as text ({exc})") from None
            except OSError as exc:
                raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
            if not text.strip():
                raise UploadRejected("the file holds no text")
            target = corpus / name
            if target.is_symlink() or target.resolve().parent != corpus:
                raise UploadRejected("this name points outside the articles folder")
            if target.exists() and not target.is_file():
                raise UploadRejected("a folder with this name exists")
            corpus.mkdir(parents=True, exist_ok=True)
            tmp = corpus / f".upload-{secrets.token_hex(6)}.tmp"
            try:
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            saved.append(name)
        except UploadRejected as exc:
            rejected.append((shown, str(exc)))
        except OSError as exc:
            rejected.append((shown, f"could not be saved ({exc.strerror or exc})"))
    return saved, rejected


# --------------------------------------------------------------------------- the assistant in use


class AssistantHolder:
    """The assistant the app answers with; replaced, under a lock, after every re-index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._assistant: Assistant | None = None
        self.rebuilding = False

    def get(self) -> Assistant:
        """The current assistant, loading it on first use (raises IndexMissingError without an index)."""
        with self._lock:
            if self._assistant is None:
                self._assistant = Assistant(self.settings)
            return self._assistant

    def swap(self, assistant: Assistant | None) -> None:
        with self._lock:
            self._assistant = assistant

    def reindex(self, rebuild: bool = False, progress=None):
        """Bring the index in line with the corpus, then answer with a fresh Assistant."""
        if not self._build_lock.acquire(blocking=False):
            raise BuildBusy("An index build is already running; try again when it has finished.")
        try:
            self.rebuilding = rebuild
            if rebuild:
                self.swap(None)
            report = build_index(self.settings, rebuild=rebuild, progress=progress or (lambda f, m: None))
            self.swap(Assistant(self.settings))
            return report
        finally:
            self.rebuilding = False
            self._build_lock.release()


class BuildBusy(RuntimeError):
    """Another index build is running."""


def friendly_error(exc: BaseException) -> str:
    """A message a person can act on, never a traceback."""
    if isinstance(exc, QuestionError):
        return str(exc)
    if isinstance(exc, IndexMissingError):
        return "There is no index yet. Add articles in the Index tab, or press “Rebuild the whole index”."
    if isinstance(exc, (IndexMismatchError, CorpusError, BuildBusy)):
        return str(exc)
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return (f"Something went wrong ({type(exc).__name__}{': ' + detail if detail else ''}). "
            "The app is still running; please try again.")


# --------------------------------------------------------------------------- the app


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
    default_mode = "llm" if settings.llm_configured else "offline"
    mode_choices = [("Offline extractive (quotes only)", "offline")]
    if settings.llm_configured:
        mode_choices.append((f"LLM: {model_label(settings)}", "llm"))

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
                                               source=_optional(source), language=_optional(language),
                                               mode=mode or default_mode):
                if answer.mode == "llm-partial":
                    pending["bubble"] = render_bubble(answer, partial=True)
                    yield (_messages(turns, [pending]), gr.skip(), gr.skip(),
                           render_status_message(f"The LLM {model_label(settings)} is writing…"), gr.skip())
            turn = {"question": question.strip(), "answer": answer.text, "bubble": render_bubble(answer),
                    "sources": render_sources(answer, assistant.articles)}
            turns.append(turn)
            yield _messages(turns), "", turn["sources"], render_status(answer, settings), turns
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, the app keeps serving
            if not isinstance(exc, (QuestionError, IndexMissingError, IndexMismatchError, BuildBusy)):
                log.exception("answering %r failed", question[:200])
            message = friendly_error(exc)
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
            saved, rejected = save_uploads(paths, settings.corpus_dir, settings.max_upload_bytes)
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
            if not isinstance(exc, (CorpusError, IndexMismatchError, BuildBusy)):
                log.exception("adding articles failed")
            message = render_status_message(friendly_error(exc), error=True)
        return (f'<div class="upload-result">{message}</div>', *index_updates(), None)

    def rebuild_index(progress=gr.Progress()):
        try:
            message = _reindex(True, progress)
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, (CorpusError, IndexMismatchError, BuildBusy)):
                log.exception("rebuilding the index failed")
            message = render_status_message(friendly_error(exc), error=True)
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
                                      source=_optional(source), language=_optional(language),
                                      mode=_optional(mode))
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, (QuestionError, IndexMissingError, IndexMismatchError, BuildBusy)):
                log.exception("API ask failed")
            raise gr.Error(friendly_error(exc), print_exception=False) from None
        return answer_json(answer)

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


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(prog="python -m ui.app", description="Open the chat window.")
    cli.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    cli.add_argument("--port", type=int, default=7860)
    cli.add_argument("--share", action="store_true", help="also publish a public gradio.live link")
    options = cli.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        main(options.host, options.port, options.share)
    except (CorpusError, IndexMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
