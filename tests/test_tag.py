import json
import subprocess
import sys

import pytest
import spacy

from report_ner.cli import app
from report_ner.inputs import InputDoc
from report_ner.tagging import CHUNK_CHARS, chunks, tag_docs, tag_text
from typer.testing import CliRunner

from .conftest import OCR_SAMPLE, eval_records

runner = CliRunner()
ENTITY_FIELDS = {"text", "label", "start", "end", "section", "norm"}
SECTION_FIELDS = {"id", "level", "number", "title", "start", "end", "parent"}


def check_contract(record: dict, text: str):
    assert {"source", "encoding", "length", "sections", "entities"} <= set(record)
    assert record["length"] == len(text)
    ids = {s["id"] for s in record["sections"]}
    for section in record["sections"]:
        assert SECTION_FIELDS <= set(section)
        assert 0 <= section["start"] <= section["end"] <= len(text)
        assert section["parent"] is None or section["parent"] in ids
        if section["level"] > 0:
            assert text[section["start"] :].startswith(section["title"][:4])
    assert record["entities"], "the model found no entity at all"
    for entity in record["entities"]:
        assert ENTITY_FIELDS <= set(entity)
        assert entity["label"] in {"LAW", "ORG", "PERSON", "FIGURE", "DATE"}
        raw = text[entity["start"] : entity["end"]]
        assert raw.replace("\n", "") == entity["text"]
        assert entity["section"] in ids
        section = next(s for s in record["sections"] if s["id"] == entity["section"])
        assert section["start"] <= entity["start"] < section["end"]


def test_tag_jsonl_on_the_ocr_sample(tiny_model, ocr_sample):
    result = runner.invoke(app, ["tag", str(OCR_SAMPLE), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.stdout
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["source"] == str(OCR_SAMPLE) and record["encoding"] == "utf-8"
    check_contract(record, ocr_sample)
    # Entities inside the other articles are linked to a level-0 block, not to section 七.
    later = [e for e in record["entities"] if e["start"] > ocr_sample.index("(上接第一版)过去一年")]
    levels = {s["id"]: s["level"] for s in record["sections"]}
    assert all(levels[e["section"]] == 0 for e in later)


@pytest.mark.parametrize("record", eval_records())
def test_tag_api_on_gold_texts(tiny_nlp, record):
    tagged = tag_text(tiny_nlp, record["text"], record["id"]).to_dict()
    check_contract(tagged, record["text"])


def test_component_links_entities_under_nlp_pipe(tiny_nlp):
    text = "过去一年的工作\n一、立法工作\n全国人大常委会制定数据安全法。\n二、监督工作\n2021年听取审议国务院报告。"
    docs = list(tiny_nlp.pipe([text, text]))
    for doc in docs:
        assert [s["title"] for s in doc._.sections] == ["过去一年的工作", "一、立法工作", "二、监督工作"]
        for ent in doc.ents:
            section = next(s for s in doc._.sections if s["id"] == ent._.section)
            assert section["start"] <= ent.start_char < section["end"]


def test_section_component_alone_in_a_blank_pipeline():
    nlp = spacy.blank("zh")
    nlp.add_pipe("report_ner_sections_v1")
    doc = nlp("导语。\n一、第一部分\n正文甲。\n二、第二部分\n正文乙。")
    doc.ents = [doc.char_span(doc.text.index("正文乙"), doc.text.index("正文乙") + 3, label="ORG")]
    assert doc.ents[0]._.section == doc._.sections[-1]["id"] and doc._.sections[-1]["number"] == "二"


def test_gb18030_input_gives_the_same_entities(tiny_model, tmp_path, ocr_sample):
    (tmp_path / "a_utf8.txt").write_text(ocr_sample, encoding="utf-8")
    (tmp_path / "b_gb.txt").write_bytes(ocr_sample.encode("gb18030"))
    result = runner.invoke(app, ["tag", str(tmp_path), "--model", str(tiny_model)])
    assert result.exit_code == 0
    utf8, gb = [json.loads(line) for line in result.stdout.strip().splitlines()[-2:]]
    assert gb["encoding"] == "gb18030" and utf8["encoding"] == "utf-8"
    assert utf8["entities"] == gb["entities"]


def test_formats(tiny_model, tmp_path):
    for fmt in ("csv", "html", "table", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(app, ["tag", str(OCR_SAMPLE), "-m", str(tiny_model), "-f", fmt, "-o", str(out)])
        assert result.exit_code == 0
        content = out.read_text(encoding="utf-8")
        if fmt == "csv":
            header, first = content.splitlines()[:2]
            assert header.startswith("source,label,text,start,end,score,section,section_number,section_title")
            assert first.startswith(str(OCR_SAMPLE))
        elif fmt == "html":
            assert content.startswith("<!DOCTYPE html>") and "</html>" in content
            assert "过去一年的工作" in content and 'class="entity"' in content
            for label in ("LAW", "ORG", "PERSON", "FIGURE", "DATE"):
                assert label in content
        elif fmt == "table":
            assert "今后一年的主要任务" in content and "total" in content
    assert not list(tmp_path.glob(".*.part"))


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "report_ner.cli", *args], capture_output=True, text=True)


def test_bad_inputs_and_missing_model(tiny_model, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfd" * 5)
    result = run_cli("tag", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"), str(tmp_path / "bad.txt"),
                     str(tmp_path / "missing.txt"), str(OCR_SAMPLE), "-m", str(tiny_model))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("report-ner:")]
    assert len(errors) == 4 and "Traceback" not in result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    nothing = run_cli("tag", str(tmp_path / "empty.txt"), "-m", str(tiny_model))
    assert nothing.returncode == 2
    missing = run_cli("tag", str(OCR_SAMPLE), "-m", str(tmp_path / "no-model"))
    assert missing.returncode == 2 and "no-model" in missing.stderr and "Traceback" not in missing.stderr
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp]\nlang = ")
    result = run_cli("tag", str(OCR_SAMPLE), "-m", str(broken))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_output_files_get_the_users_umask(tmp_path, tiny_model):
    import os

    previous = os.umask(0o027)
    try:
        result = runner.invoke(app, ["tag", str(OCR_SAMPLE), "-m", str(tiny_model), "-o", str(tmp_path / "out.jsonl")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == 0o640  # not the temporary file's 0600


def test_interrupted_output_leaves_no_file(tmp_path, tiny_model):
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    result = run_cli("tag", str(tmp_path / "missing.txt"), "-m", str(tiny_model), "-o", str(out))
    assert result.returncode == 2
    # Nothing was tagged, but the output was replaced atomically (never half-written).
    assert out.read_text() == "" and not list(tmp_path.glob(".*.part"))


def test_long_input_is_tagged_in_pieces_with_exact_offsets(tiny_nlp, ocr_sample):
    """A long input goes through the model in paragraph-aligned pieces: its entities are
    exactly those of each piece tagged on its own, mapped back to the input (whatever the
    model finds, right or wrong)."""
    from report_ner.tagging import _trimmed
    from report_ner.text import normalize

    text = (ocr_sample + "\n\n") * 12
    tagged = tag_text(tiny_nlp, text)
    normalized = normalize(text)
    assert len(normalized.text) > 3 * CHUNK_CHARS
    expected = []
    for offset, piece in chunks(normalized.text):
        for ent in tiny_nlp(piece).ents:
            start, end = _trimmed(normalized.text, offset + ent.start_char, offset + ent.end_char)
            if start < end:
                expected.append((*normalized.original_span(start, end), ent.label_))
    assert [(e.start, e.end, e.label) for e in tagged.entities] == expected
    for entity in tagged.entities:
        assert text[entity.start : entity.end].replace("\n", "") == entity.text


def test_chunks_are_paragraph_aligned():
    text = "\n".join(["段落内容。" * 30] * 50)
    pieces = list(chunks(text, limit=1000))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 1000 for _, piece in pieces)
    assert all(piece.endswith("\n") for _, piece in pieces[:-1])


def test_many_inputs_stream_in_order_with_two_processes(tiny_nlp, ocr_sample):
    docs = [InputDoc(f"doc{i}", ocr_sample[: 2000 * (i + 1)], "utf-8") for i in range(4)]
    one = [d.to_dict() for d in tag_docs(tiny_nlp, docs)]
    two = [d.to_dict() for d in tag_docs(tiny_nlp, docs, n_process=2)]
    # One piece a batch: more batches than workers in flight, results still in input order.
    small_batches = [d.to_dict() for d in tag_docs(tiny_nlp, docs, n_process=2, batch_size=1)]
    assert [d["source"] for d in one] == ["doc0", "doc1", "doc2", "doc3"]
    assert one == two == small_batches


def test_law_title_component_makes_law_shaped_titles_one_law():
    nlp = spacy.blank("zh")
    nlp.add_pipe("report_ner_law_titles_v1")
    text = "贯彻《中国共产党纪律处分条例》，适用《最高人民法院关于审理劳动争议案件的规定》和《优化营商环境条例》。"
    doc = nlp.make_doc(text)
    start = text.index("中国共产党")
    doc.ents = [doc.char_span(start, start + 5, label="ORG")]
    doc = nlp(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("中国共产党纪律处分条例", "LAW"), ("优化营商环境条例", "LAW")]


@pytest.mark.parametrize(
    "text,span,expected",
    [("共8151件。\n一、标题", (1, 8), "8151件"), ("《数据安全法》", (0, 7), "数据安全法"), ("“两会”", (0, 4), "两会"), ("。\n", (0, 2), "")],
)
def test_predicted_spans_are_cut_to_the_contract(text, span, expected):
    from report_ner.tagging import _trimmed

    start, end = _trimmed(text, *span)
    assert text[start:end] == expected
