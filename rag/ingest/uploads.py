"""Uploads: files a user adds through the window become articles in the corpus folder, safely.

Names are reduced to a plain basename; text (.txt, .md, .html) is decoded and written as
UTF-8, PDF and Word files are kept as their own bytes once they are known to parse; and
nothing is ever written outside the corpus folder. An upload never replaces an article:
one named like an existing article is refused unless its text is the same.

The window never writes inside the package or the checkout it runs from: when the index
follows such a folder (the bundled articles), its articles are first copied to the
library folder in the user data folder (writable_corpus), which the index follows from
then on. A deleted article is moved to the deleted-articles folder, never destroyed.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ArticleNotFound, UploadRejected
from rag.ingest.load import (
    BINARY_SUFFIXES, SUPPORTED_SUFFIXES, decode, extract, find_files, read_article_bytes, read_extracted, shown_name,
)
from rag.settings import PACKAGE_DIR

MAX_NAME_BYTES = 200
# Folders the window must not write into: the package and, run from a checkout, the checkout around it.
PROTECTED_ROOT = PACKAGE_DIR.parent
PREVIEW_LINES = 8  # lines of an article shown by the Index tab's preview
PREVIEW_LINE_CHARS = 300
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
            content = _content(source, name, max_bytes)
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


def _content(source: Path, name: str, max_bytes: int) -> str | bytes:
    """What is written for an upload: a text file's decoded text, a PDF or Word file's bytes once they parse."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise UploadRejected(f"the upload could not be read ({exc.strerror or exc})") from None
    binary = Path(name).suffix in BINARY_SUFFIXES
    try:
        text = extract(data, name, max_bytes).text
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


def is_protected(folder: Path) -> bool:
    """Whether `folder` lies inside the package or the checkout the code runs from (see PROTECTED_ROOT)."""
    return Path(folder).resolve().is_relative_to(PROTECTED_ROOT.resolve())


def writable_corpus(followed: Path, library: Path) -> Path:
    """The folder the window may add articles to or delete them from: `followed`, or the library instead.

    A followed folder inside the package or checkout is never written: its articles are copied
    to `library` the first time (an existing library is kept as it is), and the library is used.
    """
    if not is_protected(followed):
        return Path(followed)
    library = Path(library)
    if not library.exists():
        files, _ = find_files(Path(followed).resolve())
        staging = library.with_name(f".{library.name}-{secrets.token_hex(6)}.tmp")
        try:
            for path in files:
                target = staging / shown_name(path, Path(followed).resolve())
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            staging.mkdir(parents=True, exist_ok=True)
            os.replace(staging, library)  # all the articles or none: a half copy is never the library
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return library


def article_path(corpus_dir: Path, name: str) -> Path:
    """The file of the article `name` (its path relative to the corpus folder), refused outside it."""
    corpus = Path(corpus_dir).resolve()
    path = (corpus / name).resolve()
    if not path.is_relative_to(corpus) or path == corpus or not path.is_file():
        raise ArticleNotFound(f"no article named {name} in {corpus}")
    return path


def delete_article(corpus_dir: Path, name: str, deleted_dir: Path) -> Path:
    """Move the article out of the corpus into deleted_dir (stamped, so nothing is overwritten); returns where."""
    path = article_path(corpus_dir, name)
    target = Path(deleted_dir) / time.strftime("%Y%m%d-%H%M%S") / name
    if target.exists():
        target = target.with_name(f"{target.stem}-{secrets.token_hex(3)}{target.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    return target


@dataclass(frozen=True)
class ArticlePreview:
    """What the Index tab shows of one article before it is deleted or asked about."""

    name: str
    title: str
    size: int  # bytes on disk
    characters: int  # of the extracted text
    first_lines: list[str]


def preview_article(corpus_dir: Path, name: str, max_bytes: int) -> ArticlePreview:
    """The article's title, size and first non-empty lines, read as the index reads it."""
    path = article_path(corpus_dir, name)
    try:
        extracted = read_extracted(path, path.name, max_bytes)
    except (OSError, ValueError) as exc:
        raise ArticleNotFound(f"{name} cannot be read ({exc})") from None
    lines = [line.strip() for line in extracted.text.splitlines() if line.strip()]
    first = [line if len(line) <= PREVIEW_LINE_CHARS else line[: PREVIEW_LINE_CHARS - 1] + "…"
             for line in lines[:PREVIEW_LINES]]
    return ArticlePreview(name=name, title=extracted.title or (lines[0] if lines else name),
                          size=path.stat().st_size, characters=len(extracted.text), first_lines=first)
