"""Score the assistant on eval/questions.jsonl: retrieval, answers, abstention, citations, latency.

Prints one table and, with --json, writes the same figures to a file. The stock
llama-index pipeline is scored on the same questions in the same run, so every
retrieval figure has its reference beside it.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import SettingsError
from rag.settings import BUNDLED_CORPUS, PACKAGE_DIR, Settings, get_settings

QUESTIONS = PACKAGE_DIR / "eval" / "questions.jsonl"


ANSWER_KINDS = ("same", "cross", "multi", "list", "unanswerable")
# Another question set's kinds (../shared/generalization: fact, crosslingual) in this set's names.
KIND_ALIASES = {"fact": "same", "crosslingual": "cross"}
FOLLOWUP = "followup"
SPLITS = ("tune", "report")  # tune thresholds and weights on one half, report on the other
HELD_OUT = "offline held-out"  # the offline rows of a set the policy was fitted on, by folds of articles
LABEL = 38  # the width of a table row's name ("offline held-out kind=unanswerable")


@dataclass
class Question:
    """One question of the set (a follow-up chain is a Question whose turns are Questions)."""

    id: str
    question: str
    language: str
    kind: str  # same | cross | multi | list | unanswerable | followup
    sources: list[str] = field(default_factory=list)
    answer_contains: list[str] = field(default_factory=list)
    type: str = "other"  # the kind of short answer asked for: person, number, date, duration, list …
    short: str = ""  # the short answer's alternatives, "a|b"
    split: str = ""  # tune | report
    turns: list[Question] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # the article sentences that hold the answer
    standalone: str = ""  # a follow-up turn rewritten to stand alone (what a perfect model's rewrite says)

    @classmethod
    def from_json(cls, raw: dict) -> Question:
        """A question, or a chain with its turns (each turn inherits the chain's language and split)."""
        raw = _normalised(raw)
        turns = [cls.from_json({"id": f"{raw['id']}.{i}", "language": raw["language"], "split": raw.get("split", ""),
                                "kind": "same" if turn.get("sources") else "unanswerable", **turn})
                 for i, turn in enumerate(raw.get("turns", []), start=1)]
        fields = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__ and k != "turns"}
        fields.setdefault("question", " / ".join(t.question for t in turns))
        return cls(**fields, turns=turns)

    @property
    def answerable(self) -> bool:
        """Whether the articles hold the answer."""
        return bool(self.sources)


def _normalised(raw: dict) -> dict:
    """A line in this set's field names, also when written in the other format (`lang`; `must_include`,
    a list of lists of accepted spellings; kinds fact and crosslingual)."""
    out = dict(raw)
    if "lang" in out:
        out.setdefault("language", out.pop("lang"))
    if "must_include" in out:
        out.setdefault("answer_contains", ["|".join(spellings) for spellings in out.pop("must_include")])
    out["kind"] = KIND_ALIASES.get(out.get("kind"), out.get("kind", "same"))
    return out


def load_questions(path: Path = QUESTIONS, split: str | None = None) -> list[Question]:
    """The question set, one JSON object per line; only one half of it when split is given and the set
    has halves (a set without any `split` field is used whole)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    questions = [Question.from_json(json.loads(line)) for line in lines if line.strip()]
    if not any(q.split for q in questions):
        return questions
    return [q for q in questions if split in (None, "all", q.split)]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def answer_is_right(text: str, required: list[str]) -> bool:
    """Every required entry is present; an entry "a|b" is met by either alternative."""
    folded = _fold(text)
    return all(any(_fold(alt) in folded for alt in entry.split("|")) for entry in required)


def first_rank(sources: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first passage from a right article, or None."""
    return next((i for i, s in enumerate(sources, start=1) if s in gold), None)


def retrieval_rows(questions: list[Question], search: Callable[[str], list[str]]) -> list[dict]:
    """hit@1, hit@5, reciprocal rank and latency per answerable question."""
    rows = []
    for q in (q for q in questions if q.answerable and not q.turns):
        started = time.perf_counter()
        sources = search(q.question)
        ms = (time.perf_counter() - started) * 1000
        rank = first_rank(sources[:5], q.sources)
        rows.append({"id": q.id, "kind": q.kind, "language": q.language, "ms": ms,
                     "hit@1": float(rank == 1), "hit@5": float(rank is not None),
                     "rr": 1.0 / rank if rank else 0.0})
    return rows


def answer_rows(questions: list[Question], ask: Callable[..., object], corpus_dir: Path) -> list[dict]:
    """Answer correctness, abstention, citation validity and latency per question (per turn in a chain)."""
    rows = []
    for q in questions:
        history: list[tuple[str, str]] = []
        for turn in q.turns or [q]:
            started = time.perf_counter()
            answer = ask(turn.question, history=list(history)) if q.turns else ask(turn.question)
            seconds = time.perf_counter() - started
            history.append((turn.question, answer.text))
            rows.append(_answer_row(turn, q.kind, answer, seconds, corpus_dir))
    return rows


def _answer_row(q: Question, kind: str, answer, seconds: float, corpus_dir: Path) -> dict:
    valid = [c for c in answer.citations if _verbatim(c.quote, corpus_dir / c.source)]
    right = q.answerable and not answer.abstained and answer_is_right(answer.text, q.answer_contains)
    return {
        "id": q.id, "kind": kind, "language": q.language, "answerable": q.answerable, "seconds": seconds,
        "abstained": answer.abstained, "right": right, "wrong": not answer.abstained and not right,
        "short_right": bool(q.short and answer.short and answer_is_right(answer.short, [q.short])),
        "has_short": bool(q.short), "citations": len(answer.citations), "valid_citations": len(valid),
        "mode": answer.mode,
    }


def _verbatim(quote: str, path: Path) -> bool:
    """True when the quote occurs word for word in the article as the loader reads it (any format)."""
    from rag.ingest.load import read_text

    try:
        return bool(quote) and unicodedata.normalize("NFC", quote) in read_text(path)
    except (OSError, ValueError):
        return False


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summarize_retrieval(rows: list[dict]) -> dict:
    """Averages over a group of retrieval rows."""
    return {"n": len(rows), "hit@1": _mean([r["hit@1"] for r in rows]), "hit@5": _mean([r["hit@5"] for r in rows]),
            "mrr": _mean([r["rr"] for r in rows]),
            "p50_ms": statistics.median([r["ms"] for r in rows]) if rows else float("nan")}


def summarize_answers(rows: list[dict]) -> dict:
    """Answer accuracy, abstention accuracy, citation validity and latency over answer rows."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    total_citations = sum(r["citations"] for r in rows)
    return {
        "n": len(rows),
        "answer_accuracy": _mean([float(r["right"]) for r in answerable]),
        "answered_wrong": _mean([float(r["wrong"]) for r in rows]),
        "short_accuracy": _mean([float(r["short_right"]) for r in answerable if r["has_short"]]),
        "abstention_accuracy": _mean([float(r["abstained"]) for r in unanswerable]),
        "false_abstentions": _mean([float(r["abstained"]) for r in answerable]),
        "citation_validity": sum(r["valid_citations"] for r in rows) / total_citations if total_citations else 1.0,
        "answered_with_valid_citation": _mean([float(r["valid_citations"] > 0) for r in answerable]),
        "p50_s": statistics.median([r["seconds"] for r in rows]),
        "model_answered": _mean([float(r["mode"] == "llm" and not r["abstained"]) for r in rows]),
        "model_right": _mean([float(r["mode"] == "llm" and r["right"]) for r in answerable]),
    }


def grouped(rows: list[dict], key: str) -> dict[str, dict]:
    """Retrieval summaries per value of key (kind or language)."""
    values = sorted({r[key] for r in rows})
    return {v: summarize_retrieval([r for r in rows if r[key] == v]) for v in values}


def run(settings: Settings, questions: list[Question], *, stock: bool = True, llm: bool = False,
        models: tuple[str, ...] = (), held_out: bool = False) -> dict:
    """Every figure of the eval, as one dict; models: scripted chat models (rag.eval.scripted) to score the
    model's path with; held_out: also the offline answers by folds of articles, each answered by a policy
    fitted without it (for a question set the shipped policy was fitted on)."""
    import rag
    from rag.eval.baseline import naive_answer
    from rag.ingest.build import build_index

    build_index(settings)
    assistant = rag.get_assistant(settings)
    assistant.retrieve("warm-up")
    corpus = assistant.articles.corpus_dir
    results: dict = {"questions": len(questions)}
    project = retrieval_rows(questions, lambda q: [p.source for p in assistant.retrieve(q, 5)])
    results["retrieval"] = {"project": _report(project)}
    if stock:
        from rag.eval.stock import build_stock

        retriever = build_stock(settings, settings.corpus_dir)
        retriever.retrieve("warm-up")
        rows = retrieval_rows(questions, lambda q: [n.node.metadata.get("file_name") for n in retriever.retrieve(q)])
        results["retrieval"]["stock llama-index"] = _report(rows)
    results["answers"] = _answer_report(
        "offline", answer_rows(questions, lambda q, **kw: assistant.ask(q, mode="offline", **kw), corpus))
    if held_out:
        results["answers"].update(_answer_report(HELD_OUT, held_out_rows(settings, questions, corpus)))
    results["answers"]["naive extractive"] = summarize_answers(answer_rows(questions, lambda q, **kw: naive_answer(
        q, assistant.retrieve(q)), corpus))
    if llm and settings.llm_configured:
        results["answers"].update(_answer_report(
            f"llm {settings.llm_model}",
            answer_rows(questions, lambda q, **kw: assistant.ask(q, mode="llm", **kw), corpus)))
    for name in models:
        results.setdefault("scripted", {}).update(_answer_report(name, scripted_rows(settings, name, questions, corpus)))
    return results


def held_out_rows(settings: Settings, questions: list[Question], corpus: Path) -> list[dict]:
    """answer_rows of the offline path with each fold of articles (rag.eval.fit_policy's folds) answered by a
    policy fitted without it, on the bundled tune half and the other folds, its threshold chosen as the
    shipped one's: held-out figures, in this table, for a question set the shipped policy was fitted on."""
    from rag.assistant import Assistant
    from rag.components import build_components
    from rag.eval import fit_policy

    bundled = eval_settings(settings, BUNDLED_CORPUS)
    tune = fit_policy.collect(bundled, load_questions(QUESTIONS, "tune"), "bundled")
    rows = fit_policy.collect(settings, questions, "corpus")
    answered = []
    for k in range(fit_policy.FOLDS):
        policy = fit_policy.fold_policy(tune + [r for r in rows if r.fold != k])
        assistant = Assistant(settings, build_components(settings, policy_override=policy))
        fold = [q for q in questions if fit_policy.fold_of(q) == k]
        answered += answer_rows(fold, lambda q, **kw: assistant.ask(q, mode="offline", **kw), corpus)
    return answered


def scripted_rows(settings: Settings, name: str, questions: list[Question], corpus: Path) -> list[dict]:
    """answer_rows with a scripted chat model (the oracle or the liar) answering on the model's path."""
    from rag.assistant import Assistant
    from rag.components import build_components
    from rag.eval.scripted import SCRIPTED_MODELS

    model = SCRIPTED_MODELS[name](questions, corpus)
    assistant = Assistant(settings, build_components(settings, chat_override=model))
    return answer_rows(questions, lambda q, **kw: assistant.ask(q, mode="llm", **kw), corpus)


def _answer_report(system: str, rows: list[dict]) -> dict:
    """The system's answer summary, then one per kind of question."""
    report = {system: summarize_answers(rows)}
    for kind in sorted({r["kind"] for r in rows}):
        report[f"{system} kind={kind}"] = summarize_answers([r for r in rows if r["kind"] == kind])
    return report


def _report(rows: list[dict]) -> dict:
    return {"all": summarize_retrieval(rows), "kind": grouped(rows, "kind"), "language": grouped(rows, "language")}


def format_table(results: dict) -> str:
    """The figures as a plain-text table."""
    lines = [f"{'retrieval':<34}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'MRR':>8}{'p50 ms':>9}"]
    for system, report in results["retrieval"].items():
        groups = [("all", report["all"])] + [(f"kind={k}", v) for k, v in report["kind"].items()] + [
            (f"lang={k}", v) for k, v in report["language"].items()]
        for name, s in groups:
            lines.append(f"{system + ' ' + name:<34}{s['n']:>4}{s['hit@1']:>8.2f}{s['hit@5']:>8.2f}"
                         f"{s['mrr']:>8.2f}{s['p50_ms']:>9.1f}")
    lines.append("")
    lines.append(f"{'answers':<{LABEL}}{'n':>4}{'accuracy':>9}{'short':>7}{'abstain':>9}{'false-abst':>11}"
                 f"{'wrong':>7}{'cite-valid':>11}{'≥1 valid':>9}{'p50 s':>8}{'by LLM':>8}")
    for system, s in results["answers"].items():
        lines.append(f"{system:<{LABEL}}{s['n']:>4}{s['answer_accuracy']:>9.2f}{s['short_accuracy']:>7.2f}"
                     f"{s['abstention_accuracy']:>9.2f}{s['false_abstentions']:>11.2f}{s['answered_wrong']:>7.2f}"
                     f"{s['citation_validity']:>11.2f}{s['answered_with_valid_citation']:>9.2f}{s['p50_s']:>8.3f}"
                     f"{s['model_answered']:>8.2f}")
    if results.get("scripted"):
        lines += ["", f"{'scripted chat model':<{LABEL}}{'n':>4}{'answerable delivered right':>28}"
                      f"{'unanswerable refused':>22}{'shown as model answers':>24}"]
        for system, s in results["scripted"].items():
            lines.append(f"{system:<{LABEL}}{s['n']:>4}{s['model_right']:>28.2f}"
                         f"{s['abstention_accuracy']:>22.2f}{s['model_answered']:>24.2f}")
    return "\n".join(lines)


def eval_settings(settings: Settings, corpus: Path | None) -> Settings:
    """The settings to score with: another corpus gets an index folder of its own beside the user's, so
    scoring it never replaces the index the user asks."""
    if corpus is None:
        return settings
    folder = Path(corpus).resolve()
    if not folder.is_dir():
        raise SettingsError(f"--corpus {corpus}: not a folder of articles")
    digest = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:12]
    return settings.model_copy(update={"corpus_dir": folder,
                                       "index_dir": settings.index_dir.parent / f"eval-{folder.name}-{digest}"})


def questions_file(args) -> Path:
    """--questions, else the questions.jsonl beside (or inside) --corpus, else the bundled set."""
    if args.questions:
        return Path(args.questions)
    if args.corpus:
        for candidate in (Path(args.corpus) / "questions.jsonl", Path(args.corpus).parent / "questions.jsonl"):
            if candidate.is_file():
                return candidate
        raise SettingsError(f"--corpus {args.corpus}: no questions.jsonl beside it; give --questions FILE")
    return QUESTIONS


def policy_fitted_on(path: Path, split: str) -> bool:
    """Whether the shipped answer policy was fitted on these questions: the bundled set's tune half (and so
    its whole), and the second corpus's questions, whose held-out figures are then the HELD_OUT rows."""
    from rag.answer.policy import set_digest, shipped_policy

    if is_bundled_set(path):
        return split != "report"
    return set_digest(path.read_text(encoding="utf-8")) in shipped_policy().fitted_sets


def is_bundled_set(path: Path) -> bool:
    """True for the bundled question set (or a copy of it), whose held-out half is its report half."""
    from rag.answer.policy import set_digest

    return set_digest(path.read_text(encoding="utf-8")) == set_digest(QUESTIONS.read_text(encoding="utf-8"))


def fitted_note(fitted: bool, folds: bool) -> str:
    """What the offline rows below are: held out, or fitted on (and where the held-out figures are)."""
    if not fitted:
        return "offline rows: questions the answer policy was not fitted on"
    where = (f"the '{HELD_OUT}' rows answer each fold of articles with a policy fitted without it" if folds
             else "python -m rag.eval.fit_policy prints them by cross-validated folds")
    return ("note: the answer policy was fitted on these questions, so the offline rows are not held-out "
            f"figures; {where}")


def main(args) -> int:
    """`rag eval`: run, print the table and the JSON, optionally save the JSON."""
    settings = eval_settings(get_settings(), Path(args.corpus) if args.corpus else None)
    path = questions_file(args)
    try:
        questions = load_questions(path, args.split)
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SettingsError(f"{path}: not a question set ({type(exc).__name__}: {exc})") from None
    fitted = policy_fitted_on(path, args.split)
    folds = fitted and not is_bundled_set(path)
    results = run(settings, questions, stock=not args.no_stock, llm=args.llm, models=tuple(args.model or ()),
                  held_out=folds)
    results["split"] = args.split
    print(f"question set: {path} ({args.split} half where it has halves), {len(questions)} lines; "
          f"articles: {settings.corpus_dir}")
    print(fitted_note(fitted, folds))
    print(format_table(results))
    text = json.dumps(results, ensure_ascii=False, indent=1)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(text, encoding="utf-8")
    return 0
