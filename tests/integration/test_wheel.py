"""The built wheel works on its own: installed outside the checkout, it answers and refuses.

The wheel is installed without dependencies into a fresh venv that borrows this
environment's third-party packages through a .pth file (installing torch and the rest
again would take minutes); the project itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys

from tests.conftest import REPO


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


def test_the_wheel_answers_and_refuses_outside_the_checkout(tmp_path):
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                "-w", str(tmp_path / "dist"), str(REPO))
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("meta_news_rag-*.whl"))
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", str(venv)).returncode == 0
    target = next(venv.glob("lib/python*/site-packages"))
    (target / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    installed = run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel))
    assert installed.returncode == 0, installed.stderr

    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": ""}
    rag = str(venv / "bin" / "python")
    where = run(rag, "-c", "import rag; print(rag.__file__)", cwd=tmp_path, env=env)
    assert str(target) in where.stdout, where.stdout + where.stderr  # the wheel's copy, not the checkout's

    asked = run(rag, "-m", "rag.cli", "ask", "How many employees did Meta fire after using their daily work to train AI?",
                "--json", cwd=tmp_path, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and any("7,800" in c["quote"] for c in answer["citations"])

    refused = run(rag, "-m", "rag.cli", "ask", "What was Meta's total revenue in 2021?", "--json", cwd=tmp_path, env=env)
    assert refused.returncode == 0 and json.loads(refused.stdout)["abstained"], refused.stdout + refused.stderr
