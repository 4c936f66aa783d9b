"""The `rag` command against concurrency, damage and odd input, as an operator (or an attacker) meets it.

Real MiniLM and embedded Chroma; the same faults without a model are in tests/unit/test_validation.py.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.components.store import MANIFEST, Manifest, chroma_client, store_folder
from rag.settings import Settings
from tests.conftest import CORPUS, REPO
from tests.integration.test_cli_eval import rag_cli

PROBABILITY = "How many people were on the Probability team?"
CLI_TIMEOUT_S = 300


def cli_env(index_dir: Path, corpus: Path = CORPUS) -> dict[str, str]:
    return {"RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS_DIR": str(corpus)}


@pytest.fixture
def index_copy(settings, tmp_path) -> Path:
    """A copy of the session's bundled-corpus index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(settings.index_dir, target)
    return target


def assert_names_only_what_exists(index_dir: Path, corpus: Path) -> None:
    """The committed manifest's keyword folder, articles and passages all exist."""
    manifest = Manifest.load(index_dir)
    assert (index_dir / manifest.keyword_dir / "ids.json").is_file()
    assert manifest.documents and all((corpus / name).is_file() for name in manifest.documents)
    settings = Settings(_env_file=None, index_dir=index_dir, corpus_dir=corpus)
    stored = chroma_client(settings).get_collection(settings.collection).get(include=[])["ids"]
    assert set(stored) == manifest.chunk_ids


def one_line_error(result: subprocess.CompletedProcess, *parts: str) -> None:
    """Exit 2 with a single `error:` line holding every part, and no traceback."""
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 1 and all(part in lines[0] for part in parts), result.stderr
    assert "Traceback" not in result.stderr


def test_two_rag_index_at_once_one_builds_the_other_is_refused(tmp_path):
    index_dir = tmp_path / "index"
    env = {**os.environ, **cli_env(index_dir)}
    command = [sys.executable, "-m", "rag.cli", "index"]
    builders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    results = [(b.pid, *b.communicate(timeout=CLI_TIMEOUT_S), b.returncode) for b in builders]
    winners = [r for r in results if r[3] == 0]
    losers = [r for r in results if r[3] != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    _, _, err, code = losers[0]
    assert code == 2 and err == f"rag index: error: an index build is already running (pid {winners[0][0]})\n"
    assert "indexed 5 articles" in winners[0][1]
    assert_names_only_what_exists(index_dir, CORPUS)


def test_rag_index_rebuild_from_a_missing_or_empty_folder_keeps_the_old_index_answering(index_copy, tmp_path):
    committed = (index_copy / MANIFEST).read_bytes()
    (tmp_path / "empty").mkdir()
    for folder, why in (("missing", "not found"), ("empty", "no readable documents")):
        one_line_error(rag_cli("index", "--rebuild", str(tmp_path / folder), env=cli_env(index_copy)), why)
        assert (index_copy / MANIFEST).read_bytes() == committed
    asked = rag_cli("ask", PROBABILITY, "--json", env=cli_env(index_copy))
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"]


def test_a_damaged_manifest_is_one_line_and_rag_index_rebuild_repairs_it(index_copy):
    manifest = index_copy / MANIFEST
    manifest.write_text("null", encoding="utf-8")
    for command in (("index",), ("ask", PROBABILITY)):
        one_line_error(rag_cli(*command, env=cli_env(index_copy)), str(manifest), "rag index --rebuild")
    repaired = rag_cli("index", "--rebuild", env=cli_env(index_copy))
    assert repaired.returncode == 0 and "indexed 5 articles" in repaired.stdout
    # stderr is a pipe here: neither our progress lines nor the model loader's bar.
    assert "reading articles" not in repaired.stderr and "Loading weights" not in repaired.stderr
    assert_names_only_what_exists(index_copy, CORPUS)


def test_a_store_that_cannot_be_opened_is_named_and_rag_index_rebuild_recreates_it(index_copy):
    (store_folder(index_copy) / "chroma.sqlite3").write_bytes(b"not a database " * 1000)
    one_line_error(rag_cli("ask", PROBABILITY, env=cli_env(index_copy)), "cannot be opened", "--rebuild")
    repaired = rag_cli("index", "--rebuild", env=cli_env(index_copy))
    assert repaired.returncode == 0 and "indexed 5 articles" in repaired.stdout, repaired.stderr
    assert_names_only_what_exists(index_copy, CORPUS)
    asked = rag_cli("ask", PROBABILITY, "--json", env=cli_env(index_copy))
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"]


def test_progress_is_shown_only_on_a_terminal(index_copy):
    command = [sys.executable, "-m", "rag.cli", "index"]
    env = {**os.environ, **cli_env(index_copy)}
    piped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    assert piped.returncode == 0 and "reading articles" not in piped.stderr
    master, terminal = pty.openpty()
    try:
        refresh = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        shown = b""
        while chunk := _read(master):
            shown += chunk
        assert refresh.wait(timeout=CLI_TIMEOUT_S) == 0
    finally:
        os.close(master)
    assert b"reading articles" in shown and b"done" in shown


def _read(fd: int) -> bytes:
    """The next bytes from a pty, or b"" once its other end is closed (Linux reports EIO then)."""
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""


def test_a_question_with_bytes_that_are_not_utf8_is_answered(settings):
    question = PROBABILITY.encode("utf-8").replace(b" team", b" team\xff\xfe")
    result = subprocess.run([sys.executable, "-m", "rag.cli", "ask", question, "--json"], cwd=REPO,
                            capture_output=True, timeout=CLI_TIMEOUT_S,
                            env={**os.environ, **cli_env(settings.index_dir)})
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    answer = json.loads(result.stdout)
    assert "\ufffd" in answer["question"] and answer["citations"]


# ---------------------------------------------------------------- a disk that fills up during a build


FULL_DISK = 30  # MB, the tmpfs the index lives on
LEFT_FREE = 50_000  # bytes left once the disk is filled, part-way through the build
NEW_ARTICLE = "The zeppelin division of Meta employs 4321 balloon pilots in Aarhus.\n\n" * 40
FULL_DISK_BUILD = """
import json, os, shutil, subprocess, sys
from pathlib import Path
from rag.errors import RagError
from rag.ingest.build import build_index
from rag.settings import Settings
mount, index, corpus, left, question = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if index.is_dir():
    shutil.copytree(index, mount / "index")
shutil.copytree(corpus, mount / "corpus")
(mount / "corpus" / "zz_new.txt").write_text(os.environ["NEW_ARTICLE"], encoding="utf-8")
settings = Settings(_env_file=None, corpus_dir=mount / "corpus", index_dir=mount / "index")
listing = lambda: sorted(p.name for p in settings.index_dir.iterdir()) if settings.index_dir.is_dir() else []
before = listing()
def fill(_, message):  # once the build is under way (its free-space check passed), the disk fills up
    if message.startswith("chunking") and not (mount / "filler").exists():
        with open(mount / "filler", "wb") as filler:
            size = shutil.disk_usage(mount).free - left
            while size > 0:
                size -= filler.write(b"x" * min(size, 1 << 20))
error = ""
try:
    build_index(settings, progress=fill)
except RagError as exc:
    error = str(exc)
env = {**os.environ, "RAG_INDEX_DIR": str(settings.index_dir), "RAG_CORPUS_DIR": str(mount / "corpus")}
asked = subprocess.run([sys.executable, "-m", "rag.cli", "ask", question, "--json"], env=env,
                       capture_output=True, text=True)
print(json.dumps({"error": error, "before": before, "after": listing(), "ask": [asked.returncode, asked.stdout,
                                                                              asked.stderr]}))
"""


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    """Root in a mount namespace of its own can mount a small tmpfs: a disk that really fills up."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(tmp_path)],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.parametrize("first", [False, True], ids=["re-index", "first build"])
def test_a_disk_that_fills_up_during_a_build_leaves_the_previous_index_answering(settings, tmp_path, first):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if not _can_mount_tmpfs(mount):
        pytest.skip("a tmpfs cannot be mounted here (needs root and mount namespaces); "
                    "tests/unit/test_disk_full.py fails Chroma's writes instead")
    index = tmp_path / "none" if first else settings.index_dir
    script = [sys.executable, "-c", FULL_DISK_BUILD, str(mount), str(index), str(CORPUS), str(LEFT_FREE), PROBABILITY]
    mounted = f'mount -t tmpfs -o size={FULL_DISK}m tmpfs "{mount}" && exec "$@"'
    result = subprocess.run(["unshare", "-m", "sh", "-c", mounted, "sh", *script], cwd=REPO, capture_output=True,
                            text=True, timeout=2 * CLI_TIMEOUT_S, env={**os.environ, "NEW_ARTICLE": NEW_ARTICLE})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    error, (code, out, err) = found["error"], found["ask"]
    assert error.startswith(f"cannot write the index in {mount / 'index'} (") and "\n" not in error, found
    assert "Traceback" not in err
    if first:  # nothing half-made: no store, keyword folder or manifest; asking is one line, no traceback
        assert "no index was made" in error and found["after"] == ["build.lock"], found
        assert code == 2 and len(err.strip().splitlines()) == 1, err
    else:  # the committed index as it was, answering with the disk still full
        assert "the previous index still answers" in error and found["after"] == found["before"], found
        assert code == 0 and json.loads(out)["citations"][0]["source"] == "000_e4361c01c8850e8e.txt", err
