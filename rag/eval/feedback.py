"""Feedback to draft eval questions: `rag eval --feedback FILE` (see rag/ui/feedback.py for the records).

A thumbs-up answer becomes a draft answerable question in the eval set's format
(questions.jsonl, read by score.Question.from_json): answer_contains from the short answer,
sources from the citations; a thumbs-up on a refusal becomes a draft unanswerable question.
A thumbs-down becomes a draft flagged for review, with what was answered and the comment,
and no sources or expected answer until a person writes them. Every draft says
"status": "draft"; none joins the eval set until a reviewer copies it there.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import FeedbackError
from rag.text import detect_language
from rag.ui.feedback import DOWN, SEARCH, UP

DRAFTS_SUFFIX = ".drafts.jsonl"
ID_PREFIX = "fb"
REQUIRED = ("rating", "question", "citations")


def read_feedback(path: Path) -> list[dict]:
    """The feedback records of a JSONL file; a bad line is a FeedbackError naming it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedbackError(f"cannot read the feedback file {path} ({exc})") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FeedbackError(f"{path} line {number} is not JSON ({exc.msg})") from None
        except RecursionError:
            raise FeedbackError(f"{path} line {number} is not a feedback record (nested too deep)") from None
        if not isinstance(record, dict) or any(k not in record for k in REQUIRED) \
                or record["rating"] not in (UP, DOWN):
            raise FeedbackError(f"{path} line {number} is not a feedback record "
                                f"(needs {', '.join(REQUIRED)}; rating up or down)")
        records.append(record)
    return records


def _kind(language: str, citations: list[dict]) -> str:
    """same, cross or multi, as the eval set names questions, from where the answer's quotes came."""
    sources = {c["source"] for c in citations}
    if len(sources) > 1:
        return "multi"
    return "same" if all(c.get("language") == language for c in citations) else "cross"


def _sources(citations: list[dict]) -> list[str]:
    """The cited articles, each once, in the order first cited."""
    return list(dict.fromkeys(c["source"] for c in citations))


def draft_question(record: dict, number: int) -> dict:
    """One feedback record as a draft line of the eval set (see the module docstring)."""
    question = record["question"].strip()
    language = detect_language(question)
    citations = [c for c in record["citations"] if isinstance(c, dict) and c.get("source")]
    draft = {"id": f"{ID_PREFIX}-{number:04d}", "question": question, "language": language, "status": "draft",
             "split": "", "feedback": {k: record.get(k) for k in ("time", "rating", "comment", "mode", "answer",
                                                                   "short", "settings")}}
    draft["feedback"]["cited"] = [{"source": c["source"], "quote": c.get("quote", "")} for c in citations]
    searched = record.get("mode") == SEARCH
    if record["rating"] == UP and not searched and citations and not record.get("abstained"):
        short = (record.get("short") or "").strip()
        draft.update(kind=_kind(language, citations), sources=_sources(citations),
                     answer_contains=[short] if short else [], short=short, type="other",
                     review="check the sources and answer_contains (alternatives as a|b)"
                            + ("" if short else "; no short answer was given: write answer_contains"))
    elif record["rating"] == UP and not searched:
        draft.update(kind="unanswerable", sources=[], answer_contains=[],
                     review="the refusal was rated right: check that no article answers it")
    else:
        draft.update(kind="review", sources=[], answer_contains=[], flagged=True,
                     review=("rated down" if record["rating"] == DOWN else "a search-only turn")
                            + ": write the right sources and answer_contains, or make it unanswerable")
    return draft


def drafts_from_feedback(records: list[dict]) -> list[dict]:
    """A draft per distinct question (its latest feedback wins), numbered in the order first asked."""
    latest: dict[str, dict] = {}
    for record in records:
        key = record["question"].strip()
        if key:
            latest.pop(key, None)
            latest[key] = record
    return [draft_question(record, n) for n, record in enumerate(latest.values(), start=1)]


def drafts_path(feedback: Path) -> Path:
    """Where drafts go unless --out says: beside the feedback file, FILE.drafts.jsonl."""
    return Path(feedback).with_name(Path(feedback).stem + DRAFTS_SUFFIX)


def write_drafts(feedback: Path, out: Path | None = None) -> tuple[Path, list[dict]]:
    """Read the feedback, write the drafts (never over an existing file: it may hold review work)."""
    drafts = drafts_from_feedback(read_feedback(feedback))
    out = Path(out) if out else drafts_path(feedback)
    if out.exists():
        raise FeedbackError(f"{out} already exists (it may hold review work); pass --out to write elsewhere")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts), encoding="utf-8")
    return out, drafts


def main(args) -> int:
    """`rag eval --feedback FILE [--out DRAFTS]`: write the drafts and say how many of each kind."""
    out, drafts = write_drafts(Path(args.feedback), Path(args.out) if args.out else None)
    flagged = sum(1 for d in drafts if d.get("flagged"))
    print(f"wrote {len(drafts)} draft questions to {out}: {len(drafts) - flagged} from answers rated up, "
          f"{flagged} flagged for review. Review them, then copy the good ones into the question set.")
    return 0
