"""The chat window in headless Chromium: loading, asking, quotes, the article, Arabic, upload, phone width.

Screenshots go to tests/e2e/artifacts/ (git-ignored).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import rag.ui.session as session
from rag.assistant import Assistant
from rag.ingest.build import build_index
from tests.conftest import copy_corpus, free_port, make_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 90_000
PROBABILITY = "How many people were on the Probability team?"
ARABIC = "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟"
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
# At a phone's width the first quote of an answer must be on the same screen as the answer's start.
QUOTE_WITHIN_PX = 400
GATE_S = 60  # how long a gated step waits for the test to let it through

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]

ZORBLAX = """Zorblax Robotics to hire 321 engineers in Aarhus

The warehouse-robot maker Zorblax Robotics said on Monday that it will hire 321 engineers over the next year for its new research centre in Aarhus.
Chief executive Mira Quell said the new engineers will work on grippers and navigation software.
The company, founded in 2019, currently employs 90 people.
"""


def serve(settings):
    """The app for `settings` on a free loopback port, not blocking: (app, url)."""
    from rag.ui.app import build_app

    app = build_app(settings)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                           quiet=True)
    return app, url


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """Settings over a writable copy of the corpus with a fresh index."""
    tmp = tmp_path_factory.mktemp("ui-browser")
    settings = make_settings(tmp, copy_corpus(tmp))
    build_index(settings)
    return settings


@pytest.fixture(scope="module")
def served(indexed):
    """The app over the writable corpus: (url, corpus folder)."""
    app, url = serve(indexed)
    try:
        yield url, indexed.corpus_dir
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, viewport: dict):
    """A fresh browser context at `url`, once the question box is there: (context, page)."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return context, page


def ready(page) -> None:
    """Wait until the index and models are loaded (the status says so)."""
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_contain_text("Ready", timeout=TIMEOUT_MS)


def ready_page(browser, url: str, viewport):
    """A page of the window at that viewport, once it says it is ready; its context closed afterwards."""
    context, page = open_page(browser, url, viewport)
    ready(page)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, served):
    yield from ready_page(browser, served[0], DESKTOP)


@pytest.fixture
def phone(browser, served):
    yield from ready_page(browser, served[0], PHONE)


@pytest.fixture
def gated_answers(monkeypatch):
    """Every answer waits until the test sets the returned event."""
    gate = threading.Event()
    original = Assistant.ask_stream

    def gated(self, *args, **kwargs):
        assert gate.wait(GATE_S), "the test never let the answer through"
        yield from original(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask_stream", gated)
    try:
        yield gate
    finally:
        gate.set()


def shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def box(page):
    """The bounding box of the element `page` (a locator) as a dict: x, y, width, height."""
    found = page.bounding_box()
    assert found, "not rendered"
    return found


def ask(page, question: str) -> None:
    """Type the question, send it, and wait until its answer and sources are in the window."""
    from playwright.sync_api import expect

    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    # The panel names the question answered (a follow-up offline is asked with the previous question).
    expect(page.locator("#sources .sources-head q")).to_contain_text(question, timeout=TIMEOUT_MS)
    expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)
    expect(page.locator("#ask")).to_be_enabled()


def test_answer_with_quotes_and_the_quote_opened_in_its_article(page, served):
    from playwright.sync_api import expect

    ask(page, PROBABILITY)
    answer = page.locator("#chat .answer-body").last
    expect(answer).to_contain_text("50")
    expect(answer.locator(".answer-short strong")).to_have_text("50 members")  # the short answer first
    assert "””" not in answer.inner_text()
    # Wide: the sources sit in the panel beside the chat, and the bubble points there.
    expect(page.locator("#chat .answer-sources").last).to_contain_text("quotes in the panel →")
    expect(page.locator("#chat .bubble-sources").last).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("1 quote found word for word in the articles")
    card = page.locator('#sources .source[data-source="000_e4361c01c8850e8e.txt"]').first
    expect(card).to_be_visible()
    expect(card.locator(".source-meta").first).to_contain_text("English")
    expect(card.locator(".source-passage mark.quote")).to_contain_text("50")
    expect(page.locator("#status")).to_contain_text("offline extractive")
    shot(page, "ui-answer.png")

    # Open the whole article: it shows, with the quote marked, down to its last line.
    card.locator("details.source-article summary").click()
    article = card.locator(".article-text")
    expect(article).to_be_visible()
    quote = article.locator("mark.quote")
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("50 members")
    last_line = [line for line in (served[1] / "000_e4361c01c8850e8e.txt").read_text(encoding="utf-8")
                 .splitlines() if line.strip()][-1].strip()
    assert last_line[:40].replace("\xa0", " ") in article.inner_text().replace("\xa0", " ")
    quote.scroll_into_view_if_needed()
    shot(page, "ui-article.png")

    # An empty question is a readable message in the status line, not a turn glued to the last answer.
    page.click("#ask")
    expect(page.locator("#status")).to_contain_text("Please type a question", timeout=TIMEOUT_MS)
    expect(page.locator("#chat")).not_to_contain_text("Please type a question")
    expect(page.locator("#chat .answer-body")).to_have_count(1)
    assert "Traceback" not in page.inner_text("body")


def test_arabic_answer_and_quote_render_right_to_left(page):
    from playwright.sync_api import expect

    ask(page, ARABIC)
    card = page.locator('#sources .source[data-source="001_11aa8dc79ed4b7a5.txt"]').first
    expect(card).to_be_visible()
    expect(card.locator("mark.quote").first).to_contain_text("600")
    gloss = card.locator(".gloss")
    expect(gloss.locator(".gloss-label")).to_have_text("Word-by-word dictionary gloss (not a translation)")
    expect(gloss.locator(".gloss-text")).to_contain_text("600")
    assert box(gloss)["y"] > box(card.locator(".source-passage"))["y"]  # under the quote
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("#chat .answer-body").last.evaluate(direction) == "rtl"
    assert card.locator(".source-passage").evaluate(direction) == "rtl"
    assert page.locator("#chat .question").last.evaluate(direction) == "rtl"
    shot(page, "ui-arabic.png")


# Where the ellipsis Gradio appends to a long example question sits, against the words before it.
ELLIPSIS_SIDE = """chip => {
  const text = chip.firstChild, n = text.textContent.length, range = document.createRange();
  range.setStart(text, n - 3); range.setEnd(text, n);
  const ellipsis = range.getBoundingClientRect();
  range.setStart(text, n - 8); range.setEnd(text, n - 3);
  const before = range.getBoundingClientRect();
  return {truncated: text.textContent.endsWith("..."), ellipsisX: ellipsis.x, beforeX: before.x};
}"""


def test_the_arabic_example_ends_with_its_ellipsis_on_the_left(page):
    chip = page.locator("#examples").get_by_text("كم عدد", exact=False).first
    side = chip.evaluate(ELLIPSIS_SIDE)
    assert side["truncated"], "Gradio no longer cuts long examples; drop this test"
    assert side["ellipsisX"] < side["beforeX"], side  # right to left: the cut end is on the left


def test_example_question_is_answered_on_click(page):
    from playwright.sync_api import expect

    page.get_by_text("Hvem har forladt Meta?", exact=True).click()
    expect(page.locator("#sources .sources-head q")).to_have_text("Hvem har forladt Meta?", timeout=TIMEOUT_MS)
    expect(page.locator('#sources .source[data-source="003_d6d766e19608138f.txt"]').first).to_be_visible()
    expect(page.locator("#sources .source-meta").first).to_contain_text("Danish")

    # A second question, then a click on the first answer brings its sources back into the panel.
    ask(page, "How many people were on the Probability team?")
    expect(page.locator('#sources .source[data-source="000_e4361c01c8850e8e.txt"]').first).to_be_visible()
    page.locator("#chat .answer-body").first.click()
    expect(page.locator('#sources .source[data-source="003_d6d766e19608138f.txt"]').first).to_be_visible()

    # The chat's own bin button starts a new conversation: no old turns come back with the next answer,
    # and a question being typed stays in the box (the chat empties in the browser before the reply).
    page.fill("#question textarea", "Hvem har forladt Meta?")
    page.locator("#chat").get_by_label("Clear").first.click()
    expect(page.locator("#chat .answer-body")).to_have_count(0)
    expect(page.locator("#sources .sources-head")).to_have_count(0)  # the server's reply has arrived
    expect(page.locator("#question textarea")).to_have_value("Hvem har forladt Meta?")
    ask(page, "Hvem har forladt Meta?")
    expect(page.locator("#chat .answer-body")).to_have_count(1)
    expect(page.locator("#sources .sources-head q")).to_have_text("Hvem har forladt Meta?")


def test_uploaded_article_is_indexed_and_cited(page, served, tmp_path):
    from playwright.sync_api import expect

    article = tmp_path / "zorblax_robotics.txt"
    article.write_text(ZORBLAX, encoding="utf-8")
    page.get_by_role("tab", name="Index").click()
    expect(page.locator("#index-info")).to_contain_text("000_e4361c01c8850e8e.txt")
    page.locator("#upload input[type=file]").set_input_files(str(article))
    expect(page.locator("#upload-result")).to_contain_text("Indexed 6 articles", timeout=TIMEOUT_MS)
    expect(page.locator("#index-info")).to_contain_text("zorblax_robotics.txt")
    assert (served[1] / "zorblax_robotics.txt").read_text(encoding="utf-8") == ZORBLAX
    shot(page, "ui-index.png")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many engineers will Zorblax Robotics hire?")
    card = page.locator('#sources .source[data-source="zorblax_robotics.txt"]').first
    expect(card).to_be_visible()
    expect(card.locator(".source-passage mark.quote")).to_contain_text("321")
    expect(page.locator("#chat .answer-body").last).to_contain_text("321")
    shot(page, "ui-upload-answer.png")


def test_the_ask_button_is_disabled_and_the_box_cleared_while_a_question_runs(page, gated_answers):
    from playwright.sync_api import expect

    answers = page.locator("#chat .answer-body")
    before = answers.count()
    page.fill("#question textarea", PROBABILITY)
    page.click("#ask")
    expect(page.locator("#ask")).to_be_disabled()
    expect(page.locator("#question textarea")).to_have_value("")
    expect(page.locator("#chat .question").last).to_have_text(PROBABILITY)
    page.locator("#ask").click(force=True)  # a second click while it runs asks nothing
    gated_answers.set()
    expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)
    expect(page.locator("#ask")).to_be_enabled()
    expect(answers).to_have_count(before + 1)
    expect(answers.last).to_contain_text("50 members")
    expect(page.locator("#question textarea")).to_have_value("")  # not given back after an answer


def test_a_failed_answer_gives_the_question_back_to_the_box(page, monkeypatch):
    from playwright.sync_api import expect

    def fails(self, *args, **kwargs):
        raise RuntimeError("the disk went away")
        yield  # a generator, like the real one

    monkeypatch.setattr(Assistant, "ask_stream", fails)
    page.fill("#question textarea", PROBABILITY)
    page.click("#ask")
    expect(page.locator("#status")).to_contain_text("the disk went away", timeout=TIMEOUT_MS)
    expect(page.locator("#question textarea")).to_have_value(PROBABILITY)
    expect(page.locator("#ask")).to_be_enabled()


def test_the_first_question_right_after_start_shows_loading_progress_then_its_answer(browser, indexed,
                                                                                     monkeypatch):
    from playwright.sync_api import expect

    gate = threading.Event()

    class SlowToLoad(Assistant):
        """The index and models taking as long as the test wants."""

        def __init__(self, *args, **kwargs):
            assert gate.wait(GATE_S), "the test never let the loading finish"
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(session, "Assistant", SlowToLoad)
    app, url = serve(indexed)
    context, page = open_page(browser, url, DESKTOP)
    try:
        expect(page.locator("#status")).to_contain_text("Loading the index and models")
        expect(page.locator("#status")).to_contain_text("opening the index")
        page.fill("#question textarea", PROBABILITY)
        page.keyboard.press("Enter")
        expect(page.locator("#ask")).to_be_disabled()
        expect(page.locator("#question textarea")).to_have_value("")
        expect(page.locator("#status")).to_contain_text("Loading the index and models")  # still, not "Ready"
        gate.set()
        expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)
        expect(page.locator("#chat .answer-body").last).to_contain_text("50 members")
        expect(page.locator("#ask")).to_be_enabled()
    finally:
        gate.set()
        context.close()
        app.close()


# Whether the element itself is what shows at its top left corner (no label or button over it).
UNCOVERED = """el => {
  const r = el.getBoundingClientRect();
  return !!document.elementFromPoint(r.left + 4, r.top + 4).closest(".answer-body");
}"""


def test_at_a_phone_width_each_answer_has_its_sources_right_under_it(phone):
    from playwright.sync_api import expect

    ask(phone, PROBABILITY)
    answer = phone.locator("#chat .answer-body").last
    expect(answer).to_contain_text("50 members")
    quote = answer.locator(".answer-quote").first
    sources = phone.locator("#chat .bubble-sources").last
    expect(sources).to_be_visible()
    expect(sources.locator(".bubble-source").first).to_contain_text("000_e4361c01c8850e8e.txt")
    top = box(answer)["y"]
    assert 0 <= box(quote)["y"] - top < QUOTE_WITHIN_PX
    gap = box(sources)["y"] - (top + box(answer)["height"])
    assert 0 <= gap < 40, gap  # the sources follow the answer, not the panel far below the chat
    assert box(phone.locator("#sources"))["y"] > box(sources)["y"] + box(sources)["height"]

    # The answer's question is brought to the top of the screen, the answer and its sources under it.
    question = phone.locator("#chat .question").last
    assert 0 <= box(question)["y"] < PHONE["height"] / 4
    assert box(sources)["y"] < PHONE["height"]

    # No pointer to a panel that is not beside the chat, no label over the answer, collapsible sources.
    expect(phone.locator("#chat .answer-sources").last).to_be_hidden()
    expect(phone.get_by_text("Conversation", exact=True)).to_have_count(0)
    assert answer.evaluate(UNCOVERED), "something covers the first line of the answer"
    shot(phone, "ui-phone.png", full_page=False)  # what the phone shows after the answer
    shot(phone, "ui-phone-full.png")
    sources.locator("summary").click()
    expect(sources.locator(".bubble-source").first).to_be_hidden()
