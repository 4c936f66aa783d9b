"""Conversations kept in the browser, Stop and Regenerate's questions, the window's articles folder (library,
delete, preview), the CLI's quotes."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from rag.cli import _print_answer
from rag.errors import ArticleNotFound
from rag.ingest.uploads import delete_article, is_protected, preview_article, save_uploads, writable_corpus
from rag.schema import LLM, OFFLINE, Answer, Citation, Passage
from rag.settings import BUNDLED_CORPUS
from rag.ui import conversations
from rag.ui.handlers import Handlers
from rag.ui.session import AssistantHolder
from tests.conftest import make_settings

QUOTE = "The (Probability) team had 50 members"


def _turn(question: str, size: int = 10) -> dict:
    return {"question": question, "answer": "a", "bubble": "<b>" + "x" * size + "</b>", "sources": "", "extra": 1}


def test_a_conversation_is_saved_listed_renamed_and_deleted():
    store = conversations.save(None, "c1", [_turn("كم عدد الموظفين؟")])
    store = conversations.save(store, "c2", [_turn("Hvem har forladt Meta?")])
    assert [cid for _, cid in conversations.choices(store)] == ["c2", "c1"]  # newest first
    assert conversations.find(store, "c1")["title"] == "كم عدد الموظفين؟"
    assert "extra" not in conversations.find(store, "c1")["turns"][0]
    store = conversations.save(store, "c1", [_turn("كم عدد الموظفين؟"), _turn("و الآن؟")])
    assert [cid for _, cid in conversations.choices(store)] == ["c1", "c2"]
    assert "2 questions" in conversations.choices(store)[0][0]
    store = conversations.rename(store, "c1", "  Meta layoffs  ")
    assert conversations.find(store, "c1")["title"] == "Meta layoffs"
    store = conversations.rename(store, "c1", "   ")
    assert conversations.find(store, "c1")["title"] == "كم عدد الموظفين؟"
    store = conversations.delete(store, "c2")
    assert conversations.find(store, "c2") is None and len(conversations.conversations(store)) == 1
    json.dumps(store)  # what the browser stores


@pytest.mark.parametrize("stored", [None, "garbage", {"conversations": "x"}, {"conversations": [{"id": 1}]}])
def test_a_foreign_stored_value_reads_as_no_conversation(stored):
    assert conversations.choices(stored) == []


def test_the_oldest_conversations_go_when_the_store_would_outgrow_the_browser(monkeypatch):
    monkeypatch.setattr(conversations, "MAX_STORE_BYTES", 5000)
    store = None
    for n in range(6):
        store = conversations.save(store, f"c{n}", [_turn(f"question {n}", size=1500)])
    kept = [cid for _, cid in conversations.choices(store)]
    assert kept == ["c5", "c4", "c3"]


def _regenerated(tmp_path, turns: list[dict], asked: str) -> tuple[str, list[str]]:
    """Which question Regenerate asks, and after which turns (respond recorded, not run: no index is needed)."""
    settings = make_settings(tmp_path)
    handlers = Handlers(settings, AssistantHolder(settings), admin=True)
    seen = []

    def respond(question, before, *options):
        seen.append((question, [t["question"] for t in before]))
        yield [], "", "", "", before

    handlers.respond = respond
    list(handlers.regenerate(turns, asked, 5, "", "", OFFLINE))
    return seen[0] if seen else ("", [])


def test_regenerate_asks_the_stopped_question_after_the_turns_and_an_answered_one_in_its_place(tmp_path):
    turns = [_turn("Who left Meta?"), _turn("How many on the team?")]
    stopped = _regenerated(tmp_path, turns, "Who founded Anthropic?")
    assert stopped == ("Who founded Anthropic?", ["Who left Meta?", "How many on the team?"])
    assert _regenerated(tmp_path, turns, "How many on the team?") == ("How many on the team?", ["Who left Meta?"])
    reopened = _regenerated(tmp_path, turns, "")  # nothing sent since the conversation was reopened
    assert reopened == ("How many on the team?", ["Who left Meta?"])
    assert _regenerated(tmp_path, [], "") == ("", [])


def test_stop_gives_the_stopped_question_back_unless_another_is_being_typed():
    chat, box, status, ask, regenerate, stop = Handlers.stop([_turn("Who left Meta?")], "How many?", "")
    assert box == "How many?" and "Stopped" in status and len(chat) == 2
    assert ask["interactive"] and regenerate["interactive"] and stop["visible"] is False
    assert Handlers.stop([], "How many?", "Who founded")[1] == gr.skip()  # what is being typed stays


def test_the_window_never_writes_into_the_package_but_into_the_library(tmp_path):
    library = tmp_path / "data" / "articles"
    assert is_protected(BUNDLED_CORPUS) and not is_protected(tmp_path)
    assert writable_corpus(tmp_path, library) == tmp_path and not library.exists()
    before = sorted(p.name for p in BUNDLED_CORPUS.iterdir())
    folder = writable_corpus(BUNDLED_CORPUS, library)
    assert folder == library and sorted(p.name for p in library.iterdir()) == before
    upload = tmp_path / "zorblax.txt"
    upload.write_text("Zorblax hires 321 engineers.\n", encoding="utf-8")
    saved, _ = save_uploads([upload], folder, 10_000)
    assert saved == ["zorblax.txt"] and (library / "zorblax.txt").exists()
    assert sorted(p.name for p in BUNDLED_CORPUS.iterdir()) == before
    (library / before[0]).unlink()
    assert writable_corpus(BUNDLED_CORPUS, library) == library  # seeded once: a deletion is not undone
    assert not (library / before[0]).exists()


def test_an_upload_named_like_an_article_with_another_text_is_refused_and_says_so(tmp_path):
    (tmp_path / "a.txt").write_text("Old text.\n", encoding="utf-8")
    upload = tmp_path / "up" / "a.txt"
    upload.parent.mkdir()
    upload.write_text("New text.\n", encoding="utf-8")
    saved, rejected = save_uploads([upload], tmp_path, 10_000)
    assert saved == [] and "already exists" in rejected[0][1]
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Old text.\n"


def test_a_deleted_article_is_moved_aside_not_destroyed_and_preview_shows_its_start(tmp_path):
    corpus, deleted = tmp_path / "corpus", tmp_path / "deleted"
    corpus.mkdir()
    text = "田渊栋离开Meta\n\n" + "\n".join(f"第{n}行。" for n in range(20)) + "\n"
    (corpus / "zh.txt").write_text(text, encoding="utf-8")
    preview = preview_article(corpus, "zh.txt", 10_000)
    assert preview.title == "田渊栋离开Meta" and preview.size == len(text.encode("utf-8"))
    assert preview.first_lines[:2] == ["田渊栋离开Meta", "第0行。"] and len(preview.first_lines) == 8
    moved = delete_article(corpus, "zh.txt", deleted)
    assert not (corpus / "zh.txt").exists() and moved.read_text(encoding="utf-8") == text
    assert moved.is_relative_to(deleted)
    with pytest.raises(ArticleNotFound):
        delete_article(corpus, "zh.txt", deleted)
    with pytest.raises(ArticleNotFound):
        preview_article(corpus, "../corpus/../../etc/passwd", 10_000)


def _answer(mode: str) -> Answer:
    other = Passage(text="Another passage.", source="001.txt", score=0.9, chunk_id="b", language="en")
    passage = Passage(text=f"Thomas added: {QUOTE}.", source="000.txt", score=1.0, chunk_id="a", language="en")
    citation = Citation(source="000.txt", quote=QUOTE, passage=passage, language="en")
    text = f"{QUOTE} [2]" if mode == OFFLINE else "The team had 50 people [2]."
    return Answer(text=text, citations=[citation], abstained=False, passages=[other, passage], mode=mode,
                  short="50 members")


def test_the_cli_prints_an_offline_quote_once_numbered_as_its_passage(capsys):
    _print_answer(_answer(OFFLINE))
    out = capsys.readouterr().out
    assert out.count(QUOTE) == 1
    assert out.splitlines()[0] == "50 members" and "[2] 000.txt (en)" in out


def test_the_cli_prints_a_model_answer_and_then_its_quote(capsys):
    _print_answer(_answer(LLM))
    out = capsys.readouterr().out
    assert "The team had 50 people [2]." in out and out.count(QUOTE) == 1 and "[2] 000.txt" in out
