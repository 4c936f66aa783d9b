"""One typed settings object for the whole assistant, read once.

Every knob is an environment variable with the ``RAG_`` prefix (``RAG_TOP_K=8``),
or a line in a ``.env`` file in the working directory. ``OPENAI_API_KEY`` is also
accepted for the LLM key, as every OpenAI-compatible tool does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CORPUS = PACKAGE_DIR / "corpus"  # the five articles, shipped as package data
DATA_DIR = user_data_path("meta-news-rag")  # the user's index and uploads, never inside the package


class Settings(BaseSettings):
    """Where the documents and index live, which models answer, and how retrieval behaves."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore", populate_by_name=True)

    # Load and store
    corpus_dir: Path = BUNDLED_CORPUS
    index_dir: Path = DATA_DIR / "index"
    collection: str = Field("articles", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")

    # Chunk
    chunk_tokens: int = Field(256, ge=32)
    chunk_overlap: int = Field(32, ge=0)

    # Embed: the bundled MiniLM by default; a sentence-transformers folder or an
    # OpenAI-compatible /v1/embeddings endpoint when set.
    embed_model: str = "all-MiniLM-L6-v2"
    embed_path: Path | None = None
    embed_base_url: str | None = None
    embed_api_key: SecretStr = SecretStr("not-needed")
    embed_batch_size: int = 64

    # Chroma server for scale-out; embedded PersistentClient when host is unset.
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Retrieve
    top_k: int = Field(5, ge=1, le=50)
    candidates: int = Field(30, ge=1)
    rerank: bool = True
    rrf_k: int = 60
    dense_weight: float = 1.0  # weight of the dense ranking in fusion; keyword rankings weigh 1

    # Generate: an OpenAI-compatible chat endpoint when base_url and model are set.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr = Field(
        SecretStr("not-needed"), validation_alias=AliasChoices("RAG_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = Field(30.0, gt=0)
    llm_retries: int = Field(2, ge=0)
    llm_max_tokens: int = 384
    llm_translate_queries: bool = False
    llm_gloss_passages: bool = False  # at index time, an English gloss of each non-English passage
    context_tokens: int = Field(1800, ge=100)

    # Guard rails
    max_question_chars: int = Field(2000, ge=10)
    max_upload_bytes: int = 5_000_000

    # Abstain when the best sentence holds less than this rarity-weighted share of the question's
    # words (see rag/answer/abstain.py; calibrated on the tune half of the question set: eval/RESULTS.md).
    min_support: float = Field(0.35, ge=0.0, le=1.0)

    @property
    def llm_configured(self) -> bool:
        """True when an OpenAI-compatible chat endpoint is set."""
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment and .env once."""
    return Settings()
