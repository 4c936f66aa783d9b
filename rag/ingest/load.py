"""Load: read a folder of articles into llama-index Documents, with language and title.

Articles are text (.txt, .md), PDF, Word (.docx) or HTML (.html, .htm). Each format's
text and title come from one extractor, chosen by the file's suffix in extract(); read_text()
goes through the same extractor, so the quote check sees exactly the text that was indexed.

Files that cannot be used (binary, empty, unreadable, undecodable, too large, not a
regular file, a link leading out of the folder, a name that is not UTF-8) are skipped
and named, never fatal, so one bad file does not cost the user the rest of the corpus.
Nothing but a regular file inside the corpus folder is ever opened: a FIFO would hang
the build, a link to /dev/zero would fill memory, a link to /etc/passwd would leak it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from typing import TYPE_CHECKING

from charset_normalizer import from_bytes

if TYPE_CHECKING:  # imported where a Document is made: reading an article's text (a quote check) needs no llama-index
    from llama_index.core import Document

from rag.errors import CorpusError
from rag.settings import DEFAULT_MAX_ARTICLE_BYTES
from rag.text import detect_language

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
BINARY_SUFFIXES = (".pdf", ".docx")  # stored as their bytes, never decoded as text
TITLE_MAX = 120  # display width (a CJK character counts two)
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


MB = 1_000_000
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
# Byte-order marks of the UTF-32 and UTF-16 encodings (UTF-32's first: its little-endian mark starts with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: UTF-16 or UTF-32 by their byte-order mark, UTF-8 next, else the encoding
    charset-normalizer detects.

    Near-ties go to the Western encodings: short Danish text in cp1252 otherwise reads as cp852.
    """
    for bom, encoding in _BOMS:  # UTF-16 and UTF-32 hold NUL bytes: their byte-order mark says which it is
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise ValueError(f"not valid {encoding} after its byte-order mark") from None
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


# A leading line (or the start of one) that is metadata, not a headline: " date 2024-04 …", "Published: 5 Apr 2024".
_DATE = (r"(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
         r"|\d{1,2}\.?\s+[^\W\d_]{3,9}\.?,?\s+\d{4}|[^\W\d_]{3,9}\.?\s+\d{1,2},?\s+\d{4})"
         r"(?:,?\s*(?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?::\d{2})?)?")
_METADATA = re.compile(
    r"^\s*(?:(?:date|dato|published|updated|posted|publiceret|opdateret)\s*[:：]?\s*(?:" + _DATE + r"|\d{4})"
    r"|" + _DATE + r")(?!\w)\s*[-–—|:·]?\s*",
    re.I,
)
# A label before the headline: "Summary:", "摘要:", "Title:".
_LABEL = re.compile(r"^\s*(?:summary|title|headline|resumé|overskrift|摘要|标题|ملخص|العنوان)\s*[:：]\s*", re.I)
_CUT_AFTER = " ,，、;；:：-–—"


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def clean_title(line: str, limit: int = TITLE_MAX) -> str:
    """A title on one line, cut at a word boundary with "…" when wider than limit."""
    title = " ".join(line.split())
    if sum(_width(ch) for ch in title) <= limit:
        return title
    width, end = 0, 0
    for end, ch in enumerate(title):
        width += _width(ch)
        if width > limit - 1:  # room for the "…"
            break
    head = title[:end]
    cut = max(head.rfind(ch) for ch in _CUT_AFTER)
    if cut >= len(head) // 2:  # a boundary in the second half; otherwise (CJK, one long word) cut where it is
        head = head[:cut]
    return head.rstrip(" ,，、;；:：-–—") + "…"


def title_of(text: str) -> str:
    """The first line that holds a headline (metadata and labels before it left out), cleaned."""
    for line in text.splitlines():
        line = _LABEL.sub("", _METADATA.sub("", line.strip().lstrip("#").strip(), count=1), count=1)
        if line.strip() and re.search(r"\w", line):
            return clean_title(line)
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


@dataclass
class Extracted:
    """An article's text (NFC, \\n line ends, one paragraph a line) and the title its document gives."""

    text: str
    title: str


def _paragraphs(blocks: list[str]) -> str:
    """Paragraphs with their inner whitespace collapsed, one to a line, a blank line between them."""
    return "\n\n".join(p for p in (" ".join(b.split()) for b in blocks) if p)


def _title_or_first_line(title: str | None, text: str) -> str:
    title = " ".join((title or "").split())
    return clean_title(title) if title and re.search(r"\w", title) else title_of(text)


def extract_plain(data: bytes, name: str) -> Extracted:
    """A .txt or .md file: decoded as it is; the title is its first line that is not metadata."""
    text = _normalised(decode(data, name))
    return Extracted(text, title_of(text))


_PLACEHOLDER_TITLE = re.compile(r"^(?:untitled|document\d*|microsoft (?:word|powerpoint) - .*|.*\.(?:docx?|pdf|tex))$",
                                re.I)


def extract_pdf(data: bytes, name: str) -> Extracted:
    """A PDF's text layer, page by page; the title from its /Title metadata, else its first line."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("an encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except ValueError as exc:
        raise ValueError(f"not a readable PDF ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise ValueError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    # Lines inside a page are kept (PDF has no paragraphs, only lines); pages are paragraphs.
    text = _normalised("\n\n".join(
        "\n".join(" ".join(line.split()) for line in page.splitlines() if line.strip()) for page in pages
    ).strip())
    if not text.strip():
        raise ValueError("the PDF has no text layer (a scan?)")
    title = _normalised(str(title or "")).strip()
    if _PLACEHOLDER_TITLE.match(title):  # what a converter wrote, not the author
        title = ""
    return Extracted(text, _title_or_first_line(title, text))


def extract_docx(data: bytes, name: str) -> Extracted:
    """A Word file's paragraphs and table cells in order; the title from its core properties,
    else its first Title- or Heading-styled paragraph, else its first line."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        heading = ""
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks += [p.text for row in item.rows for cell in row.cells for p in cell.paragraphs]
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if not heading and item.text.strip() and style.startswith(("Title", "Heading")):
                heading = item.text
            blocks.append(item.text)
        title = document.core_properties.title or heading
    except ValueError as exc:
        raise ValueError(f"not a readable Word file ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on a damaged file
        raise ValueError(f"not a readable Word file ({type(exc).__name__}: {exc})") from None
    text = _normalised(_paragraphs(blocks))
    return Extracted(text, _title_or_first_line(_normalised(title), text))


class _HTMLText(HTMLParser):
    """Collects an HTML page's visible text by block, its <title> and its first <h1>."""

    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
              "table", "section", "article", "header", "footer", "blockquote", "pre", "hr", "dt", "dd",
              "figcaption", "main", "aside", "nav", "address", "title", "body"}
    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.hidden = 0
        self.title: str | None = None
        self.h1: str | None = None
        self._in: str | None = None  # "title" or "h1" while inside one
        self._grab = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("title", "h1") and self._in is None and getattr(self, tag) is None:
            self._in, self._grab = tag, ""
        if tag in self.HIDDEN and tag != "head":
            self.hidden += 1
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            if tag == "title":
                self.title = self._grab
            else:
                self.h1 = self._grab
            self._in = None
        if tag in self.HIDDEN and tag != "head" and self.hidden:
            self.hidden -= 1
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self._in:
            self._grab += data
        if not self.hidden and self._in != "title":
            self.blocks[-1] += data


def extract_html(data: bytes, name: str) -> Extracted:
    """An HTML page's visible text, one block a paragraph; the title from <title>, else the first <h1>."""
    parser = _HTMLText()
    try:
        parser.feed(decode(data, name))
        parser.close()
    except AssertionError as exc:  # html.parser's way to refuse some malformed markup
        raise ValueError(f"not readable HTML ({exc})") from None
    text = _normalised(_paragraphs(parser.blocks))
    return Extracted(text, _title_or_first_line(_normalised(parser.title or parser.h1 or ""), text))


EXTRACTORS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": extract_plain, ".md": extract_plain, ".pdf": extract_pdf, ".docx": extract_docx,
    ".html": extract_html, ".htm": extract_html,
}


def extract(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Extracted:
    """A file's text and title by its suffix; a ValueError saying why when it cannot be read, or when its text
    would pass the article cap: a Word file by its archive's unpacked size, read from the zip directory before
    anything is unpacked (a 0.5 MB file can unpack to 150 MB), any file by the text it gives."""
    suffix = Path(name).suffix.lower()
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise ValueError(f"not a supported kind of file ({', '.join(SUPPORTED_SUFFIXES)})")
    if suffix == ".docx" and unpacked_size(data) > max_bytes:
        raise ValueError(f"it unpacks to {unpacked_size(data) / MB:,.0f} MB, over the {max_bytes / MB:,.0f} MB "
                         "article cap (RAG_MAX_ARTICLE_BYTES)")
    extracted = extractor(data, name)
    if len(extracted.text.encode("utf-8")) > max_bytes:
        raise ValueError(f"its text passes the {max_bytes / MB:,.0f} MB article cap (RAG_MAX_ARTICLE_BYTES)")
    return extracted


def unpacked_size(data: bytes) -> int:
    """The bytes a zip archive's members unpack to, from its directory (0 for data that is not a zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return 0


def read_extracted(path: Path, name: str = "", max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Extracted:
    """A file's text and title, read through the extractor for its suffix."""
    return extract(read_article_bytes(path, max_bytes), name or path.name, max_bytes)


def read_text(path: Path, name: str = "", max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> str:
    """A file's text as every stage sees it: extracted by its format, NFC-normalised, with \\n line ends."""
    return read_extracted(path, name, max_bytes).text


def read_document(path: Path, root: Path, known_languages: dict[str, str] | None = None,
                  max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Document:
    """One file as a Document whose id is its path relative to the corpus root.

    known_languages maps content hashes to languages already detected, so an unchanged
    file is not run through langdetect again on every re-index.
    """
    name = path.relative_to(root).as_posix()
    extracted = read_extracted(path, name, max_bytes)
    text = extracted.text
    if not text.strip():
        raise EmptyArticle(EMPTY)
    doc_hash = content_hash(text)
    language = (known_languages or {}).get(doc_hash) or detect_language(text)
    from llama_index.core import Document

    return Document(
        id_=name,
        text=text,
        metadata={
            "file_name": name,
            "title": extracted.title,
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


HIDDEN = "a hidden file (its name starts with a dot); rename it to index it"


def find_files(corpus_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The candidate articles under a folder (supported suffix, not hidden), and what is skipped: linked folders
    leading out of it, and hidden files of a supported kind (named, so that "..\\evil.txt" is not silently gone).

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
        candidates = [Path(folder, n) for n in names if n.lower().endswith(SUPPORTED_SUFFIXES)]
        files += [path for path in candidates if not path.name.startswith(".")]
        skipped += [(shown_name(path, corpus_dir), HIDDEN) for path in candidates if path.name.startswith(".")]
    return sorted(files), sorted(skipped)


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
