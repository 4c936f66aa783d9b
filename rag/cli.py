"""The `rag` command: index, ask, ui, eval. Bad input ends with a one-line message, not a traceback.

Arguments are checked before anything heavy loads, so a mistake is reported at once.
Progress bars (ours and the model loaders') are shown only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from rag.errors import QuestionError, RagError, SettingsError
from rag.schema import LLM, Answer
from rag.settings import MAX_TOP_K, Settings, get_settings
from rag.text import LANGUAGES, printable_name, quoted

EMPTY_QUESTION = "Please type a question: the question is empty."
SURROGATE = re.compile("[\ud800-\udfff]")  # how Python holds argv bytes that are not UTF-8
REPLACEMENT = "\ufffd"


def _print_progress(fraction: float, message: str) -> None:
    """Progress callback for a terminal: one line per step on stderr."""
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr)


def _no_progress(_: float, __: str) -> None:
    """Progress callback for a stderr that is a file or a pipe: say nothing."""


def _index(args: argparse.Namespace) -> int:
    from rag.ingest.build import build_index

    settings = get_settings()
    if args.check:
        return _check(settings)
    corpus = Path(args.path) if args.path else None  # none given: the folder the index follows (uploads too)
    if corpus is not None:
        settings = settings.model_copy(update={"corpus_dir": corpus})
    progress = _print_progress if sys.stderr.isatty() else _no_progress
    report = build_index(settings, corpus, rebuild=args.rebuild, progress=progress)
    print(f"indexed {report.documents} articles, {report.chunks} passages from {report.corpus_dir} into "
          f"{settings.index_dir} ({report.embedded} embedded, {report.removed} removed, "
          f"{report.seconds:.1f} s)")
    for name, why in report.skipped:
        print(f"skipped {printable_name(name)}: {why}")
    for name, same in report.duplicates:
        print(f"duplicate {printable_name(name)}: the same text as {printable_name(same)}; its passages count once")
    return 0


def _check(settings: Settings) -> int:
    """`rag index --check`: the index's state in a few lines, changing nothing; exit 1 when it cannot answer."""
    from rag.components.store import index_health

    lines, healthy = index_health(settings)
    print("\n".join(lines))
    return 0 if healthy else 1


def clean_argument(text: str) -> str:
    """Command-line text as valid Unicode: each lone surrogate (a byte that was not UTF-8) becomes U+FFFD."""
    return SURROGATE.sub(REPLACEMENT, text)


def _check_question(question: str) -> str:
    """The question, refused at once (before the index and models load) when nothing printable is in it."""
    question = clean_argument(question)
    if not "".join(ch for ch in question if ch.isprintable()).strip():
        raise QuestionError(EMPTY_QUESTION)
    return question


def _ask(args: argparse.Namespace) -> int:
    import rag

    question = _check_question(args.question)
    source = clean_argument(args.source) if args.source else None
    answer = rag.ask(question, k=args.k, source=source, language=args.language, mode=args.mode)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
        return 0
    _print_answer(answer)
    return 0


def _print_answer(answer: Answer) -> None:
    """The short answer, then the text and each citation with its source, every quote printed once.

    An extracted answer's text is its quotes, so only the citations are printed, each with the
    [n] of its passage as the window shows it; a model's answer is printed, then what it cites.
    """
    from rag.ui.render import citation_number

    if answer.short:
        print(answer.short)
    extracted = answer.mode != LLM and not answer.abstained and answer.citations
    if not extracted:
        print(answer.text)
    for citation in answer.citations:
        print(f"  [{citation_number(answer, citation)}] {printable_name(citation.source)} ({citation.language}): "
              f"{quoted(citation.quote)}")
        if citation.gloss:
            print(f"      word-by-word gloss (dictionary, not a translation): {citation.gloss}")
    if answer.confidence and not answer.abstained:
        reason = f" ({answer.confidence_reason})" if answer.confidence_reason else ""
        print(f"confidence: {answer.confidence}{reason}")
    for notice in answer.notices:
        print(f"note: {notice}")


def _ui(args: argparse.Namespace) -> int:
    from rag.ui.app import main as run_ui

    run_ui(host=args.host, port=args.port)
    return 0


def _eval(args: argparse.Namespace) -> int:
    if args.feedback:
        from rag.eval.feedback import main as draft_questions

        return draft_questions(args)
    if args.out:
        raise SettingsError("--out is where --feedback writes its drafts; give --feedback FILE too")
    from rag.eval.score import main as run_eval

    return run_eval(args)


def passages_count(text: str) -> int:
    """-k: a whole number of passages from 1 to MAX_TOP_K (argparse reports anything else, exit 2)."""
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 1 <= k <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be at least 1 and at most {MAX_TOP_K}, not {k}")
    return k


INTERRUPTED = 130  # the shell's exit status for a command stopped by Ctrl-C (128 + SIGINT)


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported in one line (exit 2) instead of the usage and the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per way in."""
    top = _Parser(prog="rag", description="Ask questions about a folder of news articles.")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the index (only changed articles are re-embedded)")
    p.add_argument("path", nargs="?", help="corpus folder (default: RAG_CORPUS_DIR, the bundled articles)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    p.add_argument("--check", action="store_true",
                   help="say whether the index is whole (manifest, keyword index, vectors); change nothing")
    p.set_defaults(run=_index)

    p = sub.add_parser("ask", help="answer one question with quotes")
    p.add_argument("question")
    p.add_argument("-k", type=passages_count, default=None,
                   help=f"passages to retrieve, 1 to {MAX_TOP_K} (default RAG_TOP_K)")
    p.add_argument("--source", help="only this article (file name)")
    p.add_argument("--language", choices=LANGUAGES, help="only articles in this language")
    p.add_argument("--mode", choices=["offline", "llm"], help="force the offline answer, or ask for the LLM")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(run=_ask)

    p = sub.add_parser("ui", help="open the chat window")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(run=_ui)

    p = sub.add_parser("eval", help="score retrieval and answers on eval/questions.jsonl")
    p.add_argument("--questions", default=None, help="JSONL question set (default: the bundled one)")
    p.add_argument("--split", choices=["report", "tune", "all"], default="report",
                   help="which half of the question set (tune thresholds on 'tune', report on 'report')")
    p.add_argument("--llm", action="store_true", help="also score the configured LLM endpoint")
    p.add_argument("--model", action="append", choices=["oracle", "liar"],
                   help="also score the model's path with a scripted chat model: the oracle (the gold answer, "
                        "cited) or the liar (a wrong figure or name citing a real sentence); repeatable")
    p.add_argument("--corpus", default=None, metavar="PATH",
                   help="score on this folder of articles (its own index; questions.jsonl beside it by default)")
    p.add_argument("--no-stock", action="store_true", help="skip the stock llama-index reference row")
    p.add_argument("--json", dest="json_path", default=None, help="also write the scores to this file")
    p.add_argument("--feedback", default=None, metavar="FILE",
                   help="instead of scoring, turn the chat window's feedback file into draft questions to review")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="where --feedback writes the drafts (default: beside it, FILE.drafts.jsonl)")
    p.set_defaults(run=_eval)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not sys.stderr.isatty():  # model loaders' progress bars (tqdm, Hugging Face) only on a terminal
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    args = parser().parse_args(argv)
    try:
        get_settings()  # a bad RAG_ variable is reported before anything loads
        return args.run(args)
    except RagError as exc:  # the same form as argparse's own: "rag ask: error: …"
        print(f"rag {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"rag {args.command}: interrupted; an index build stops before its commit, so the previous index "
              "still answers", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
