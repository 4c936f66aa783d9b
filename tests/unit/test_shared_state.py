"""The index state on a Chroma server, read through one SharedState per Components.

An in-process Chroma client (EphemeralClient) stands in for the server: the state records and
the requests made for them are the same, with no process to start.
"""

from __future__ import annotations

import uuid
from collections import Counter

import chromadb
import pytest

import rag
from rag.assistant import Assistant
from rag.components import build_components, store
from rag.components.shared_state import MANIFEST_ID
from rag.components.store import Manifest, index_health
from rag.ingest.build import build_index
from tests.conftest import make_settings
from tests.fakes import HashEmbedding


class CountingClient:
    """A Chroma client that counts the state records asked for, by kind ("manifest", "text", "keyword")."""

    def __init__(self, client: chromadb.ClientAPI) -> None:
        self._client = client
        self.reads: Counter[str] = Counter()

    def get_or_create_collection(self, *args, **kwargs):
        return CountingCollection(self._client.get_or_create_collection(*args, **kwargs), self.reads)

    def __getattr__(self, name: str):
        return getattr(self._client, name)


class CountingCollection:
    """A collection whose get() by ids counts what it asks for in reads."""

    def __init__(self, collection, reads: Counter[str]) -> None:
        self._collection = collection
        self._reads = reads

    def get(self, ids=None, **kwargs):
        if ids:
            self._reads[ids[0].split(":")[0]] += 1
        return self._collection.get(ids=ids, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._collection, name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An index committed to an in-process 'server' by an indexer; returns (client, collection name)."""
    client = chromadb.EphemeralClient()
    collection = f"shared-{uuid.uuid4().hex[:8]}"  # ephemeral clients of one process share their collections
    settings = server_settings(tmp_path_factory.mktemp("indexer"), collection)
    build_index(settings, components=build_components(settings, embed_override=HashEmbedding(),
                                                      client_override=client))
    return client, collection


def server_settings(root, collection: str):
    return make_settings(root, chroma_host="127.0.0.1", collection=collection)


def replica(tmp_path, server):
    """A replica's parts: an empty index folder and a counting client on the server."""
    client, collection = server
    settings = server_settings(tmp_path, collection)
    counting = CountingClient(client)
    return build_components(settings, embed_override=HashEmbedding(), client_override=counting), counting


def test_a_replica_starting_reads_the_manifests_version_once(tmp_path, server):
    components, counting = replica(tmp_path, server)
    assert rag._has_index(components)  # asks the server which version is committed
    assistant = Assistant(components.settings, components)  # then downloads it, without asking again
    assert counting.reads[MANIFEST_ID] == 2, "one version check, one read of the manifest to download"
    assert assistant.retrieve("How many people were on the Probability team?", 3)


def test_an_articles_text_is_read_from_the_server_once(tmp_path, server):
    components, counting = replica(tmp_path, server)
    state = components.shared_state
    manifest, _ = state.committed()
    doc_hash = next(iter(manifest.documents.values())).doc_hash
    first = state.text(doc_hash)
    assert first and state.text(doc_hash) == first
    assert counting.reads["text"] == 2, "the head, then the parts (in one request), once"


def test_a_text_the_server_lacks_is_asked_for_again(tmp_path, server):
    components, counting = replica(tmp_path, server)
    state = components.shared_state
    missing = f"no-such-hash-{uuid.uuid4().hex}"  # the server is shared by this module's tests
    assert state.text(missing) == "" and state.text(missing) == ""
    assert counting.reads["text"] == 2, "a missing text is not remembered as empty"
    (tmp_path / "keyword-1").mkdir()
    state.publish(tmp_path / "keyword-1", {missing: "Now uploaded."})  # a build uploads it
    assert state.text(missing) == "Now uploaded."


def test_index_check_opens_one_client_for_the_manifest_and_the_passages(tmp_path, server, monkeypatch):
    client, collection = server
    opened = []

    def counting_client(settings, **_):
        opened.append(settings)
        return client

    monkeypatch.setattr(store, "chroma_client", counting_client)
    lines, healthy = index_health(server_settings(tmp_path, collection))
    assert healthy and "0 missing" in lines[-1], lines
    assert len(opened) == 1
    assert Manifest.load(tmp_path / "index") is None, "the check downloads nothing"
