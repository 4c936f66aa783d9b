"""The benchmark cannot rot: `python -m bench.run --quick` runs and reports every figure."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bench.corpus import count_chunks, generate, generate_big_article
from bench.run import BIG_METRICS, COLD_START_S, METRICS, TARGETS, Bench, big_article_table, run_big_article
from tests.conftest import REPO as PROJECT_ROOT

# Rows the quick run must print with a number for the project, and which need one for stock too.
BOTH = ["passages indexed", "index build time (s)", "build throughput (passages/s)", "peak RSS, build (MiB)",
        "on-disk size (MiB)", "cold start to first answer (s)", "retrieval latency p50 (ms)",
        "retrieval latency p95 (ms)", "peak RSS, querying (MiB)"]
PROJECT_ONLY = ["offline answer latency p50 (ms)", "offline answer latency p95 (ms)",
                "re-index after 1 changed file (s)", "re-index / full build (%)"]
NUMBER = r"(\d[\d,]*(?:\.\d+)?)"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    run = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--json", str(out)], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout, json.loads(out.read_text(encoding="utf-8"))


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_quick_table_has_every_row_with_positive_figures(quick):
    table, _ = quick
    assert "== bundled:" in table and "real MiniLM embedding" in table
    for label in BOTH + PROJECT_ONLY:
        match = re.search(rf"^{re.escape(label)}\s+(\S+)\s+(\S+)\s+(\S+)$", table, re.M)
        assert match, f"row missing: {label}\n{table}"
        project, stock, ratio = match.groups()
        assert _number(project) > 0, label
        if label in BOTH:
            assert _number(stock) > 0 and _number(ratio) > 0, label
        else:
            assert stock == ratio == "n/a", label


def test_quick_table_ends_with_every_target(quick):
    table, _ = quick
    targets = table.split("\ntargets\n", 1)[1]
    for _, description in TARGETS:
        assert re.search(rf"^  (PASS|FAIL|SKIP) {re.escape(description)}: ", targets, re.M), description
    cold = re.search(rf"^  (PASS|FAIL) cold start to first answer on the bundled corpus <= {COLD_START_S:g} s: "
                     rf"{NUMBER} s", targets, re.M)
    assert cold and _number(cold.group(2)) > 0


def test_quick_json_holds_the_same_figures(quick):
    _, results = quick
    row = results["sizes"]["bundled"]
    assert row["vectors"] == "real" and results["meta"]["plan"] == {"bundled": "real"}
    for key, _, _ in METRICS:
        if key in row["project"]:
            assert row["project"][key] > 0, key
    assert row["project"]["chunks"] > 20 and row["stock"]["chunks"] > 20
    assert row["project"]["reindex_embedded"] > 0
    assert row["project"]["passages_per_query"] == row["stock"]["passages_per_query"] == 5
    assert 0 < row["ratio"]["retrieval_p50_ms"] and 0 < row["ratio"]["throughput_cps"]
    assert {t["key"] for t in results["targets"]} == {k for k, _ in TARGETS}


def test_generated_corpus_is_reproducible_and_near_its_target(tmp_path):
    first = generate(300, tmp_path / "a", chunks_per_file=10, seed=7)
    again = generate(300, tmp_path / "b", chunks_per_file=10, seed=7)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert first["files"] == len(files) == 30
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    heads = {(tmp_path / "a" / f).read_text(encoding="utf-8").split("\n", 1)[0] for f in files}
    assert len(heads) == len(files), "every file starts with its own id line"
    assert again["tokens"] == first["tokens"]
    assert 0.85 * 300 <= count_chunks(tmp_path / "a") <= 1.15 * 300


def test_the_big_article_row_chunks_and_indexes_one_generated_article(tmp_path):
    """The long-article row (a small one here): every figure printed, every passage placed in its article."""
    info = generate_big_article(0.3, tmp_path / "again")
    row = run_big_article(Bench(tmp_path / "work", verbose=False), 0.3)
    assert row["corpus"]["bytes"] == info["bytes"] >= 300_000, "the same article, at least the size asked for"
    assert row["chunks"] > 100 and row["located"] == row["chunks"]
    lines = big_article_table(row)
    assert lines[0].startswith("== one 0.3 MB article (en)")
    for key, label, _ in BIG_METRICS:
        match = re.search(rf"^{re.escape(label)}\s+{NUMBER}$", "\n".join(lines), re.M)
        assert match and _number(match.group(1)) > 0, (label, lines)
