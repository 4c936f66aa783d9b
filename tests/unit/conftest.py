"""The fast tier: the bundled corpus indexed with a fake embedder, so no model is ever loaded."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.ingest.build import build_index
from tests.conftest import fake_components, indexed_folder, make_settings, working_copy


@pytest.fixture(scope="session")
def fast_settings(tmp_path_factory):
    """Settings whose index holds the bundled corpus, embedded by HashEmbedding."""
    settings = make_settings(tmp_path_factory.mktemp("fast"))
    build_index(settings, components=fake_components(settings))
    return settings


@pytest.fixture(scope="session")
def fast_assistant(fast_settings) -> Assistant:
    """An offline assistant over the bundled corpus, with no model loaded."""
    return Assistant(fast_settings, fake_components(fast_settings))


@pytest.fixture(scope="module")
def base(tmp_path_factory, request):
    """A folder with corpus/ (a writable copy of the bundled articles) and index/ built from it, shared by
    one module's tests, which may change their own copies (see work)."""
    return indexed_folder(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))


@pytest.fixture
def work(base, tmp_path):
    """This test's own copy of the module's base corpus and index, and settings pointing at them."""
    return working_copy(base, tmp_path)
