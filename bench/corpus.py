"""Bench corpora: the five bundled articles recombined, reproducibly, into thousands of articles.

Each generated article takes the language of one bundled article, then paragraphs
drawn at random (seeded) from the articles of that language, until its token budget
is met. Its first line is a unique id, so no two files share a content hash. The
token budget is sized so that the project's chunker (chunk_tokens 256, overlap 32)
gives about the target number of passages:

    python -m bench.corpus 10k /tmp/bench-10k      # about 10,000 passages in ~500 files
    python -m bench.corpus 100k /tmp/bench-100k    # about 100,000 passages in ~2,000 files
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.settings import BUNDLED_CORPUS

BUNDLED = BUNDLED_CORPUS

# Passages per generated article, by size label: long-form articles, so the 100k corpus
# stays at ~2,000 files (the loader's per-file cost is not what the benchmark is after).
SIZES = {"1k": (1_000, 10), "1500": (1_500, 15), "10k": (10_000, 20), "100k": (100_000, 50)}

# cl100k tokens per passage the chunker emits on these articles (256-token passages,
# 32 overlap, cut at sentence ends): measured with chunk_documents on 10k/100k corpora.
TOKENS_PER_CHUNK = 185.0


@dataclass(frozen=True)
class Source:
    """One bundled article: its language, title and body paragraphs with their token counts."""

    name: str
    language: str
    title: str
    paragraphs: tuple[str, ...]
    tokens: tuple[int, ...]


@lru_cache(maxsize=4)
def sources(corpus: Path = BUNDLED) -> tuple[Source, ...]:
    """The bundled articles split into paragraphs (one per non-empty line)."""
    from rag.ingest.chunk import count_tokens
    from rag.ingest.load import read_text
    from rag.text import detect_language

    out = []
    for path in sorted(corpus.glob("*.txt")):
        text = read_text(path)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        title, body = lines[0], tuple(lines[1:])
        out.append(Source(path.name, detect_language(text), title, body,
                          tuple(count_tokens(p) for p in body)))
    return tuple(out)


def generate(target_chunks: int, out_dir: Path, *, chunks_per_file: int = 20, seed: int = 0,
             label: str | None = None) -> dict:
    """Write articles under out_dir that chunk to about target_chunks passages; returns a summary.

    Same arguments, same bytes: every choice comes from random.Random(seed).
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    rng = random.Random(seed)
    pool = sources()
    by_language: dict[str, list[tuple[str, int]]] = {}
    for src in pool:
        by_language.setdefault(src.language, []).extend(zip(src.paragraphs, src.tokens))
    label = label or f"{target_chunks}"
    n_files = max(1, round(target_chunks / chunks_per_file))
    budget_total = target_chunks * TOKENS_PER_CHUNK
    # Uneven article lengths (0.5x to 1.5x the mean), rescaled to the exact total budget.
    weights = [rng.uniform(0.5, 1.5) for _ in range(n_files)]
    scale = budget_total / sum(weights)
    total_tokens = 0
    languages: dict[str, int] = {}
    for i in range(n_files):
        src = pool[i % len(pool)]
        paragraphs = by_language[src.language]
        budget = weights[i] * scale
        lines = [f"bench-{label}-{seed}-{i:06d}", src.title]
        tokens = 0
        while tokens < budget:
            text, count = paragraphs[rng.randrange(len(paragraphs))]
            lines.append(text)
            tokens += count
        total_tokens += tokens
        languages[src.language] = languages.get(src.language, 0) + 1
        name = f"{i:06d}_{src.language}.txt"
        (out_dir / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return {"label": label, "dir": str(out_dir), "files": n_files, "tokens": total_tokens,
            "estimated_chunks": round(total_tokens / TOKENS_PER_CHUNK), "seed": seed,
            "languages": languages}


def generate_big_article(megabytes: float, out_dir: Path, seed: int = 0, language: str = "en") -> dict:
    """One article of about `megabytes` MB (UTF-8): a title, then bundled paragraphs of one language drawn
    at random (seeded), in a folder of its own. The long-article case: chunking must stay linear."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    rng = random.Random(seed)
    pool = [src for src in sources() if src.language == language]
    paragraphs = [p.encode("utf-8") for src in pool for p in src.paragraphs]
    target = int(megabytes * 1_000_000)
    path = out_dir / f"big_{language}.txt"
    with open(path, "wb") as handle:
        written = handle.write(f"bench-big-{seed}\n\n{pool[0].title}\n".encode("utf-8"))
        while written < target:
            written += handle.write(b"\n" + paragraphs[rng.randrange(len(paragraphs))] + b"\n")
    return {"label": f"{megabytes:g} MB article", "dir": str(out_dir), "files": 1, "bytes": written,
            "language": language, "seed": seed}


def generate_size(size: str, out_dir: Path, seed: int = 0) -> dict:
    """generate() for a size label of SIZES ("10k", "100k", ...)."""
    target, per_file = SIZES[size]
    return generate(target, out_dir, chunks_per_file=per_file, seed=seed, label=size)


def count_chunks(corpus_dir: Path, chunk_tokens: int = 256, chunk_overlap: int = 32) -> int:
    """Passages the project's chunker makes of a folder (slow on big folders: it really chunks)."""
    from rag.ingest.chunk import chunk_documents
    from rag.ingest.load import load_corpus
    from rag.settings import Settings

    settings = Settings(_env_file=None, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap)
    return len(chunk_documents(load_corpus(Path(corpus_dir)).documents, settings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", action="store_true", help="also chunk it and print the real passage count")
    args = parser.parse_args(argv)
    summary = generate_size(args.size, args.out_dir, args.seed)
    if args.count:
        summary["chunks"] = count_chunks(args.out_dir)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
