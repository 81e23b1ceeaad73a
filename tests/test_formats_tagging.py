"""Tagging PDF, Word and HTML reports gives what the same text gives as .txt.

The gold texts (through eval_records()) are written as .txt, and as a PDF, a .docx and web
pages in UTF-8 and GB2312 built from their paragraphs; the tiny model tags all of them.
Entities found in a document are mapped back onto the gold text by aligning the two texts,
and each format's entity F1 must be within 0.01 of the .txt F1: the formats are compared
with each other, never with fixed counts.
"""

import json
import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from report_ner.cli import app
from report_ner.inputs import read_path
from report_ner.tagging import tag_docs
from report_ner.text import normalize

from . import builders
from .conftest import SHARED, eval_records

FORMATS = {"txt": ".txt", "pdf": ".pdf", "docx": ".docx", "html": ".html", "html-gb2312": ".htm"}
F1_TOLERANCE = 0.01
runner = CliRunner()


def gold_records() -> list[dict]:
    records = [param.values[0] for param in eval_records()]
    assert records, f"no gold records: {SHARED / 'eval'} must be beside the project"
    return records


def document_bytes(fmt: str, record: dict) -> bytes:
    paragraphs = normalize(record["text"]).text.split("\n")
    if fmt == "txt":
        return record["text"].encode("utf-8")
    if fmt == "pdf":
        return builders.pdf_bytes(paragraphs)
    if fmt == "docx":
        return builders.docx_bytes(paragraphs, empty_every=4)
    return builders.page_bytes(paragraphs, "gb2312" if fmt == "html-gb2312" else "utf-8")


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    paths = {fmt: [] for fmt in FORMATS}
    for record in gold_records():
        for fmt, suffix in FORMATS.items():
            path = folder / f"{record['id']}-{fmt}{suffix}"
            path.write_bytes(document_bytes(fmt, record))
            paths[fmt].append(path)
    return paths


@pytest.fixture(scope="module")
def tagged(tiny_nlp, documents):
    records = gold_records()
    result = {}
    for fmt, paths in documents.items():
        docs = [read_path(path) for path in paths]
        assert [doc.format for doc in docs] == [fmt.split("-")[0]] * len(docs)
        result[fmt] = list(zip(records, docs, tag_docs(tiny_nlp, docs)))
    return result


def scores(items, fmt: str) -> tuple[float, int, int, int]:
    true_pos = false_pos = false_neg = 0
    for record, doc, tagged in items:
        gold = Counter((span["start"], span["end"], span["label"]) for span in record["spans"])
        if fmt == "txt":
            predicted = Counter((e.start, e.end, e.label) for e in tagged.entities)
        else:
            mapping = builders.alignment(doc.text, record["text"])
            predicted = Counter()
            for e in tagged.entities:
                first, last = mapping[e.start], mapping[e.end - 1]
                key = (first, last + 1, e.label) if first >= 0 and last >= 0 else ("unaligned", e.start, e.label)
                predicted[key] += 1
        true_pos += sum((gold & predicted).values())
        false_pos += sum((predicted - gold).values())
        false_neg += sum((gold - predicted).values())
    f1 = 2 * true_pos / (2 * true_pos + false_pos + false_neg) if true_pos else 0.0
    return f1, true_pos, false_pos, false_neg


def test_every_format_scores_like_the_same_text_as_txt(tagged, capsys):
    results = {fmt: scores(items, fmt) for fmt, items in tagged.items()}
    with capsys.disabled():
        for fmt, (f1, tp, fp, fn) in results.items():
            print(f"\nentity F1 {fmt:<12} {f1:.4f} (tp {tp}, fp {fp}, fn {fn})", end="")
        print()
    baseline = results["txt"][0]
    assert results["txt"][1] > 0, "the tiny model found no gold entity in the .txt texts"
    for fmt, (f1, *_) in results.items():
        assert abs(f1 - baseline) <= F1_TOLERANCE, (fmt, f1, baseline)


def test_offsets_index_the_document_text(tagged):
    for fmt, items in tagged.items():
        for record, doc, tagged_doc in items:
            data = tagged_doc.to_dict()
            assert data["format"] == fmt.split("-")[0] and data["length"] == len(doc.text)
            assert data["entities"]
            for entity in data["entities"]:
                surface = doc.text[entity["start"] : entity["end"]]
                if fmt == "txt":  # the user's own file: layout line breaks may lie inside
                    assert surface.replace("\n", "") == entity["text"]
                    assert "page" not in entity and "paragraph" not in entity
                else:
                    assert surface == entity["text"]
            for section in data["sections"]:
                if section["level"] > 0:
                    assert doc.text[section["start"] :].startswith(section["title"][:4])


def test_pdf_pages_and_word_paragraphs_of_entities(tagged, documents):
    import docx
    import pypdfium2 as pdfium

    for (record, doc, tagged_doc), path in zip(tagged["pdf"], documents["pdf"]):
        pages = [
            re.sub(r"^—[0-9]+—", "", "".join(page.get_textpage().get_text_range().split()))  # footer drawn first
            for page in pdfium.PdfDocument(str(path))
        ]
        for entity in tagged_doc.to_dict()["entities"]:
            page = entity["page"]
            assert 1 <= page <= len(pages)
            here = pages[page - 1] + (pages[page][:20] if page < len(pages) else "")
            assert "".join(entity["text"].split()) in here
    for (record, doc, tagged_doc), path in zip(tagged["docx"], documents["docx"]):
        paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
        for entity in tagged_doc.to_dict()["entities"]:
            assert entity["text"] in paragraphs[entity["paragraph"] - 1]


def test_commands_on_documents(tiny_model, documents, tmp_path):
    paths = [str(documents[fmt][0]) for fmt in ("pdf", "docx", "html")]
    result = runner.invoke(app, ["tag", *paths, "-m", str(tiny_model)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["format"] for r in records] == ["pdf", "docx", "html"]
    for path, record in zip(paths, records):
        printed = runner.invoke(app, ["text", path]).stdout_bytes.decode("utf-8")
        assert record["length"] == len(printed)
        for entity in record["entities"]:
            assert printed[entity["start"] : entity["end"]] == entity["text"]
    assert all("page" in e for e in records[0]["entities"]) and all("paragraph" in e for e in records[1]["entities"])
    stats = runner.invoke(app, ["stats", *paths, "-m", str(tiny_model), "--by", "section", "-f", "json"])
    assert stats.exit_code == 0
    assert {json.loads(line)["source"] for line in stats.stdout.splitlines() if line.startswith("{")} == set(paths)
    out = tmp_path / "pre.jsonl"
    annotated = runner.invoke(app, ["annotate", paths[0], "-o", str(out), "-m", str(tiny_model)])
    assert annotated.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == runner.invoke(app, ["text", paths[0]]).stdout_bytes.decode("utf-8")
