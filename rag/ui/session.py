"""Session: the assistant the window answers with, its lifecycle across re-indexing, and errors as messages.

The assistant is loaded, and warmed up with one search per example question, in a
background thread as soon as the window is built: models, dictionaries and tokenizers
load lazily on first use, so without it the first question would wait seconds longer
than the next ones.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from rag.assistant import Assistant
from rag.components.store import Manifest, corpus_folder
from rag.errors import BuildBusy, IndexMismatchError, IndexMissingError, RagError
from rag.ingest.build import BuildReport, build_index
from rag.schema import OFFLINE
from rag.settings import Settings
from rag.text import LANGUAGE_NAMES, language_name

log = logging.getLogger(__name__)
TITLE_CHARS = 70


class AssistantHolder:
    """The assistant the app answers with: warmed up at start; it reloads itself after a re-index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._assistant: Assistant | None = None
        self._warm = threading.Event()
        self._stage = "starting"
        self._since = time.monotonic()
        self.load_error = ""  # why the warm-up failed (no index yet, say); "" once an assistant is loaded

    def get(self) -> Assistant:
        """The current assistant, loading it on first use (raises IndexMissingError without an index).

        Waits while the warm-up runs, so no question races it for the models.
        """
        with self._lock:
            if self._assistant is None:
                self._assistant = Assistant(self.settings)
            return self._assistant

    def start_warm_up(self, questions: Sequence[str]) -> None:
        """Load the index and models now, in the background (see the module docstring)."""
        # Not a daemon: exiting while it runs native model code aborts the process.
        threading.Thread(target=self._warm_up, args=(list(questions),), name="rag-warm-up").start()

    def _warm_up(self, questions: list[str]) -> None:
        """The assistant loaded, then each question answered offline once; failures become load_error."""
        self._since = time.monotonic()
        with self._lock:  # a question asked meanwhile waits in get(), then says "Answered" after "Ready"
            try:
                self._stage = "opening the index"
                if self._assistant is None:
                    self._assistant = Assistant(self.settings)
                for i, question in enumerate(questions, start=1):
                    self._stage = f"loading the models and dictionaries ({i} of {len(questions)})"
                    self._assistant.ask(question, mode=OFFLINE)
            except Exception as exc:  # noqa: BLE001 - shown in the status line; asking again retries
                self.load_error = friendly_error(exc, "loading the index")
            finally:
                self._warm.set()

    def wait_until_warm(self, timeout: float) -> bool:
        """True once the warm-up has finished (or failed); waits at most `timeout` seconds."""
        return self._warm.wait(timeout)

    def loading(self) -> tuple[str, float]:
        """What the warm-up is doing and for how many seconds it has run."""
        return self._stage, time.monotonic() - self._since

    def use_settings(self, settings: Settings) -> None:
        """Answer under new settings from the next question on (the window moved its articles folder)."""
        with self._lock:
            self.settings = settings
            self._assistant = None

    def corpus_dir(self) -> Path:
        """The folder the index follows, where uploads go."""
        return corpus_folder(self.settings, Manifest.load(self.settings.index_dir))

    def reindex(self, rebuild: bool = False, progress=None) -> BuildReport:
        """Bring the index in line with the corpus.

        Questions asked meanwhile are answered from the previous generation; the assistant
        loads the new one by itself at the first question after the build commits.
        """
        if not self._build_lock.acquire(blocking=False):
            raise BuildBusy("An index build is already running; try again when it has finished.")
        try:
            report = build_index(self.settings, rebuild=rebuild, progress=progress or (lambda f, m: None))
            self.load_error = ""  # a question now loads the index that failed to load before, if it did
            return report
        finally:
            self._build_lock.release()


def friendly_error(exc: BaseException, what: str = "answering") -> str:
    """A message a person can act on, never a traceback; unexpected failures are logged in full."""
    if isinstance(exc, IndexMissingError):
        return "There is no index yet. Add articles in the Index tab, or press “Rebuild the whole index”."
    if isinstance(exc, RagError):
        return str(exc)
    log.exception("%s failed", what)
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return (f"Something went wrong ({type(exc).__name__}{': ' + detail if detail else ''}). "
            "The app is still running; please try again.")


def article_choices(settings: Settings) -> list[tuple[str, str]]:
    """Article filter choices: ("All articles", "") then each indexed article by title."""
    choices = [("All articles", "")]
    try:
        manifest = Manifest.load(settings.index_dir)
    except IndexMismatchError:
        manifest = None
    if manifest is not None:
        for name, d in sorted(manifest.documents.items()):
            title = d.title if len(d.title) <= TITLE_CHARS else d.title[: TITLE_CHARS - 1] + "…"
            choices.append((f"{title} ({name})", name))
    return choices


def language_choices(settings: Settings) -> list[tuple[str, str]]:
    """Language filter choices: all, then the indexed languages (the four known ones at least)."""
    codes = list(LANGUAGE_NAMES)
    try:
        manifest = Manifest.load(settings.index_dir)
    except IndexMismatchError:
        manifest = None
    if manifest is not None:
        codes += sorted({d.language for d in manifest.documents.values()} - set(codes))
    return [("All languages", "")] + [(f"{language_name(c)} ({c})", c) for c in codes]
