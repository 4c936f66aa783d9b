"""Hostile and damaged input, in the fast tier: corpus files, settings, arguments, manifests, stores, uploads.

Indexes here are embedded by HashEmbedding (tests/fakes.py), so no model is loaded; the
same probes through the real `rag` command are in tests/integration/test_hardening.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from rag.cli import clean_argument, main, parser
from rag.components.store import MANIFEST, Manifest, chroma_client, read_keyword_folder, store_folder
from rag.errors import BuildBusy, CorpusError, IndexDamagedError, QuestionError, RagError, SettingsError
from rag.ingest.build import KEPT_EMPTY, build_index, build_lock
from rag.ingest.load import load_corpus
from rag.ingest.uploads import save_uploads
from rag.schema import OFFLINE
from rag.search.keyword import KeywordIndex
from rag.search.retrieve import Retriever
from rag.settings import get_settings
from tests.conftest import REPO, copy_corpus, fake_components
from rag.ui.handlers import Handlers

GOOD = "Meta hired 321 engineers in Aarhus last week, a spokesperson said."
ARTICLE = "000_e4361c01c8850e8e.txt"
PROBABILITY = "How many people were on the Probability team?"
LOAD_DEADLINE_S = 20  # a FIFO or /dev/zero read without the fix would hang; fail instead


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail the test if the block runs longer than seconds (not an OSError, which a loader would catch)."""
    def expire(*_):
        pytest.fail(f"still running after {seconds} s: a file that never ends was read")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


components = fake_components


# ---------------------------------------------------------------- corpus files


def test_special_files_outside_links_and_oversized_files_are_skipped_unread(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "same.txt").symlink_to(corpus / "good.txt")  # a link inside the folder is followed
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "huge.txt").write_text("word " * 400, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("a secret outside the corpus", encoding="utf-8")
    (corpus / "linked").symlink_to(outside)
    with deadline(LOAD_DEADLINE_S):
        result = load_corpus(corpus, max_bytes=1000)
    assert sorted(d.id_ for d in result.documents) == ["good.txt", "same.txt"]
    reasons = dict(result.skipped)
    assert "FIFO" in reasons["fifo.txt"]
    assert "outside" in reasons["passwd.txt"] and "outside" in reasons["zero.txt"]
    assert "too large" in reasons["huge.txt"] and "RAG_MAX_ARTICLE_BYTES" in reasons["huge.txt"]
    assert "outside" in reasons["linked"]
    assert not any("root:" in d.text or "secret" in d.text for d in result.documents)


def test_a_file_name_that_is_not_utf8_is_skipped_and_named(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Latin-1 in the name, plain text inside.")
    result = load_corpus(tmp_path)
    assert [d.id_ for d in result.documents] == ["good.txt"]
    assert result.skipped == [("caf\\xe9.txt", "the file name is not valid UTF-8; rename the file")]


def test_a_build_over_hostile_files_names_each_skip_and_commits(work):
    os.mkfifo(work.corpus_dir / "fifo.txt")
    (work.corpus_dir / "passwd.txt").symlink_to("/etc/passwd")
    with open(os.path.join(os.fsencode(work.corpus_dir), b"bad\xff.txt"), "wb") as handle:
        handle.write(b"text")
    with deadline(LOAD_DEADLINE_S):
        report = build_index(work, components=components(work))
    assert {name for name, _ in report.skipped} == {"fifo.txt", "passwd.txt", "bad\\xff.txt"}
    manifest = Manifest.load(work.index_dir)
    assert dict(manifest.skipped).keys() == {"fifo.txt", "passwd.txt", "bad\\xff.txt"}
    assert report.documents == 5 and report.embedded == 0


def test_an_article_read_as_empty_keeps_its_previous_passages(work):
    before = Manifest.load(work.index_dir)
    (work.corpus_dir / ARTICLE).write_text("", encoding="utf-8")  # an editor truncates, then writes
    report = build_index(work, components=components(work))
    assert (ARTICLE, KEPT_EMPTY) in report.skipped
    after = Manifest.load(work.index_dir)
    assert after.documents[ARTICLE] == before.documents[ARTICLE]
    assert report.removed == 0 and report.chunks == len(before.chunk_ids)
    hits = Retriever(components(work)).retrieve(PROBABILITY, 5)
    assert any(h.source == ARTICLE for h in hits)


def test_an_empty_new_article_is_still_just_skipped(work):
    (work.corpus_dir / "new.txt").write_text("  \n", encoding="utf-8")
    report = build_index(work, components=components(work))
    assert ("new.txt", "empty file") in report.skipped
    assert "new.txt" not in Manifest.load(work.index_dir).documents


# ---------------------------------------------------------------- one builder, generations


def test_a_second_build_is_refused_while_one_holds_the_lock(work):
    with build_lock(work.index_dir):
        with pytest.raises(BuildBusy, match=rf"^an index build is already running \(pid {os.getpid()}\)$"):
            build_index(work, components=components(work))
    assert build_index(work, components=components(work)).embedded == 0  # released afterwards


HOLD_LOCK = """
import sys, time
from pathlib import Path
from rag.ingest.build import build_lock
with build_lock(Path(sys.argv[1])):
    print("HELD", flush=True)
    time.sleep(600)
"""


def test_a_killed_builder_leaves_no_lock_behind(work):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(work.index_dir)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with pytest.raises(BuildBusy, match=rf"\(pid {holder.pid}\)"):
            build_index(work, components=components(work))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()
    assert build_index(work, components=components(work)).documents == 5


def test_an_index_path_that_is_a_file_is_a_clear_error(work, tmp_path):
    taken = work.model_copy(update={"index_dir": tmp_path / "a-file"})
    taken.index_dir.write_text("not a folder", encoding="utf-8")
    with pytest.raises(RagError, match="cannot use .*a-file as the index folder"):
        build_index(taken, components=components(taken))


def test_the_previous_keyword_folder_stays_for_readers_of_the_previous_manifest(work):
    first = Manifest.load(work.index_dir)
    (work.corpus_dir / "new.txt").write_text(GOOD, encoding="utf-8")
    build_index(work, components=components(work))
    second = Manifest.load(work.index_dir)
    assert KeywordIndex.load(work.index_dir / first.keyword_dir).ids  # a reader of `first` still loads it
    (work.corpus_dir / "new.txt").unlink()
    build_index(work, components=components(work))
    third = Manifest.load(work.index_dir)
    names = sorted(p.name for p in work.index_dir.glob("keyword-*"))
    assert names == sorted([second.keyword_dir, third.keyword_dir])
    # A reader still holding `first` (overtaken by two builds) moves on to the newest generation.
    manifest, keyword = read_keyword_folder(work.index_dir, first, KeywordIndex.load)
    assert manifest.keyword_dir == third.keyword_dir and sorted(keyword.ids) == sorted(third.chunk_ids)


def test_rag_index_re_embeds_passages_missing_from_the_store(work):
    before = Manifest.load(work.index_dir)
    lost = sorted(before.documents[ARTICLE].chunk_ids)
    chroma_client(work).get_collection(work.collection).delete(ids=lost)
    report = build_index(work, components=components(work))
    assert report.embedded == len(lost)
    stored = chroma_client(work).get_collection(work.collection).get(include=[])["ids"]
    assert sorted(stored) == sorted(before.chunk_ids)


# ---------------------------------------------------------------- a failed rebuild leaves the index


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_a_rebuild_from_a_bad_folder_leaves_the_old_index_answering(work, tmp_path, folder):
    committed = (work.index_dir / MANIFEST).read_bytes()
    target = tmp_path / folder
    if folder == "empty":
        target.mkdir()
    with pytest.raises(CorpusError):
        build_index(work, target, rebuild=True, components=components(work))
    assert (work.index_dir / MANIFEST).read_bytes() == committed
    assert Retriever(components(work)).retrieve(PROBABILITY, 5)


# ---------------------------------------------------------------- damaged manifest and store

DAMAGE = {
    "empty": "",
    "null": "null",
    "truncated": None,  # the real manifest cut in half
    "wrong types": {"documents": ["not", "a", "mapping"]},
    "missing keys": {"drop": "documents"},
}


def damage(settings, kind: str) -> Path:
    """Damage the index's manifest in one of the DAMAGE ways; returns its path."""
    path = settings.index_dir / MANIFEST
    text = path.read_text(encoding="utf-8")
    change = DAMAGE[kind]
    if isinstance(change, dict):
        change = dict(change)
    if change is None:
        text = text[: len(text) // 2]
    elif isinstance(change, dict):
        raw = json.loads(text)
        raw.pop(change.pop("drop", None), None)
        raw.update(change)
        text = json.dumps(raw)
    else:
        text = change
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_manifest_is_one_clear_error_and_a_rebuild_repairs_it(work, kind):
    path = damage(work, kind)
    for attempt in (lambda: Manifest.load(work.index_dir), lambda: Retriever(components(work)),
                    lambda: build_index(work, components=components(work))):
        with pytest.raises(IndexDamagedError) as caught:
            attempt()
        assert str(path) in str(caught.value) and "rag index --rebuild" in str(caught.value)
    report = build_index(work, rebuild=True, components=components(work))
    assert report.documents == 5 and Manifest.load(work.index_dir).chunk_ids
    assert Retriever(components(work)).retrieve(PROBABILITY, 5)


def test_a_store_that_cannot_be_opened_is_named_and_a_rebuild_recreates_it(work):
    store = store_folder(work.index_dir) / "chroma.sqlite3"
    store.write_bytes(b"garbage, not a database" * 100)
    with pytest.raises(IndexDamagedError, match="rag index --rebuild"):
        Retriever(components(work))
    report = build_index(work, rebuild=True, components=components(work))
    assert report.embedded == report.chunks > 0
    assert Retriever(components(work)).retrieve(PROBABILITY, 5)


# ---------------------------------------------------------------- settings and arguments


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean RAG_ environment (no .env read), with get_settings() read afresh."""
    monkeypatch.chdir(tmp_path)
    for name in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS"):  # main() sets these; undone afterwards
        monkeypatch.setenv(name, "1")
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(("variable", "value"), [
    ("RAG_TOP_K", "abc"), ("RAG_TOP_K", "0"), ("RAG_COLLECTION", "a"), ("RAG_MAX_ARTICLE_BYTES", "-1"),
    ("RAG_CHUNK_OVERLAP", "256"), ("RAG_LLM_MAX_TOKENS", "0"), ("RAG_LLM_TIMEOUT", "inf"), ("RAG_RRF_K", "-60"),
    ("RAG_DENSE_WEIGHT", "-1"), ("RAG_EMBED_BATCH_SIZE", "0"), ("RAG_CHROMA_PORT", "99999"),
    ("RAG_MAX_UPLOAD_BYTES", "0"),
])
def test_a_bad_setting_is_one_line_naming_the_variable(environment, capsys, variable, value):
    environment.setenv(variable, value)
    with pytest.raises(SettingsError, match=rf"^bad setting: {variable}: ") as caught:
        get_settings()
    assert "\n" not in str(caught.value)
    assert main(["ask", PROBABILITY]) == 2
    err = capsys.readouterr().err
    assert ": error: bad setting: " in err and f"{variable}: " in err and err.count("\n") == 1


@pytest.mark.parametrize("k", ["0", "-3", "abc", "1000"])
def test_k_must_be_a_whole_number_from_one(capsys, k):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["ask", PROBABILITY, "-k", k])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "argument -k" in err and err.count("\n") == 1


def test_an_unknown_article_is_refused_with_the_indexed_ones(environment, work, capsys):
    environment.setenv("RAG_INDEX_DIR", str(work.index_dir))
    assert main(["ask", PROBABILITY, "--source", "nope.txt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rag ask: error: No article named 'nope.txt' is in the index; it holds 000_e4361c01c8850e8e.txt, ")
    assert err.count("\n") == 1


EMPTY_QUESTION = """
import sys
from rag.cli import main
code = main(["ask", sys.argv[1]])
print(sorted(m for m in ("torch", "chromadb", "llama_index", "rag.assistant") if m in sys.modules))
sys.exit(code)
"""


@pytest.mark.parametrize("question", ["", "   ", "\x01\x02\t"])
def test_an_empty_question_is_refused_before_anything_loads(question):
    result = subprocess.run([sys.executable, "-c", EMPTY_QUESTION, question], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stdout.strip() == "[]"
    assert result.stderr == "rag ask: error: Please type a question: the question is empty.\n"


@pytest.mark.parametrize("k", [True, 0, -3, 2.5, "3", 10**12])
def test_the_api_refuses_a_bad_k_in_one_line(fast_assistant, k):
    with pytest.raises(QuestionError, match=r"^The number of passages must be a whole number from 1 to 50, not "):
        fast_assistant.retrieve(PROBABILITY, k)


@pytest.mark.parametrize("question", [b"How many people were on the Probability team?\xff", 42])
def test_a_question_that_is_not_text_is_refused_in_one_line(fast_assistant, question):
    with pytest.raises(QuestionError, match=r"^The question must be text, not (bytes|int)\.$"):
        fast_assistant.ask(question, mode=OFFLINE)


def test_a_lone_surrogate_in_an_api_question_is_replaced(fast_assistant):
    answer = fast_assistant.ask("How many people were on the Probability team?\ud800", mode=OFFLINE)
    assert answer.question.endswith("team??") and answer.citations
    answer.question.encode("utf-8")  # no longer raises


@pytest.mark.parametrize(("top_k", "passages"), [(3.0, 3), (2.5, None), (0, None), (True, None)])
def test_the_ui_api_takes_a_whole_top_k_and_refuses_any_other(fast_assistant, top_k, passages):
    handlers = Handlers(fast_assistant.settings, SimpleNamespace(rebuilding=False, get=lambda: fast_assistant),
                        admin=False)
    if passages is None:
        with pytest.raises(gr.Error) as caught:
            handlers.ask(PROBABILITY, top_k=top_k, mode=OFFLINE)
        assert caught.value.message.startswith("The number of passages must be a whole number from 1 to 50")
    else:
        assert len(handlers.ask(PROBABILITY, top_k=top_k, mode=OFFLINE)["passages"]) == passages


def test_lone_surrogates_in_arguments_are_replaced():
    cleaned = clean_argument("Who is Erik \udcff Meijer\ud800?")
    assert cleaned == "Who is Erik \ufffd Meijer\ufffd?"
    cleaned.encode("utf-8")  # no longer raises


# ---------------------------------------------------------------- uploads


def test_an_upload_named_like_an_article_is_refused_unless_it_is_the_same(tmp_path):
    corpus = copy_corpus(tmp_path)
    original = (corpus / ARTICLE).read_text(encoding="utf-8")
    replacement = tmp_path / ARTICLE
    replacement.write_text("Something else entirely.\n", encoding="utf-8")
    saved, rejected = save_uploads([replacement], corpus, 10_000_000)
    assert saved == [] and rejected[0][0] == ARTICLE
    assert "already exists" in rejected[0][1] and "rename" in rejected[0][1]
    assert (corpus / ARTICLE).read_text(encoding="utf-8") == original
    replacement.write_text(original, encoding="utf-8")
    assert save_uploads([replacement], corpus, 10_000_000) == ([ARTICLE], [])
