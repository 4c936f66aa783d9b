"""Embed and store: the embedding model, the Chroma collection and the index manifest.

Chroma holds the vectors (embedded PersistentClient by default, a `chroma run` server
when RAG_CHROMA_HOST is set); llama-index's ChromaVectorStore talks to it. The manifest
is the index's commit point: it names the embedding model, the documents and their
passages, the keyword folder and (embedded) the Chroma folder, and is replaced atomically,
so a build killed part-way leaves the previous index answering.

Embedded, each generation's vectors are in a Chroma folder of their own (chroma-<ns>), written by one
build and never again after its commit: a build that fails (a full disk, Ctrl-C, a crash) leaves a
half-made folder that no manifest names, never a half-written committed one. An index built before
generations had folders of their own names none, and its vectors are in CHROMA_DIR.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TypeVar

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.errors import ChromaError, NotFoundError
from pydantic import TypeAdapter, ValidationError

from rag.components import Components, build_components
from rag.errors import IndexDamagedError, IndexMismatchError, IndexReadOnlyError
from rag.settings import Settings

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CHROMA_DIR = "chroma"  # the embedded store of an index whose manifest names no Chroma folder
CHROMA_GENERATION = re.compile(r"chroma(-\d+)?")  # an embedded store's folder name, CHROMA_DIR or a generation's
KEYWORD_DIR = re.compile(r"keyword-\d+")  # a keyword folder's name; nothing else may be named by a manifest
OPTIONAL_FIELDS = {"chroma_dir"}  # added since FORMAT_VERSION 2 came out: an older manifest without them loads
REBUILD_HINT = "rag index --rebuild"
SHOWN_CHARS = 40  # of a damaged manifest's content, in its error message
REFRESH_HINT = "rag index"
# The committed manifest file's (inode, mtime ns, size), or with a Chroma server the version its manifest
# record names (see rag.components.shared_state); None: none yet.
Generation = tuple[int, int, int] | str | None
T = TypeVar("T")


@dataclass
class DocumentEntry:
    """What the index knows of one article."""

    doc_hash: str
    title: str
    language: str
    chunk_ids: list[str]


@dataclass
class Manifest:
    """The committed state of an index: model, documents, passages, keyword index folder, Chroma folder."""

    embed_model: str
    format_version: int = FORMAT_VERSION
    keyword_dir: str = ""
    chroma_dir: str = ""  # the embedded store's folder in the index folder; "": CHROMA_DIR (or a Chroma server)
    corpus_dir: str = ""
    built_at: float = field(default_factory=time.time)
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chunk_ids(self) -> set[str]:
        """Every passage id the index answers with."""
        return {cid for doc in self.documents.values() for cid in doc.chunk_ids}

    def save(self, index_dir: Path) -> None:
        """Write atomically: a reader sees the old manifest or the new one, never half."""
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = index_dir / f".{MANIFEST}.{os.getpid()}.tmp"
        try:
            tmp.write_text(self.to_json(), encoding="utf-8")
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, index_dir / MANIFEST)
        except OSError:
            tmp.unlink(missing_ok=True)  # a disk that filled up keeps no half-written copy
            raise

    @classmethod
    def load(cls, index_dir: Path) -> Manifest | None:
        """The committed manifest, or None when no index was ever completed here.

        Anything else than a manifest this version wrote (empty, truncated, `null`, wrong
        types, missing keys) is an IndexDamagedError naming the file and the repair command.
        """
        path = index_dir / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise _damaged(path, f"unreadable: {getattr(exc, 'strerror', None) or exc}") from None
        return cls.parse(text, path, index_dir)

    @classmethod
    def parse(cls, text: str, where: Path | str, index: Path | str) -> Manifest:
        """A manifest from its JSON text (a file, or the manifest record on a Chroma server), checked like load()."""
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested too deep ("[" a hundred thousand times)
            raise _damaged(where, "not valid JSON; empty, cut short or garbled") from None
        if not isinstance(raw, dict):
            raise _damaged(where, f"it holds {json.dumps(raw)[:SHOWN_CHARS]}, not a JSON object")
        version = raw.get("format_version")
        if isinstance(version, int) and version != FORMAT_VERSION:
            raise IndexMismatchError(
                f"the index in {index} was written by another version of this project "
                f"(format {version}, expected {FORMAT_VERSION}). Rebuild it with: {REBUILD_HINT}"
            )
        return _validated(where, raw)

    def to_json(self) -> str:
        """The manifest as save() writes it (UTF-8 text kept as it is)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    def check_model(self, settings: Settings) -> None:
        """Refuse to query vectors made by a different embedding model than the configured one."""
        if self.embed_model != settings.embed_model:
            raise IndexMismatchError(
                f"the index in {settings.index_dir} was built with the embedding model "
                f"'{self.embed_model}', but RAG_EMBED_MODEL is '{settings.embed_model}'. "
                "Rebuild it with: rag index --rebuild (or set RAG_EMBED_MODEL back)"
            )


_SCHEMA = TypeAdapter(Manifest)


def _damaged(path: Path | str, why: str) -> IndexDamagedError:
    return IndexDamagedError(f"the index manifest {path} is damaged ({why}). Repair it with: {REBUILD_HINT}")


def _validated(path: Path | str, raw: dict) -> Manifest:
    """The manifest if every key is present with the type save() writes, else IndexDamagedError."""
    missing = [f.name for f in fields(Manifest) if f.name not in raw and f.name not in OPTIONAL_FIELDS]
    if missing:
        raise _damaged(path, f"missing {', '.join(missing)}")
    try:
        manifest = _SCHEMA.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _damaged(path, f"{where}: {first['msg']}") from None
    if not KEYWORD_DIR.fullmatch(manifest.keyword_dir):
        raise _damaged(path, f"keyword_dir {manifest.keyword_dir!r} is not a keyword folder name")
    if manifest.chroma_dir and not CHROMA_GENERATION.fullmatch(manifest.chroma_dir):
        raise _damaged(path, f"chroma_dir {manifest.chroma_dir!r} is not a Chroma folder name")
    return manifest


def corpus_folder(settings: Settings, manifest: Manifest | None) -> Path:
    """The corpus an index follows: RAG_CORPUS_DIR when set, else the folder it was built from, else the bundled one.

    So an index built with `rag index /other` keeps following /other when the window refreshes it.
    """
    if "corpus_dir" in settings.model_fields_set or manifest is None or not manifest.corpus_dir:
        return Path(settings.corpus_dir)
    return Path(manifest.corpus_dir)


def manifest_generation(index_dir: Path) -> Generation:
    """Which manifest is committed, by one stat(): each commit replaces the file, so a new one has a new inode.

    Cheap enough to call before every question: a process that sees it change reloads the index.
    """
    try:
        info = os.stat(index_dir / MANIFEST)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def read_keyword_folder(index_dir: Path, manifest: Manifest, read: Callable[[Path], T]) -> tuple[Manifest, T]:
    """read() the manifest's keyword folder; if a build removed it since, re-read the manifest once and retry.

    A reader reads the manifest, then loads models for seconds, then opens the keyword
    folder. Builds keep the previous generation's folder, so only a reader overtaken by
    two builds finds its folder gone; it moves on to the newest generation.
    """
    try:
        return manifest, read(index_dir / manifest.keyword_dir)
    except FileNotFoundError:
        newer = Manifest.load(index_dir)
        if newer is None or newer.keyword_dir == manifest.keyword_dir:
            raise
        return newer, read(index_dir / newer.keyword_dir)


def remove_keyword_dirs(index_dir: Path, keep: set[str]) -> None:
    """Remove the keyword folders of older generations (and of killed builds or downloads), keeping those in keep."""
    for path in index_dir.glob("keyword-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def store_folder(index_dir: Path, manifest: Manifest | None = None) -> Path:
    """The embedded Chroma folder of a generation: the one its manifest names, by default the committed
    manifest's (CHROMA_DIR when there is none, it is damaged, or it was written before folders had names)."""
    if manifest is None:
        try:
            manifest = Manifest.load(index_dir)
        except IndexMismatchError:
            manifest = None
    return index_dir / (manifest.chroma_dir if manifest is not None and manifest.chroma_dir else CHROMA_DIR)


def store_dirs(index_dir: Path) -> list[Path]:
    """The embedded Chroma folders in an index folder: the committed generation's, and any others."""
    return [path for path in (index_dir.iterdir() if index_dir.is_dir() else ())
            if path.is_dir() and CHROMA_GENERATION.fullmatch(path.name)]


def remove_store_dirs(index_dir: Path, keep: set[str]) -> None:
    """Remove the Chroma folders of older generations and of failed builds (and this process's handles on
    them), keeping those in keep."""
    for path in store_dirs(index_dir):
        if path.name not in keep:
            discard_store(path)


def discard_store(path: Path) -> None:
    """Delete an embedded Chroma folder and this process's handle on it, so the next client starts empty."""
    _forget_system(path)
    shutil.rmtree(path, ignore_errors=True)


def _forget_system(path: Path) -> None:
    """Drop the Chroma system this process keeps for a folder.

    Chroma keeps one per folder for the life of the process, even one that failed to
    open; a later client would reuse the broken one instead of opening the folder again.
    """
    # Private attributes: Chroma has no public way to forget one folder's system.
    SharedSystemClient._identifier_to_system.pop(str(path), None)  # noqa: SLF001
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)  # noqa: SLF001


def chroma_client(settings: Settings, *, fresh: bool = False, folder: Path | None = None) -> chromadb.ClientAPI:
    """A Chroma server client when RAG_CHROMA_HOST is set, else the embedded store in folder (by default the
    one the committed manifest names, see store_folder).

    fresh: forget this process's handle on the embedded store first. Chroma keeps a store's
    vectors in memory for the life of the process and never sees what another process added
    since, so a reader that notices a new index generation opens the store afresh.
    A store on a read-only folder is served from a private copy: Chroma writes to its
    database even to read it.
    """
    chroma_settings = chromadb.config.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = folder or store_folder(settings.index_dir)
    if is_read_only(path):
        path = _serving_copy(path)
    elif fresh:
        _forget_systems(settings.index_dir)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except BaseException as exc:
        if not _chroma_failure(exc):
            raise
        _forget_system(path)  # so a rebuild opens the folder again instead of reusing the broken handle
        raise _unreadable(f"the vector store {path}", "opened", exc) from None


def _forget_systems(index_dir: Path) -> None:
    """Drop the Chroma systems this process keeps for the index folder's stores: the one being opened afresh,
    and those of previous generations (each holds its vectors in memory; a reader moving on needs none)."""
    for identifier in list(SharedSystemClient._identifier_to_system):  # noqa: SLF001 - see _forget_system
        path = Path(identifier)
        if path.parent == index_dir and CHROMA_GENERATION.fullmatch(path.name):
            _forget_system(path)


def _chroma_failure(exc: BaseException) -> bool:
    """True for Chroma's own errors, and for the panic of its Rust core on a garbled database (a BaseException)."""
    return isinstance(exc, ChromaError) or type(exc).__name__ == "PanicException"


def _unreadable(where: str, what: str, exc: BaseException) -> IndexDamagedError:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return IndexDamagedError(f"{where} cannot be {what} ({first_line}). "
                             f"If it is damaged, rebuild it with: {REBUILD_HINT}")


def is_read_only(path: Path) -> bool:
    """True when the embedded store exists but this process may not write to it (a read-only mount or mode)."""
    database = path / "chroma.sqlite3"
    return database.is_file() and not (os.access(path, os.W_OK) and os.access(database, os.W_OK))


_SERVED: dict[tuple[Path, int, int], Path] = {}  # (read-only store, its database's mtime ns and size) -> its copy


def _serving_copy(path: Path) -> Path:
    """A private, writable copy of a read-only store, removed when the process exits; one per state of the store,
    so a reader opening the same store again (each reload) reuses its copy."""
    database = (path / "chroma.sqlite3").stat()
    key = (path, database.st_mtime_ns, database.st_size)
    if key in _SERVED and _SERVED[key].is_dir():
        return _SERVED[key]
    copy = Path(tempfile.mkdtemp(prefix="rag-read-only-")) / CHROMA_DIR
    atexit.register(shutil.rmtree, copy.parent, True)
    try:
        shutil.copytree(path, copy, copy_function=shutil.copyfile)  # without the read-only modes
        for folder in (copy, *(p for p in copy.rglob("*") if p.is_dir())):
            folder.chmod(0o700)
    except OSError as exc:
        raise IndexReadOnlyError(f"the vector store {path} is read-only and cannot be copied to {copy.parent} "
                                 f"to be served ({exc.strerror or exc}); free space there or set TMPDIR") from None
    log.warning("the vector store %s is read-only; answering from a copy in %s", path, copy)
    _SERVED[key] = copy
    return copy


def store_location(settings: Settings, folder: Path | None = None) -> str:
    """Where the vectors live, as a message names it (folder: the embedded store's, by default the committed)."""
    if settings.chroma_host:
        return f"the Chroma server {settings.chroma_host}:{settings.chroma_port}"
    return f"the vector store {folder or store_folder(settings.index_dir)}"


def open_collection(settings: Settings, client: chromadb.ClientAPI | None = None, *,
                    create: bool = False, folder: Path | None = None) -> chromadb.Collection:
    """The Chroma collection of passages, labelled with the embedding model that fills it.

    Only a build creates the collection (create=True); a reader that finds none is told to re-index.
    folder: the embedded store client opens, when not the committed one (for messages).
    """
    client = client or chroma_client(settings, folder=folder)
    metadata = {"embed_model": settings.embed_model, "hnsw:space": "cosine"}
    try:
        collection = (client.get_or_create_collection(settings.collection, metadata=metadata) if create
                      else client.get_collection(settings.collection))
    except NotFoundError:
        raise IndexDamagedError(f"{store_location(settings, folder)} has no collection '{settings.collection}' "
                                f"(emptied or deleted). Re-embed it with: {REFRESH_HINT}") from None
    try:
        collection.count()  # a database damaged inside opens, and fails at the first read
    except BaseException as exc:
        if not _chroma_failure(exc):
            raise
        raise _unreadable(store_location(settings, folder), "read", exc) from None
    stored = (collection.metadata or {}).get("embed_model")
    if stored and stored != settings.embed_model:
        raise IndexMismatchError(
            f"the Chroma collection '{settings.collection}' holds vectors of '{stored}', "
            f"not of '{settings.embed_model}'. Rebuild it with: rag index --rebuild"
        )
    return collection


def committed_collection(components: Components, manifest: Manifest) -> tuple[Manifest, chromadb.Collection]:
    """The collection holding manifest's passages: on the Chroma server or the client passed in, else in the
    embedded folder the manifest names; if a build removed that folder since, the newest manifest's, once.

    No build writes to a generation's folder after its commit, so the process's handle on it stays current.
    """
    settings = components.settings
    if settings.chroma_host or components.client_override is not None:
        return manifest, open_collection(settings, components.chroma)
    folder = store_folder(settings.index_dir, manifest)
    if not folder.is_dir():
        newer = Manifest.load(settings.index_dir)
        if newer is not None and store_folder(settings.index_dir, newer) != folder:
            return committed_collection(components, newer)
        raise IndexDamagedError(f"the vector store {folder} is missing. Re-embed it with: {REFRESH_HINT}")
    return manifest, open_collection(settings, chroma_client(settings, folder=folder), folder=folder)


def check_passages(collection: chromadb.Collection, manifest: Manifest, settings: Settings) -> None:
    """Refuse to answer from a store that lost passages the manifest names (one count, cheap at load)."""
    present = collection.count()
    if present < len(manifest.chunk_ids):
        where = store_location(settings, store_folder(settings.index_dir, manifest))
        raise IndexDamagedError(f"{where} holds {present} of the {len(manifest.chunk_ids)} "
                                f"passages the index names. Re-embed the missing ones with: {REFRESH_HINT}")


def _committed_state(components: Components) -> tuple[Manifest | None, bool]:
    """The committed manifest and whether its keyword index is there: in the index folder, or with a
    Chroma server the records the server holds (a replica's folder is only a cache)."""
    settings = components.settings
    if components.shared_state is None:
        manifest = Manifest.load(settings.index_dir)
        return manifest, manifest is not None and not keyword_problem(settings.index_dir / manifest.keyword_dir,
                                                                      manifest)
    committed = components.shared_state.committed()
    return (committed[0], bool(committed[1])) if committed else (None, False)


def keyword_problem(folder: Path, manifest: Manifest) -> str:
    """What is wrong with a keyword folder, read whole as the retriever reads it ("" when nothing): missing,
    unreadable, or holding other passages than the manifest names."""
    from rag.search.keyword import KeywordIndex  # the keyword stage's libraries only when the index is checked

    try:
        index = KeywordIndex.load(folder)
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError, RecursionError, EOFError, KeyError, TypeError) as exc:
        return f"damaged ({type(exc).__name__})"
    if not isinstance(index.ids, list) or set(index.ids) != manifest.chunk_ids:
        return "damaged (its passages are not the manifest's)"
    return ""


def index_health(settings: Settings) -> tuple[list[str], bool]:
    """A few lines on the committed index (manifest, keyword folder, vector store against the manifest)
    and whether it can answer; reads only, creates nothing, loads no model and opens one Chroma client."""
    components = build_components(settings)
    where = store_location(settings) if settings.chroma_host else str(settings.index_dir)
    try:
        manifest, keyword_ok = _committed_state(components)
    except IndexMismatchError as exc:
        return [f"manifest: {exc}"], False
    if manifest is None:
        return [f"manifest: none in {where}; build the index with: {REFRESH_HINT}"], False
    ids = manifest.chunk_ids
    lines = [f"manifest: {len(manifest.documents)} articles, {len(ids)} passages, model {manifest.embed_model}, "
             f"built {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(manifest.built_at))}, in {where}"]
    problem = "" if keyword_ok else (keyword_problem(settings.index_dir / manifest.keyword_dir, manifest)
                                     if components.shared_state is None else "missing")
    lines.append(f"keyword index: {manifest.keyword_dir} " + ("present and readable" if keyword_ok else
                                                                f"{problem}; rebuild it with: {REFRESH_HINT}"))
    folder = store_folder(settings.index_dir, manifest)
    if not settings.chroma_host and not folder.is_dir():
        return [*lines, f"vector store: {folder} is missing; re-embed it with: {REFRESH_HINT}"], False
    try:
        stored = set(open_collection(settings, components.chroma, folder=folder).get(include=[])["ids"])
    except IndexMismatchError as exc:
        return [*lines, f"vector store: {exc}"], False
    missing = len(ids - stored)
    lines.append(f"vector store: {len(ids & stored)} of {len(ids)} passages present, {missing} missing, "
                 f"{len(stored - ids)} not in the manifest"
                 + (f"; re-embed the missing ones with: {REFRESH_HINT}" if missing else ""))
    return lines, keyword_ok and not missing
