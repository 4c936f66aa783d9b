"""The chat window in headless Chromium: ask, read the quotes, open the article, Arabic, upload.

Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.build import build_index
from tests.conftest import copy_corpus, free_port, make_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 90_000

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


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app over a writable copy of the corpus with a fresh index: (url, corpus folder)."""
    from rag.ui.app import build_app

    tmp = tmp_path_factory.mktemp("ui-browser")
    corpus = copy_corpus(tmp)
    settings = make_settings(tmp, corpus)
    build_index(settings)
    app = build_app(settings)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                           quiet=True)
    try:
        yield url, corpus
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


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(served[0])
    page.wait_for_selector("#question textarea")
    try:
        yield page
    finally:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def ask(page, question: str) -> None:
    """Type the question, send it, and wait until its answer and sources are in the window."""
    from playwright.sync_api import expect

    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    # The panel names the question answered (a follow-up offline is asked with the previous question).
    expect(page.locator("#sources .sources-head q")).to_contain_text(question, timeout=TIMEOUT_MS)
    expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)


def test_answer_with_quotes_and_the_quote_opened_in_its_article(page, served):
    from playwright.sync_api import expect

    # An empty question is a readable message in the window, not a traceback.
    page.click("#ask")
    expect(page.locator("#chat")).to_contain_text("Please type a question", timeout=TIMEOUT_MS)
    expect(page.locator("#status")).to_contain_text("Please type a question")
    assert "Traceback" not in page.inner_text("body")

    ask(page, "How many people were on the Probability team?")
    answer = page.locator("#chat .answer-body").last
    expect(answer).to_contain_text("50")
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


def test_arabic_answer_and_quote_render_right_to_left(page):
    from playwright.sync_api import expect

    question = "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟"
    ask(page, question)
    card = page.locator('#sources .source[data-source="001_11aa8dc79ed4b7a5.txt"]').first
    expect(card).to_be_visible()
    expect(card.locator("mark.quote").first).to_contain_text("600")
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("#chat .answer-body").last.evaluate(direction) == "rtl"
    assert card.locator(".source-passage").evaluate(direction) == "rtl"
    assert page.locator("#chat .question").last.evaluate(direction) == "rtl"
    shot(page, "ui-arabic.png")


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

    # The chat's own bin button starts a new conversation: no old turns come back with the next answer.
    page.locator("#chat").get_by_label("Clear").first.click()
    expect(page.locator("#chat .answer-body")).to_have_count(0)
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
