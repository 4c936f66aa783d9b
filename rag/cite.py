"""Cite: turn [n] markers into quotes, and show only quotes found word for word in the article.

A quote is a whole sentence of the cited passage, the one that shares most with the
claim; it is kept only if it occurs verbatim (after Unicode NFC normalisation) in
the source article as it stands on disk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rag.chunk import split_sentences
from rag.keyword import tokenize
from rag.load import read_text
from rag.retrieve import Passage

_MARKER = re.compile(r"\[(\d+(?:\s*[,،、]\s*\d+)*)\]")
_CLAIM_END = re.compile(r"(?<=[.!?。！？؟])\s*")


@dataclass
class Citation:
    """A verified quote: where it is from, the words themselves, and the passage around them."""

    source: str
    quote: str
    passage: Passage
    title: str = ""
    language: str = ""


def nfc(text: str) -> str:
    """The only normalisation a quote may differ from its article by."""
    return unicodedata.normalize("NFC", text)


def sentences_of(passage: Passage) -> list[str]:
    """The passage's sentences, stripped, without empty ones."""
    return [s.strip() for s in split_sentences(passage.text) if s.strip()]


def overlap(a_tokens: set[str], sentence: str, language: str) -> float:
    """Share of a's tokens found in the sentence."""
    if not a_tokens:
        return 0.0
    return len(a_tokens & set(tokenize(sentence, language))) / len(a_tokens)


def best_sentence(claim: str, passage: Passage) -> str:
    """The sentence of the passage that supports the claim best (the first on ties)."""
    wanted = set(tokenize(claim, query=True))
    options = sentences_of(passage)
    return max(options, key=lambda s: overlap(wanted, s, passage.language), default="")


class ArticleTexts:
    """The articles' current text, read once per file, for verbatim checks."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self._cache: dict[str, str] = {}

    def get(self, source: str) -> str:
        """The article's NFC text, or "" when it cannot be read (then no quote from it verifies)."""
        if source not in self._cache:
            path = (self.corpus_dir / source).resolve()
            try:
                inside = path.is_relative_to(self.corpus_dir.resolve())
                self._cache[source] = read_text(path) if inside else ""
            except (OSError, ValueError):
                self._cache[source] = ""
        return self._cache[source]

    def verify(self, quote: str, source: str) -> bool:
        """True when the quote occurs word for word in the article."""
        return bool(quote.strip()) and nfc(quote) in self.get(source)


def parse_claims(answer: str) -> list[tuple[str, list[int]]]:
    """(claim, passage numbers) for each sentence of a model answer that carries [n] markers."""
    claims = []
    for sentence in _CLAIM_END.split(answer):
        numbers = [int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\D+", group) if n]
        if numbers:
            claims.append((_MARKER.sub("", sentence).strip(), numbers))
    return claims


def cite(answer: str, passages: list[Passage], articles: ArticleTexts) -> tuple[list[Citation], int]:
    """Verified citations for a model answer, and how many cited markers were dropped."""
    citations: list[Citation] = []
    dropped = 0
    for claim, numbers in parse_claims(answer):
        for n in numbers:
            if not 1 <= n <= len(passages):
                dropped += 1
                continue
            passage = passages[n - 1]
            quote = best_sentence(claim, passage)
            if not articles.verify(quote, passage.source):
                dropped += 1
                continue
            if all(c.quote != quote for c in citations):
                citations.append(make_citation(quote, passage))
    return citations, dropped


def make_citation(quote: str, passage: Passage) -> Citation:
    """A citation of a sentence of a passage."""
    return Citation(source=passage.source, quote=quote, passage=passage, title=passage.title,
                    language=passage.language)


def strip_markers(answer: str) -> str:
    """The answer without its [n] markers, for comparisons."""
    return _MARKER.sub("", answer)
