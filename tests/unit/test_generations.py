"""Index generations in the fast tier: a long-running reader sees another process's re-index, a rebuild
keeps the previous generation answering, read-only and damaged stores, a disk that fills up.

Indexes are embedded by HashEmbedding (tests/fakes.py); the other process builds with it too.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from rag.assistant import Assistant
from rag.cli import main
from rag.components.store import MANIFEST, Manifest, chroma_client, store_folder
from rag.errors import IndexDamagedError, IndexWriteError
from rag.ingest.build import KEPT_EMPTY, build_index
from rag.search.keyword import KeywordIndex
from rag.search.retrieve import Retriever
from tests.conftest import REPO, fake_components

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_ARTICLE = "000_e4361c01c8850e8e.txt"
EDITED = "001_11aa8dc79ed4b7a5.txt"
NEW_FACT = "The zeppelin division of Meta employs 4321 balloon pilots in Aarhus.\n"
NEW_QUESTION = "How many balloon pilots does the zeppelin division employ?"
SUBPROCESS_TIMEOUT_S = 120

OTHER_PROCESS_BUILD = """
import sys
from pathlib import Path
from rag.components import build_components
from rag.ingest.build import build_index
from tests.conftest import make_settings
from tests.fakes import HashEmbedding
settings = make_settings(Path(sys.argv[1]), Path(sys.argv[2]))
build_index(settings, components=build_components(settings, embed_override=HashEmbedding()))
"""

ASK_ONCE = """
import sys
from pathlib import Path
from rag.assistant import Assistant
from rag.components import build_components
from tests.conftest import make_settings
from tests.fakes import HashEmbedding
settings = make_settings(Path(sys.argv[1]), Path(sys.argv[2]))
answer = Assistant(settings, build_components(settings, embed_override=HashEmbedding())).ask(sys.argv[3])
print(answer.citations[0].source if answer.citations else "NO CITATION")
"""


components = fake_components


def reindex_in_another_process(settings) -> None:
    subprocess.run([sys.executable, "-c", OTHER_PROCESS_BUILD, str(settings.index_dir.parent),
                    str(settings.corpus_dir)], cwd=REPO, check=True, timeout=SUBPROCESS_TIMEOUT_S)


def edit_and_delete(settings) -> None:
    """A new fact in one article, and the article that answers PROBABILITY deleted."""
    (settings.corpus_dir / EDITED).write_text(NEW_FACT, encoding="utf-8")
    (settings.corpus_dir / PROBABILITY_ARTICLE).unlink()


# ---------------------------------------------------------------- a long-running reader


def test_a_reader_sees_a_reindex_by_another_process_without_a_restart(work):
    assistant = Assistant(work, components(work))
    assert [c.source for c in assistant.ask(PROBABILITY).citations] == [PROBABILITY_ARTICLE]
    previous = store_folder(work.index_dir)
    edit_and_delete(work)
    reindex_in_another_process(work)

    gone = assistant.ask(PROBABILITY)
    assert all(p.text and p.source != PROBABILITY_ARTICLE for p in gone.passages)
    assert not any(c.source == PROBABILITY_ARTICLE for c in gone.citations)
    edited = assistant.ask(NEW_QUESTION)
    assert [c.source for c in edited.citations] == [EDITED] and "4321" in edited.text
    new_passage = assistant.retrieve(NEW_QUESTION, 1)[0]
    assert new_passage.source == EDITED and "dense" in new_passage.ranks  # the store was opened afresh
    assert store_folder(work.index_dir) != previous and not previous.exists()
    assert str(previous) not in SharedSystemClient._identifier_to_system  # its vectors are not kept in memory


def test_a_reader_overtaken_in_the_middle_of_a_question_answers_from_the_newer_generation(work, monkeypatch):
    assistant = Assistant(work, components(work))
    assistant.ask(PROBABILITY)
    edit_and_delete(work)
    reindex_in_another_process(work)
    checked = []
    real_refresh = assistant.refresh

    def checked_just_before_the_commit() -> None:
        if checked:
            real_refresh()
        checked.append(True)

    monkeypatch.setattr(assistant, "refresh", checked_just_before_the_commit)
    answer = assistant.ask(PROBABILITY)
    assert answer.passages and all(p.text and p.source != PROBABILITY_ARTICLE for p in answer.passages)


def test_a_quote_is_not_verified_against_an_article_changed_since_it_was_read(work):
    assistant = Assistant(work, components(work))
    quote = assistant.ask(PROBABILITY).citations[0].quote
    path = work.corpus_dir / PROBABILITY_ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace(quote, "(removed)"), encoding="utf-8")
    after = assistant.ask(PROBABILITY)  # the index still holds the old passage; the file no longer does
    assert quote not in [c.quote for c in after.citations]


# ---------------------------------------------------------------- a rebuild keeps the previous generation


def test_questions_asked_during_a_rebuild_are_answered_from_the_previous_generation(work):
    assistant = Assistant(work, components(work))
    before = Manifest.load(work.index_dir)
    answered = []

    def ask_while_embedding(_: float, message: str) -> None:
        if message.startswith("embedded"):
            answered.append(assistant.ask(PROBABILITY))

    report = build_index(work, rebuild=True, progress=ask_while_embedding, components=components(work))
    assert answered and all(a.citations and a.citations[0].source == PROBABILITY_ARTICLE for a in answered)
    assert report.embedded == report.chunks == len(before.chunk_ids)
    assert assistant.ask(PROBABILITY).citations  # and from the new generation afterwards
    stored = chroma_client(work).get_collection(work.collection).get(include=[])["ids"]
    assert sorted(stored) == sorted(Manifest.load(work.index_dir).chunk_ids)
    assert KeywordIndex.load(work.index_dir / before.keyword_dir).ids  # kept for readers of `before`


def test_a_rebuild_keeps_the_passages_of_an_article_read_as_empty(work):
    before = Manifest.load(work.index_dir)
    (work.corpus_dir / PROBABILITY_ARTICLE).write_text("", encoding="utf-8")  # an editor truncates, then writes
    report = build_index(work, rebuild=True, components=components(work))
    assert (PROBABILITY_ARTICLE, KEPT_EMPTY) in report.skipped
    assert Manifest.load(work.index_dir).documents[PROBABILITY_ARTICLE] == before.documents[PROBABILITY_ARTICLE]
    assert any(p.source == PROBABILITY_ARTICLE for p in Retriever(components(work)).retrieve(PROBABILITY, 5))


# ---------------------------------------------------------------- read-only index


def _can_mount_read_only() -> bool:
    """Root in a mount namespace of its own can bind a folder read-only (chmod does not stop root)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


def test_an_index_on_a_read_only_folder_is_answered_from_and_left_unchanged(work):
    before = {p.relative_to(work.index_dir): p.read_bytes() for p in work.index_dir.rglob("*") if p.is_file()}
    ask = [sys.executable, "-c", ASK_ONCE, str(work.index_dir.parent), str(work.corpus_dir), PROBABILITY]
    folder = str(work.index_dir)
    if os.geteuid() != 0:
        for path in (work.index_dir, *work.index_dir.rglob("*")):
            path.chmod(path.stat().st_mode & ~0o222)
        command = ask
    elif _can_mount_read_only():
        script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, "sh", *ask]
    else:
        pytest.skip("running as root without mount namespaces: a read-only folder cannot be simulated")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
    assert result.returncode == 0 and result.stdout.strip() == PROBABILITY_ARTICLE, result.stderr
    assert "is read-only; answering from a copy" in result.stderr
    after = {p.relative_to(work.index_dir): p.read_bytes() for p in work.index_dir.rglob("*") if p.is_file()}
    assert after == before


# ---------------------------------------------------------------- damaged or emptied store


SQLITE_PAGE = 4096


@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_a_damaged_store_is_one_clear_error_and_a_rebuild_recreates_it(work, damage):
    database = store_folder(work.index_dir) / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    if damage == "truncated":
        data = data[:SQLITE_PAGE]
    else:  # the middle half overwritten: the database opens, and fails at the first read
        middle = len(data) // 2
        data[middle - len(data) // 4: middle + len(data) // 4] = b"\xa5" * (len(data) // 2)
    database.write_bytes(bytes(data))
    with pytest.raises(IndexDamagedError, match=r"cannot be (opened|read) .*rag index --rebuild") as caught:
        Assistant(work, components(work))
    assert "\n" not in str(caught.value)
    report = build_index(work, rebuild=True, components=components(work))
    assert report.embedded == report.chunks > 0
    assert Assistant(work, components(work)).ask(PROBABILITY).citations


@pytest.mark.parametrize("loss", ["collection deleted", "passages deleted", "store folder deleted"])
def test_a_store_that_lost_passages_is_reported_and_rag_index_re_embeds_them(work, loss, capsys, monkeypatch):
    manifest = Manifest.load(work.index_dir)
    if loss == "collection deleted":
        chroma_client(work).delete_collection(work.collection)
    elif loss == "passages deleted":
        collection = chroma_client(work).get_collection(work.collection)
        collection.delete(ids=collection.get(include=[])["ids"])
    else:
        shutil.rmtree(store_folder(work.index_dir))
    chroma_client(work, fresh=True)  # the store as a new process would find it
    with pytest.raises(IndexDamagedError, match=r"rag index$"):
        Assistant(work, components(work))
    monkeypatch.setattr("rag.cli.get_settings", lambda: work)
    assert main(["index", "--check"]) == 1
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) == 3 and shown[2].startswith("vector store:") and "rag index" in shown[2]
    report = build_index(work, components=components(work))
    assert report.embedded == len(manifest.chunk_ids)
    assert main(["index", "--check"]) == 0
    assert f"{len(manifest.chunk_ids)} of {len(manifest.chunk_ids)} passages present" in capsys.readouterr().out
    assert Assistant(work, components(work)).ask(PROBABILITY).citations


# ---------------------------------------------------------------- a disk that fills up


def test_a_full_disk_during_a_build_is_one_line_and_the_index_is_unchanged(work, monkeypatch):
    committed = (work.index_dir / MANIFEST).read_bytes()
    (work.corpus_dir / "new.txt").write_text(NEW_FACT, encoding="utf-8")

    def disk_full(*_, **__):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(KeywordIndex, "save_tokens", disk_full)
    with pytest.raises(IndexWriteError, match=r"^cannot write the index in .* \(no space left on device\); "
                                              r"the previous index still answers") as caught:
        build_index(work, components=components(work))
    assert "\n" not in str(caught.value)
    assert (work.index_dir / MANIFEST).read_bytes() == committed
    assert not list(work.index_dir.glob(f".{MANIFEST}.*"))
    monkeypatch.undo()
    assert build_index(work, components=components(work)).documents == 6
