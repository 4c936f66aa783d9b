"""The chat window without a browser: the "ask" API, the chat endpoint, warm-up, admin, uploads, main()."""

from __future__ import annotations

import shutil
import threading

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

import rag.ui.app as ui_app
import rag.ui.session as session
from rag.answer.cite import ArticleTexts
from rag.errors import IndexMissingError
from rag.ingest.build import BuildReport
from rag.ingest.load import decode
from rag.ingest.uploads import save_uploads
from rag.schema import Answer, Citation, Passage
from rag.ui.handlers import Handlers
from rag.ui.render import model_label, render_bubble, render_sources, render_status
from tests.conftest import copy_corpus, free_port, make_settings
from tests.servers import DONE, chunk, fake_endpoint, send_stream

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_SOURCE = "000_e4361c01c8850e8e.txt"


def launch(settings, admin: bool = True):
    """The app on a free loopback port, not blocking: (app, url)."""
    app = ui_app.build_app(settings, admin=admin)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                           quiet=True)
    return app, url


@pytest.fixture(scope="module")
def client(settings):
    app, url = launch(settings)
    try:
        yield Client(url, verbose=False, download_files=False)
    finally:
        app.close()


# ---------------------------------------------------------------- the "ask" API


def test_ask_api_returns_the_answer_and_its_citations_as_json(client):
    result = client.predict(question=PROBABILITY, api_name="/ask")
    assert isinstance(result, dict)
    assert {"text", "abstained", "mode", "citations", "notices"} <= set(result)
    assert result["abstained"] is False
    assert result["mode"] == "offline"
    assert result["text"]
    cited = [c for c in result["citations"] if c["source"] == PROBABILITY_SOURCE]
    assert cited, result["citations"]
    assert any("50" in c["quote"] for c in cited)
    assert all({"source", "title", "language", "quote"} <= set(c) for c in result["citations"])
    assert cited[0]["language"] == "en" and cited[0]["title"]


def test_ask_api_empty_question_is_a_readable_error_and_the_app_keeps_serving(client):
    with pytest.raises(AppError) as caught:
        client.predict(question="   ", api_name="/ask")
    message = str(caught.value)
    assert "question is empty" in message
    assert "Traceback" not in message and 'File "' not in message
    again = client.predict(question=PROBABILITY, top_k=3, language="en", api_name="/ask")
    assert again["citations"]


def test_ask_api_filters_by_article(client):
    result = client.predict(question=PROBABILITY, source="003_d6d766e19608138f.txt", api_name="/ask")
    assert all(c["source"] == "003_d6d766e19608138f.txt" for c in result["citations"])


# ---------------------------------------------------------------- the chat endpoint the window uses


def chat(client, question, top_k=5, article="", language="", mode="offline"):
    """The final (chatbot, question box, sources html, status html) of one streamed chat turn."""
    return client.predict(question, top_k, article, language, mode, api_name="/chat")


def test_chat_answers_with_sources_beside_it_and_follow_ups_carry_history(settings):
    app, url = launch(settings)
    try:
        client = Client(url, verbose=False, download_files=False)
        messages, box, sources, status = chat(client, PROBABILITY)
        assert box == ""
        assert messages[-2]["role"] == "user" and messages[-1]["role"] == "assistant"
        assert "50" in str(messages[-1]["content"])
        assert PROBABILITY_SOURCE in sources
        assert '<mark class="quote">' in sources and "<details" in sources
        marked = sources.split('<mark class="quote">', 1)[1].split("</mark>", 1)[0]
        assert "50" in marked
        assert "offline extractive" in status and " s " in status

        _, _, sources, _ = chat(client, "And who led it?")  # a follow-up in the same session
        assert PROBABILITY in sources  # the offline follow-up is asked together with the last question
    finally:
        app.close()


def test_chat_empty_question_is_a_status_message_not_a_turn_of_the_chat(settings):
    app, url = launch(settings)
    try:
        client = Client(url, verbose=False, download_files=False)
        before, *_ = chat(client, PROBABILITY)
        messages, box, _, status = chat(client, "   ")
        assert "Please type a question" in status and 'class="status error"' in status
        assert "Traceback" not in str(messages) + status
        assert messages == before  # not glued into the last answer's bubble
        assert box == "   "  # an error gives the box its text back
        after, *_ = chat(client, "And who led it?")
        assert "Please type a question" not in str(after)  # nor kept in the history
        assert len(after) == len(before) + 2
    finally:
        app.close()


def test_chat_empties_the_question_box_at_once_and_keeps_it_empty_after_the_answer(client):
    job = client.submit(PROBABILITY, 5, "", "", "offline", api_name="/chat")
    job.result(timeout=120)
    first, *_, last = job.outputs()
    assert first[1] == "" and "Searching the articles" in str(first[0][-1]["content"])
    assert PROBABILITY in str(first[0][-2]["content"])  # the question is in the chat while it is answered
    assert last[1] == "" and "50 members" in str(last[0][-1]["content"])


def test_chat_arabic_answer_is_right_to_left(client):
    _, _, sources, _ = chat(client, "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟")
    assert "001_11aa8dc79ed4b7a5.txt" in sources
    assert 'class="source-passage" dir="rtl" lang="ar"' in sources


def test_endpoint_down_is_a_notice_and_the_offline_answer_is_shown(settings):
    down = settings.model_copy(update={"llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
                                       "llm_model": "smollm2", "llm_timeout": 3.0, "llm_retries": 0})
    app, url = launch(down)
    try:
        client = Client(url, verbose=False, download_files=False)
        result = client.predict(question=PROBABILITY, mode="llm", api_name="/ask")
        assert result["mode"] == "fallback" and result["citations"]
        assert any("LLM" in n for n in result["notices"])
        messages, _, sources, status = chat(client, PROBABILITY, mode="llm")
        assert "fallback" in status and "smollm2 at 127.0.0.1" in status
        assert 'class="notices"' in status and "LLM" in status.split('class="notices"')[1]
        assert PROBABILITY_SOURCE in sources and "50" in str(messages[-1]["content"])
    finally:
        app.close()


def writes_a_cited_answer(handler) -> None:
    """An OpenAI-compatible endpoint that streams a correct, cited answer word by word."""
    words = ["The ", "Probability ", "team ", "had ", "50 ", "members ", "[1]", "."]
    send_stream(handler, [chunk(w) for w in words] + [DONE])


def test_llm_answers_stream_into_the_chat(settings):
    """Streamed through the real client and citation check; the scripted endpoint stands in for a good model,
    which SmolLM2 is not (it rarely writes [n]; test_llm.py drives the real one)."""
    with fake_endpoint(writes_a_cited_answer) as (endpoint, seen):
        llm = settings.model_copy(update={"llm_base_url": endpoint, "llm_model": "scripted"})
        app, url = launch(llm)
        try:
            client = Client(url, verbose=False, download_files=False)
            job = client.submit(PROBABILITY, 5, "", "", "llm", api_name="/chat")
            messages, _, sources, status = job.result(timeout=120)
        finally:
            app.close()
    assert seen, "the endpoint was never asked"
    partials = [str(out[0][-1]["content"]) for out in job.outputs() if "▌" in str(out[0][-1]["content"])]
    assert any("The Probability team" in p for p in partials), job.outputs()
    assert "the LLM <strong>scripted at 127.0.0.1" in status, status
    final = str(messages[-1]["content"])
    assert "▌" not in final and "50 members" in final and PROBABILITY_SOURCE in sources


def test_without_an_index_the_window_says_what_to_do(tmp_path):
    app, url = launch(make_settings(tmp_path))
    try:
        client = Client(url, verbose=False, download_files=False)
        messages, box, _, status = chat(client, PROBABILITY)
        assert "no index yet" in str(messages[-1]["content"]) and "Index tab" in status
        assert box == PROBABILITY  # an error gives the question back, to ask again
        with pytest.raises(AppError, match="no index yet"):
            client.predict(question=PROBABILITY, api_name="/ask")
    finally:
        app.close()


# ---------------------------------------------------------------- loading at start


class GatedAssistant:
    """Stands in for Assistant: loads only when the test opens the gate, records the questions asked."""

    gate = threading.Event()
    made: list[GatedAssistant] = []

    def __init__(self, settings):
        assert self.gate.wait(30), "the test never opened the gate"
        self.asked: list[tuple[str, dict]] = []
        self.made.append(self)

    def ask(self, question, **options):
        self.asked.append((question, options))


@pytest.fixture
def gated(monkeypatch):
    GatedAssistant.gate.clear()
    GatedAssistant.made.clear()
    monkeypatch.setattr(session, "Assistant", GatedAssistant)
    yield GatedAssistant
    GatedAssistant.gate.set()


def test_the_index_and_models_load_at_start_with_progress_in_the_status(gated, tmp_path):
    settings = make_settings(tmp_path)
    holder = session.AssistantHolder(settings)
    holder.start_warm_up(ui_app.EXAMPLES)
    status = Handlers(settings, holder, admin=True).status_until_warm()
    loading = next(status)
    assert "Loading the index and models" in loading and "opening the index" in loading
    assert "Ready" not in loading
    gated.gate.set()
    assert "Ready" in list(status)[-1]
    # Loaded once, and each example question answered offline once, so lazily loaded parts (the
    # embedding model, the dictionaries and tokenizers of each language) are loaded before "Ready".
    assert len(gated.made) == 1 and holder.get() is gated.made[0]
    assert gated.made[0].asked == [(q, {"mode": "offline"}) for q in ui_app.EXAMPLES]


def test_a_failed_load_says_why_in_the_status_and_the_next_question_tries_again(tmp_path):
    settings = make_settings(tmp_path)  # no index
    holder = session.AssistantHolder(settings)
    holder.start_warm_up(ui_app.EXAMPLES)
    assert holder.wait_until_warm(60)
    final = list(Handlers(settings, holder, admin=True).status_until_warm())[-1]
    assert "no index yet" in final and 'class="status error"' in final
    with pytest.raises(IndexMissingError):
        holder.get()


def test_the_window_starts_loading_when_built(gated, settings):
    app = ui_app.build_app(settings)
    try:
        assert not gated.made  # still loading: the gate is closed
        gated.gate.set()
        loaded = [fn for fn in app.fns.values() if getattr(fn.fn, "__name__", "") == "status_until_warm"]
        assert loaded and "Ready" in list(loaded[0].fn())[-1]
        assert len(gated.made) == 1 and len(gated.made[0].asked) == len(ui_app.EXAMPLES)
    finally:
        app.close()


# ---------------------------------------------------------------- admin actions


def test_without_admin_the_index_cannot_be_changed_and_the_tab_says_why(settings, tmp_path):
    corpus = copy_corpus(tmp_path)
    writable = make_settings(tmp_path, corpus)
    shutil.copytree(settings.index_dir, writable.index_dir)
    app, url = launch(writable, admin=False)
    try:
        props = {c["props"].get("elem_id"): c["props"] for c in app.config["components"]}
        assert props["rebuild"]["interactive"] is False and props["upload"]["visible"] is False
        assert props["index-admin-off"]["visible"] is True
        assert "turned off" in props["index-admin-off"]["value"]
        client = Client(url, verbose=False, download_files=False)
        with pytest.raises(AppError, match="turned off"):
            client.predict(api_name="/rebuild")
        upload = tmp_path / "note.txt"
        upload.write_text("Zorblax Robotics will hire 321 engineers.\n", encoding="utf-8")
        with pytest.raises(AppError, match="turned off"):
            client.predict([handle_file(str(upload))], api_name="/add_articles")
        assert {p.name for p in corpus.iterdir()} == {p.name for p in settings.corpus_dir.iterdir()}
        assert client.predict(question=PROBABILITY, api_name="/ask")["citations"]  # asking still works
    finally:
        app.close()


def test_with_admin_the_index_tab_has_no_notice(settings):
    app = ui_app.build_app(settings)
    try:
        props = {c["props"].get("elem_id"): c["props"] for c in app.config["components"]}
        assert props["rebuild"]["interactive"] is not False and props["upload"]["visible"] is not False
        assert props["index-admin-off"]["visible"] is False
    finally:
        app.close()


# ---------------------------------------------------------------- uploads


def test_upload_named_with_traversal_stays_in_the_corpus_folder(tmp_path):
    corpus = copy_corpus(tmp_path)
    upload = tmp_path / "incoming" / "note.txt"
    upload.parent.mkdir()
    upload.write_text("Zorblax Robotics will hire 321 engineers.\n", encoding="utf-8")
    for name in ["../evil.txt", "..\\..\\evil.txt", "/tmp/../../evil.txt", "sub/../../evil.txt"]:
        saved, rejected = save_uploads([(name, upload)], corpus, 1000)
        assert (saved, rejected) == (["evil.txt"], [])
    assert (corpus / "evil.txt").read_text(encoding="utf-8").startswith("Zorblax")
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "incoming"]


def test_upload_rejections_are_listed_with_a_reason(tmp_path):
    corpus = copy_corpus(tmp_path)
    good = tmp_path / "good.md"
    good.write_text("# A headline\n\nSome words.\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000, encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 binary")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    danish = tmp_path / "dansk.txt"
    danish.write_bytes("Æbler og østers på år.\n".encode("cp1252"))
    files = [("evil.exe", good), ("..", good), (".txt", good), big, binary, empty, good, danish]
    saved, rejected = save_uploads(files, corpus, 1000)
    assert saved == ["good.md", "dansk.txt"]
    reasons = dict(rejected)
    assert ".txt and .md" in reasons["evil.exe"]
    assert "name" in reasons[".."]
    assert "too large" in reasons["big.txt"]
    assert "not readable as text" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"]
    # Stored as UTF-8, as the loader reads it, so quotes from it verify against the file on disk.
    assert (corpus / "dansk.txt").read_text(encoding="utf-8") == decode(danish.read_bytes())
    assert not (corpus / "evil.exe").exists() and not (corpus / "big.txt").exists()


def test_upload_through_the_app_with_a_traversal_name_is_indexed_inside_the_corpus(settings, tmp_path):
    corpus = copy_corpus(tmp_path)
    writable = make_settings(tmp_path, corpus)
    shutil.copytree(settings.index_dir, writable.index_dir)  # same articles: only the upload is embedded
    app, url = launch(writable)
    try:
        # Upload under the name "../evil.txt" straight to Gradio's upload route, as a hostile client would.
        response = httpx.post(f"{url.rstrip('/')}/gradio_api/upload",
                              files={"files": ("../evil.txt", b"Zorblax Robotics will hire 321 engineers.\n",
                                               "text/plain")}, timeout=30)
        response.raise_for_status()
        server_path = response.json()[0]
        client = Client(url, verbose=False, download_files=False)
        message, index, *_ = client.predict(
            [{"path": server_path, "orig_name": "../evil.txt", "meta": {"_type": "gradio.FileData"}}],
            api_name="/add_articles")
        assert "evil.txt" in message and "Indexed 6 articles" in message
        assert "evil.txt" in index
        assert (corpus / "evil.txt").exists()
        assert not (tmp_path / "evil.txt").exists()
        answer = client.predict(question="How many engineers will Zorblax Robotics hire?", api_name="/ask")
        assert any(c["source"] == "evil.txt" and "321" in c["quote"] for c in answer["citations"])

        # An unreadable upload is a listed rejection, and the app keeps serving.
        bad = tmp_path / "bad.txt"
        bad.write_bytes(b"\x00\x00 not text")
        message, *_ = client.predict([handle_file(str(bad))], api_name="/add_articles")
        assert "bad.txt" in message and "not readable as text" in message
        assert client.predict(question=PROBABILITY, api_name="/ask")["citations"]

        # A full rebuild drops the old collection; the app answers with a fresh assistant afterwards.
        message, index, *_ = client.predict(api_name="/rebuild")
        assert "Indexed 6 articles" in message and "evil.txt" in index
        answer = client.predict(question="How many engineers will Zorblax Robotics hire?", api_name="/ask")
        assert any(c["source"] == "evil.txt" for c in answer["citations"])
    finally:
        app.close()


# ---------------------------------------------------------------- rendering


def test_sources_escape_article_text_and_mark_the_quote(tmp_path):
    (tmp_path / "a.txt").write_text("Headline <b>bold</b>\n\nBefore. The <script>x</script> quote 50. After.",
                                    encoding="utf-8")
    (tmp_path / "ar.txt").write_text("عنوان\n\nستسرح ميتا 600 موظف.", encoding="utf-8")
    en = Passage(text="Before. The <script>x</script> quote 50. After.", source="a.txt", score=1.0,
                 chunk_id="c1", title="Headline <b>bold</b>", language="en", start_char=22)
    ar = Passage(text="ستسرح ميتا 600 موظف.", source="ar.txt", score=0.5, chunk_id="c2", title="عنوان",
                 language="ar", start_char=7)
    citations = [Citation("a.txt", "The <script>x</script> quote 50.", en, en.title, "en"),
                 Citation("ar.txt", "ستسرح ميتا 600 موظف.", ar, ar.title, "ar")]
    answer = Answer(text="“The <script>x</script> quote 50.” [1]", citations=citations, abstained=False,
                    passages=[en, ar], mode="offline", notices=["a <notice>"], question="q?", seconds=0.5)
    html = render_sources(answer, ArticleTexts(tmp_path))
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert '<mark class="quote">The &lt;script&gt;x&lt;/script&gt; quote 50.</mark>' in html
    assert html.count('<mark class="quote">') == 4  # passage and whole article, for each citation
    assert 'dir="rtl" lang="ar"' in html and "Arabic" in html and "ar.txt" in html
    bubble = render_bubble(answer)
    assert "<script>" not in bubble and '<span class="ref">[1]</span>' in bubble
    status = render_status(answer, make_settings(tmp_path))
    assert "offline extractive" in status and "0.50 s" in status and "a &lt;notice&gt;" in status


def test_status_names_the_configured_model_without_credentials(tmp_path):
    s = make_settings(tmp_path, llm_base_url="http://user:secret@127.0.0.1:8080/v1", llm_model="smollm2")
    assert model_label(s) == "smollm2 at 127.0.0.1:8080"
    answer = Answer(text="x", citations=[], abstained=True, passages=[], mode="llm", seconds=1.0)
    assert "smollm2 at 127.0.0.1:8080" in render_status(answer, s)
    assert "secret" not in render_status(answer, s)


# ---------------------------------------------------------------- main()


class FakeApp:
    def __init__(self):
        self.launched = None

    def launch(self, **kwargs):
        self.launched = kwargs


@pytest.mark.parametrize("host, share, beyond", [("127.0.0.1", False, False), ("0.0.0.0", False, True),
                                                ("127.0.0.1", True, True)])
def test_main_indexes_first_and_beyond_this_machine_warns_and_turns_admin_off(monkeypatch, capsys, tmp_path,
                                                                             host, share, beyond):
    calls, fake = [], FakeApp()
    monkeypatch.setattr(ui_app, "get_settings", lambda: make_settings(tmp_path))
    monkeypatch.setattr(ui_app, "build_index", lambda s, **kw: calls.append("index") or BuildReport())
    monkeypatch.setattr(ui_app, "build_app", lambda s, admin: calls.append(("app", admin)) or fake)
    ui_app.main(host=host, port=7999, share=share)
    assert calls == ["index", ("app", not beyond)]
    assert fake.launched["server_name"] == host and fake.launched["server_port"] == 7999
    assert fake.launched["share"] is share
    assert fake.launched["max_file_size"] == make_settings(tmp_path).max_upload_bytes  # Gradio refuses bigger uploads
    err = capsys.readouterr().err
    assert ("WARNING" in err) is beyond
    assert ("rebuilding the index are turned off" in err) is beyond
