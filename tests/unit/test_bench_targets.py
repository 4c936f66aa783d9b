"""The bench's targets: the build's peak memory at ~100k is one of them, and a run without stock
(--project-only) skips the comparisons instead of failing on figures it never measured."""

from __future__ import annotations

from bench.run import MEMORY_MIB, check_targets


def _project_only_100k(build_rss: float) -> dict:
    project = {"retrieval_p50_ms": 11.0, "query_peak_rss_mib": 800.0, "build_peak_rss_mib": build_rss,
               "throughput_cps": 400.0, "chunks": 96_000}
    return {"100k": {"project": project, "stock": {}, "ratio": {}}}


def test_the_build_memory_target_at_100k_fails_above_2_gib_and_passes_below():
    over = {t["key"]: t for t in check_targets(_project_only_100k(MEMORY_MIB + 264))}
    under = {t["key"]: t for t in check_targets(_project_only_100k(1223))}
    assert over["build_memory_100k"]["status"] == "FAIL" and under["build_memory_100k"]["status"] == "PASS"
    assert under["build_memory_100k"]["detail"] == "1223 MiB (stock not run)"


def test_without_stock_the_comparisons_are_skipped():
    targets = {t["key"]: t for t in check_targets(_project_only_100k(1223))}
    assert targets["retrieval_vs_stock_100k"]["status"] == "SKIP"
    assert targets["build_throughput"]["status"] == "SKIP"
    assert targets["retrieval_p50_100k"]["status"] == "PASS"
