"""The chat window people come back to, in headless Chromium: feedback, kept conversations, regenerate, stop,
search only, and the Index tab (PDF and Word uploads answered from, preview, delete).

The window here follows the bundled articles inside the package, as `rag ui` does by default: every
upload and deletion must land in the library folder (a temporary user data folder), never in the package.
"""

from __future__ import annotations

import json
import time

import pytest

from rag.ingest.build import build_index
from rag.settings import BUNDLED_CORPUS
from tests.conftest import make_settings
from tests.e2e.test_ui_browser import (  # noqa: F401 - browser and gated_answers are fixtures used here
    CHROMIUM, DESKTOP, PROBABILITY, TIMEOUT_MS, ask, browser, gated_answers, open_page, ready, serve, shot,
)
from tests.unit.test_documents import make_docx, make_pdf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]

PDF_FACT = "Quillon Dynamics will open a drone factory in Esbjerg with 412 workers."
DOCX_FACT = "Varnholt Biotech raised 77 million euros for its enzyme research in Odense."
FILE_WAIT_S = 20


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    """Settings over the bundled articles (in the package), the window's own files in a temporary folder."""
    tmp = tmp_path_factory.mktemp("window")
    settings = make_settings(tmp, BUNDLED_CORPUS, library_dir=tmp / "data" / "articles",
                             deleted_dir=tmp / "data" / "deleted", feedback_file=tmp / "data" / "feedback.jsonl")
    build_index(settings)
    return settings


@pytest.fixture(scope="module")
def url(window):
    app, address = serve(window)
    try:
        yield address
    finally:
        app.close()


@pytest.fixture
def page(browser, url):
    context, page = open_page(browser, url, DESKTOP)
    ready(page)
    try:
        yield page
    finally:
        context.close()


def _lines(path, count: int) -> list[dict]:
    """The feedback file's records once it has `count` of them (the click is answered asynchronously)."""
    deadline = time.monotonic() + FILE_WAIT_S
    while time.monotonic() < deadline:
        if path.exists():
            lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if len(lines) >= count:
                return lines
        time.sleep(0.2)
    raise AssertionError(f"{path} did not get {count} feedback lines")


def test_a_rating_is_one_line_per_answer_a_switch_replaces_it_and_a_second_click_takes_it_back(page, window):
    from playwright.sync_api import expect

    ask(page, PROBABILITY)
    page.fill("#feedback-comment textarea", "Right figure, good quote")
    page.locator("#chat").get_by_label("Like", exact=True).last.click()
    expect(page.locator("#status")).to_contain_text("Feedback saved with your comment")
    expect(page.locator("#feedback-comment textarea")).to_have_value("")
    (line,) = _lines(window.feedback_file, 1)
    assert line["rating"] == "up" and line["comment"] == "Right figure, good quote"
    assert line["question"] == PROBABILITY and line["short"] == "50 members"
    assert line["citations"][0]["source"] == "000_e4361c01c8850e8e.txt" and "50" in line["citations"][0]["quote"]
    assert line["settings"]["top_k"] == window.top_k and line["mode"] == "offline"

    page.locator("#chat").get_by_label("Dislike", exact=True).last.click()  # a switch replaces the line
    expect(page.locator("#status")).to_contain_text("not useful")
    (down,) = _lines(window.feedback_file, 1)
    assert down["rating"] == "down" and down["comment"] == "" and down["answer_id"] == line["answer_id"]

    page.locator("#chat").get_by_label("Disliked", exact=True).last.click()  # clicked again: taken back
    expect(page.locator("#status")).to_contain_text("taken back")
    assert window.feedback_file.read_text(encoding="utf-8").strip() == ""


def test_a_conversation_survives_a_reload_and_is_reopened_renamed_and_deleted(page):
    from playwright.sync_api import expect

    question = "Hvem har forladt Meta?"
    ask(page, question)
    page.reload()
    page.wait_for_selector("#question textarea")
    ready(page)
    expect(page.locator("#chat .question").last).to_have_text(question)  # back as it was left
    page.click("#new-conversation")
    expect(page.locator("#chat .answer-body")).to_have_count(0)
    listing = page.locator("#conversations")  # in the sidebar, in view
    listing.get_by_text(question).first.click()
    expect(page.locator("#chat .question").last).to_have_text(question)
    expect(page.locator("#chat .answer-body")).to_have_count(1)
    expect(page.locator('#sources .source[data-source="003_d6d766e19608138f.txt"]').first).to_be_visible()
    shot(page, "ui-conversation-reopened.png")

    # A follow-up goes on in the reopened conversation, which is renamed, then deleted once confirmed.
    ask(page, PROBABILITY)
    expect(page.locator("#chat .answer-body")).to_have_count(2)
    page.fill("#conversation-name input", "Meta departures")
    page.click("#rename-conversation")
    expect(page.locator("#status")).to_contain_text("Renamed to “Meta departures”")
    page.click("#new-conversation")
    page.reload()
    page.wait_for_selector("#question textarea")
    option = listing.locator("label", has_text="Meta departures")
    expect(option).to_contain_text("2 questions")
    option.click()
    expect(page.locator("#chat .answer-body")).to_have_count(2)
    page.click("#delete-conversation")
    page.click("#confirm-delete")
    expect(page.locator("#status")).to_contain_text("Deleted “Meta departures”")
    expect(page.locator("#chat .answer-body")).to_have_count(0)
    page.reload()
    page.wait_for_selector("#question textarea")
    ready(page)
    expect(listing).not_to_contain_text("Meta departures")


def test_search_only_lists_passages_and_regenerate_answers_the_same_question_again(page):
    from playwright.sync_api import expect

    page.get_by_text("Search settings: passages, article, language, answer mode").click()
    page.get_by_label("Search only (list the passages, no answer)").check()
    page.fill("#question textarea", PROBABILITY)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Search only", timeout=TIMEOUT_MS)
    bubble = page.locator("#chat .answer-body").last
    expect(bubble).to_contain_text("passages found (search only, no answer)")
    expect(bubble.locator(".search-hit").first).to_contain_text("000_e4361c01c8850e8e.txt")
    expect(page.locator("#sources .source-passage").first).to_be_visible()
    expect(page.locator("#chat .answer-short")).not_to_contain_text("50 members")

    page.get_by_label("Offline extractive (quotes only)").check()
    page.click("#regenerate")
    expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)
    expect(page.locator("#chat .answer-body")).to_have_count(1)  # in place of the search, not after it
    expect(page.locator("#chat .answer-body").last).to_contain_text("50 members")


def test_stop_cancels_a_running_answer_and_gives_the_buttons_back(page, gated_answers):
    from playwright.sync_api import expect

    page.fill("#question textarea", PROBABILITY)
    page.click("#ask")
    expect(page.locator("#ask")).to_be_disabled()
    expect(page.locator("#chat")).to_contain_text("Searching the articles")
    page.click("#stop")
    expect(page.locator("#status")).to_contain_text("Stopped")
    expect(page.locator("#ask")).to_be_enabled()
    expect(page.locator("#chat .question")).to_have_count(0)
    gated_answers.set()  # answers go through from now on
    ask(page, PROBABILITY)  # the window answers the next question
    expect(page.locator("#chat .answer-body")).to_have_count(1)


def test_pdf_and_docx_uploads_are_answered_from_and_a_deleted_one_is_no_longer_cited(page, window, tmp_path):
    from playwright.sync_api import expect

    package_files = sorted(p.name for p in BUNDLED_CORPUS.iterdir())
    pdf = make_pdf(tmp_path / "quillon.pdf", ["Quillon builds in Esbjerg", PDF_FACT], title="Quillon in Esbjerg")
    word = make_docx(tmp_path / "varnholt.docx", "Varnholt raises money", "Funding news", [DOCX_FACT])
    page.get_by_role("tab", name="Index").click()
    page.locator("#upload input[type=file]").set_input_files([str(pdf), str(word)])
    expect(page.locator("#upload-result")).to_contain_text("Indexed 7 articles", timeout=TIMEOUT_MS)
    expect(page.locator("#upload-result")).to_contain_text(str(window.library_dir))
    assert {"quillon.pdf", "varnholt.docx"} <= {p.name for p in window.library_dir.iterdir()}
    assert sorted(p.name for p in BUNDLED_CORPUS.iterdir()) == package_files  # nothing written in the package

    # An upload named like an article, with another text, is refused and the message says why.
    clash = tmp_path / "clash" / "quillon.pdf"
    clash.parent.mkdir()
    make_pdf(clash, ["Another text", "Nothing about drones."])
    page.locator("#upload input[type=file]").set_input_files(str(clash))
    expect(page.locator("#upload-result")).to_contain_text("an article named quillon.pdf already exists")

    # Preview before deleting: title, size, first lines.
    page.locator("#document input").click()
    page.get_by_role("option", name="Quillon in Esbjerg (quillon.pdf)").click()
    preview = page.locator("#document-preview")
    expect(preview).to_contain_text("Quillon in Esbjerg")
    expect(preview).to_contain_text(f"{(window.library_dir / 'quillon.pdf').stat().st_size:,} bytes")
    expect(preview).to_contain_text(PDF_FACT)

    page.get_by_role("tab", name="Chat").click()
    for question, source, figure in [("How many workers will the Quillon Dynamics drone factory have?",
                                      "quillon.pdf", "412"),
                                     ("How much money did Varnholt Biotech raise?", "varnholt.docx", "77")]:
        ask(page, question)
        card = page.locator(f'#sources .source[data-source="{source}"]').first
        expect(card).to_be_visible()
        expect(card.locator(".source-passage mark.quote")).to_contain_text(figure)
    shot(page, "ui-pdf-docx-answer.png")

    page.get_by_role("tab", name="Index").click()
    page.locator("#document input").click()
    page.get_by_role("option", name="Quillon in Esbjerg (quillon.pdf)").click()
    page.click("#delete-document")
    expect(page.locator("#upload-result")).to_contain_text("Deleted quillon.pdf", timeout=TIMEOUT_MS)
    expect(page.locator("#upload-result")).to_contain_text("Indexed 6 articles", timeout=TIMEOUT_MS)
    expect(page.locator("#index-info")).not_to_contain_text("quillon.pdf")
    assert not (window.library_dir / "quillon.pdf").exists()
    assert list(window.deleted_dir.rglob("quillon.pdf"))  # moved aside, not destroyed

    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many workers will the Quillon Dynamics drone factory have?")
    expect(page.locator('#sources .source[data-source="quillon.pdf"]')).to_have_count(0)
    expect(page.locator("#chat .answer-body").last).not_to_contain_text("412")
