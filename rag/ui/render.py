"""Render: the HTML of the chat window's bubbles, sources panel, status line and index table.

Pure functions from records (Answer, Citation, Manifest) to escaped HTML, so they can
be tested without a running app. Arabic reads right to left wherever it appears.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from urllib.parse import urlparse

from rag.answer.cite import ArticleTexts
from rag.components.store import Manifest
from rag.errors import IndexMismatchError
from rag.schema import FALLBACK, LLM, Answer, Citation
from rag.settings import Settings
from rag.text import MARKER, RTL_LANGUAGES, language_name, nfc

# An article longer than this is shown as a window around the quote, not whole.
ARTICLE_WINDOW_CHARS = 60_000
TITLE_CHARS = 60

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




def esc(text: object) -> str:
    """Text made safe to put inside our HTML."""
    return html.escape(str(text), quote=True)


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
    return MARKER.sub(lambda m: f'<span class="ref">[{m.group(1)}]</span>', escaped)


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
    if answer.mode == LLM:
        who = f"the LLM <strong>{esc(model_label(settings))}</strong>"
    elif answer.mode == FALLBACK:
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
