"""Uploads: files a user adds through the window become articles in the corpus folder, safely.

Names are reduced to a plain basename, content is decoded and written as UTF-8, and
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
from rag.ingest.load import SUPPORTED_SUFFIXES, decode, read_article_bytes

MAX_NAME_BYTES = 200


def safe_file_name(name: str) -> str:
    """A plain file name for the corpus folder: basename only, no traversal, .txt or .md."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    base = re.sub(r'[<>:"|?*]', "_", base).strip().lstrip(". ").rstrip(". ")
    if not base:
        raise UploadRejected("the file has no usable name")
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(f"only {' and '.join(SUPPORTED_SUFFIXES)} files are accepted")
    stem = Path(base).stem
    if not stem.strip(". "):
        raise UploadRejected("the file has no usable name")
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def save_uploads(
    files: Sequence[str | Path | tuple[str, str | Path]], corpus_dir: Path, max_bytes: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Copy uploaded files into the corpus folder as UTF-8 text.

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
            try:
                text = decode(source.read_bytes(), name)
            except ValueError as exc:
                raise UploadRejected(f"not readable as text ({exc})") from None
            except OSError as exc:
                raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
            if not text.strip():
                raise UploadRejected("the file holds no text")
            target = corpus / name
            if target.is_symlink() or target.resolve().parent != corpus:
                raise UploadRejected("this name points outside the articles folder")
            if target.exists() and not target.is_file():
                raise UploadRejected("a folder with this name exists")
            if target.exists():
                _refuse_replacing(target, text)  # the same text again is no change: nothing to write
            else:
                _write_new(target, text)
            saved.append(name)
        except UploadRejected as exc:
            rejected.append((shown, str(exc)))
        except OSError as exc:
            rejected.append((shown, f"could not be saved ({exc.strerror or exc})"))
    return saved, rejected


def _refuse_replacing(target: Path, text: str) -> None:
    """Refuse an upload that would replace an article with a different text (the same text is no change)."""
    try:
        same = decode(read_article_bytes(target), target.name) == text
    except (OSError, ValueError):
        same = False
    if not same:
        raise UploadRejected(f"an article named {target.name} already exists with a different text; "
                             "rename the file to add it, or delete the old article first")


def _write_new(target: Path, text: str) -> None:
    """Write an article as UTF-8 through a temporary file, so a reader never sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".upload-{secrets.token_hex(6)}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
