"""Build or refresh the index: only changed articles are re-chunked, only new passages embedded.

Order matters for crash safety: new vectors are added first, then the keyword index
is written to a fresh folder, then the manifest is replaced atomically (the commit),
and only then are stale vectors and folders removed. A build killed at any point
leaves the last committed manifest, and every passage it names, intact.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import TextNode

from rag.components import Components, build_components, prompts
from rag.components.store import DocumentEntry, Manifest, vector_store
from rag.errors import LLMUnavailableError
from rag.ingest.chunk import chunk_documents
from rag.ingest.load import load_corpus
from rag.search.keyword import KeywordIndex, tokenize
from rag.settings import Settings

Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build did, for the CLI, the UI and the benchmark."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: int = 0
    unchanged_documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _quiet(_: float, __: str) -> None:
    """Default progress callback: say nothing."""


def corpus_folder(settings: Settings, manifest: Manifest | None) -> Path:
    """The corpus an index follows: RAG_CORPUS_DIR when set, else the folder it was built from, else the bundled one.

    So an index built with `rag index /other` keeps following /other when the window refreshes it.
    """
    if "corpus_dir" in settings.model_fields_set or manifest is None or not manifest.corpus_dir:
        return Path(settings.corpus_dir)
    return Path(manifest.corpus_dir)


def build_index(
    settings: Settings,
    corpus_dir: Path | None = None,
    *,
    rebuild: bool = False,
    progress: Progress = _quiet,
    components: Components | None = None,
) -> BuildReport:
    """Bring the index in settings.index_dir in line with the corpus folder (see corpus_folder)."""
    started = time.perf_counter()
    components = components or build_components(settings)
    old = Manifest.load(settings.index_dir)
    corpus_dir = Path(corpus_dir) if corpus_dir else corpus_folder(settings, old)
    if old is not None and not rebuild:
        old.check_model(settings)

    progress(0.02, "reading articles")
    known = {d.doc_hash: d.language for d in old.documents.values()} if old and not rebuild else None
    loaded = load_corpus(corpus_dir, known)  # before any change: a bad folder leaves the index as it was
    if rebuild:
        _wipe(settings, components)
        old = None
    store = vector_store(settings, components.chroma)
    collection = store._collection  # noqa: SLF001 - the raw collection is needed for id housekeeping
    _drop_uncommitted(collection, old)

    old_docs = old.documents if old else {}
    changed = [d for d in loaded.documents if old_docs.get(d.id_, None) is None
               or old_docs[d.id_].doc_hash != d.metadata["doc_hash"]]
    changed_ids = {d.id_ for d in changed}
    progress(0.1, f"chunking {len(changed)} changed of {len(loaded.documents)} articles")
    new_nodes = chunk_documents(changed, settings)
    known = old.chunk_ids if old else set()
    to_embed = [n for n in new_nodes if n.id_ not in known]
    _embed_and_add(to_embed, components, store, progress)

    progress(0.9, "writing the keyword index")
    manifest = Manifest(embed_model=settings.embed_model, skipped=loaded.skipped,
                        corpus_dir=str(corpus_dir.resolve()))
    by_doc: dict[str, list[TextNode]] = {}
    for node in new_nodes:
        by_doc.setdefault(node.ref_doc_id, []).append(node)
    for doc in loaded.documents:
        unchanged = old_docs.get(doc.id_) if doc.id_ not in changed_ids else None
        ids = unchanged.chunk_ids if unchanged else [n.id_ for n in by_doc.get(doc.id_, [])]
        manifest.documents[doc.id_] = DocumentEntry(
            doc_hash=doc.metadata["doc_hash"], title=doc.metadata["title"],
            language=doc.metadata["language"], chunk_ids=ids,
        )
    manifest.keyword_dir = _write_keyword_index(components, old, manifest, new_nodes)
    manifest.save(settings.index_dir)

    stale = sorted(known - manifest.chunk_ids)
    if stale:
        collection.delete(ids=stale)
    _remove_old_keyword_dirs(settings.index_dir, keep=manifest.keyword_dir)
    progress(1.0, "done")
    return BuildReport(
        documents=len(manifest.documents), chunks=len(manifest.chunk_ids), embedded=len(to_embed),
        removed=len(stale), unchanged_documents=len(loaded.documents) - len(changed),
        skipped=loaded.skipped, seconds=time.perf_counter() - started,
    )


def _wipe(settings: Settings, components: Components) -> None:
    """Forget the index: its collection (embedded or on a server) and its folder."""
    client = components.chroma
    if settings.collection in [c.name for c in client.list_collections()]:
        client.delete_collection(settings.collection)
    for path in settings.index_dir.glob("keyword-*"):
        shutil.rmtree(path, ignore_errors=True)
    (settings.index_dir / "manifest.json").unlink(missing_ok=True)


def _drop_uncommitted(collection, old: Manifest | None) -> None:
    """Delete vectors a killed build added but never committed."""
    committed = old.chunk_ids if old else set()
    present = set(collection.get(include=[])["ids"])
    leftovers = sorted(present - committed)
    for start in range(0, len(leftovers), 5000):
        collection.delete(ids=leftovers[start : start + 5000])


def _embed_and_add(nodes: list[TextNode], components: Components, store, progress: Progress) -> None:
    """Embed in batches and add to Chroma, reporting progress between batches."""
    if not nodes:
        return
    embed = components.embed_model
    batch = max(components.settings.embed_batch_size, 1) * 4
    for start in range(0, len(nodes), batch):
        part = nodes[start : start + batch]
        texts = [n.get_content(metadata_mode="embed") for n in part]
        for node, vector in zip(part, embed.get_text_embedding_batch(texts)):
            node.embedding = vector
        store.add(part)
        for node in part:
            node.embedding = None  # stored now; 100k vectors held twice would double peak memory
        done = min(start + batch, len(nodes))
        progress(0.1 + 0.8 * done / len(nodes), f"embedded {done}/{len(nodes)} passages")


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


def _write_keyword_index(
    components: Components, old: Manifest | None, manifest: Manifest, new_nodes: list[TextNode]
) -> str:
    """Tokenize only passages not seen before, then write BM25 into a new folder; returns its name."""
    settings = components.settings
    cached = KeywordIndex.load_tokens(settings.index_dir / old.keyword_dir if old else None)
    gloss = _english_gloss(components)
    for node in new_nodes:
        if node.id_ not in cached:
            language = node.metadata.get("language", "und")
            cached[node.id_] = tokenize(node.text, language) + dictionary_gloss_tokens(components, node.text, language)
            if gloss and language != "en":
                cached[node.id_] += tokenize(gloss(node.text), "en")
    ids = sorted(manifest.chunk_ids)
    tokens = {cid: cached[cid] for cid in ids}
    name = f"keyword-{time.time_ns()}"
    folder = settings.index_dir / name
    KeywordIndex.build(ids, [tokens[cid] for cid in ids]).save(folder)
    KeywordIndex.save_tokens(folder, tokens)
    return name


def dictionary_gloss_tokens(components: Components, text: str, language: str) -> list[str]:
    """English tokens of a non-English passage's dictionary glosses, indexed beside its own words."""
    if language in ("en", "und"):
        return []
    words = [g for _, glosses in components.glossary.gloss_words(text, language) for g in glosses]
    return tokenize(" ".join(words), "en")


def _remove_old_keyword_dirs(index_dir: Path, keep: str) -> None:
    for path in index_dir.glob("keyword-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)
