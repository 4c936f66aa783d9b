"""A damaged keyword index or manifest: one line naming the repair, on asking and on `rag index --check`."""

from __future__ import annotations

import shutil

import pytest

from rag.assistant import Assistant
from rag.cli import main
from rag.components.store import MANIFEST, Manifest
from rag.errors import IndexDamagedError
from rag.settings import get_settings
from tests.conftest import fake_components


def _keyword_folder(work):
    return work.index_dir / Manifest.load(work.index_dir).keyword_dir


@pytest.mark.parametrize("damage", ["deleted", "ids garbled", "data overwritten"])
def test_a_damaged_keyword_index_is_one_line_naming_the_repair(work, damage):
    folder = _keyword_folder(work)
    if damage == "deleted":
        shutil.rmtree(folder)
    elif damage == "ids garbled":
        (folder / "ids.json").write_text('["a", ', encoding="utf-8")
    else:
        for part in folder.glob("*.npy"):
            part.write_bytes(b"not a numpy array")
    with pytest.raises(IndexDamagedError, match="rebuild it with: rag index") as caught:
        Assistant(work, fake_components(work))
    assert len(str(caught.value).splitlines()) == 1


def test_index_check_reads_the_keyword_index_not_just_its_presence(work, capsys, monkeypatch):
    (_keyword_folder(work) / "ids.json").write_text('["not", "these"]', encoding="utf-8")
    monkeypatch.setenv("RAG_INDEX_DIR", str(work.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(work.corpus_dir))
    get_settings.cache_clear()
    try:
        assert main(["index", "--check"]) != 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "keyword index" in out and "not the manifest's" in out and "rebuild it with: rag index" in out


def test_a_manifest_nested_too_deep_is_damaged_not_a_recursion_error(work):
    (work.index_dir / MANIFEST).write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(IndexDamagedError):
        Manifest.load(work.index_dir)


def test_an_article_saved_twice_is_named_and_its_passages_count_once(work):
    from rag.ingest.build import build_index

    original = sorted(work.corpus_dir.glob("*.txt"))[0]
    shutil.copyfile(original, work.corpus_dir / "copy-of-it.txt")
    report = build_index(work, components=fake_components(work))
    assert report.duplicates == [("copy-of-it.txt", original.name)] or report.duplicates == [
        (original.name, "copy-of-it.txt")]
    assistant = Assistant(work, fake_components(work))
    passages = assistant.retrieve("How many people were on the Probability team?", 10)
    texts = [p.text for p in passages]
    assert len(texts) == len(set(texts))
    answer = assistant.ask("How many people were on the Probability team?")
    assert len({c.quote for c in answer.citations}) == len(answer.citations)


def test_a_build_on_a_nearly_full_disk_is_refused_before_it_writes_and_the_index_still_answers(work, monkeypatch):
    import rag.ingest.build as build
    from rag.errors import IndexWriteError

    before = (work.index_dir / MANIFEST).read_text(encoding="utf-8")
    monkeypatch.setattr(build.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(30_000_000, 29_950_000,
                                                                                          50_000))
    with pytest.raises(IndexWriteError, match="only 0 MB free") as caught:
        build.build_index(work, components=fake_components(work), rebuild=True)
    assert len(str(caught.value).splitlines()) == 1
    assert (work.index_dir / MANIFEST).read_text(encoding="utf-8") == before
    assert not Assistant(work, fake_components(work)).ask("How many people were on the Probability team?").abstained


def test_the_stores_own_disk_full_error_is_one_line(work, monkeypatch):
    import chromadb.errors

    import rag.ingest.build as build
    from rag.errors import IndexWriteError

    def full(*args, **kwargs):
        raise chromadb.errors.InternalError("error returned from database: (code: 13) database or disk is full")

    monkeypatch.setattr(build, "_build", full)
    with pytest.raises(IndexWriteError, match="the disk is full"):
        build.build_index(work, components=fake_components(work))
