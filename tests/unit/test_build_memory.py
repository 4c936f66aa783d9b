"""A build's memory does not grow with whole-corpus node objects and token lists: passages are chunked,
embedded, stored and tokenized a batch at a time, and their tokens are kept compactly (PassageTokens)."""

from __future__ import annotations

import gc
import json
import tracemalloc

import pytest
from llama_index.core.schema import TextNode

from bench.corpus import generate
from rag.components.store import Manifest
from rag.ingest.build import build_index
from rag.search.keyword import TOKENS_FILE, KeywordIndex, PassageTokens, terms, tokenize
from tests.conftest import CORPUS, copy_corpus, fake_components, make_settings

GUARD_PASSAGES = 1_000  # enough passages that what each one costs outweighs the build's fixed costs
# Python allocation a passage may add to the build's peak once the articles are read. The build that
# held every node, every passage's tokens as lists of str and their JSON as one string took about
# 17.5 KiB a passage here (2.3 GiB RSS at 100k passages); streaming with compact tokens, about 5.
PEAK_KIB_PER_PASSAGE = 10
MIXED = {"zh": "扎克伯格 裁员 扎克伯格", "ar": "ميتا تسرح موظفين", "en": "Meta laid off 7,800 employees"}


def test_the_peak_allocation_of_a_build_grows_a_few_kib_a_passage(tmp_path):
    corpus = tmp_path / "corpus"
    generate(GUARD_PASSAGES, corpus, chunks_per_file=20)
    warm = make_settings(tmp_path / "warm")
    build_index(warm, components=fake_components(warm))  # lazy imports and dictionaries, outside the measure
    settings = make_settings(tmp_path, corpus)
    components = fake_components(settings)
    at_chunking: list[int] = []

    def progress(_: float, message: str) -> None:
        if message.startswith("chunking"):  # the articles are read: from here on the cost is per passage
            tracemalloc.reset_peak()
            at_chunking.append(tracemalloc.get_traced_memory()[0])

    tracemalloc.start()
    try:
        report = build_index(settings, components=components, progress=progress)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.chunks > GUARD_PASSAGES * 0.9
    grown_kib = (peak - at_chunking[0]) / 1024
    assert grown_kib < PEAK_KIB_PER_PASSAGE * report.chunks, f"{grown_kib / report.chunks:.1f} KiB a passage"


def test_no_passage_node_outlives_its_batch(tmp_path):
    """When the keyword index is written, every passage is stored and no node is left in memory."""
    settings = make_settings(tmp_path, copy_corpus(tmp_path), embed_batch_size=2)
    alive: list[int] = []

    def progress(_: float, message: str) -> None:
        if message.startswith("writing the keyword index"):
            gc.collect()
            alive.append(sum(isinstance(o, TextNode) for o in gc.get_objects()))

    report = build_index(settings, components=fake_components(settings), progress=progress)
    assert report.chunks > 8 and alive == [0]


def test_passage_tokens_read_as_a_mapping_and_survive_a_save_in_every_script(tmp_path):
    tokens = PassageTokens()
    for chunk_id, text in MIXED.items():
        tokens.add(f"{chunk_id}.txt#1", tokenize(text, chunk_id))
    tokens.add("empty.txt#1", [])
    assert len(tokens) == 4 and "zh.txt#1" in tokens and "nope" not in tokens
    assert tokens["zh.txt#1"] == tokenize(MIXED["zh"], "zh") and tokens["empty.txt#1"] == []
    KeywordIndex.save_tokens(tmp_path, tokens, ["ar.txt#1", "zh.txt#1"])
    lines = (tmp_path / TOKENS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "ميتا" in lines[0]  # one passage a line, Arabic as it is
    loaded = KeywordIndex.load_tokens(tmp_path)
    assert dict(loaded) == {cid: tokens[cid] for cid in ("ar.txt#1", "zh.txt#1")}
    assert dict(tokens.restrict(["en.txt#1", "gone"])) == {"en.txt#1": tokens["en.txt#1"]}


def test_tokens_of_an_older_tokenizer_are_not_read(tmp_path):
    """tokens-v3 had no English lemmas: a build after an upgrade tokenizes again instead of mixing kinds."""
    legacy = {"zh.txt#1": tokenize(MIXED["zh"], "zh"), "en.txt#1": tokenize(MIXED["en"], "en")}
    (tmp_path / "tokens-v3.json").write_text(json.dumps(legacy, ensure_ascii=False), encoding="utf-8")
    assert dict(KeywordIndex.load_tokens(tmp_path)) == {}


@pytest.mark.parametrize("line", ['["id", "not a list"]', '{"id": ["a"]}', '["id", [1, 2]]', "[truncated"])
def test_a_damaged_tokens_line_is_an_error_not_tokens(tmp_path, line):
    (tmp_path / TOKENS_FILE).write_text('["ok.txt#1", ["meta"]]\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError):
        KeywordIndex.load_tokens(tmp_path)


def test_bm25_from_compact_tokens_scores_as_from_lists():
    """The passages are read in the order given, stale ones left out, an empty passage still indexed."""
    texts = {name: (CORPUS / name).read_text(encoding="utf-8") for name in sorted(p.name for p in CORPUS.glob("*.txt"))}
    tokens = PassageTokens()
    tokens.add("stale", tokenize("Quetzalcoatl only here", "en"))
    for name, text in texts.items():
        tokens.add(name, tokenize(text))
    tokens.add("empty", [])
    ids = sorted([*texts, "empty"], reverse=True)
    compact = KeywordIndex.from_passages(tokens, ids)
    lists = KeywordIndex.build(ids, [tokens[cid] for cid in ids])
    assert "quetzalcoatl" not in compact.bm25.vocab_dict
    for question in ("How many employees did Meta lay off?", "扎克伯格 裁员", "ميتا", "Levels.fyi"):
        found, expected = compact.search(question, 5), lists.search(question, 5)
        assert found and [cid for cid, _ in found] == [cid for cid, _ in expected]
        assert [score for _, score in found] == pytest.approx([score for _, score in expected])


def test_a_rebuild_tokenizes_again_and_an_incremental_build_keeps_the_tokens(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path))
    build_index(settings, components=fake_components(settings))
    folder = settings.index_dir / Manifest.load(settings.index_dir).keyword_dir
    first = dict(KeywordIndex.load_tokens(folder))
    marked = {cid: [*tokens, "marker"] for cid, tokens in first.items()}  # as if a previous build had said so
    KeywordIndex.save_tokens(folder, marked, sorted(marked))
    build_index(settings, components=fake_components(settings))
    kept = Manifest.load(settings.index_dir).keyword_dir
    assert dict(KeywordIndex.load_tokens(settings.index_dir / kept)) == marked
    build_index(settings, rebuild=True, components=fake_components(settings))
    again = Manifest.load(settings.index_dir).keyword_dir
    assert dict(KeywordIndex.load_tokens(settings.index_dir / again)) == first


def test_the_tokens_remembered_for_a_word_are_not_shared_with_a_caller():
    """Words are stemmed once a build (WORD_CACHE); a caller that changes its groups changes no later result."""
    text = "Employees laid off, employees paid; ميتا ميتا"
    first = terms(text, "en")
    for group in first:
        group.append("changed")
    assert terms(text, "en") == [[t for t in group if t != "changed"] for group in first]
    assert "changed" not in tokenize(text, "en")
