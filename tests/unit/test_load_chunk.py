"""Load and chunk stages, on the real articles."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from rag.ingest.chunk import chunk_documents, count_tokens
from rag.text import file_subject, split_sentences
from rag.errors import CorpusError
from rag.ingest.load import load_corpus, read_document
from tests.conftest import CORPUS, make_settings

FILES = {
    "000_e4361c01c8850e8e.txt": "en", "001_11aa8dc79ed4b7a5.txt": "ar", "002_ea614d0ca7ddad52.txt": "zh",
    "003_d6d766e19608138f.txt": "da", "004_0d2ab960e419d201.txt": "en",
}


def test_bundled_corpus_loads_with_language_and_title():
    result = load_corpus(CORPUS)
    found = {d.metadata["file_name"]: d.metadata["language"] for d in result.documents}
    assert found == FILES
    titles = {d.metadata["file_name"]: d.metadata["title"] for d in result.documents}
    assert titles["000_e4361c01c8850e8e.txt"] == "Meta lay off the entire machine learning research team"
    assert result.skipped == []


def test_bad_files_are_skipped_and_named(tmp_path):
    (tmp_path / "good.txt").write_text("Meta hired 321 engineers in Aarhus last week.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (tmp_path / "latin1.txt").write_bytes("Medarbejdere i København fik løn før jul.".encode("latin-1"))
    (tmp_path / "short.txt").write_bytes("Æbler og østers på år.".encode("cp1252"))
    result = load_corpus(tmp_path)
    names = {d.metadata["file_name"] for d in result.documents}
    assert names == {"good.txt", "latin1.txt", "short.txt"}
    texts = {d.id_: d.text for d in result.documents}
    assert "København" in texts["latin1.txt"] and texts["short.txt"] == "Æbler og østers på år."
    assert dict(result.skipped).keys() == {"empty.txt", "binary.txt"}


def test_an_unreadable_file_is_skipped_and_named(tmp_path):
    """Permission bits do not stop root (CI runs as root), so there the file is one the OS refuses to read."""
    (tmp_path / "good.txt").write_text("Meta hired 321 engineers in Aarhus last week.", encoding="utf-8")
    locked = tmp_path / "locked.txt"
    if os.geteuid() == 0:
        locked.symlink_to("/proc/self/mem")  # reading it fails with EIO, whoever reads
    else:
        locked.write_text("secret", encoding="utf-8")
        locked.chmod(0)
    result = load_corpus(tmp_path)
    assert [d.id_ for d in result.documents] == ["good.txt"]
    assert [name for name, _ in result.skipped] == ["locked.txt"] and result.skipped[0][1]


def test_folder_without_documents_is_a_clear_error(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(CorpusError, match="no readable documents"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "missing")


def test_sentences_split_in_all_four_scripts_without_losing_text():
    text = "他表示,早前就已经在寻找外部机会。这次Meta裁员为他提供了八个月的薪资赔偿!好吗?"
    parts = split_sentences(text)
    assert parts[0] == "他表示,早前就已经在寻找外部机会。" and "".join(parts) == text
    arabic = "أفاد تقرير نشرته وكالة Axios. هل ستسرح ميتا 600 موظف؟ نعم."
    parts = split_sentences(arabic)
    assert "".join(parts) == arabic and len(parts) == 3
    assert split_sentences("Meta fired 7,800 people. Pay is $400.000 here.") == [
        "Meta fired 7,800 people.", " Pay is $400.000 here."]


def test_chunks_respect_the_token_budget_and_ids_are_stable(tmp_path):
    settings = make_settings(tmp_path)
    docs = load_corpus(CORPUS).documents
    first = chunk_documents(docs, settings)
    again = chunk_documents(load_corpus(CORPUS).documents, settings)
    assert [n.id_ for n in first] == [n.id_ for n in again]
    assert len({n.id_ for n in first}) == len(first)
    assert max(count_tokens(n.text) for n in first) <= settings.chunk_tokens
    assert {n.metadata["language"] for n in first} == {"en", "ar", "zh", "da"}
    chinese = [n for n in first if n.metadata["language"] == "zh"]
    sentence_ends = [n.text.rstrip()[-1] in "。！？!?”" for n in chinese]
    assert sum(sentence_ends) >= 0.7 * len(chinese)  # most Chinese chunks end on a full stop


def _covered(text: str, nodes) -> bool:
    """The chunks, placed in order (overlapping or separated by whitespace only), cover the text.

    Checked from the chunk texts alone: in repetitive text a chunk occurs in several places,
    so every placement is tried rather than trusting one offset.
    """
    states = {(-1, 0)}  # (start of last chunk, end of covered prefix)
    for node in nodes:
        occurrences, i = [], text.find(node.text)
        while i >= 0:
            occurrences.append(i)
            i = text.find(node.text, i + 1)
        states = {(o, max(end, o + len(node.text))) for start, end in states for o in occurrences
                  if o > start and not text[end:o].strip()}
    return any(not text[end:].strip() for _, end in states)


def test_offsets_point_at_the_chunk_text(tmp_path):
    for doc in load_corpus(CORPUS).documents:
        for node in chunk_documents([doc], make_settings(tmp_path)):
            assert doc.text[node.start_char_idx:node.end_char_idx] == node.text


def test_every_character_of_every_article_is_in_some_chunk(tmp_path):
    settings = make_settings(tmp_path)
    for doc in load_corpus(CORPUS).documents:
        assert _covered(doc.text, chunk_documents([doc], settings))


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([
    "Meta fired 7,800 employees. ", "田渊栋获得了八个月的薪资赔偿。", "ستسرح ميتا نحو ٦٠٠ موظف؟ ",
    "Meta har tabt tre top AI-ansatte! ", "\n", "\n\n", "x" * 300, "💡 emoji ", "a,b;c:d ",
]), min_size=1, max_size=60), st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=200))
def test_fuzz_chunker_never_loses_a_character(tmp_path, pieces, noise):
    text = "".join(pieces) + noise
    if not text.strip():
        return
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path, tmp_path)
    nodes = chunk_documents([doc], make_settings(tmp_path, chunk_tokens=64, chunk_overlap=8))
    assert _covered(doc.text, nodes)


@pytest.mark.parametrize("source, subject", [
    ("00_harbour_festival_12.txt", "harbour festival 12"),
    ("notes/04_north_sea_(coast).md", "north sea coast"),
    ("Vesterby lighthouses.txt", "Vesterby lighthouses"),
    ("تقرير_المرفأ.txt", "تقرير المرفأ"),
    ("000_e4361c01c8850e8e.txt", ""),  # a hash names nothing
    ("2024.txt", ""),  # nor a bare number
])
def test_a_file_name_gives_the_words_of_its_subject(source, subject):
    assert file_subject(source) == subject
