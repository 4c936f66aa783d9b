"""PDF, Word and HTML articles beside text: their text, their titles, uploads, and an answer quoted from one."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from rag.ingest.load import load_corpus, read_text, title_of
from rag.ingest.uploads import save_uploads

PDF_SENTENCE = "Meta hired 321 engineers in Aarhus last week."
DOCX_SENTENCE = "The Llama research group in Paris grew to 84 scientists in March."
HTML_SENTENCE = "Meta will close its Dublin data office in 2027, a spokesperson said."


def make_pdf(path: Path, lines: list[str], title: str | None = None) -> Path:
    """A minimal one-page PDF, written by hand: one text object, Helvetica, an optional /Title."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in escaped) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title is not None:
        objects.append(f"<< /Title ({title}) >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    info = f" /Info {len(objects)} 0 R" if title is not None else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


def make_docx(path: Path, title: str | None, heading: str, paragraphs: list[str]) -> Path:
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


HTML_WRAPPED = HTML_SENTENCE.replace("2027,", "2027,\n   ")
HTML = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Dublin office to close</title>
<style>p {{ color: red; }}</style><script>var hidden = "not article text";</script></head>
<body><nav>Home &amp; news</nav><h1>Meta   leaves Dublin</h1>
<p>{HTML_WRAPPED}</p><p>Staff were told on Tuesday.</p></body></html>
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    make_pdf(folder / "aarhus.pdf", ["Meta opens a lab in Aarhus", PDF_SENTENCE], title="Aarhus lab opens")
    make_docx(folder / "paris.docx", "Paris lab grows", "Llama team news",
              [DOCX_SENTENCE, "The group works on open models."])
    (folder / "dublin.html").write_text(HTML, encoding="utf-8")
    (folder / "note.txt").write_text(" date 2024-04 Meta mister AI-topfolk\n\nMeta har mistet folk.", encoding="utf-8")
    return folder


def test_pdf_docx_and_html_are_read_with_their_titles(corpus):
    result = load_corpus(corpus)
    assert result.skipped == []
    docs = {d.id_: d for d in result.documents}
    assert set(docs) == {"aarhus.pdf", "paris.docx", "dublin.html", "note.txt"}
    titles = {name: d.metadata["title"] for name, d in docs.items()}
    assert titles == {"aarhus.pdf": "Aarhus lab opens", "paris.docx": "Paris lab grows",
                      "dublin.html": "Dublin office to close", "note.txt": "Meta mister AI-topfolk"}
    assert PDF_SENTENCE in docs["aarhus.pdf"].text.splitlines()
    assert DOCX_SENTENCE in docs["paris.docx"].text.splitlines()
    assert HTML_SENTENCE in docs["dublin.html"].text.splitlines()  # whitespace inside a paragraph collapsed
    html = docs["dublin.html"].text
    assert "not article text" not in html and "color" not in html and "Home & news" in html
    assert docs["paris.docx"].text.split("\n\n")[:2] == ["Llama team news", DOCX_SENTENCE]
    for name, doc in docs.items():  # the quote check reads exactly the indexed text
        assert read_text(corpus / name) == doc.text
        assert doc.metadata["language"] == ("da" if name == "note.txt" else "en")


def test_titles_fall_back_to_the_document_heading_then_first_line(tmp_path):
    make_pdf(tmp_path / "untitled.pdf", ["Meta opens a lab in Aarhus", PDF_SENTENCE])
    make_docx(tmp_path / "heading.docx", None, "Llama team news", [DOCX_SENTENCE])
    (tmp_path / "h1.html").write_text(f"<html><body><h1>Meta leaves Dublin</h1><p>{HTML_SENTENCE}</p>",
                                      encoding="utf-8")
    titles = {d.id_: d.metadata["title"] for d in load_corpus(tmp_path).documents}
    assert titles == {"untitled.pdf": "Meta opens a lab in Aarhus", "heading.docx": "Llama team news",
                      "h1.html": "Meta leaves Dublin"}


def test_text_titles_skip_metadata_and_long_ones_are_cut_at_a_word():
    assert title_of(" date 2024-04 Meta mister AI-topfolk i Silicon Valley\n\nbody") == \
        "Meta mister AI-topfolk i Silicon Valley"
    assert title_of("Published: 5 Apr 2024\n# Meta cuts 600 jobs\n") == "Meta cuts 600 jobs"
    assert title_of("2023 was a big year for Meta") == "2023 was a big year for Meta"
    long = title_of("Meta " + "announced many more layoffs " * 10)
    assert long.endswith("…") and len(long) <= 120 and long[:-1].split()[-1] in {"announced", "many", "more",
                                                                                   "layoffs"}


def test_the_bundled_danish_article_has_its_headline():
    from rag.settings import BUNDLED_CORPUS

    titles = {d.id_: d.metadata["title"] for d in load_corpus(BUNDLED_CORPUS).documents}
    assert titles["003_d6d766e19608138f.txt"] == "Meta mister AI-topfolk i Silicon Valley"
    assert all(len(t) <= 120 for t in titles.values())


def test_broken_documents_are_skipped_and_named(corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    make_pdf(corpus / "scan.pdf", [])  # no text layer
    result = load_corpus(corpus)
    skipped = dict(result.skipped)
    assert set(skipped) == {"broken.pdf", "broken.docx", "scan.pdf"}
    assert "PDF" in skipped["broken.pdf"] and "Word" in skipped["broken.docx"]
    assert "no text" in skipped["scan.pdf"]
    assert {d.id_ for d in result.documents} == {"aarhus.pdf", "paris.docx", "dublin.html", "note.txt"}


def test_uploads_keep_documents_as_their_bytes_and_refuse_broken_ones(corpus, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    files = [("Paris.DOCX", corpus / "paris.docx"), corpus / "aarhus.pdf", corpus / "dublin.html", bad]
    saved, rejected = save_uploads(files, target, 10_000_000)
    assert saved == ["Paris.docx", "aarhus.pdf", "dublin.html"]
    assert [name for name, _ in rejected] == ["bad.pdf"] and "PDF" in rejected[0][1]
    assert (target / "Paris.docx").read_bytes() == (corpus / "paris.docx").read_bytes()
    assert (target / "aarhus.pdf").read_bytes() == (corpus / "aarhus.pdf").read_bytes()
    again, refused = save_uploads([corpus / "aarhus.pdf"], target, 10_000_000)
    assert again == ["aarhus.pdf"] and refused == []  # the same bytes again: no change
    (tmp_path / "other").mkdir()
    other = make_pdf(tmp_path / "other" / "aarhus.pdf", ["Something else entirely"])
    _, refused = save_uploads([other], target, 10_000_000)
    assert refused and "already exists" in refused[0][1]


def test_an_answer_is_quoted_from_a_word_document(corpus, tmp_path):
    from rag.assistant import Assistant
    from rag.components import build_components
    from rag.ingest.build import build_index
    from tests.conftest import make_settings
    from tests.fakes import HashEmbedding

    settings = make_settings(tmp_path, corpus)
    components = build_components(settings, embed_override=HashEmbedding())
    report = build_index(settings, components=components)
    assert report.documents == 4 and report.skipped == []
    answer = Assistant(settings, components).ask("How many scientists did the Llama research group in Paris have?")
    assert not answer.abstained and "84" in answer.text
    quoted = [c for c in answer.citations if c.source == "paris.docx"]
    assert quoted and quoted[0].quote in read_text(corpus / "paris.docx")
    assert quoted[0].title == "Paris lab grows"
