"""The parts chosen by settings, built in one place and passed in: embedding model, Chroma, chat model,
and the answer policy.

Everything downstream (the build, the retriever, the assistant) takes a Components
instead of building its own, so tests can hand in a fake embedder or a scripted chat
model, and each part is built lazily, on first use: `import rag` and `rag --help`
import no model, no Chroma and no torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rag.settings import Settings

if TYPE_CHECKING:
    import chromadb
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.answer.policy import Policy
    from rag.components.chat import ChatModel
    from rag.components.shared_state import SharedState
    from rag.search.gloss import Glossary


@dataclass
class Components:
    """One settings object's embedding model, Chroma client and chat model (None when not configured).

    Pass any of them to override what the settings would build.
    """

    settings: Settings
    embed_override: BaseEmbedding | None = field(default=None, repr=False)
    client_override: chromadb.ClientAPI | None = field(default=None, repr=False)
    chat_override: ChatModel | None = field(default=None, repr=False)
    policy_override: Policy | None = field(default=None, repr=False)

    @cached_property
    def embed_model(self) -> BaseEmbedding:
        """The embedding model: the override, else the one the settings name."""
        if self.embed_override is not None:
            return self.embed_override
        from rag.components.embed import make_embed_model

        return make_embed_model(self.settings)

    @cached_property
    def query_embedder(self) -> Callable[[str], list[float]]:
        """How a question becomes a vector: the bundled MiniLM straight through ONNX Runtime by default
        (no llama-index import, about a second of every cold start), else the embedding model's own."""
        if self.embed_override is None and self.settings.bundled_onnx:
            from rag.components.onnx_embed import bundled_minilm, query_embedder

            return query_embedder(bundled_minilm())
        return self.embed_model.get_query_embedding

    @cached_property
    def chroma(self) -> chromadb.ClientAPI:
        """The Chroma client: the override, else a server client or the embedded store."""
        if self.client_override is not None:
            return self.client_override
        from rag.components.store import chroma_client

        return chroma_client(self.settings)

    @cached_property
    def shared_state(self) -> SharedState | None:
        """The index state records on the Chroma server when RAG_CHROMA_HOST is set; None in embedded mode
        (the index folder holds the state, and no Chroma client is opened here).

        One for every user of these parts: a new one would ask the server for the manifest record again.
        """
        if not self.settings.chroma_host:
            return None
        from rag.components.shared_state import SharedState

        return SharedState(self.settings, self.chroma)

    @cached_property
    def glossary(self) -> Glossary:
        """The offline dictionaries of the gloss layer (Arabic, Danish, Chinese <-> English)."""
        from rag.search.gloss import get_glossary

        return get_glossary()

    @cached_property
    def policy(self) -> Policy:
        """The answer policy: the override, else the one shipped with the package (rag/answer/policy.json)."""
        if self.policy_override is not None:
            return self.policy_override
        from rag.answer.policy import shipped_policy

        return shipped_policy()

    @cached_property
    def chat(self) -> ChatModel | None:
        """The chat model when an endpoint is configured (or one was passed in), else None."""
        if self.chat_override is not None:
            return self.chat_override
        if not self.settings.llm_configured:
            return None
        from rag.components.chat import ChatModel

        return ChatModel(self.settings)


def build_components(settings: Settings, **overrides) -> Components:
    """The parts for these settings; overrides (embed_override=..., chat_override=...) replace any."""
    return Components(settings, **overrides)
