"""A build that fails part-way (a disk that fills up, Ctrl-C) never touches the committed Chroma store, and
leaves nothing half-made; a build writes a Chroma folder of its own and the previous one goes after the commit.

A full disk cannot be made here without root, so Chroma's own write is made to fail the way a full disk
fails it (chromadb's InternalError "database or disk is full", or ENOSPC) after its first write has gone
through; tests/integration/test_hardening.py fills a real tmpfs where mounting one is allowed.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import chromadb.errors
import pytest
from chromadb.api.models.Collection import Collection

from rag.assistant import Assistant
from rag.components.store import CHROMA_DIR, MANIFEST, Manifest, chroma_client, store_dirs, store_folder
from rag.errors import IndexDamagedError, IndexMissingError, IndexWriteError
from rag.ingest.build import build_index
from tests.conftest import fake_components, make_settings

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_ARTICLE = "000_e4361c01c8850e8e.txt"
NEW_ARTICLE = "zz_zeppelins.txt"
NEW_FACT = "The zeppelin division of Meta employs 4321 balloon pilots in Aarhus."
NEW_QUESTION = "How many balloon pilots does the zeppelin division employ?"
PARAGRAPHS = 40  # of the new article: several embedding batches of passages


def _failures():
    return {
        "disk full (Chroma)": chromadb.errors.InternalError("error returned from database: (code: 13) "
                                                           "database or disk is full"),
        "disk full (ENOSPC)": OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
        "Ctrl-C": KeyboardInterrupt(),
    }


def _small_batches(settings):
    """The settings with one passage per embedding batch, so a build writes to Chroma several times."""
    return settings.model_copy(update={"embed_batch_size": 1})


def _add_article(settings) -> None:
    paragraphs = [f"{NEW_FACT} Paragraph {i} tells of hangar number {i} by the fjord." for i in range(PARAGRAPHS)]
    (settings.corpus_dir / NEW_ARTICLE).write_text("\n\n".join(paragraphs), encoding="utf-8")


def _fail_after_first_write(monkeypatch, error: BaseException) -> list[str]:
    """Make every Chroma write (add, upsert) after the first raise error; returns the writes made."""
    writes: list[str] = []
    for name in ("add", "upsert"):
        real = getattr(Collection, name)

        def write(self, *args, _real=real, _name=name, **kwargs):
            writes.append(_name)
            if len(writes) > 1:
                raise error
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Collection, name, write)
    return writes


def _contents(settings, folder: Path) -> dict[str, str]:
    """Each passage in the store in folder and its text, as a new process would read them (Chroma rewrites
    a few bytes of its files whenever a process opens a store, so the files themselves are not compared)."""
    found = chroma_client(settings, fresh=True, folder=folder).get_collection(settings.collection).get()
    return dict(zip(found["ids"], found["documents"]))


@pytest.mark.parametrize("failure", list(_failures()))
def test_a_build_failing_mid_write_leaves_the_committed_store_untouched_and_answering(work, monkeypatch, failure):
    settings = _small_batches(work)
    committed = store_folder(settings.index_dir)
    before = _contents(settings, committed)
    manifest = (settings.index_dir / MANIFEST).read_bytes()
    entries = sorted(p.name for p in settings.index_dir.iterdir())
    _add_article(settings)
    writes = _fail_after_first_write(monkeypatch, _failures()[failure])

    expected = KeyboardInterrupt if failure == "Ctrl-C" else IndexWriteError
    with pytest.raises(expected) as caught:
        build_index(settings, components=fake_components(settings))
    monkeypatch.undo()
    assert len(writes) > 1, "the build wrote to Chroma once before it failed"
    if expected is IndexWriteError:
        message = str(caught.value)
        assert "\n" not in message and str(settings.index_dir) in message
        assert "the previous index still answers" in message
    assert _contents(settings, committed) == before, "the committed store was written to"
    assert (settings.index_dir / MANIFEST).read_bytes() == manifest
    assert sorted(p.name for p in settings.index_dir.iterdir()) == entries, "a half-made folder was left"
    answer = Assistant(settings, fake_components(settings)).ask(PROBABILITY)
    assert [c.source for c in answer.citations] == [PROBABILITY_ARTICLE]

    report = build_index(settings, components=fake_components(settings))  # the space is back
    assert report.embedded == len(Manifest.load(settings.index_dir).documents[NEW_ARTICLE].chunk_ids)
    assert "4321" in Assistant(settings, fake_components(settings)).ask(NEW_QUESTION).text


def test_a_first_build_on_a_disk_that_fills_up_leaves_no_half_made_index(tmp_path, monkeypatch):
    settings = _small_batches(make_settings(tmp_path, Path(__file__).parents[2] / "rag" / "corpus"))
    writes = _fail_after_first_write(monkeypatch, _failures()["disk full (Chroma)"])
    with pytest.raises(IndexWriteError, match=r"the disk is full.*; no index was made\. ") as caught:
        build_index(settings, components=fake_components(settings))
    monkeypatch.undo()
    assert len(writes) > 1 and "\n" not in str(caught.value)
    assert [p.name for p in settings.index_dir.iterdir()] == ["build.lock"]
    with pytest.raises(IndexMissingError, match="build one with: rag index"):
        Assistant(settings, fake_components(settings))


def test_a_build_writes_a_new_store_and_removes_the_previous_after_the_commit(work):
    previous = store_folder(work.index_dir)
    assistant = Assistant(work, fake_components(work))
    answered, folders = [], []

    def ask_while_building(_: float, message: str) -> None:
        if message.startswith("embedded"):
            folders.append(sorted(p.name for p in store_dirs(work.index_dir)))
            answered.append(assistant.ask(PROBABILITY))

    _add_article(work)
    report = build_index(work, progress=ask_while_building, components=fake_components(work))
    manifest = Manifest.load(work.index_dir)
    assert report.embedded == len(manifest.documents[NEW_ARTICLE].chunk_ids) < report.chunks  # still incremental
    assert answered and all(a.citations[0].source == PROBABILITY_ARTICLE for a in answered)
    assert all(previous.name in names and len(names) == 2 for names in folders)  # the old one and the new
    assert store_dirs(work.index_dir) == [work.index_dir / manifest.chroma_dir] != [previous]
    stored = chroma_client(work).get_collection(work.collection).get(include=[])["ids"]
    assert sorted(stored) == sorted(manifest.chunk_ids)
    assert "4321" in assistant.ask(NEW_QUESTION).text  # the reader moved to the new folder

    unchanged = build_index(work, components=fake_components(work))
    assert unchanged.embedded == 0 and Manifest.load(work.index_dir).chroma_dir == manifest.chroma_dir


def test_a_deleted_article_leaves_the_new_store_and_the_copied_vectors_are_the_committed_ones(work):
    collection = chroma_client(work).get_collection(work.collection)
    before = collection.get(include=["embeddings", "documents", "metadatas"])
    (work.corpus_dir / PROBABILITY_ARTICLE).unlink()
    report = build_index(work, components=fake_components(work))
    assert report.embedded == 0 and report.removed > 0
    after = chroma_client(work).get_collection(work.collection).get(include=["embeddings", "documents",
                                                                             "metadatas"])
    kept = {cid: i for i, cid in enumerate(before["ids"]) if not cid.startswith(PROBABILITY_ARTICLE)}
    assert sorted(after["ids"]) == sorted(kept)
    for i, cid in enumerate(after["ids"]):
        j = kept[cid]
        assert after["documents"][i] == before["documents"][j] and after["metadatas"][i] == before["metadatas"][j]
        assert list(after["embeddings"][i]) == pytest.approx(list(before["embeddings"][j]))


def test_an_index_built_before_stores_had_folders_of_their_own_still_answers_and_moves_on(work):
    folder = store_folder(work.index_dir)
    folder.rename(work.index_dir / CHROMA_DIR)
    raw = json.loads((work.index_dir / MANIFEST).read_text(encoding="utf-8"))
    del raw["chroma_dir"]
    (work.index_dir / MANIFEST).write_text(json.dumps(raw), encoding="utf-8")
    assert Assistant(work, fake_components(work)).ask(PROBABILITY).citations

    _add_article(work)
    build_index(work, components=fake_components(work))
    assert [p.name for p in store_dirs(work.index_dir)] == [Manifest.load(work.index_dir).chroma_dir]
    assert not (work.index_dir / CHROMA_DIR).exists()
    assert "4321" in Assistant(work, fake_components(work)).ask(NEW_QUESTION).text


def test_a_manifest_naming_a_folder_outside_the_index_is_damaged(work):
    raw = json.loads((work.index_dir / MANIFEST).read_text(encoding="utf-8"))
    raw["chroma_dir"] = "../elsewhere"
    (work.index_dir / MANIFEST).write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match=r"chroma_dir '\.\./elsewhere' is not a Chroma folder name.*--rebuild"):
        Manifest.load(work.index_dir)
