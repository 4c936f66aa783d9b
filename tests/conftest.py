"""Shared fixtures: the bundled corpus indexed once per test session with the real model and Chroma."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag.ingest.build import build_index  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.settings import BUNDLED_CORPUS, Settings  # noqa: E402

CORPUS = BUNDLED_CORPUS
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(tmp: Path, corpus: Path = CORPUS, **overrides) -> Settings:
    """Settings for an index in a temporary folder, never reading the developer's .env."""
    return Settings(_env_file=None, corpus_dir=corpus, index_dir=tmp / "index", **overrides)


def copy_corpus(tmp: Path) -> Path:
    """A writable copy of the bundled articles."""
    target = tmp / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings whose index holds the bundled corpus, built once for the session."""
    s = make_settings(tmp_path_factory.mktemp("bundled"))
    build_index(s)
    return s


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    """An offline assistant over the bundled corpus."""
    return Assistant(settings)
