"""The chat window's HTML from hand-made records: short answer first, quotes, glosses, status, phones."""

from __future__ import annotations

import pytest

from rag.answer.cite import ArticleTexts
from rag.ingest.build import BuildReport
from rag.schema import FALLBACK, LLM, OFFLINE, Answer, Citation, Passage
from rag.ui.render import (
    CSS, GLOSS_LABEL, NARROW_PX, SCROLL_TO_ANSWER_JS, quoted, render_admin_off, render_bubble,
    render_build_report, render_loading_status, render_sources, render_status, render_uploads,
)
from tests.conftest import make_settings

EN_TEXT = 'Thomas added, “The team had 50 members; they are divided into groups.” After.'
EN_QUOTE = 'Thomas added, “The team had 50 members; they are divided into groups.”'
AR_TEXT = "أفاد تقرير أن ميتا ستسرح نحو 600 موظف."
AR_GLOSS = "report decision that dead go towards 600 employee"


def records(mode: str = OFFLINE, short: str = "50 members") -> Answer:
    """An answer citing an English quote that ends with its own closing mark, and a glossed Arabic one."""
    en = Passage(text=EN_TEXT, source="en.txt", score=1.0, chunk_id="c1", title="Team <b>news</b>",
                 language="en", start_char=0)
    ar = Passage(text=AR_TEXT, source="ar.txt", score=0.5, chunk_id="c2", title="ميتا", language="ar",
                 start_char=0)
    citations = [Citation("en.txt", EN_QUOTE, en, en.title, "en"),
                 Citation("ar.txt", AR_TEXT, ar, ar.title, "ar", gloss=AR_GLOSS)]
    text = "The team had 50 members [1]; Meta will lay off 600 [2]." if mode == LLM else "quotes as joined"
    return Answer(text=text, citations=citations, abstained=False, passages=[en, ar], mode=mode,
                  question="How many?", seconds=0.25, short=short)


@pytest.fixture
def articles(tmp_path) -> ArticleTexts:
    (tmp_path / "en.txt").write_text("Team news\n\n" + EN_TEXT, encoding="utf-8")
    (tmp_path / "ar.txt").write_text("ميتا\n\n" + AR_TEXT, encoding="utf-8")
    return ArticleTexts(tmp_path)


# ---------------------------------------------------------------- quotes


@pytest.mark.parametrize("quote, shown", [
    ("plain words.", "“plain words.”"),
    ("ends with a quote.”", "“ends with a quote.”"),
    ("“starts with one", "“starts with one”"),
    ("“whole”", "“whole”"),
    ("  spaced.  ", "“spaced.”"),
])
def test_a_quote_is_wrapped_once_never_with_a_doubled_mark(quote, shown):
    assert quoted(quote) == shown


def test_no_bubble_or_panel_shows_a_doubled_closing_mark(articles):
    answer = records()
    assert "””" not in render_bubble(answer) + render_sources(answer, articles)
    assert "“Thomas added, “The team" in render_bubble(answer)


# ---------------------------------------------------------------- the answer bubble


def test_the_short_answer_comes_first_in_bold_then_the_verbatim_quotes():
    bubble = render_bubble(records())
    order = [bubble.index(part) for part in ("<strong>50 members</strong>", "Thomas added", "600 موظف")]
    assert order == sorted(order)
    assert '<span class="ref">[1]</span>' in bubble and '<span class="ref">[2]</span>' in bubble
    assert "quotes as joined" not in bubble  # the quotes come from the citations, not the joined text
    assert '<div class="answer-quote" dir="rtl" lang="ar">' in bubble


def test_without_a_short_answer_there_is_no_empty_bold_line():
    assert "answer-short" not in render_bubble(records(short=""))
    assert "<strong>" not in render_bubble(records(short=""))


def test_a_fallback_answer_is_shown_like_an_extracted_one():
    assert render_bubble(records(FALLBACK)).count('class="answer-quote"') == 2


def test_a_model_answer_shows_its_short_answer_then_its_text_and_its_quotes_under_it():
    bubble = render_bubble(records(LLM))
    assert bubble.index("<strong>50 members</strong>") < bubble.index("The team had 50 members ")
    assert 'class="answer-quote"' not in bubble
    sources = bubble.split('<details class="bubble-sources"', 1)[1]
    assert '<blockquote class="bubble-quote"' in sources and "Thomas added" in sources


def test_each_answer_carries_its_sources_for_narrow_screens_and_points_at_the_panel_for_wide_ones():
    bubble = render_bubble(records())
    after_text = bubble.split('<div class="answer-sources">', 1)[1]
    line, sources = after_text.split('<details class="bubble-sources" open>')
    assert "quotes in the panel →" in line and "quotes in the panel" not in sources
    assert "<summary>Sources: 2 articles</summary>" in sources
    assert sources.count('class="bubble-source"') == 2
    assert "Team &lt;b&gt;news&lt;/b&gt;" in sources and "<b>news</b>" not in bubble
    assert "Arabic" in sources and "<code>ar.txt</code>" in sources
    assert GLOSS_LABEL in sources and AR_GLOSS in sources
    assert sources.index("ar.txt") < sources.index(AR_GLOSS)  # the gloss sits under its own source


def test_the_css_shows_the_bubbles_sources_or_the_pointer_to_the_panel_never_both():
    narrow = CSS.split(f"@media (max-width: {NARROW_PX}px)", 1)[1]
    assert ".bubble-sources { display: none; }" in CSS.split("@media", 1)[0]
    assert ".bubble-sources { display: block; }" in narrow and ".answer-sources { display: none; }" in narrow
    assert f"(max-width: {NARROW_PX}px)" in SCROLL_TO_ANSWER_JS


def test_a_refusal_has_neither_short_answer_nor_sources():
    answer = Answer(text="The articles do not say.", citations=[], abstained=True, passages=[], mode=OFFLINE,
                    short="")
    bubble = render_bubble(answer)
    assert "answer-abstained" in bubble and "The articles do not say." in bubble
    assert "bubble-sources" not in bubble and "answer-sources" not in bubble


def test_a_partial_answer_shows_the_words_so_far_and_no_sources():
    partial = Answer(text="The team had", citations=[], abstained=False, passages=[], mode="llm-partial")
    bubble = render_bubble(partial, partial=True)
    assert "The team had ▌" in bubble and "bubble-sources" not in bubble


# ---------------------------------------------------------------- the sources panel


def test_the_panel_glosses_each_non_english_quote_and_says_it_is_not_a_translation(articles):
    html = render_sources(records(), articles)
    english, arabic = html.split('id="source-2"')
    assert GLOSS_LABEL not in english
    assert GLOSS_LABEL == "Word-by-word dictionary gloss (not a translation)"
    gloss = arabic.split('<div class="gloss" dir="ltr" lang="en">', 1)[1]
    assert gloss.startswith(f'<div class="gloss-label">{GLOSS_LABEL}</div>') and AR_GLOSS in gloss
    assert arabic.index("</blockquote>") < arabic.index(GLOSS_LABEL) < arabic.index("Open the whole article")


def test_an_english_citation_with_a_gloss_shows_none(articles):
    answer = records()
    answer.citations[0].gloss = "should not show"
    assert "should not show" not in render_sources(answer, articles) + render_bubble(answer)


# ---------------------------------------------------------------- the status line


def test_the_status_says_the_quotes_were_found_word_for_word_not_that_they_are_verified(tmp_path):
    status = render_status(records(), make_settings(tmp_path))
    assert "2 quotes found word for word in the articles (2 articles)" in status
    assert "verified" not in status
    one = records()
    one.citations = one.citations[:1]
    status = render_status(one, make_settings(tmp_path))
    assert "1 quote found word for word in the articles (1 article)" in status


def test_the_loading_status_says_what_is_loading_and_for_how_long():
    status = render_loading_status("opening <the> index", 3.4)
    assert "Loading the index and models" in status and "opening &lt;the&gt; index… 3 s" in status
    assert 'role="status"' in status and "Ready" not in status


# ---------------------------------------------------------------- the Index tab


def test_index_tab_messages_are_escaped():
    assert "&lt;x&gt;.txt" in render_uploads(True, ["<x>.txt"], [])
    uploads = render_uploads(True, [], [("a<b>.exe", "only .txt and .md")])
    assert "Not added" in uploads and "a&lt;b&gt;.exe" in uploads
    assert "No file was uploaded" in render_uploads(False, [], [])
    report = render_build_report(BuildReport(documents=5, chunks=40, skipped=[("<bad>.txt", "empty")]))
    assert "Indexed 5 articles, 40 passages" in report and "&lt;bad&gt;.txt" in report
    assert "turned off" in render_admin_off() and 'role="note"' in render_admin_off()


def test_a_model_answers_low_confidence_is_shown_with_its_reason(fast_settings):
    from rag.schema import LLM, LOW, Answer
    from rag.ui.render import render_status

    answer = Answer(text="It had 50 members [1].", citations=[], abstained=False, passages=[], mode=LLM,
                    confidence=LOW, confidence_reason="the best sentence holds 0.20 of the question")
    html = render_status(answer, fast_settings)
    assert 'class="confidence low"' in html and "holds 0.20 of the question" in html
