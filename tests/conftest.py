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
from rag.components import Components, build_components  # noqa: E402
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


def fake_components(settings: Settings) -> Components:
    """The real path with the hash embedder of tests/fakes.py: no model is loaded."""
    from tests.fakes import HashEmbedding

    return build_components(settings, embed_override=HashEmbedding())


def indexed_folder(root: Path) -> Path:
    """root with corpus/ (a writable copy of the bundled articles) and index/ built from it, fake-embedded."""
    settings = make_settings(root, copy_corpus(root))
    build_index(settings, components=fake_components(settings))
    return root


def working_copy(base: Path, tmp_path: Path) -> Settings:
    """A test's own copy of a folder made by indexed_folder, and settings pointing at it."""
    root = tmp_path / "w"
    shutil.copytree(base, root)
    return make_settings(root, root / "corpus")


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
