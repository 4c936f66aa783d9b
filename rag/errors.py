"""Every error a user can meet, under one base class; each message is the one line a user sees.

Front ends catch RagError and print or show str(exc); anything else is a bug.
"""

from __future__ import annotations


class RagError(Exception):
    """Something the user can fix or wait out; the message says what and how."""


class QuestionError(RagError, ValueError):
    """The question cannot be asked as put (empty after cleaning, a source filter naming no indexed article)."""


class CorpusError(RagError, ValueError):
    """The corpus folder is missing or holds no usable document."""


class IndexMissingError(RagError):
    """No committed index exists in the configured folder."""


class IndexMismatchError(RagError):
    """The index on disk was built by another version or another embedding model."""


class EmbeddingUnavailableError(RagError):
    """The embeddings endpoint could not embed the question (down, slow or failing)."""


class LLMUnavailableError(RagError):
    """The chat endpoint refused, timed out, failed or answered nothing usable."""


class UploadRejected(RagError, ValueError):
    """An uploaded file cannot be added to the corpus (name, type, size or content)."""


class BuildBusy(RagError):
    """An index build is already running."""


class IndexDamagedError(IndexMismatchError):
    """A file of the index (manifest, keyword folder, vector store) cannot be read; a rebuild repairs it.

    A kind of IndexMismatchError: front ends that start without a usable index still start.
    """


class SettingsError(RagError, ValueError):
    """A setting (an RAG_ environment variable or .env line) or a command-line argument has a bad value."""


class IndexReadOnlyError(RagError):
    """An index on a read-only folder cannot be served (it could not be copied somewhere writable)."""


class IndexWriteError(RagError):
    """A build could not write the index (disk full, permissions); the previous index still answers."""


class ArticleNotFound(RagError, LookupError):
    """The index tab was asked about an article the articles folder does not hold."""


class FeedbackError(RagError, ValueError):
    """A feedback file cannot be read, or one of its lines is not a feedback record."""
