"""Build or refresh the index: only changed articles are re-chunked, only new passages embedded.

Order matters for crash safety. Embedded, a build writes a new generation's Chroma folder
(chroma-<ns>): the new passages are embedded into it and the unchanged ones copied from the
committed generation's folder (their vectors, texts and metadata: nothing is embedded again),
which is only read. Then the keyword index is written to a fresh folder, then the manifest,
naming both folders, is replaced atomically (the commit), and only then is the previous
generation's Chroma folder removed, a moment later (MID_QUESTION_S) so a question already under
way on it still finds its passages. A build that fails (a full disk, Ctrl-C) removes its
half-made folders; one killed at any point leaves the last committed manifest, and every folder
it names, as they were (the next build removes what the killed one left). A build that changes
nothing keeps the committed Chroma folder.

With a Chroma server (RAG_CHROMA_HOST) the build starts from the index committed there,
adds the new vectors to the server's collection in place (the server's disk is the server's
to watch; replicas know one collection name), uploads the keyword folder and the articles'
texts, and commits by upserting the manifest record last (rag.components.shared_state);
replicas pick it up within POLL_S seconds, so the stale vectors are kept that much longer and
then deleted. The lock is per index folder: run one indexer at a time against a server.

One build at a time per index folder (a lock the OS releases if the builder dies), and
the previous generation's keyword folder is kept, so a reader that read the manifest
just before a commit can still open what it names. A rebuild re-embeds every passage into
the new generation (with a server: in place, an upsert) instead of emptying the store first,
so questions asked meanwhile are answered from the previous generation until the new one is
committed.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from chromadb.errors import ChromaError, NotFoundError
from llama_index.core import Document
from llama_index.core.schema import TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.components import Components, build_components, prompts
from rag.components.shared_state import POLL_S, SharedState
from rag.components.store import (
    MANIFEST, DocumentEntry, Manifest, chroma_client, corpus_folder, discard_store, open_collection,
    remove_keyword_dirs, remove_store_dirs, store_dirs, store_folder,
)
from rag.errors import (
    BuildBusy, IndexDamagedError, IndexMismatchError, IndexWriteError, LLMUnavailableError, RagError,
)
from rag.ingest.chunk import document_chunks
from rag.ingest.load import LoadResult, load_corpus
from rag.search.keyword import KeywordIndex, PassageTokens, tokenize
from rag.settings import Settings

Progress = Callable[[float, str], None]
T = TypeVar("T")
log = logging.getLogger(__name__)

LOCK_FILE = "build.lock"  # holds the running builder's pid
PID_WAIT_S = 1.0  # how long to wait for a builder that has just taken the lock to write its pid
PID_POLL_S = 0.05
KEPT_EMPTY = "read as empty (being saved?); its previous passages are kept"
# A question that read the previous manifest just before a commit fetches its passages within this;
# the stale passages' vectors are deleted only then (with a server, after replicas had POLL_S to move on).
MID_QUESTION_S = 1.0
# Embedding batches per add to Chroma: passages are chunked, embedded, stored and tokenized this many
# embedding batches at a time, and only those are held as nodes (the whole corpus's took GiBs at 100k).
BATCHES_PER_ADD = 4
COPY_BATCH = 1000  # unchanged passages per read and write when they are copied into a new generation


MB = 1_000_000
# The least free space a build starts with: the store's database journal and a segment of vectors (an index
# of the bundled articles takes about 1.4 MB, of 24 encyclopedia articles about 5.4 MB).
MIN_FREE_BYTES = 16 * MB


@dataclass
class BuildReport:
    """What a build did, for the CLI, the UI and the benchmark."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: int = 0
    unchanged_documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (article, the earlier one with its text)
    seconds: float = 0.0
    corpus_dir: str = ""  # the folder indexed (the one the index follows when none was given)


@dataclass
class _Indexed:
    """What indexing the changed articles did: each article's passage ids, and how many were embedded."""

    chunk_ids: dict[str, list[str]] = field(default_factory=dict)
    embedded: int = 0


def _quiet(_: float, __: str) -> None:
    """Default progress callback: say nothing."""


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock, or raise BuildBusy naming the pid of the build that holds it.

    flock() on an open file: the OS releases it when the holder exits or is killed, so a
    crashed build never blocks the next one. The file stays; only the lock comes and goes.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / LOCK_FILE, "a+", encoding="ascii")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RagError(f"cannot use {index_dir} as the index folder ({exc.strerror or exc})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(f"an index build is already running (pid {_holder(handle)})") from None
        _write_pid(handle, str(os.getpid()))
        try:
            yield
        finally:
            _write_pid(handle, "")  # before the lock goes, so no one reads a finished build's pid


def _write_pid(handle: IO[str], pid: str) -> None:
    handle.truncate(0)
    handle.write(pid)
    handle.flush()


def _holder(handle: IO[str]) -> str:
    """The pid the lock's holder wrote (it may be a moment from writing it after taking the lock)."""
    deadline = time.monotonic() + PID_WAIT_S
    while True:
        handle.seek(0)
        pid = handle.read().strip()
        if pid or time.monotonic() > deadline:
            return pid or "unknown"
        time.sleep(PID_POLL_S)


def build_index(
    settings: Settings,
    corpus_dir: Path | None = None,
    *,
    rebuild: bool = False,
    progress: Progress = _quiet,
    components: Components | None = None,
) -> BuildReport:
    """Bring the index in settings.index_dir in line with the corpus folder (see corpus_folder).

    rebuild chunks, tokenizes and embeds every article again, and also repairs an index whose manifest
    or embedded store is damaged.
    """
    components = components or build_components(settings)
    check_free_space(settings.index_dir)
    with build_lock(settings.index_dir), _write_errors(settings.index_dir):
        report = _build(settings, Path(corpus_dir) if corpus_dir else None, rebuild, progress, components)
    components.glossary.prepare()  # the dictionary tables a first question reads, built now rather than then
    return report


@contextmanager
def _write_errors(index_dir: Path) -> Iterator[None]:
    """A failed write (disk full, no permission) as one line; the last committed index is untouched, and the
    build's half-made folders are gone (see _Stores.removed_unless_committed)."""
    try:
        yield
    except OSError as exc:
        why = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise IndexWriteError(f"cannot write the index in {index_dir} ({why}); {_left_as_it_was(index_dir)}. "
                              "Fix that, then run: rag index") from None
    except Exception as exc:  # noqa: BLE001 - Chroma's and SQLite's own errors for a full disk
        if not _disk_full(exc, index_dir):
            raise
        raise IndexWriteError(f"cannot write the index in {index_dir} (the disk is full: {_free_mb(index_dir)} MB "
                              f"free, a build needs at least {MIN_FREE_BYTES // MB} MB); "
                              f"{_left_as_it_was(index_dir)}. Free some space, then run: rag index") from None


def _left_as_it_was(index_dir: Path) -> str:
    """What a failed build left, for its message: the committed index, or (a first build) nothing."""
    return "the previous index still answers" if (index_dir / MANIFEST).exists() else "no index was made"


def _disk_full(exc: BaseException, index_dir: Path) -> bool:
    """True for a store's own report of a full disk (chromadb's InternalError, sqlite3's OperationalError), and
    for any error of Chroma's on a disk with less than MIN_FREE_BYTES left (a full disk stops its compactor
    with "Failed to apply logs to the metadata segment")."""
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text:
        return True
    chroma = isinstance(exc, ChromaError) or (isinstance(exc, IndexDamagedError) and "vector store" in text)
    return chroma and _free_mb(index_dir) < MIN_FREE_BYTES // MB


def _free_mb(index_dir: Path) -> int:
    """Megabytes free on the file system the index folder is (or would be) on."""
    folder = index_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free // MB


def check_free_space(index_dir: Path) -> None:
    """Refuse a build, before it writes anything, on a file system with less than MIN_FREE_BYTES free: SQLite
    and Chroma's segments fail half-way on a full disk, and a half-written store is what must never happen."""
    free = _free_mb(index_dir)
    if free < MIN_FREE_BYTES // MB:
        raise IndexWriteError(f"only {free} MB free where the index lives ({index_dir}); a build needs at least "
                              f"{MIN_FREE_BYTES // MB} MB. Free some space, then run: rag index")


def _build(settings: Settings, corpus_dir: Path | None, rebuild: bool, progress: Progress,
           components: Components) -> BuildReport:
    """build_index's work, under the build lock."""
    started = time.perf_counter()
    shared = components.shared_state
    _start_from_server(shared, settings, rebuild)
    old = _previous_manifest(settings, rebuild)
    corpus_dir = corpus_dir or corpus_folder(settings, old)
    if old is not None and not rebuild:
        old.check_model(settings)

    progress(0.02, "reading articles")
    known = {d.doc_hash: d.language for d in old.documents.values()} if old and not rebuild else None
    # Read before any change: a bad folder leaves the index as it was.
    loaded = load_corpus(corpus_dir, known, settings.max_article_bytes)
    stores = _Stores.open(settings, components, old, rebuild)
    stored = stores.committed_ids(old)
    tokens = _previous_tokens(settings, old)
    intact = _intact_documents(old, stored, tokens)
    if rebuild:  # everything again, but for an article read as empty (an editor may be saving it)
        intact = {name: intact[name] for name in loaded.empty if name in intact}
        tokens = tokens.restrict(cid for entry in intact.values() for cid in entry.chunk_ids)

    changed = [d for d in loaded.documents if d.id_ not in intact
               or intact[d.id_].doc_hash != d.metadata["doc_hash"]]
    progress(0.1, f"chunking {len(changed)} changed of {len(loaded.documents)} articles")
    keyword_dir = f"keyword-{time.time_ns()}"
    with stores.removed_unless_committed(keyword_dir):
        indexed = _index_changed(changed, components, stores, stored, tokens, rebuild, progress)
        kept = [name for name in loaded.empty if name in intact]  # an editor may be saving them right now
        skipped = [(name, KEPT_EMPTY if name in kept else why) for name, why in loaded.skipped]
        manifest = _new_manifest(settings, corpus_dir, loaded, skipped, indexed.chunk_ids, intact, kept)
        manifest.chroma_dir = stores.complete(manifest.chunk_ids, stored, progress)
        progress(0.9, "writing the keyword index")
        manifest.keyword_dir = _write_keyword_index(settings, tokens, manifest, keyword_dir)
        if shared is not None:
            _commit_to_server(shared, settings, manifest, loaded, progress)
        manifest.save(settings.index_dir)
        stores.committed = True
    progress(0.98, "committed; removing the previous generation's passages" if old else "committed")

    stale = sorted(stored - manifest.chunk_ids)
    stores.remove_previous(manifest.chroma_dir, stale, _stale_grace(settings))
    remove_keyword_dirs(settings.index_dir, keep={manifest.keyword_dir, old.keyword_dir if old else ""})
    if shared is not None:
        shared.prune(keep=[m for m in (manifest, old) if m is not None])
    progress(1.0, "done")
    return BuildReport(
        documents=len(manifest.documents), chunks=len(manifest.chunk_ids), embedded=indexed.embedded,
        removed=len(stale), unchanged_documents=len(loaded.documents) - len(changed),
        skipped=skipped, duplicates=duplicate_articles(loaded.documents), seconds=time.perf_counter() - started,
        corpus_dir=str(corpus_dir),
    )


def duplicate_articles(documents: list[Document]) -> list[tuple[str, str]]:
    """(article, the article before it with the same text) for each article whose text another already has:
    indexed, but its passages count once in retrieval and citations (see rag.search.retrieve.distinct)."""
    first: dict[str, str] = {}
    found = []
    for document in documents:
        earlier = first.setdefault(document.metadata["doc_hash"], document.id_)
        if earlier != document.id_:
            found.append((document.id_, earlier))
    return found


def _start_from_server(shared: SharedState | None, settings: Settings, rebuild: bool) -> None:
    """With a Chroma server, start from the index committed there: this folder is only a copy of it.

    A rebuild goes on when the server's manifest is damaged or foreign (it is about to be replaced).
    """
    if shared is not None:
        _unless_replaced(lambda: shared.sync(settings.index_dir), rebuild)


def _commit_to_server(shared: SharedState, settings: Settings, manifest: Manifest, loaded: LoadResult,
                      progress: Progress) -> None:
    """Upload the new keyword folder and the articles' texts, then commit the manifest record (last)."""
    progress(0.93, "uploading the keyword index and the articles to the Chroma server")
    texts = {doc.metadata["doc_hash"]: doc.text for doc in loaded.documents}
    files = shared.publish(settings.index_dir / manifest.keyword_dir, texts)
    progress(0.97, "committing")
    shared.commit(manifest, files)


def _stale_grace(settings: Settings) -> float:
    """How long the previous generation's vectors outlive the commit: until every reader has moved on."""
    return MID_QUESTION_S + (POLL_S if settings.chroma_host else 0.0)


def _previous_manifest(settings: Settings, rebuild: bool) -> Manifest | None:
    """The committed manifest; for a rebuild, None when it is damaged or foreign (it is about to be replaced)."""
    return _unless_replaced(lambda: Manifest.load(settings.index_dir), rebuild)


def _unless_replaced(read: Callable[[], T], rebuild: bool) -> T | None:
    """read() the committed index; None when it is damaged or foreign and a rebuild is about to replace it
    (anything else than a rebuild refuses it: IndexMismatchError)."""
    try:
        return read()
    except IndexMismatchError:
        if not rebuild:
            raise
        return None


def _intact_documents(old: Manifest | None, stored: set[str], tokens: PassageTokens) -> dict[str, DocumentEntry]:
    """The committed articles whose every passage is in the vector store and has its keyword tokens.

    The others are chunked again: their missing vectors are embedded, their tokens
    recomputed, so `rag index` repairs a store or keyword folder that lost passages.
    """
    if old is None:
        return {}
    return {name: entry for name, entry in old.documents.items()
            if all(cid in stored and cid in tokens for cid in entry.chunk_ids)}


def _new_manifest(
    settings: Settings, corpus_dir: Path, loaded: LoadResult, skipped: list[tuple[str, str]],
    new_chunk_ids: dict[str, list[str]], intact: dict[str, DocumentEntry], kept: list[str],
) -> Manifest:
    """The manifest to commit: each article read with its unchanged or new passages, then the kept ones."""
    manifest = Manifest(embed_model=settings.embed_model, skipped=skipped,
                        corpus_dir=str(corpus_dir.resolve()))
    for doc in loaded.documents:
        entry = intact.get(doc.id_)
        if entry is None or entry.doc_hash != doc.metadata["doc_hash"]:
            entry = DocumentEntry(doc_hash=doc.metadata["doc_hash"], title=doc.metadata["title"],
                                  language=doc.metadata["language"], chunk_ids=new_chunk_ids.get(doc.id_, []))
        manifest.documents[doc.id_] = entry
    for name in kept:
        log.warning("%s was read as empty; its previous passages are kept", name)
        manifest.documents[name] = intact[name]
    return manifest


class _Stores:
    """The collection a build reads the committed passages from, and the one it writes the new generation into.

    Embedded, the new generation gets a Chroma folder of its own, made on the first write, and the committed
    generation's folder is only read; with a Chroma server (or a client passed in) both are the one collection,
    written in place.
    """

    def __init__(self, settings: Settings, read, write=None) -> None:
        self.settings = settings
        self.read = read  # None: nothing committed to read (no index, its store lost, or damaged for a rebuild)
        self.in_place = write is not None
        self._write = write
        self.folder = ""  # the new generation's Chroma folder (embedded), once made
        self.committed = False
        self._previous = ""  # the committed generation's Chroma folder (embedded)

    @classmethod
    def open(cls, settings: Settings, components: Components, old: Manifest | None, rebuild: bool) -> _Stores:
        """The stores of this build; embedded, the Chroma folders no manifest names (a killed build's) are
        removed first."""
        if settings.chroma_host or components.client_override is not None:
            collection = _open_collection(settings, components, rebuild)
            return cls(settings, collection, collection)
        if old is not None or not (settings.index_dir / MANIFEST).exists():  # else: a damaged one, being replaced
            remove_store_dirs(settings.index_dir, keep={store_folder(settings.index_dir, old).name} if old else set())
        stores = cls(settings, _committed_store(settings, old, rebuild))
        stores._previous = store_folder(settings.index_dir, old).name if old else ""
        return stores

    def committed_ids(self, old: Manifest | None) -> set[str]:
        """The committed passages the committed generation holds (in place: a killed build's others deleted)."""
        if self.in_place:
            return _drop_uncommitted(self._write, old)
        if self.read is None or old is None:
            return set()
        return set(self.read.get(include=[])["ids"]) & old.chunk_ids

    def writer(self):
        """The collection the new generation is written into (embedded: its folder is made on the first call)."""
        if self._write is None:
            self.folder = f"chroma-{time.time_ns()}"
            path = self.settings.index_dir / self.folder
            self._write = open_collection(self.settings, chroma_client(self.settings, folder=path), create=True,
                                          folder=path)
        return self._write

    def complete(self, wanted: set[str], stored: set[str], progress: Progress) -> str:
        """Copy the passages of wanted that the new generation lacks from the committed one, check that it holds
        every one, and return the Chroma folder the manifest names.

        Embedded with nothing embedded and no passage removed, the committed folder is kept as it is.
        """
        if self.in_place:
            return ""
        if self._write is None and wanted == stored and self.read is not None:
            return self._previous
        write = self.writer()
        missing = sorted(wanted - set(write.get(include=[])["ids"]))
        if missing and self.read is not None:
            progress(0.85, f"copying {len(missing)} unchanged passages into the new generation")
            for start in range(0, len(missing), COPY_BATCH):
                found = self.read.get(ids=missing[start : start + COPY_BATCH],
                                      include=["embeddings", "documents", "metadatas"])
                write.add(ids=found["ids"], embeddings=found["embeddings"], documents=found["documents"],
                          metadatas=found["metadatas"])
        if write.count() != len(wanted):
            raise RagError(f"the new vector store {self.settings.index_dir / self.folder} holds {write.count()} "
                           f"passages, not the {len(wanted)} the index names; nothing was committed. "
                           f"Rebuild it with: rag index --rebuild")
        return self.folder

    @contextmanager
    def removed_unless_committed(self, keyword_dir: str) -> Iterator[None]:
        """Remove the new generation's folders when the build ends without committing them (a full disk,
        Ctrl-C): the committed index is as it was, and nothing half-made is left."""
        try:
            yield
        finally:
            if not self.committed:
                if self.folder:
                    discard_store(self.settings.index_dir / self.folder)
                shutil.rmtree(self.settings.index_dir / keyword_dir, ignore_errors=True)

    def remove_previous(self, kept: str, stale: list[str], grace: float) -> None:
        """After the commit and a grace for the questions under way: delete the stale passages (in place) or
        remove every Chroma folder but the committed one (embedded)."""
        if self.in_place:
            if stale:
                time.sleep(grace)
                self._write.delete(ids=stale)
            return
        if any(path.name != kept for path in store_dirs(self.settings.index_dir)):
            time.sleep(grace)
            remove_store_dirs(self.settings.index_dir, keep={kept})


def _committed_store(settings: Settings, old: Manifest | None, rebuild: bool):
    """The committed generation's collection, to copy unchanged passages from; None when there is none to read:
    no index, or its Chroma folder or collection lost (the passages are embedded again), or for a rebuild, a
    store that is damaged or of another embedding model."""
    if old is None:
        return None
    folder = store_folder(settings.index_dir, old)
    if not folder.is_dir():
        log.warning("the vector store %s is missing; its passages are embedded again", folder)
        return None
    try:
        client = chroma_client(settings, folder=folder)
        try:
            client.get_collection(settings.collection)
        except NotFoundError:
            log.warning("the vector store %s has no collection; its passages are embedded again", folder)
            return None
        return open_collection(settings, client, folder=folder)
    except IndexMismatchError as exc:
        if not rebuild:
            raise
        log.warning("%s; the vector store is made anew", exc)
        return None


def _open_collection(settings: Settings, components: Components, rebuild: bool):
    """The collection on a Chroma server (or the client passed in) to build into, created if missing.

    For a rebuild, a collection that cannot be read or is of another embedding model is dropped; anything
    else is kept, so the previous generation answers until the rebuild commits.
    """
    try:
        return open_collection(settings, components.chroma, create=True)
    except IndexMismatchError as exc:
        if not rebuild:
            raise
        log.warning("%s; the vector store is made anew", exc)
        components.chroma.delete_collection(settings.collection)
        return open_collection(settings, components.chroma, create=True)


class _Upserting:
    """The new generation's collection, made on the first add(), whose add() replaces passages already stored
    (with a server, a rebuild re-embeds them in place)."""

    def __init__(self, stores: _Stores) -> None:
        self._stores = stores

    def add(self, **records) -> None:
        self._stores.writer().upsert(**records)

    def __getattr__(self, name: str):
        return getattr(self._stores.writer(), name)


def _drop_uncommitted(collection, old: Manifest | None) -> set[str]:
    """Delete vectors a killed build added but never committed; returns the committed ids it holds."""
    committed = old.chunk_ids if old else set()
    present = set(collection.get(include=[])["ids"])
    leftovers = sorted(present - committed)
    for start in range(0, len(leftovers), 5000):
        collection.delete(ids=leftovers[start : start + 5000])
    return present & committed


def _previous_tokens(settings: Settings, old: Manifest | None) -> PassageTokens:
    """The passages' tokens saved by the last build, or none when they are missing or damaged."""
    if old is None:
        return PassageTokens()
    try:
        return KeywordIndex.load_tokens(settings.index_dir / old.keyword_dir)
    except (OSError, ValueError) as exc:
        log.warning("the keyword tokens of %s cannot be read (%s); the passages are tokenized again",
                    old.keyword_dir, exc)
        return PassageTokens()


def _index_changed(changed: list[Document], components: Components, stores: _Stores, stored: set[str],
                   tokens: PassageTokens, rebuild: bool, progress: Progress) -> _Indexed:
    """Chunk the changed articles one at a time; embed, store and tokenize their passages a batch at a time.

    Only the current batch (and the article being chunked) is held as nodes: a stored passage lives on
    as its id and its compact tokens. Passages already stored are not embedded again (all are, for a
    rebuild); passages that have tokens (the previous build's) are not tokenized again. The stored passages
    of a changed article are copied into a new generation later, with the unchanged articles' (_Stores.complete).
    """
    store = ChromaVectorStore(chroma_collection=_Upserting(stores))
    tokens_of = _passage_tokenizer(components)
    batch = max(components.settings.embed_batch_size, 1) * BATCHES_PER_ADD
    indexed, pending = _Indexed(), []
    chunked = zip(changed, document_chunks(changed, components.settings))
    for count, (document, nodes) in enumerate(chunked, 1):
        indexed.chunk_ids[document.id_] = [n.id_ for n in nodes]
        pending.extend(nodes)
        while len(pending) >= batch or (pending and count == len(changed)):  # the last article: the rest
            part, pending = pending[:batch], pending[batch:]
            to_embed = part if rebuild else [n for n in part if n.id_ not in stored]
            _embed_and_add(to_embed, components, store)
            for node in part:
                if node.id_ not in tokens:
                    tokens.add(node.id_, tokens_of(node))
            indexed.embedded += len(to_embed)
            progress(0.1 + 0.8 * count / len(changed),
                     f"embedded {indexed.embedded} passages ({count}/{len(changed)} articles chunked)")
    return indexed


def _embed_and_add(nodes: list[TextNode], components: Components, store) -> None:
    """Embed one batch and add it to Chroma."""
    if not nodes:
        return
    texts = [n.get_content(metadata_mode="embed") for n in nodes]
    for node, vector in zip(nodes, components.embed_model.get_text_embedding_batch(texts)):
        node.embedding = vector
    store.add(nodes)


def _english_gloss(components: Components) -> Callable[[str], str] | None:
    """With RAG_LLM_GLOSS_PASSAGES and a chat model, a function giving a passage's English gloss.

    The gloss's words go into the keyword index beside the passage's own, so an English
    question meets an Arabic or Danish passage. The first failure stops glossing for this
    build (a warning says so); the build itself goes on.
    """
    if not (components.settings.llm_gloss_passages and components.chat):
        return None
    chat, failed = components.chat, []

    def gloss(text: str) -> str:
        if failed:
            return ""
        try:
            return chat.complete(prompts.template("gloss").format(passage=text))
        except LLMUnavailableError as exc:
            failed.append(exc)
            log.warning("English glosses stopped, the passages are indexed without them: %s", exc)
            return ""

    return gloss


def _passage_tokenizer(components: Components) -> Callable[[TextNode], list[str]]:
    """A passage's keyword tokens: its own words, its dictionary glosses' and, when enabled, the chat model's."""
    gloss = _english_gloss(components)

    def tokens_of(node: TextNode) -> list[str]:
        language = node.metadata.get("language", "und")
        found = tokenize(node.text, language) + dictionary_gloss_tokens(components, node.text, language)
        if gloss and language != "en":
            found += tokenize(gloss(node.text), "en")
        return found

    return tokens_of


def _write_keyword_index(settings: Settings, tokens: PassageTokens, manifest: Manifest, name: str) -> str:
    """Write BM25 and the tokens of the manifest's passages into the new folder name; returns its name."""
    ids = sorted(manifest.chunk_ids)
    folder = settings.index_dir / name
    KeywordIndex.from_passages(tokens, ids).save(folder)
    KeywordIndex.save_tokens(folder, tokens, ids)
    return name


def dictionary_gloss_tokens(components: Components, text: str, language: str) -> list[str]:
    """English tokens of a non-English passage's dictionary glosses, indexed beside its own words."""
    if language in ("en", "und"):
        return []
    words = [g for _, glosses in components.glossary.gloss_words(text, language) for g in glosses]
    return tokenize(" ".join(words), "en")

