"""The window's controls as users of chat windows expect them, in headless Chromium: Stop and Regenerate with a
chat model writing, New conversation and the conversations in a sidebar, the last conversation back after a
reload, errors beside the question box, the newest answer in view, Delete asked first, the Index tab on a phone.

The chat model is a scripted OpenAI-compatible endpoint on loopback (tests/servers.py) that writes one word
at the pace the test sets: no real model writes slowly, or a cited answer, on demand.
"""

from __future__ import annotations

import json
import time

import pytest

from rag.ingest.build import build_index
from tests.conftest import copy_corpus, make_settings
from tests.e2e.test_ui_browser import (  # noqa: F401 - browser is a fixture used here
    ARTIFACTS,
    CHROMIUM,
    PHONE,
    PROBABILITY,
    TIMEOUT_MS,
    ask,
    box,
    browser,
    open_page,
    ready,
    ready_page,
    serve,
)
from tests.servers import DONE, chunk, fake_endpoint, start_stream

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]

WINDOW = {"width": 1280, "height": 900}
MEMO = "Hvem har forladt Meta?"
ANSWER_WORDS = ["The ", "Probability ", "team ", "had ", "50 ", "members ", "[1]", "."]
FAST_S = 0.02  # seconds between two words the endpoint writes, normally
SLOW_S = 1.0  # while a test wants an answer still running when it presses Stop
RUNNING_S = 3  # how long an answer runs before Stop is pressed, as a user did
WITHIN_S = 0.5  # how soon after Stop the next question is asked (the report: within 2 s)
NEXT_TO_PX = 24  # an error under the question box starts at most this far below it
SETTLE_MS = 400  # for the buttons' fade back in to end before a screenshot


class Pace:
    """How fast the scripted endpoint writes, set by each test."""

    seconds = FAST_S


def writes_slowly(handler) -> None:
    """A cited answer, one word every Pace.seconds, streamed as an OpenAI-compatible endpoint does."""
    start_stream(handler)
    for word in ANSWER_WORDS:
        time.sleep(Pace.seconds)
        handler.wfile.write(chunk(word))
        handler.wfile.flush()
    handler.wfile.write(DONE)
    handler.wfile.flush()


@pytest.fixture(scope="module")
def endpoint():
    with fake_endpoint(writes_slowly) as (url, seen):
        yield url, seen


@pytest.fixture(scope="module")
def url(tmp_path_factory, endpoint):
    tmp = tmp_path_factory.mktemp("controls")
    settings = make_settings(tmp, copy_corpus(tmp), llm_base_url=endpoint[0], llm_model="scripted",
                             llm_timeout=60.0, llm_retries=0, library_dir=tmp / "data" / "articles",
                             feedback_file=tmp / "data" / "feedback.jsonl")
    build_index(settings)
    app, address = serve(settings)
    try:
        yield address
    finally:
        app.close()


@pytest.fixture(autouse=True)
def fast_again():
    Pace.seconds = FAST_S
    yield
    Pace.seconds = FAST_S


@pytest.fixture
def page(browser, url):
    yield from ready_page(browser, url, WINDOW)


@pytest.fixture
def phone(browser, url):
    yield from ready_page(browser, url, PHONE)


def shot(page, name: str) -> None:
    """What the screen shows (not the whole page): the screenshots a user would see."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def asked(seen: list[dict]) -> str:
    """The last prompt the endpoint was sent, as text."""
    body = json.loads(seen[-1]["body"])
    return json.dumps(body.get("messages") or body.get("prompt"), ensure_ascii=False)


def _start_slow_answer(page, question: str) -> None:
    """Ask `question` and let its answer run for RUNNING_S seconds, as the user did before pressing Stop."""
    from playwright.sync_api import expect

    Pace.seconds = SLOW_S
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    expect(page.locator("#stop")).to_be_visible()
    page.wait_for_timeout(RUNNING_S * 1000)


def test_stop_shows_only_while_an_answer_runs_keeps_the_question_and_the_next_one_goes_through(page):
    from playwright.sync_api import expect

    stop = page.locator("#stop")
    expect(stop).to_be_hidden()  # no permanent Stop bar while nothing runs
    _start_slow_answer(page, MEMO)
    assert box(stop)["width"] < WINDOW["width"] / 4, "Stop is a bar across the window"
    stop.click()
    expect(page.locator("#status")).to_contain_text("Stopped")
    expect(stop).to_be_hidden()
    expect(page.locator("#question textarea")).to_have_value(MEMO)  # the stopped question kept in the box
    expect(page.locator("#ask")).to_be_enabled()

    Pace.seconds = FAST_S
    page.wait_for_timeout(WITHIN_S * 1000)
    ask(page, PROBABILITY)  # the next question goes through at once
    expect(page.locator("#chat .question")).to_have_count(1)
    expect(page.locator("#chat .question").last).to_have_text(PROBABILITY)
    expect(page.locator("#chat .answer-body")).to_have_count(1)
    expect(page.locator("#chat .answer-body").last).to_contain_text("50")
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # no red badge over the chat
    expect(stop).to_be_hidden()


def test_regenerate_after_stop_asks_the_stopped_question_not_the_previous_one(page, endpoint):
    from playwright.sync_api import expect

    ask(page, PROBABILITY)
    _start_slow_answer(page, MEMO)
    page.click("#stop")
    expect(page.locator("#status")).to_contain_text("Stopped")
    Pace.seconds = FAST_S
    page.click("#regenerate")
    expect(page.locator("#sources .sources-head q")).to_have_text(MEMO, timeout=TIMEOUT_MS)
    expect(page.locator("#status")).to_contain_text("Answered by", timeout=TIMEOUT_MS)
    assert MEMO in asked(endpoint[1])
    questions = page.locator("#chat .question")
    expect(questions).to_have_count(2)  # the first answer kept, the stopped question answered after it
    expect(questions.first).to_have_text(PROBABILITY)
    expect(questions.last).to_have_text(MEMO)


def test_at_a_phone_width_stop_is_a_small_button_shown_only_while_an_answer_runs(phone):
    from playwright.sync_api import expect

    stop, ask_button = phone.locator("#stop"), phone.locator("#ask")
    expect(stop).to_be_hidden()
    expect(ask_button).to_be_visible()
    _start_slow_answer(phone, MEMO)
    assert box(stop)["width"] < PHONE["width"] / 2, "Stop is a bar across the phone"
    question = box(phone.locator("#question"))
    assert abs(box(stop)["y"] - question["y"]) < question["height"], "not on the question's line"
    assert box(stop)["x"] + box(stop)["width"] <= PHONE["width"], "cut off at the edge"
    shot(phone, "ui-phone-stop.png")
    stop.click()
    expect(stop).to_be_hidden()
    expect(ask_button).to_be_visible()
    expect(phone.locator("#question textarea")).to_have_value(MEMO)


def test_new_conversation_and_the_conversations_are_in_view_at_the_top_on_a_desktop(page):
    from playwright.sync_api import expect

    new = page.locator("#new-conversation")
    expect(new).to_be_visible()  # not folded away in the search settings
    assert box(new)["y"] < WINDOW["height"] / 4
    ask(page, PROBABILITY)
    listing = page.locator("#conversations")
    expect(listing).to_be_visible()
    expect(listing).to_contain_text(PROBABILITY)
    assert box(listing)["y"] < WINDOW["height"] / 2
    assert box(listing)["x"] + box(listing)["width"] <= box(page.locator("#chat"))["x"], "not beside the chat"

    new.click()
    expect(page.locator("#chat .answer-body")).to_have_count(0)
    expect(page.locator("#question textarea")).to_be_focused()
    listing.get_by_text(PROBABILITY).click()  # the list reopens it in one click
    expect(page.locator("#chat .answer-body")).to_have_count(1)


def test_the_last_conversation_is_back_after_a_reload(page):
    from playwright.sync_api import expect

    ask(page, MEMO)
    page.reload()
    page.wait_for_selector("#question textarea")
    expect(page.locator("#chat .question").last).to_have_text(MEMO)
    expect(page.locator("#chat .answer-body")).to_have_count(1)
    expect(page.locator('#sources .source[data-source="003_d6d766e19608138f.txt"]').first).to_be_visible()
    expect(page.locator("#conversations")).to_contain_text(MEMO)


def test_an_error_shows_right_under_the_question_box(page):
    from playwright.sync_api import expect

    page.click("#ask")
    status = page.locator("#status")
    expect(status).to_contain_text("Please type a question", timeout=TIMEOUT_MS)
    expect(status).to_be_in_viewport()
    question = box(page.locator("#question"))
    error = box(status)
    assert 0 <= error["y"] - (question["y"] + question["height"]) <= NEXT_TO_PX, (question, error)
    assert error["x"] < question["x"] + question["width"] and question["x"] < error["x"] + error["width"]


def test_after_new_conversation_the_next_answer_is_in_view(phone):
    from playwright.sync_api import expect

    expect(phone.locator("#conversations")).not_to_be_in_viewport()  # the sidebar would cover the chat
    ask(phone, PROBABILITY)
    ask(phone, MEMO)
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # as after reading the sources below
    phone.locator("#new-conversation").click()
    expect(phone.locator("#chat .answer-body")).to_have_count(0)
    expect(phone.locator("#question textarea")).to_be_in_viewport()
    ask(phone, PROBABILITY)
    expect(phone.locator("#chat .answer-body").last).to_be_in_viewport()
    expect(phone.locator("#chat .question").last).to_be_in_viewport()


def test_on_a_phone_the_conversations_open_from_the_top_and_close_once_one_is_chosen(phone):
    from playwright.sync_api import expect

    ask(phone, MEMO)
    phone.click("#new-conversation")
    expect(phone.locator("#chat .answer-body")).to_have_count(0)
    phone.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    toggle = phone.get_by_label("Toggle Sidebar")
    assert box(toggle)["y"] < PHONE["height"] / 8  # at the top of the screen
    toggle.click()
    listing = phone.locator("#conversations")
    expect(listing).to_be_in_viewport()
    listing.get_by_text(MEMO).click()
    expect(phone.locator("#chat .answer-body")).to_have_count(1)
    expect(listing).not_to_be_in_viewport()  # the chat is not left covered
    expect(phone.locator("#chat .question").last).to_be_in_viewport()


def test_delete_asks_first_and_only_the_confirmed_delete_deletes(page):
    from playwright.sync_api import expect

    ask(page, MEMO)
    listing = page.locator("#conversations")
    expect(listing).to_contain_text(MEMO)
    page.click("#delete-conversation")
    confirm = page.locator("#confirm-delete")
    expect(confirm).to_be_visible()
    expect(page.locator("#delete-question")).to_contain_text(MEMO)
    page.click("#cancel-delete")
    expect(confirm).to_be_hidden()
    expect(listing).to_contain_text(MEMO)  # nothing deleted yet
    expect(page.locator("#chat .answer-body")).to_have_count(1)

    page.click("#delete-conversation")
    page.click("#confirm-delete")
    expect(page.locator("#status")).to_contain_text("Deleted")
    expect(listing).not_to_contain_text(MEMO)
    expect(page.locator("#chat .answer-body")).to_have_count(0)


# Why the table is not whole on the screen, or None: wider than the screen, it must sit in a box the user can
# scroll sideways (a box with overflow hidden cuts it off for a finger, even if a script can scroll it).
CUT_OFF = """table => {
  if (table.getBoundingClientRect().right <= window.innerWidth) return null;
  for (let el = table.parentElement; el; el = el.parentElement) {
    if (el.scrollWidth > el.clientWidth + 1) {
      const overflow = getComputedStyle(el).overflowX;
      return ["auto", "scroll"].includes(overflow) ? null : `cut off by ${el.tagName}.${el.className} (${overflow})`;
    }
  }
  return "the page scrolls sideways";
}"""


def test_the_index_table_is_whole_on_a_phone(phone):
    from playwright.sync_api import expect

    phone.get_by_role("tab", name="Index").click()
    table = phone.locator("#index-info table")
    expect(table).to_be_visible()
    assert table.evaluate(CUT_OFF) is None, table.evaluate(CUT_OFF)
    wide = phone.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the whole page scrolls sideways ({wide} px)"
    last_header = table.locator("th").last
    expect(last_header).to_have_text("Passages")
    last_header.scroll_into_view_if_needed()
    header = box(last_header)
    assert 0 <= header["x"] and header["x"] + header["width"] <= PHONE["width"], header
    shot(phone, "ui-phone-index.png")


def test_screenshots_of_the_window_with_an_answer_at_both_sizes(page, phone):
    """docs/window.png and docs/window-phone.png: the offline answer that "Run it" gives, with its sources."""
    from playwright.sync_api import expect

    for view, name in ((page, "window.png"), (phone, "window-phone.png")):
        settings = view.get_by_text("Search settings: passages, article, language, answer mode")
        settings.click()
        view.get_by_label("Offline extractive (quotes only)").check()
        settings.click()
        ask(view, PROBABILITY)
        expect(view.locator("#chat .answer-body .answer-short").last).to_have_text("50 members")
        expect(view.locator("#status")).to_contain_text("offline extractive")
        expect(view.locator("#sources .source-passage mark.quote").first).to_contain_text("50 members")
        if view is page:  # choosing the mode scrolled the page: the header back in view, as at the start
            view.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        view.wait_for_timeout(SETTLE_MS)
        shot(view, name)
