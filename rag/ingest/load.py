"""Load: read a folder of articles into llama-index Documents, with language and title.

Files that cannot be used (binary, empty, unreadable, undecodable) are skipped and
named, never fatal, so one bad file does not cost the user the rest of the corpus.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes
from llama_index.core import Document, SimpleDirectoryReader

from rag.errors import CorpusError
from rag.text import detect_language

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md")


@dataclass
class LoadResult:
    """The documents read and the files skipped, each with the reason."""

    documents: list[Document]
    skipped: list[tuple[str, str]] = field(default_factory=list)


_WESTERN = ("cp1252", "latin_1", "iso8859_15")


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: UTF-8 first, else the encoding charset-normalizer detects.

    Near-ties go to the Western encodings: short Danish text in cp1252 otherwise reads as cp852.
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        matches = from_bytes(data)
        best = matches.best()
        if best is None:
            raise ValueError("not text in any known encoding") from None
        western = (m for m in matches if set(m.could_be_from_charset) & set(_WESTERN) and m.chaos <= best.chaos + 0.15)
        match = next(western, best)
        log.warning("%s: decoded as %s (not UTF-8)", name, match.encoding)
        return str(match)


def title_of(text: str) -> str:
    """The first non-empty line, which is the headline in these articles."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def content_hash(text: str) -> str:
    """A short stable hash of text, used for document and chunk identity."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_text(path: Path, name: str = "") -> str:
    """A file's text as every stage sees it: decoded, NFC-normalised, with \\n line ends."""
    return unicodedata.normalize("NFC", decode(path.read_bytes(), name or path.name)).replace("\r\n", "\n")


def read_document(path: Path, root: Path, known_languages: dict[str, str] | None = None) -> Document:
    """One file as a Document whose id is its path relative to the corpus root.

    known_languages maps content hashes to languages already detected, so an unchanged
    file is not run through langdetect again on every re-index.
    """
    name = path.relative_to(root).as_posix()
    text = read_text(path, name)
    if not text.strip():
        raise ValueError("empty file")
    doc_hash = content_hash(text)
    language = (known_languages or {}).get(doc_hash) or detect_language(text)
    return Document(
        id_=name,
        text=text,
        metadata={
            "file_name": name,
            "title": title_of(text),
            "language": language,
            "doc_hash": doc_hash,
        },
        # Passages are embedded and prompted as plain text; metadata travels beside them.
        excluded_embed_metadata_keys=["file_name", "title", "language", "doc_hash"],
        excluded_llm_metadata_keys=["file_name", "title", "language", "doc_hash"],
    )


def list_files(corpus_dir: Path) -> list[Path]:
    """The supported files under a folder, found by llama-index's directory reader."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    try:
        reader = SimpleDirectoryReader(
            input_dir=str(corpus_dir), recursive=True, required_exts=list(SUPPORTED_SUFFIXES)
        )
    except ValueError:  # the reader raises when no file matches
        return []
    return sorted(Path(p) for p in reader.input_files)


def load_corpus(corpus_dir: Path, known_languages: dict[str, str] | None = None) -> LoadResult:
    """Read every supported file; skip and name the ones that cannot be used."""
    corpus_dir = corpus_dir.resolve()
    result = LoadResult(documents=[])
    for path in list_files(corpus_dir):
        try:
            result.documents.append(read_document(path, corpus_dir, known_languages))
        except (OSError, ValueError) as exc:
            name = path.relative_to(corpus_dir).as_posix()
            log.warning("skipped %s: %s", name, exc)
            result.skipped.append((name, str(exc)))
    if not result.documents:
        raise CorpusError(
            f"no readable documents ({', '.join(SUPPORTED_SUFFIXES)}) in {corpus_dir}"
            + (f"; skipped: {result.skipped}" if result.skipped else "")
        )
    return result
