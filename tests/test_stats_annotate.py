import csv
import io
import json

from typer.testing import CliRunner

from report_ner.cli import app
from report_ner.corpus import check_record

from .conftest import OCR_SAMPLE

runner = CliRunner()


def test_stats_by_law_and_figure_json(tiny_model):
    result = runner.invoke(app, ["stats", str(OCR_SAMPLE), "-m", str(tiny_model), "--by", "law", "-f", "json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.strip().splitlines() if line.startswith("{")]
    assert rows and all({"source", "name", "mentions", "sections"} <= set(r) for r in rows)
    assert all(not r["name"].startswith("中华人民共和国") and "《" not in r["name"] for r in rows)
    figures = runner.invoke(app, ["stats", str(OCR_SAMPLE), "-m", str(tiny_model), "--by", "figure", "-f", "csv"])
    table = list(csv.DictReader(io.StringIO(figures.stdout[figures.stdout.index("source,"):])))
    assert table and {"value", "unit", "sentence", "section"} <= set(table[0])
    for row in table:
        assert row["text"] in row["sentence"]


def test_stats_by_section_counts_every_section(tiny_model):
    result = runner.invoke(app, ["stats", str(OCR_SAMPLE), "-m", str(tiny_model), "--by", "section", "-f", "json"])
    rows = [json.loads(line) for line in result.stdout.strip().splitlines() if line.startswith("{")]
    assert [r["section"] for r in rows][:2] == ["preamble", "过去一年的工作"]
    assert sum(r["LAW"] + r["ORG"] + r["PERSON"] + r["FIGURE"] + r["DATE"] for r in rows) > 0


def test_annotate_with_rules_when_no_model(tmp_path):
    out = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["annotate", str(OCR_SAMPLE), "-o", str(out), "-m", str(tmp_path / "none")])
    assert result.exit_code == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert check_record(record, "pre", 1) == []
    surfaces = {(record["text"][s["start"]:s["end"]], s["label"]) for s in record["spans"]}
    assert ("数据安全法", "LAW") in surfaces and ("108221人次", "FIGURE") in surfaces
    assert ("全国人大常委会", "ORG") in surfaces and ("2021年", "DATE") in surfaces


def test_annotate_with_the_model_gives_valid_records(tmp_path, tiny_model):
    out = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["annotate", str(OCR_SAMPLE), "-o", str(out), "-m", str(tiny_model)])
    assert result.exit_code == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["spans"] and check_record(record, "pre", 1) == []
