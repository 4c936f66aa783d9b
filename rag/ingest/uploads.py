"""Uploads: files a user adds through the window become articles in the corpus folder, safely.

Names are reduced to a plain basename; text (.txt, .md, .html) is decoded and written as
UTF-8, PDF and Word files are kept as their own bytes once they are known to parse; and
nothing is ever written outside the corpus folder. An upload never replaces an article:
one named like an existing article is refused unless its text is the same.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from rag.errors import UploadRejected
from rag.ingest.load import BINARY_SUFFIXES, SUPPORTED_SUFFIXES, decode, extract, read_article_bytes

MAX_NAME_BYTES = 200
ACCEPTED = "only text (.txt and .md), PDF (.pdf), Word (.docx) and HTML (.html, .htm) files are accepted"


def safe_file_name(name: str) -> str:
    """A plain file name for the corpus folder: basename only, no traversal, a supported suffix (lower case)."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    base = re.sub(r'[<>:"|?*]', "_", base).strip().lstrip(". ").rstrip(". ")
    if not base:
        raise UploadRejected("the file has no usable name")
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(ACCEPTED)
    stem = Path(base).stem
    if not stem.strip(". "):
        raise UploadRejected("the file has no usable name")
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def save_uploads(
    files: Sequence[str | Path | tuple[str, str | Path]], corpus_dir: Path, max_bytes: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Copy uploaded files into the corpus folder: text as UTF-8, PDF and Word files as they are.

    Each file is a path (its name is used) or (claimed name, path). Returns the saved
    file names and (name, reason) for each rejected file. Nothing is written outside
    corpus_dir: names are reduced to a sanitized basename, and links are refused.
    """
    corpus = Path(corpus_dir).resolve()
    saved: list[str] = []
    rejected: list[tuple[str, str]] = []
    for item in files or []:
        claimed, path = (item if isinstance(item, tuple) else (Path(str(item)).name, item))
        shown = str(claimed) or "(unnamed)"
        try:
            name = safe_file_name(str(claimed))
            source = Path(str(path))
            try:
                size = source.stat().st_size
            except OSError as exc:
                raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
            if size > max_bytes:
                raise UploadRejected(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
            if size == 0:
                raise UploadRejected("the file is empty")
            content = _content(source, name)
            target = corpus / name
            if target.is_symlink() or target.resolve().parent != corpus:
                raise UploadRejected("this name points outside the articles folder")
            if target.exists() and not target.is_file():
                raise UploadRejected("a folder with this name exists")
            if target.exists():
                _refuse_replacing(target, content)  # the same content again is no change: nothing to write
            else:
                _write_new(target, content)
            saved.append(name)
        except UploadRejected as exc:
            rejected.append((shown, str(exc)))
        except OSError as exc:
            rejected.append((shown, f"could not be saved ({exc.strerror or exc})"))
    return saved, rejected


def _content(source: Path, name: str) -> str | bytes:
    """What is written for an upload: a text file's decoded text, a PDF or Word file's bytes once they parse."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
    binary = Path(name).suffix in BINARY_SUFFIXES
    try:
        text = extract(data, name).text
    except ValueError as exc:
        raise UploadRejected(str(exc) if binary else f"not readable as text ({exc})") from None
    if not text.strip():
        raise UploadRejected("the file holds no text")
    return data if binary else decode(data, name)


def _refuse_replacing(target: Path, content: str | bytes) -> None:
    """Refuse an upload that would replace an article with a different content (the same is no change)."""
    try:
        data = read_article_bytes(target)
        same = (data if isinstance(content, bytes) else decode(data, target.name)) == content
    except (OSError, ValueError):
        same = False
    if not same:
        raise UploadRejected(f"an article named {target.name} already exists with a different text; "
                             "rename the file to add it, or delete the old article first")


def _write_new(target: Path, content: str | bytes) -> None:
    """Write an article (text as UTF-8) through a temporary file, so a reader never sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".upload-{secrets.token_hex(6)}.tmp"
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
