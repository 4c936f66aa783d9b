"""Gold evidence: the article sentences that hold a question's answer, for the scripted oracle and liar.

An eval line may name its evidence (`evidence`: sentences copied from the article); a line
without it (a question set written before, or another corpus's) gets, for each required
answer, the first sentence of its gold articles that holds one of the answer's spellings.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from rag.text import split_sentences


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=256)
def article_sentences(path: Path) -> tuple[str, ...]:
    """The article's sentences as the loader reads it, stripped, in order ("" when it cannot be read)."""
    from rag.ingest.load import read_text

    try:
        text = read_text(path)
    except (OSError, ValueError):
        return ()
    return tuple(s.strip() for s in split_sentences(text) if s.strip())


def evidence_sentences(required: list[str], sources: list[str], corpus_dir: Path) -> list[str]:
    """For each required answer ("a|b": any spelling), the first sentence of the gold articles holding it;
    each sentence once, in the order of the answers (answers no sentence holds are left out)."""
    found: list[str] = []
    for entry in required:
        spellings = [_fold(s) for s in entry.split("|") if s.strip()]
        sentence = next((s for source in sources for s in article_sentences(Path(corpus_dir) / source)
                         if any(spelling in _fold(s) for spelling in spellings)), None)
        if sentence is not None and sentence not in found:
            found.append(sentence)
    return found
