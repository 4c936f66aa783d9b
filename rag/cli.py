"""The `rag` command: index, ask, ui, eval. Bad input ends with a one-line message, not a traceback."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from rag.errors import RagError
from rag.settings import get_settings


def _index(args: argparse.Namespace) -> int:
    from rag.ingest.build import build_index

    settings = get_settings()
    corpus = Path(args.path) if args.path else settings.corpus_dir
    if args.path:
        settings = settings.model_copy(update={"corpus_dir": corpus})
    report = build_index(settings, corpus, rebuild=args.rebuild,
                         progress=lambda f, msg: print(f"[{f:4.0%}] {msg}", file=sys.stderr))
    print(f"indexed {report.documents} articles, {report.chunks} passages from {corpus} into "
          f"{settings.index_dir} ({report.embedded} embedded, {report.removed} removed, "
          f"{report.seconds:.1f} s)")
    for name, why in report.skipped:
        print(f"skipped {name}: {why}")
    return 0


def _ask(args: argparse.Namespace) -> int:
    import rag

    answer = rag.ask(args.question, k=args.k, source=args.source, language=args.language, mode=args.mode)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
        return 0
    if answer.short:
        print(answer.short)
    print(answer.text)
    for i, citation in enumerate(answer.citations, start=1):
        print(f"  [{i}] {citation.source} ({citation.language}): “{citation.quote}”")
        if citation.gloss:
            print(f"      word-by-word gloss (dictionary, not a translation): {citation.gloss}")
    for notice in answer.notices:
        print(f"note: {notice}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from rag.ui.app import main as run_ui

    run_ui(host=args.host, port=args.port)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from rag.eval.score import main as run_eval

    return run_eval(args)


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per way in."""
    top = argparse.ArgumentParser(prog="rag", description="Ask questions about a folder of news articles.")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the index (only changed articles are re-embedded)")
    p.add_argument("path", nargs="?", help="corpus folder (default: RAG_CORPUS_DIR, the bundled articles)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    p.set_defaults(run=_index)

    p = sub.add_parser("ask", help="answer one question with quotes")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=None, help="passages to retrieve (default RAG_TOP_K)")
    p.add_argument("--source", help="only this article (file name)")
    p.add_argument("--language", choices=["en", "ar", "zh", "da"], help="only articles in this language")
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
    p.add_argument("--no-stock", action="store_true", help="skip the stock llama-index reference row")
    p.add_argument("--json", dest="json_path", default=None, help="also write the scores to this file")
    p.set_defaults(run=_eval)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
