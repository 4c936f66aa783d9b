"""The records every stage passes along: Passage (search), Citation and Answer (answer), Filters.

Plain dataclasses with no behaviour beyond their JSON form, so any stage, front end
or test can make and read them without importing a model or a store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# How an answer was made.
OFFLINE = "offline"  # extracted from the passages, no chat model configured or asked for
LLM = "llm"  # written by the chat model, every sentence backed by a verified quote
LLM_PARTIAL = "llm-partial"  # the model's text so far, while it streams (never final)
FALLBACK = "fallback"  # a chat model was configured but the offline answer was used
MODES = (OFFLINE, LLM, FALLBACK)
# How far the offline measures back a model's answer (shown with it; never a reason to drop it).
HIGH = "high"  # its quotes would pass the offline abstention decision too
LOW = "low"  # they would not: too little of the question, or not the kind of answer asked for


@dataclass(frozen=True)
class Filters:
    """Restrict a search to one article (file name) and/or one language code."""

    source: str | None = None
    language: str | None = None

    def __bool__(self) -> bool:
        return bool(self.source or self.language)


@dataclass
class Passage:
    """One retrieved passage of an article, best first in a result list."""

    text: str
    source: str
    score: float
    chunk_id: str
    title: str = ""
    language: str = ""
    start_char: int | None = None
    end_char: int | None = None
    ranks: dict[str, int] = field(default_factory=dict)
    gloss: str = ""  # word-by-word English dictionary gloss of a non-English passage
    previous_id: str = ""  # the article's passage before this one (where a "he" that opens it is named)

    def to_json(self) -> dict:
        """The passage as plain data, without the per-retriever ranks and the id of the passage before it."""
        return {k: v for k, v in asdict(self).items() if k not in ("ranks", "previous_id")}


@dataclass
class Citation:
    """A verified quote: where it is from, the words themselves, and the passage around them."""

    source: str
    quote: str
    passage: Passage
    title: str = ""
    language: str = ""
    gloss: str = ""  # word-by-word English dictionary gloss of a non-English quote (not a translation)

    def to_json(self) -> dict:
        return {"source": self.source, "title": self.title, "language": self.language, "quote": self.quote,
                "gloss": self.gloss, "chunk_id": self.passage.chunk_id}


@dataclass
class Answer:
    """An answer with its verified citations and how it was made."""

    text: str
    citations: list[Citation]
    abstained: bool
    passages: list[Passage]
    mode: str
    notices: list[str] = field(default_factory=list)
    question: str = ""  # the question actually searched (a follow-up made to stand alone)
    seconds: float = 0.0
    short: str = ""  # the span that answers (a figure with its unit, a name), when one was found
    confidence: str = ""  # a model answer's: HIGH or LOW ("" for offline answers, which decide() passed)
    confidence_reason: str = ""  # why LOW, in words

    def to_json(self) -> dict:
        """The answer as plain JSON-able data (what the CLI and the window's API return)."""
        return {
            "question": self.question, "short": self.short, "text": self.text, "abstained": self.abstained,
            "mode": self.mode, "confidence": self.confidence, "confidence_reason": self.confidence_reason,
            "notices": self.notices, "seconds": round(self.seconds, 3),
            "citations": [c.to_json() for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
        }
