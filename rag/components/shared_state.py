"""Index state on a Chroma server, so that app replicas keep nothing of their own.

With RAG_CHROMA_HOST set, the passages and their vectors are in the server's collection; everything
else an answer needs lives beside them in one more collection, `<collection>-state`, whose records
carry a tiny constant embedding and their content in the document:

- `keyword:<version>/<file>:<part>`: the files of a keyword folder (BM25 and the passages' tokens,
  gloss words included), base64, split into parts of at most PART_BYTES;
- `text:<doc hash>:<part>`: each article's text as it was indexed, for the word-for-word check of quotes
  (a replica on another machine has no corpus folder);
- `manifest`: the manifest, upserted LAST by a build: the commit point. Its metadata names the version
  and the keyword files (parts and SHA-256 of each), so a reader downloads exactly what it names and
  checks it; a build killed before this upsert leaves the previous version answering.

A reader's RAG_INDEX_DIR is a cache: `sync()` downloads the committed version's keyword folder
into it, then writes the manifest there, and the index loads from it as in embedded mode. Readers ask
for the manifest record at most every POLL_S seconds, so a replica serves a new version at most
POLL_S seconds (plus its download and reload) after the commit. Builds delete an older version's
records after the commit and keep the previous version's, for readers still on it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import chromadb

from rag.components.store import Manifest, remove_keyword_dirs, store_location
from rag.errors import IndexDamagedError, IndexMismatchError
from rag.settings import Settings

STATE_SUFFIX = "-state"  # the state collection is named after the passages' collection
MANIFEST_ID = "manifest"
PART_BYTES = 2 * 1024 * 1024  # of a file, per record: a few MB per request to the server
PARTS_PER_REQUEST = 4  # records fetched or written per request (at most ~11 MB of base64)
CONSTANT_EMBEDDING = [1.0]  # the state records are looked up by id, never by similarity
POLL_S = 5.0  # a replica asks for the manifest record at most this often: the bounded delay of a re-index
TEXT_CACHE = 256  # articles' texts kept in memory per process (immutable: keyed by content hash)
KEYWORD, TEXT = "keyword", "text"


def state_collection_name(settings: Settings) -> str:
    """The name of the collection holding the index state beside the passages' collection."""
    return settings.collection + STATE_SUFFIX


class SharedState:
    """The index state records of one Chroma server: written by builds, read by replicas."""

    def __init__(self, settings: Settings, client: chromadb.ClientAPI) -> None:
        self.settings = settings
        self._client = client
        self._collection = None
        self._checked_at = float("-inf")
        self._version: str | None = None
        self._lock = threading.Lock()
        # Per state, not per class: a hash names one text forever, but only on its own server.
        self._stored_text = functools.lru_cache(maxsize=TEXT_CACHE)(self._fetch_text)

    @property
    def collection(self):
        """The state collection, created on first use (by a reader too: an empty one means no index yet)."""
        if self._collection is None:
            self._collection = self._client.get_or_create_collection(
                state_collection_name(self.settings), metadata={"hnsw:space": "cosine"})
        return self._collection

    @property
    def where(self) -> str:
        """The manifest record as an error message names it."""
        return (f"record '{MANIFEST_ID}' of the collection '{state_collection_name(self.settings)}' on "
                f"{store_location(self.settings)}")

    # ------------------------------------------------------------------ reading (replicas, and builds)

    def version(self, *, now: bool = False) -> str | None:
        """The committed version (its keyword folder's name), or None when none was ever committed.

        Asked of the server at most every POLL_S seconds unless now; in between the last answer is returned.
        """
        with self._lock:
            if now or time.monotonic() - self._checked_at >= POLL_S:
                record = self.collection.get(ids=[MANIFEST_ID], include=["metadatas"])
                self._version = record["metadatas"][0]["version"] if record["ids"] else None
                self._checked_at = time.monotonic()
            return self._version

    def committed(self) -> tuple[Manifest, dict[str, list]] | None:
        """The committed manifest and its keyword files ({file: [parts, sha256]}), or None when none."""
        record = self.collection.get(ids=[MANIFEST_ID], include=["documents", "metadatas"])
        if not record["ids"]:
            return None
        manifest = Manifest.parse(record["documents"][0], self.where, store_location(self.settings))
        try:
            files = json.loads(record["metadatas"][0]["files"])
        except (KeyError, TypeError, ValueError):
            raise IndexDamagedError(f"the {self.where} names no keyword files. "
                                    "Rebuild it with: rag index --rebuild") from None
        return manifest, files

    def sync(self, index_dir: Path) -> str | None:
        """Make index_dir a copy of the committed version (keyword folder, then manifest); returns its version.

        Nothing is written when none is committed. A version pruned while it downloads (two builds
        committed meanwhile) is left for the newest one, once.
        """
        try:
            return self._sync_once(index_dir)
        except FileNotFoundError:
            pass
        try:
            return self._sync_once(index_dir)
        except FileNotFoundError as exc:
            raise IndexDamagedError(f"the keyword file {exc} named by the {self.where} is incomplete. "
                                    "Rebuild it with: rag index --rebuild") from None

    def _sync_once(self, index_dir: Path) -> str | None:
        """sync(), once: FileNotFoundError when a part of the committed keyword folder is gone."""
        state = self.committed()
        if state is None:
            return None
        manifest, files = state
        self._download_keyword(index_dir, manifest.keyword_dir, files)
        local = _local_manifest(index_dir)
        if local is None or local.to_json() != manifest.to_json():
            manifest.save(index_dir)
        remove_keyword_dirs(index_dir, keep={manifest.keyword_dir, local.keyword_dir if local else ""})
        with self._lock:
            self._version, self._checked_at = manifest.keyword_dir, time.monotonic()
        return manifest.keyword_dir

    def _download_keyword(self, index_dir: Path, version: str, files: dict[str, list]) -> None:
        """The version's keyword folder in index_dir, downloaded unless already there; FileNotFoundError when
        a part is missing (pruned by a later build)."""
        target = index_dir / version
        if target.is_dir():
            return
        index_dir.mkdir(parents=True, exist_ok=True)
        partial = index_dir / f".download-{version}.{os.getpid()}.{threading.get_ident()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            for name, (parts, digest) in files.items():
                data = self._read_blob(KEYWORD, f"{version}/{name}", parts)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise IndexDamagedError(f"the keyword file {version}/{name} on the Chroma server does not match "
                                            "its manifest record. Rebuild it with: rag index --rebuild")
                (partial / name).write_bytes(data)
            try:
                partial.rename(target)
            except OSError:
                if not target.is_dir():  # else another process of this cache got there first
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)

    def _read_blob(self, kind: str, key: str, parts: int) -> bytes:
        """The bytes stored under key, in PARTS_PER_REQUEST records a request; FileNotFoundError if a part is gone."""
        data = []
        for start in range(0, parts, PARTS_PER_REQUEST):
            ids = [_part_id(kind, key, n) for n in range(start, min(start + PARTS_PER_REQUEST, parts))]
            got = self.collection.get(ids=ids, include=["documents"])
            found = dict(zip(got["ids"], got["documents"]))
            if any(i not in found for i in ids):
                raise FileNotFoundError(key)
            data.extend(base64.b64decode(found[i]) for i in ids)
        return b"".join(data)

    def text(self, doc_hash: str) -> str:
        """An article's text as indexed, by its content hash; "" when the server holds none (no quote verifies).

        Kept in memory once read: a hash names one text forever. One the server lacks is asked for again
        next time (a build may be uploading it).
        """
        try:
            return self._stored_text(doc_hash)
        except FileNotFoundError:
            return ""

    def _fetch_text(self, doc_hash: str) -> str:
        """An article's text from the server; FileNotFoundError (never cached) when it holds none or part of it."""
        head = self.collection.get(ids=[_part_id(TEXT, doc_hash, 0)], include=["metadatas"])
        if not head["ids"]:
            raise FileNotFoundError(doc_hash)
        return self._read_blob(TEXT, doc_hash, int(head["metadatas"][0]["parts"])).decode("utf-8")

    def article_texts(self, manifest: Manifest) -> Callable[[str], str]:
        """For ArticleTexts: an article's text, by its name in the manifest, as the server holds it."""
        def text(source: str) -> str:
            entry = manifest.documents.get(source)
            return self.text(entry.doc_hash) if entry else ""

        return text

    # ------------------------------------------------------------------ writing (builds)

    def publish(self, folder: Path, texts: dict[str, str]) -> dict[str, list]:
        """Upload a new keyword folder and the articles' texts the server lacks; returns the files' listing.

        Nothing points at them until commit(), so a build killed meanwhile changes nothing a reader sees.
        """
        files = {}
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            data = path.read_bytes()
            parts = self._write_blob(KEYWORD, f"{folder.name}/{path.name}", data, {"version": folder.name})
            files[path.name] = [parts, hashlib.sha256(data).hexdigest()]
        heads = [_part_id(TEXT, doc_hash, 0) for doc_hash in texts]
        stored = self._existing(heads)
        for head, (doc_hash, text) in zip(heads, texts.items()):
            if head not in stored:
                self._write_blob(TEXT, doc_hash, text.encode("utf-8"), {})
        return files

    def _existing(self, ids: list[str]) -> set[str]:
        """Which of the ids the state collection holds, asked in batches the server accepts."""
        batch = self._client.get_max_batch_size()
        return {found for start in range(0, len(ids), batch)
                for found in self.collection.get(ids=ids[start : start + batch], include=[])["ids"]}

    def _write_blob(self, kind: str, key: str, data: bytes, extra: dict) -> int:
        """Store bytes under key in parts, the first part last: a stored part 0 means a complete blob."""
        pieces = [data[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES)] or [b""]
        numbered = list(enumerate(pieces))[::-1]
        for start in range(0, len(numbered), PARTS_PER_REQUEST):
            batch = numbered[start : start + PARTS_PER_REQUEST]
            self.collection.upsert(
                ids=[_part_id(kind, key, n) for n, _ in batch],
                embeddings=[CONSTANT_EMBEDDING] * len(batch),
                documents=[base64.b64encode(piece).decode("ascii") for _, piece in batch],
                metadatas=[{"kind": kind, "key": key, "part": n, "parts": len(pieces), **extra} for n, _ in batch],
            )
        return len(pieces)

    def commit(self, manifest: Manifest, files: dict[str, list]) -> None:
        """Make the manifest the committed one: one upsert, after everything it names is stored."""
        self.collection.upsert(ids=[MANIFEST_ID], embeddings=[CONSTANT_EMBEDDING], documents=[manifest.to_json()],
                               metadatas=[{"kind": "manifest", "version": manifest.keyword_dir,
                                           "files": json.dumps(files)}])

    def prune(self, keep: Iterable[Manifest]) -> None:
        """Delete the records of other versions than those kept (the new one and the previous one), and of
        killed builds: keyword parts of other versions and texts of articles none of them holds."""
        keep = list(keep)
        versions = {m.keyword_dir for m in keep}
        hashes = {d.doc_hash for m in keep for d in m.documents.values()}
        for kind, kept, field in ((KEYWORD, versions, "version"), (TEXT, hashes, "key")):
            records = self.collection.get(where={"kind": kind}, include=["metadatas"])
            stale = [i for i, meta in zip(records["ids"], records["metadatas"]) if meta.get(field) not in kept]
            batch = self._client.get_max_batch_size()
            for start in range(0, len(stale), batch):
                self.collection.delete(ids=stale[start : start + batch])


def _part_id(kind: str, key: str, part: int) -> str:
    return f"{kind}:{key}:{part}"


def _local_manifest(index_dir: Path) -> Manifest | None:
    """The cached manifest, or None when there is none or it cannot be read (the download replaces it)."""
    try:
        return Manifest.load(index_dir)
    except IndexMismatchError:
        return None
