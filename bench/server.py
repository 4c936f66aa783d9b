"""A `chroma run` server on loopback for the bench's scale-out row (RAG_CHROMA_HOST mode)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_S = 60.0  # chroma run answers its heartbeat within about 2 s when idle
STOP_TIMEOUT_S = 15.0
POLL_S = 0.3
LOG_TAIL_CHARS = 2000  # of chroma's own log, in the error when it does not start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def chroma_server(folder: Path) -> Iterator[int]:
    """Start `chroma run` with its data in folder, yield its port once it answers, stop it by its PID."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with open(folder / "chroma.log", "wb") as log:
        server = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(folder / "db"),
                                   "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = (folder / "chroma.log").read_text(errors="replace")[-LOG_TAIL_CHARS:]
                    raise RuntimeError(f"chroma run did not start; {folder / 'chroma.log'} ends:\n{tail}")
                time.sleep(POLL_S)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=STOP_TIMEOUT_S)
