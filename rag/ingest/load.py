"""Load: read a folder of articles into llama-index Documents, with language and title.

Files that cannot be used (binary, empty, unreadable, undecodable, too large, not a
regular file, a link leading out of the folder, a name that is not UTF-8) are skipped
and named, never fatal, so one bad file does not cost the user the rest of the corpus.
Nothing but a regular file inside the corpus folder is ever opened: a FIFO would hang
the build, a link to /dev/zero would fill memory, a link to /etc/passwd would leak it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes
from llama_index.core import Document

from rag.errors import CorpusError
from rag.settings import DEFAULT_MAX_ARTICLE_BYTES
from rag.text import detect_language

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md")
EMPTY = "empty file"
LINK_OUT_OF_FOLDER = "a link to a folder outside the articles folder"
_SPECIAL_FILES = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                  (stat.S_ISBLK, "a device"))


@dataclass
class LoadResult:
    """The documents read and the files skipped, each with the reason.

    empty names the files read as empty (they are in skipped too): a build keeps the
    previous passages of such a file, which an editor may be saving at that moment.
    """

    documents: list[Document]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


class EmptyArticle(ValueError):
    """The file holds no text (perhaps only for now: editors truncate, then write)."""


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


def read_article_bytes(path: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> bytes:
    """A regular file's bytes, refused unread when larger than max_bytes.

    Opened without blocking and checked on the open descriptor, so a file swapped for a
    FIFO or a device after the folder was listed is refused instead of read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        refusal = file_refusal(os.fstat(fd), max_bytes)
        if refusal:
            raise ValueError(refusal)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while being read
        raise ValueError(_too_large(len(data), max_bytes))
    return data


def file_refusal(info: os.stat_result, max_bytes: int) -> str | None:
    """Why a file with this stat() cannot be an article (not a regular file, too large), or None."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for is_kind, name in _SPECIAL_FILES if is_kind(info.st_mode)), "a special file")
        return f"not a regular file ({kind})"
    if info.st_size > max_bytes:
        return _too_large(info.st_size, max_bytes)
    return None


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large ({size:,} bytes; the limit is {max_bytes:,}, RAG_MAX_ARTICLE_BYTES)"


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n")


def read_text(path: Path, name: str = "", max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> str:
    """A file's text as every stage sees it: decoded, NFC-normalised, with \\n line ends."""
    return _normalised(decode(read_article_bytes(path, max_bytes), name or path.name))


def read_document(path: Path, root: Path, known_languages: dict[str, str] | None = None,
                  max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Document:
    """One file as a Document whose id is its path relative to the corpus root.

    known_languages maps content hashes to languages already detected, so an unchanged
    file is not run through langdetect again on every re-index.
    """
    name = path.relative_to(root).as_posix()
    text = read_text(path, name, max_bytes)
    if not text.strip():
        raise EmptyArticle(EMPTY)
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


def shown_name(path: Path, root: Path) -> str:
    """A path relative to root as it can be shown and stored: bytes that are not UTF-8 as \\xNN escapes."""
    return os.fsencode(path.relative_to(root).as_posix()).decode("utf-8", "backslashreplace")


def _outside(path: Path, root: Path) -> bool:
    """True when a link leads out of root (or nowhere that can be resolved)."""
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return True


def find_files(corpus_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The candidate articles under a folder (supported suffix, not hidden), and the linked folders skipped.

    Linked folders are never entered: one inside the folder holds files listed anyway,
    one outside is not part of the corpus (and is named as skipped).
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for folder, dirs, names in os.walk(corpus_dir):  # followlinks=False
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for linked in (Path(folder, d) for d in dirs if os.path.islink(os.path.join(folder, d))):
            if _outside(linked, corpus_dir):
                skipped.append((shown_name(linked, corpus_dir), LINK_OUT_OF_FOLDER))
        files += [Path(folder, n) for n in names if not n.startswith(".") and n.endswith(SUPPORTED_SUFFIXES)]
    return sorted(files), skipped


def listing_refusal(path: Path, root: Path, max_bytes: int) -> str | None:
    """Why a listed file is not read at all (its name, where a link leads, its kind, its size), or None."""
    try:
        path.relative_to(root).as_posix().encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename the file"
    if path.is_symlink() and _outside(path, root):
        return "a link to a file outside the articles folder"
    try:
        return file_refusal(path.stat(), max_bytes)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"


def load_corpus(corpus_dir: Path, known_languages: dict[str, str] | None = None,
                max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> LoadResult:
    """Read every supported file; skip and name the ones that cannot be used."""
    corpus_dir = corpus_dir.resolve()
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    files, skipped = find_files(corpus_dir)
    result = LoadResult(documents=[], skipped=skipped)
    for path in files:
        name = shown_name(path, corpus_dir)
        try:
            refusal = listing_refusal(path, corpus_dir, max_bytes)
            if refusal:
                raise ValueError(refusal)
            result.documents.append(read_document(path, corpus_dir, known_languages, max_bytes))
        except EmptyArticle:
            result.empty.append(name)
            result.skipped.append((name, EMPTY))
        except (OSError, ValueError) as exc:
            result.skipped.append((name, str(exc)))
    for name, why in result.skipped:
        log.warning("skipped %s: %s", name, why)
    if not result.documents:
        raise CorpusError(
            f"no readable documents ({', '.join(SUPPORTED_SUFFIXES)}) in {corpus_dir}"
            + (f"; skipped: {result.skipped}" if result.skipped else "")
        )
    return result
