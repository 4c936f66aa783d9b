"""The fast tier: the bundled corpus indexed with a fake embedder, so no model is ever loaded."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.components import build_components
from rag.ingest.build import build_index
from tests.conftest import make_settings
from tests.fakes import HashEmbedding


@pytest.fixture(scope="session")
def fast_settings(tmp_path_factory):
    """Settings whose index holds the bundled corpus, embedded by HashEmbedding."""
    settings = make_settings(tmp_path_factory.mktemp("fast"))
    build_index(settings, components=build_components(settings, embed_override=HashEmbedding()))
    return settings


@pytest.fixture(scope="session")
def fast_assistant(fast_settings) -> Assistant:
    """An offline assistant over the bundled corpus, with no model loaded."""
    return Assistant(fast_settings, build_components(fast_settings, embed_override=HashEmbedding()))
