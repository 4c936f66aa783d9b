"""The CLI and the window follow one corpus and speak one error format (the real MiniLM, in subprocesses)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS

TIMEOUT_S = 300


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], env={**os.environ, **env}, text=True,
                          capture_output=True, timeout=TIMEOUT_S)


def test_rag_index_without_a_path_follows_the_folder_the_index_follows(tmp_path):
    """An index built from a library folder (where the window puts uploads) is refreshed from it, not from
    the bundled articles: nothing is removed, and the message names the folder indexed."""
    library = tmp_path / "library"
    shutil.copytree(CORPUS, library)
    (library / "upload.txt").write_text("The harbour of Aarhus opened a new quay in 1901.", encoding="utf-8")
    env = {"RAG_INDEX_DIR": str(tmp_path / "index")}
    first = run(["index", str(library)], env)
    assert first.returncode == 0, first.stderr
    again = run(["index"], env)
    assert again.returncode == 0, again.stderr
    assert f"from {library}" in again.stdout and "0 removed" in again.stdout and "6 articles" in again.stdout


def test_every_bad_argument_is_one_line_in_one_format(tmp_path):
    env = {"RAG_INDEX_DIR": str(tmp_path / "index")}
    for args in (["ask", "-k", "0", "x"], ["ask", ""]):
        result = run(args, env)
        assert result.returncode == 2 and result.stderr.startswith("rag ask: error: ")
        assert result.stderr.count("\n") == 1


def test_a_taken_port_is_one_line_naming_port(tmp_path):
    env = {"RAG_INDEX_DIR": str(tmp_path / "index"), "GRADIO_ANALYTICS_ENABLED": "False"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["ui", "--port", str(port)], env)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("rag ui: error: cannot listen on 127.0.0.1:") and "--port" in last
    assert "Traceback" not in result.stderr


def test_a_first_build_says_it_is_one(tmp_path):
    from rag.ingest.build import build_index
    from tests.conftest import fake_components, make_settings

    settings = make_settings(tmp_path, Path(CORPUS))
    said: list[str] = []
    build_index(settings, components=fake_components(settings), progress=lambda f, m: said.append(m))
    assert not any("previous generation" in m for m in said) and said[-1] == "done"
