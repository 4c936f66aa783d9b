"""Indexing: incremental refresh, crash safety, a real Chroma server, and refusing a foreign index.

Every test works on its own copy of a bundled-corpus index built once for the module
(real MiniLM, embedded Chroma), so one test's edits never leak into another's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.ingest.build import build_index
from rag.search.keyword import KeywordIndex
from rag.components import build_components
from rag.search.retrieve import Retriever
from tests.conftest import REPO as PROJECT_ROOT
from rag.components.store import FORMAT_VERSION, MANIFEST, Manifest, chroma_client, store_dirs, store_folder
from rag.errors import IndexMismatchError
from tests.conftest import CORPUS, copy_corpus, make_settings
from bench.server import chroma_server as start_chroma

ARTICLES = sorted(p.name for p in CORPUS.glob("*.txt"))
EDITED = "000_e4361c01c8850e8e.txt"
DELETED = "003_d6d766e19608138f.txt"
EDIT = ("Correction: the quarterly earnings call was moved to a Thursday, "
        "a spokesperson for the zeppelin division said.")
QUESTIONS = [json.loads(line)["question"] for line in
             (PROJECT_ROOT / "rag" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:70:14]]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A folder with corpus/ (a copy of the bundled articles) and index/ built from it."""
    root = tmp_path_factory.mktemp("base")
    build_index(make_settings(root, copy_corpus(root)))
    return root


@pytest.fixture
def work(base, tmp_path):
    """This test's own copy of the base corpus and index, and settings pointing at them."""
    root = tmp_path / "w"
    shutil.copytree(base, root)
    settings = make_settings(root, root / "corpus")
    return settings, Manifest.load(settings.index_dir)


def stored_ids(settings) -> list[str]:
    """Every id in the Chroma collection, duplicates kept."""
    return chroma_client(settings).get_collection(settings.collection).get(include=[])["ids"]


def assert_consistent(settings, report) -> Manifest:
    """Chroma, the keyword index and the manifest name exactly the same passages, once each."""
    manifest = Manifest.load(settings.index_dir)
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)), "duplicate ids in the Chroma collection"
    assert set(ids) == manifest.chunk_ids
    assert report.chunks == len(manifest.chunk_ids) == len(ids)
    keyword = KeywordIndex.load(settings.index_dir / manifest.keyword_dir)
    assert sorted(keyword.ids) == sorted(manifest.chunk_ids)
    kept = [p.name for p in settings.index_dir.glob("keyword-*")]
    assert manifest.keyword_dir in kept and len(kept) <= 2  # this generation and the previous one
    return manifest


def test_rebuild_with_nothing_changed_embeds_nothing(work):
    settings, before = work
    report = build_index(settings)
    assert (report.embedded, report.removed, report.unchanged_documents) == (0, 0, len(ARTICLES))
    after = assert_consistent(settings, report)
    assert after.chunk_ids == before.chunk_ids


def test_changing_one_file_re_embeds_only_its_new_passages(work):
    settings, before = work
    path = settings.corpus_dir / EDITED
    paragraphs = path.read_text(encoding="utf-8").split("\n\n")
    paragraphs.insert(len(paragraphs) // 2, EDIT)
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")

    report = build_index(settings)
    after = assert_consistent(settings, report)
    added = after.chunk_ids - before.chunk_ids
    assert report.unchanged_documents == len(ARTICLES) - 1
    assert 0 < report.embedded == len(added) < len(before.documents[EDITED].chunk_ids)
    assert all(cid.startswith(EDITED + "#") for cid in added)
    assert report.removed == len(before.chunk_ids - after.chunk_ids) > 0
    for name in ARTICLES:
        if name != EDITED:
            assert after.documents[name].chunk_ids == before.documents[name].chunk_ids
    hits = Retriever(build_components(settings)).retrieve("What did the spokesperson for the zeppelin division say?", 3)
    assert hits[0].source == EDITED and "zeppelin" in hits[0].text


def test_deleting_a_file_removes_its_passages(work):
    settings, before = work
    (settings.corpus_dir / DELETED).unlink()
    report = build_index(settings)
    after = assert_consistent(settings, report)
    assert DELETED not in after.documents and report.documents == len(ARTICLES) - 1
    assert (report.embedded, report.removed) == (0, len(before.documents[DELETED].chunk_ids))
    assert not [cid for cid in stored_ids(settings) if cid.startswith(DELETED)]
    assert after.chunk_ids == before.chunk_ids - set(before.documents[DELETED].chunk_ids)


def test_adding_a_file_embeds_only_its_passages(work):
    settings, before = work
    shutil.copy(CORPUS / EDITED, settings.corpus_dir / "new_article.txt")  # same text, another name
    report = build_index(settings)
    after = assert_consistent(settings, report)
    new = after.documents["new_article.txt"].chunk_ids
    assert report.embedded == len(new) == len(before.documents[EDITED].chunk_ids)
    assert (report.removed, report.unchanged_documents) == (0, len(ARTICLES))
    assert after.chunk_ids == before.chunk_ids | set(new)


KILLED_BUILD = """
import sys
from pathlib import Path
from rag.ingest.build import build_index
from rag.settings import Settings
settings = Settings(_env_file=None, index_dir=Path(sys.argv[1]), corpus_dir=Path(sys.argv[2]),
                    embed_batch_size=4)
build_index(settings, progress=lambda f, msg: print(msg, flush=True))
print("COMMITTED", flush=True)
"""


def test_a_build_killed_while_embedding_leaves_the_previous_index_answering(work, tmp_path):
    from bench.corpus import generate_size

    settings, before = work
    committed = (settings.index_dir / MANIFEST).read_bytes()
    big = tmp_path / "big"
    assert generate_size("1500", big)["estimated_chunks"] > 1000
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(settings.index_dir), str(big)], cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"},
    )
    try:
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until batches of new vectors are in Chroma
            line = child.stdout.readline()
            seen.append(line.strip())
            if line.startswith("embedded ") and int(line.split()[1].split("/")[0]) >= 32 or not line:
                break
        assert seen[-1].startswith("embedded "), f"the build never got to embedding: {seen}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert "COMMITTED" not in seen

    assert (settings.index_dir / MANIFEST).read_bytes() == committed
    half_made = [p for p in store_dirs(settings.index_dir) if p != store_folder(settings.index_dir)]
    assert half_made, "the kill should have left the new generation's store, which the manifest does not name"
    assert set(stored_ids(settings)) == before.chunk_ids, "the committed store was written to"
    retriever = Retriever(build_components(settings))
    for question in QUESTIONS:
        hits = retriever.retrieve(question, 5)
        assert hits and {h.source for h in hits} <= set(ARTICLES)
        assert {h.chunk_id for h in hits} <= before.chunk_ids

    report = build_index(settings)  # the bundled copy again: nothing to embed, the killed build's store removed
    assert report.embedded == 0
    after = assert_consistent(settings, report)
    assert after.chunk_ids == before.chunk_ids
    assert store_dirs(settings.index_dir) == [store_folder(settings.index_dir)]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on a free loopback port, for one test."""
    with start_chroma(tmp_path) as port:
        yield port


def test_a_chroma_server_gives_the_same_passages_as_the_embedded_store(settings, chroma_server, tmp_path):
    remote = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = build_index(remote)
    assert report.chunks == len(Manifest.load(settings.index_dir).chunk_ids)
    assert not store_dirs(remote.index_dir), "vectors belong on the server"
    assert len(stored_ids(remote)) == report.chunks
    embedded, served = Retriever(build_components(settings)), Retriever(build_components(remote))
    for question in QUESTIONS:
        here = [p.chunk_id for p in embedded.retrieve(question, 5)]
        there = [p.chunk_id for p in served.retrieve(question, 5)]
        assert here and there == here, question


def _write_manifest(settings, tmp_path, **changes) -> Path:
    """An index folder holding the session index's manifest with some fields changed."""
    raw = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    raw.update(changes)
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps(raw), encoding="utf-8")
    return folder


@pytest.mark.parametrize("changes", [{"format_version": FORMAT_VERSION + 1}, {"format_version": 1},
                                     {"embed_model": "bge-m3"}])
def test_an_index_of_another_version_or_model_is_refused_with_the_fix(settings, tmp_path, changes):
    foreign = settings.model_copy(update={"index_dir": _write_manifest(settings, tmp_path, **changes)})
    for attempt in (lambda: Manifest.load(foreign.index_dir).check_model(foreign),
                    lambda: Retriever(build_components(foreign)), lambda: build_index(foreign)):
        with pytest.raises(IndexMismatchError, match="rag index --rebuild"):
            attempt()
    assert not store_dirs(foreign.index_dir), "nothing may be written into a foreign index"
