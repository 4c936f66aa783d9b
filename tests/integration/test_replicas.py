"""Scale-out: app replicas with empty index folders answer from one real `chroma run`, follow a re-index
within the bounded delay, and keep answering from the previous version when an indexer is killed.

The replicas and indexers are separate processes (as on separate machines: each has its own index
folder, and the replicas have no corpus folder). Vectors come from HashEmbedding (tests/fakes.py), in
every process alike; the server and everything else is real.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import chromadb
import pytest

import rag
from rag.components import build_components
from rag.components.shared_state import KEYWORD, POLL_S, STATE_SUFFIX
from rag.components.store import Manifest, chroma_client, index_health, store_dirs
from rag.ingest.build import MID_QUESTION_S, build_index
from tests.conftest import REPO, copy_corpus, make_settings
from tests.fakes import HashEmbedding
from bench.server import chroma_server

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_ARTICLE = "000_e4361c01c8850e8e.txt"
EDITED = "001_11aa8dc79ed4b7a5.txt"
NEW_FACT = "The zeppelin division of Meta employs 4321 balloon pilots in Aarhus.\n"
NEW_QUESTION = "How many balloon pilots does the zeppelin division employ?"
QUESTIONS = [PROBABILITY] + [json.loads(line)["question"] for line in
                             (REPO / "rag" / "eval" / "questions.jsonl").read_text(encoding="utf-8")
                             .splitlines()[:70:14]]
START_TIMEOUT_S = 60  # a replica's first answer
BUILD_TIMEOUT_S = 120
RELOAD_SLACK_S = 30  # beyond POLL_S: a replica's download and reload of a new version on a busy 2-core machine
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO),
       "ANONYMIZED_TELEMETRY": "False"}

REPLICA = """
import json, sys
from pathlib import Path
from rag.assistant import Assistant
from rag.components import build_components
from rag.errors import RagError
from tests.conftest import make_settings
from tests.fakes import HashEmbedding
settings = make_settings(Path(sys.argv[1]), Path(sys.argv[2]), chroma_host="127.0.0.1",
                         chroma_port=int(sys.argv[3]), collection="replicas")
assistant = None
for line in sys.stdin:
    try:
        if assistant is None:
            assistant = Assistant(settings, build_components(settings, embed_override=HashEmbedding()))
        answer = assistant.ask(json.loads(line), mode="offline")
        reply = {"ids": [p.chunk_id for p in answer.passages], "texts": [p.text for p in answer.passages],
                 "quotes": [[c.source, c.quote] for c in answer.citations], "generation": assistant.generation}
    except RagError as exc:
        reply = {"error": str(exc)}
    print(json.dumps(reply, ensure_ascii=False), flush=True)
"""

INDEXER = """
import sys, time
from pathlib import Path
from rag.components import build_components
from rag.ingest.build import build_index
from tests.conftest import make_settings
from tests.fakes import HashEmbedding
settings = make_settings(Path(sys.argv[1]), Path(sys.argv[2]), chroma_host="127.0.0.1",
                         chroma_port=int(sys.argv[3]), collection="replicas", embed_batch_size=2)
hold_at = sys.argv[4] if len(sys.argv) > 4 else None

def progress(fraction, message):
    print(message, flush=True)
    if hold_at and message.startswith(hold_at):
        print("HOLDING", flush=True)
        time.sleep(3600)  # a slow build, killed here by the test

build_index(settings, progress=progress, components=build_components(settings, embed_override=HashEmbedding()))
print("COMMITTED", flush=True)
"""


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    """A real `chroma run` on a free loopback port, for the module."""
    with chroma_server(tmp_path_factory.mktemp("chroma")) as port:
        yield port


class Replica:
    """An app process answering questions, one JSON line in, one JSON line out."""

    def __init__(self, root: Path, port: int) -> None:
        self.index_dir = root / "index"
        self.process = subprocess.Popen(
            [sys.executable, "-c", REPLICA, str(root), str(root / "no-corpus-here"), str(port)], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            encoding="utf-8", env=ENV)

    def ask(self, question: str) -> dict:
        self.process.stdin.write(json.dumps(question) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT_S)
        assert ready, f"the replica did not answer {question!r}"
        line = self.process.stdout.readline()
        assert line, "the replica exited"
        return json.loads(line)

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process.stdout.close()


def index(root: Path, corpus: Path, port: int) -> None:
    """Run an indexer process to the end."""
    done = subprocess.run([sys.executable, "-c", INDEXER, str(root), str(corpus), str(port)], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0 and "COMMITTED" in done.stdout, done.stderr[-3000:]


def kill_indexer_at(stage: str, root: Path, corpus: Path, port: int) -> None:
    """Start an indexer, let it reach the stage (a progress message), and SIGKILL it there."""
    child = subprocess.Popen([sys.executable, "-c", INDEXER, str(root), str(corpus), str(port), stage], cwd=REPO,
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        seen = []
        deadline = time.monotonic() + BUILD_TIMEOUT_S
        while time.monotonic() < deadline and (line := child.stdout.readline()) and line.strip() != "HOLDING":
            seen.append(line.strip())
        assert line.strip() == "HOLDING", f"the build never got to {stage!r}: {seen}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert "COMMITTED" not in seen


def until_both(replicas: list[Replica], question: str, seen: Callable[[dict], bool]) -> list[dict]:
    """Ask every replica until seen(reply) holds for each, within POLL_S + RELOAD_SLACK_S."""
    deadline = time.monotonic() + POLL_S + RELOAD_SLACK_S
    replies = [r.ask(question) for r in replicas]
    while not all(seen(reply) for reply in replies) and time.monotonic() < deadline:
        time.sleep(0.5)
        replies = [r.ask(question) for r in replicas]
    assert all(seen(reply) for reply in replies), replies
    return replies


def has_fact(figure: str) -> Callable[[dict], bool]:
    """Whether a reply's passages hold the figure."""
    return lambda reply: any(figure in text for text in reply.get("texts", []))


def state_versions(port: int) -> set[str]:
    """The keyword index versions whose records the server holds."""
    client = chromadb.HttpClient(host="127.0.0.1", port=port)
    records = client.get_collection("replicas" + STATE_SUFFIX)
    return {m["version"] for m in records.get(where={"kind": KEYWORD}, include=["metadatas"])["metadatas"]}


def test_replicas_on_one_chroma_server_answer_alike_follow_a_re_index_and_survive_killed_builds(
        chroma_port, tmp_path):
    corpus = copy_corpus(tmp_path / "indexer")
    replicas = [Replica(tmp_path / name, chroma_port) for name in ("a", "b")]
    try:
        assert "no index" in replicas[0].ask(PROBABILITY)["error"]
        empty = make_settings(tmp_path / "fresh", corpus, chroma_host="127.0.0.1", chroma_port=chroma_port,
                              collection="replicas")
        assert not rag._has_index(build_components(empty, embed_override=HashEmbedding()))

        index(tmp_path / "indexer", corpus, chroma_port)
        # rag.ask on a replica with an empty folder answers from the server's index instead of building one
        assert rag._has_index(build_components(empty, embed_override=HashEmbedding()))
        lines, healthy = index_health(empty)  # `rag index --check` on a replica reads the server's state
        assert healthy and "127.0.0.1" in lines[0] and "0 missing" in lines[-1], lines
        answers = [[r.ask(q) for q in QUESTIONS] for r in replicas]
        for a, b in zip(*answers):
            assert a["ids"] and a["ids"] == b["ids"], (a, b)
        for replica, replies in zip(replicas, answers):
            # Quotes verify word for word although no replica has the articles: the server holds their texts.
            assert PROBABILITY_ARTICLE in {source for source, _ in replies[0]["quotes"]}
            assert not store_dirs(replica.index_dir), "the vectors belong on the server"
            assert Manifest.load(replica.index_dir).keyword_dir == replies[0]["generation"]
        first = answers[0][0]["generation"]

        article = corpus / EDITED
        article.write_text(article.read_text(encoding="utf-8") + "\n" + NEW_FACT, encoding="utf-8")
        index(tmp_path / "indexer", corpus, chroma_port)
        replies = until_both(replicas, NEW_QUESTION, has_fact("4321"))
        assert replies[0]["ids"] == replies[1]["ids"] and replies[0]["generation"] == replies[1]["generation"] != first
        second = replies[0]["generation"]

        article.write_text(article.read_text(encoding="utf-8").replace("4321", "8765"), encoding="utf-8")
        for stage in ("embedded", "committing"):  # while embedding; after uploading, just before the commit
            kill_indexer_at(stage, tmp_path / "indexer", corpus, chroma_port)
            time.sleep(POLL_S + MID_QUESTION_S)  # past the moment a commit would have been seen
            for reply in (r.ask(NEW_QUESTION) for r in replicas):
                assert reply["generation"] == second and has_fact("4321")(reply) and not has_fact("8765")(reply)
                assert reply["quotes"], "the previous version's article texts still verify its quotes"

        index(tmp_path / "indexer", corpus, chroma_port)
        replies = until_both(replicas, NEW_QUESTION, has_fact("8765"))
        assert replies[0]["generation"] == replies[1]["generation"]
        assert state_versions(chroma_port) == {second, replies[0]["generation"]}, "killed builds' uploads are pruned"
    finally:
        for replica in replicas:
            replica.stop()


def test_the_previous_versions_passages_outlive_the_commit_until_replicas_have_moved_on(chroma_port, tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path), chroma_host="127.0.0.1", chroma_port=chroma_port,
                             collection="grace")
    components = build_components(settings, embed_override=HashEmbedding())
    build_index(settings, components=components)
    passages = chroma_client(settings).get_collection(settings.collection)  # as a reader on this version sees it
    (settings.corpus_dir / EDITED).unlink()
    gone = Manifest.load(settings.index_dir).documents[EDITED].chunk_ids
    found_after_poll = []

    def look() -> None:
        time.sleep(POLL_S)  # a replica that has not polled since the commit is still on the previous version
        found_after_poll.append(len(passages.get(ids=gone)["ids"]))

    looking = threading.Thread(target=look)

    def at(_: float, message: str) -> None:
        if message.startswith("committed"):
            looking.start()

    build_index(settings, progress=at, components=components)
    looking.join()
    assert found_after_poll == [len(gone)]
    assert not passages.get(ids=gone)["ids"], "then they are deleted"
