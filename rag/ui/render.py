"""Render: the HTML of the chat window's bubbles, sources panel, status line and index table.

Pure functions from records (Answer, Citation, Manifest) to escaped HTML, so they can
be tested without a running app. Arabic reads right to left wherever it appears.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from rag.answer.cite import ArticleTexts
from rag.components.store import Manifest
from rag.errors import IndexMismatchError
from rag.schema import FALLBACK, LLM, Answer, Citation
from rag.settings import Settings
from rag.text import MARKER, RTL_LANGUAGES, language_name, nfc, printable_name, quoted

if TYPE_CHECKING:
    from rag.ingest.build import BuildReport
    from rag.ingest.uploads import ArticlePreview
    from rag.schema import Passage

# An article longer than this is shown as a window around the quote, not whole.
ARTICLE_WINDOW_CHARS = 60_000
TITLE_CHARS = 60
# Below this width the sources panel sits under the chat, so each answer carries its sources itself.
NARROW_PX = 820
# Gradio's sidebar covers the whole screen at or below this width (its own CSS), so it starts closed there.
SIDEBAR_COVERS_PX = 768
GLOSS_LABEL = "Word-by-word dictionary gloss (not a translation)"
SEARCH_EXCERPT_CHARS = 400  # of each passage, in the chat bubble of a search-only turn

CSS = """
#app-top { align-items: center; }
#app-header h1 { margin: 0 0 .2rem 0; font-size: 1.6rem; }
#app-header p { margin: 0; opacity: .8; }
#status .status { padding: .45rem .7rem; border-radius: .5rem; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); font-size: .92rem; }
#status .status.error { border-color: #dc2626; }
#status .confidence.low { color: #b45309; font-weight: 600; }
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
/* A wide table scrolls sideways inside its own box instead of being cut off (phones). */
.index-table-box { max-width: 100%; overflow-x: auto; }
.index-table { width: 100%; min-width: 42rem; border-collapse: collapse; font-size: .9rem; }
.index-table th, .index-table td { text-align: start; padding: .3rem .5rem; border-bottom: 1px solid var(--border-color-primary); }
.upload-result ul { margin: .2rem 0; }
.upload-result .rejected { color: #b91c1c; }
.answer-short { font-size: 1.05em; margin-bottom: .3rem; }
.answer-quote { margin: 0 0 .3rem 0; }
.gloss { margin-top: .35rem; font-size: .85rem; }
.gloss-label { font-size: .75rem; font-weight: 600; opacity: .75; }
.gloss-text { font-style: italic; }
.bubble-sources { margin-top: .5rem; font-size: .88rem; }
.bubble-sources summary { cursor: pointer; color: var(--color-accent); font-weight: 500; }
.bubble-source { margin-top: .45rem; padding-top: .4rem; border-top: 1px solid var(--border-color-primary); }
.bubble-quote { margin: .25rem 0 0 0; padding: .3rem .5rem; text-align: start;
  border-inline-start: 3px solid var(--color-accent); background: var(--background-fill-secondary); }
#status .status.loading { border-style: dashed; }
.search-hit { margin-bottom: .45rem; }
.search-hit .source-meta { margin: 0; }
#question-row { align-items: stretch; }
#conversations label { width: 100%; }
.delete-question { margin: .3rem .5rem; font-size: .9rem; }
.preview-lines { white-space: pre-wrap; font-size: .88rem; padding: .4rem .6rem;
  border: 1px solid var(--border-color-primary); border-radius: .4rem; }
.admin-off { padding: .5rem .7rem; border-radius: .5rem; background: #fef3c7; color: #78350f; }
/* Gradio cuts long example questions with "..." in a left-to-right box: let each one take the direction of
   its own text, so an Arabic question ends, ellipsis included, on the left. */
#examples .gallery { unicode-bidi: plaintext; }
/* Wide: the sources panel sits beside the chat. Narrow: under it, so each answer shows its own sources. */
.bubble-sources { display: none; }
@media (max-width: NARROW_PXpx) {
  #chat-row { flex-direction: column; }
  #chat-row > .column { min-width: 100% !important; }
  #app-header h1 { font-size: 1.3rem; }
  /* Stop stays on the question's line: while an answer runs it takes the place of Ask (disabled meanwhile). */
  #question-row { flex-wrap: nowrap; }
  #question-row > #question { min-width: 0 !important; }
  #question-row:has(> #stop:not(.hidden)) > #ask { display: none; }
  /* The chat grows with its answers and the page scrolls, instead of a box scrolled to each answer's end. */
  #chat { height: auto !important; min-height: 240px; }
  .bubble-sources { display: block; }
  .answer-sources { display: none; }
}
""".replace("NARROW_PX", str(NARROW_PX))




# After an answer on a narrow screen the page keeps its place, which leaves the new answer below the
# fold: bring its question to the top of the screen, the answer and its sources under it.
SCROLL_TO_ANSWER_JS = f"""() => {{
  if (!window.matchMedia("(max-width: {NARROW_PX}px)").matches) return;
  const questions = document.querySelectorAll("#chat .message-row.user-row");
  if (questions.length) questions[questions.length - 1].scrollIntoView({{block: "start"}});
}}"""

# New conversation: the page back to its top and the cursor in the question box, ready for the first question.
NEW_CONVERSATION_JS = """() => {
  window.scrollTo({top: 0});
  document.querySelector("#question textarea")?.focus();
}"""

# Gradio's sidebar has one `open` for every screen; where it would cover the chat, close it once the page loads.
CLOSE_ON_PHONE_JS = f"""() => {{
  if (window.matchMedia("(max-width: {SIDEBAR_COVERS_PX}px)").matches)
    document.querySelector("#sidebar.open > .toggle-button")?.click();
}}"""


def esc(text: object) -> str:
    """Text made safe to put inside our HTML."""
    return html.escape(str(text), quote=True)


def esc_name(name: str) -> str:
    """A file name for the page: its control and bidi characters shown as escapes, then HTML-escaped."""
    return esc(printable_name(name))


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


def render_question(question: str) -> str:
    """The chat message for a question, in the direction of its own script."""
    lines = esc(question).replace("\n", "<br>")
    return f'<div class="question" dir="auto">{lines}</div>'


def render_bubble(answer: Answer, partial: bool = False) -> str:
    """The chat message for an answer: the short answer in bold, then the quotes (or the model's text).

    A final answer also carries its sources: a one-line list beside which the panel shows them (wide
    screens), and the quotes in their passages under the answer itself (narrow screens, where the panel
    is far below); CSS shows one or the other.
    """
    language = answer_language(answer)
    if partial:
        body = _with_refs(esc(answer.text.strip() or "…")).replace("\n", "<br>")
        return f'<div class="answer-body" {dir_attrs(language)}>{body} ▌</div>'
    css = "answer-body answer-abstained" if answer.abstained else "answer-body"
    short = (f'<div class="answer-short" dir="auto"><strong>{esc(answer.short)}</strong></div>'
             if answer.short else "")
    out = f'<div class="{css}" {dir_attrs(language)}>{short}{_answer_text(answer)}</div>'
    if answer.citations:
        out += _source_line(answer) + _bubble_sources(answer)
    return out


def _answer_text(answer: Answer) -> str:
    """The answer under its short form: the verbatim quotes when extracted, else the text as written."""
    if answer.mode == LLM or answer.abstained or not answer.citations:
        return _with_refs(esc(answer.text.strip())).replace("\n", "<br>")
    return "".join(
        f'<div class="answer-quote" {dir_attrs(c.language)}>{esc(quoted(c.quote))}{_ref(answer, c)}</div>'
        for c in answer.citations
    )


def _ref(answer: Answer, citation: Citation) -> str:
    """A space and [n] for the citation's passage, styled as a reference ("" when it has no number)."""
    n = citation_number(answer, citation)
    return f' <span class="ref">[{n}]</span>' if n else ""


def _source_line(answer: Answer) -> str:
    """The cited articles in one line, pointing at the panel beside the chat (hidden on narrow screens)."""
    seen, items = set(), []
    for c in answer.citations:
        if c.source not in seen:
            seen.add(c.source)
            title = c.title or c.source
            title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
            items.append(f'<span dir="auto">{esc(title)}</span> ({esc_name(c.source)})')
    return f'<div class="answer-sources">Sources: {" · ".join(items)} — quotes in the panel →</div>'


def _bubble_sources(answer: Answer) -> str:
    """Where each quote is from, with its gloss, under the answer: collapsible, on narrow screens only.

    An extracted answer's quotes are its text already; a model's answer gets them here.
    """
    with_quotes = answer.mode == LLM
    items = "".join(
        f'<div class="bubble-source" data-source="{esc(c.source)}">{_source_head(answer, c)}'
        + (f'<blockquote class="bubble-quote" {dir_attrs(c.language)}>{esc(quoted(c.quote))}</blockquote>'
           if with_quotes else "")
        + f"{render_gloss(c)}</div>"
        for c in answer.citations
    )
    articles = len({c.source for c in answer.citations})
    return (f'<details class="bubble-sources" open><summary>Sources: {plural(articles, "article")}</summary>'
            f"{items}</details>")


def _source_head(answer: Answer, citation: Citation) -> str:
    """[n] title, then language and file: the top of a source card."""
    ref = f'<span class="ref">[{n}]</span> ' if (n := citation_number(answer, citation)) else ""
    return (f'<div class="source-head" dir="auto">{ref}<span class="source-title">'
            f"{esc(citation.title or citation.source)}</span></div>"
            f'<div class="source-meta">{esc(language_name(citation.language))} · '
            f"<code>{esc_name(citation.source)}</code></div>")


def render_gloss(citation: Citation) -> str:
    """The word-by-word dictionary gloss under a non-English quote, labelled as not a translation."""
    if not citation.gloss or citation.language == "en":
        return ""
    return (f'<div class="gloss" dir="ltr" lang="en"><div class="gloss-label">{GLOSS_LABEL}</div>'
            f'<div class="gloss-text">{esc(citation.gloss)}</div></div>')


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
        attrs = dir_attrs(c.language)
        cards.append(
            f'<div class="source" id="source-{i + 1}" data-source="{esc(c.source)}" '
            f'data-language="{esc(c.language)}">{_source_head(answer, c)}'
            f'<blockquote class="source-passage" {attrs}>{mark_quote(c.passage.text, c.quote)}</blockquote>'
            f"{render_gloss(c)}{_article_details(c, articles.get(c.source))}</div>"
        )
    return head + "".join(cards)


def _article_details(citation: Citation, article: str | None) -> str:
    """The whole article, the quote marked, one click away (or why it cannot be shown)."""
    if not article:
        return '<div class="source-meta">The article file can no longer be read.</div>'
    text, near, note = _article_excerpt(article, citation.quote, citation.passage.start_char)
    note_html = f'<div class="source-meta">{esc(note)}</div>' if note else ""
    return (f'<details class="source-article" data-source="{esc(citation.source)}">'
            f"<summary>Open the whole article</summary>{note_html}"
            f'<div class="article-text" {dir_attrs(citation.language)}>'
            f"{mark_quote(text, citation.quote, near)}</div></details>")


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
        # Found word for word says where the words are, not that they answer the question rightly.
        articles = len({c.source for c in answer.citations})
        what = (f"{plural(len(answer.citations), 'quote')} found word for word in the articles "
                f"({plural(articles, 'article')})")
    line = f'<div class="status">Answered by {who} in {answer.seconds:.2f} s · {what}{_confidence(answer)}</div>'
    return line + render_notices(answer.notices)


def _confidence(answer: Answer) -> str:
    """A model answer's confidence, with the reason when low (offline answers have none to show)."""
    if not answer.confidence or answer.abstained:
        return ""
    why = f": {esc(answer.confidence_reason)}" if answer.confidence_reason else ""
    return f' · <span class="confidence {esc(answer.confidence)}">{esc(answer.confidence)} confidence{why}</span>'


def plural(n: int, noun: str) -> str:
    """The count with its noun: "1 quote", "2 quotes"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_notices(notices: Sequence[str]) -> str:
    if not notices:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notices)
    return f'<ul class="notices" role="status">{items}</ul>'


def render_loading_status(stage: str, seconds: float) -> str:
    """The status line while the index and models load, before the first question can be answered."""
    return (f'<div class="status loading" role="status">Loading the index and models so that answers come '
            f"quickly: {esc(stage)}… {seconds:.0f} s</div>")


def render_status_message(message: str, error: bool = False) -> str:
    css = "status error" if error else "status"
    return f'<div class="{css}">{"⚠️ " if error else ""}{esc(message)}</div>'


def idle_status(settings: Settings) -> str:
    llm = (f"LLM <strong>{esc(model_label(settings))}</strong> available" if settings.llm_configured
           else "offline extractive answers (no LLM endpoint configured)")
    return f'<div class="status">Ready · {llm}. Ask a question below.</div>'


ADMIN_OFF = ("Adding articles and rebuilding the index are turned off: this window is served beyond this "
             "machine, where anyone who can reach it could change the index. Run “rag ui” on 127.0.0.1 "
             "to manage the index.")


def render_admin_off() -> str:
    """Why the Index tab cannot change the index here."""
    return f'<div class="admin-off" role="note">{esc(ADMIN_OFF)}</div>'


def render_build_report(report: BuildReport) -> str:
    """What a (re)index did, and the files it skipped with why."""
    skipped = "".join(f"<li><code>{esc(n)}</code>: {esc(why)}</li>" for n, why in report.skipped)
    return (f"<p>Indexed {report.documents} articles, {report.chunks} passages "
            f"({report.embedded} passages embedded, {report.removed} removed) in {report.seconds:.1f} s.</p>"
            + (f'<p class="rejected">Skipped while indexing:</p><ul class="rejected">{skipped}</ul>'
               if skipped else ""))


def render_uploads(uploaded: bool, saved: Sequence[str], rejected: Sequence[tuple[str, str]],
                   folder: object = None) -> str:
    """Which uploads were added (and to which folder) and which were not, with why."""
    parts = []
    if saved:
        where = f" in <code>{esc(folder)}</code>" if folder else ""
        parts.append("<p>Added" + where + ": " + ", ".join(f"<code>{esc(n)}</code>" for n in saved) + "</p>")
    if rejected:
        items = "".join(f"<li><code>{esc(n)}</code>: {esc(why)}</li>" for n, why in rejected)
        parts.append(f'<p class="rejected">Not added:</p><ul class="rejected">{items}</ul>')
    if not uploaded:
        parts.append("<p>No file was uploaded.</p>")
    return "".join(parts)


def render_index_result(message: str) -> str:
    """The Index tab's result box around a message."""
    return f'<div class="upload-result">{message}</div>'


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
        f"</td><td><code>{esc_name(name)}</code></td><td>{len(d.chunk_ids)}</td></tr>"
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
        '<div class="index-table-box"><table class="index-table"><thead><tr><th>Title</th><th>Language</th>'
        "<th>File</th><th>Passages</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div>{skipped}"
    )


def _passage_head(n: int, passage: Passage) -> str:
    """[n] title, then language and file, for one passage of a search-only turn."""
    return (f'<div class="source-head" dir="auto"><span class="ref">[{n}]</span> <span class="source-title">'
            f"{esc(passage.title or passage.source)}</span></div>"
            f'<div class="source-meta">{esc(language_name(passage.language))} · <code>{esc_name(passage.source)}</code>'
            f" · score {passage.score:.3f}</div>")


def render_search_bubble(passages: Sequence[Passage]) -> str:
    """The chat message of a search-only turn: the passages found, each with its source, nothing answered."""
    if not passages:
        return '<div class="answer-body answer-abstained" dir="auto">No passage matches this search.</div>'
    items = []
    for n, p in enumerate(passages, start=1):
        text = p.text.strip()
        text = text if len(text) <= SEARCH_EXCERPT_CHARS else text[: SEARCH_EXCERPT_CHARS - 1] + "…"
        items.append(f'<div class="search-hit" data-source="{esc(p.source)}">{_passage_head(n, p)}'
                     f'<div {dir_attrs(p.language)}>{esc(text)}</div></div>')
    return (f'<div class="answer-body search-only"><div class="answer-short" dir="auto"><strong>'
            f"{plural(len(passages), 'passage')} found (search only, no answer)</strong></div>{''.join(items)}</div>")


def render_search_sources(question: str, passages: Sequence[Passage]) -> str:
    """The sources panel of a search-only turn: each passage whole, with its article and language."""
    head = f'<div class="sources-head">Passages for: <q dir="auto">{esc(question)}</q></div>'
    cards = "".join(
        f'<div class="source" id="source-{n}" data-source="{esc(p.source)}" data-language="{esc(p.language)}">'
        f'{_passage_head(n, p)}<blockquote class="source-passage" {dir_attrs(p.language)}>{esc(p.text)}'
        "</blockquote></div>"
        for n, p in enumerate(passages, start=1))
    return head + (cards or '<div class="sources-empty">No passage matches this search.</div>')


def render_search_status(passages: Sequence[Passage], seconds: float) -> str:
    articles = len({p.source for p in passages})
    return (f'<div class="status">Search only: {plural(len(passages), "passage")} from '
            f'{plural(articles, "article")} in {seconds:.2f} s · nothing answered</div>')


def render_preview(preview: ArticlePreview) -> str:
    """The Index tab's preview of one article: title, file, size and its first lines."""
    lines = "\n".join(preview.first_lines)
    return (f'<div class="article-preview" data-source="{esc(preview.name)}">'
            f'<div class="source-title" dir="auto">{esc(preview.title)}</div>'
            f'<div class="source-meta"><code>{esc_name(preview.name)}</code> · {preview.size:,} bytes · '
            f"{preview.characters:,} characters of text</div>"
            f'<div class="preview-lines" dir="auto">{esc(lines)}</div></div>')


def render_feedback_saved(liked: bool, question: str, commented: bool) -> str:
    """The status line once feedback is written."""
    verdict = "👍 useful" if liked else "👎 not useful"
    note = " with your comment" if commented else ""
    return (f'<div class="status feedback-saved">Feedback saved{note}: {verdict} for '
            f'<q dir="auto">{esc(question)}</q>. Thank you.</div>')
