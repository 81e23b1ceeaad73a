"""The correction loop: annotate for doccano / Label Studio, import their corrected exports,
and the corpus step training on what was imported."""

import json
import shutil
import subprocess
import sys

import pytest
from spacy.tokens import DocBin
from typer.testing import CliRunner

import spacy

from report_ner.annotation_formats import doccano_line, document_confidence, labelstudio_task, read_labelstudio
from report_ner.cli import app
from report_ner.corpus import check_record, read_jsonl

from .conftest import OCR_SAMPLE, PROJECT, shared_path

runner = CliRunner()


def gold_records(count: int = 4) -> list[dict]:
    """Real and written corpus records: the gold side of the round trips."""
    records = [record for _, record, _ in read_jsonl(PROJECT / "corpus" / "reports.jsonl")]
    real = [r for r in records if r["meta"].get("source") != "written"][:2]
    written = [r for r in records if r["meta"].get("source") == "written"][: count - 2]
    return real + written


def as_submitted(task: dict) -> dict:
    """What Label Studio exports once an annotator submitted the prediction as it was."""
    return {"id": 7, "data": task["data"], "annotations": [{"id": 1, "was_cancelled": False, "result": task["predictions"][0]["result"]}]}


def import_file(tmp_path, tool: str, path) -> tuple[object, list[dict]]:
    out = tmp_path / "imported" / f"{tool}.jsonl"
    result = runner.invoke(app, ["import", str(path), "--from", tool, "--output", str(out)])
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return result, records


def test_gold_to_doccano_and_back_gives_identical_records(tmp_path):
    gold = gold_records()
    export = tmp_path / "doccano.jsonl"
    export.write_text("".join(doccano_line(record) for record in gold), encoding="utf-8")
    result, imported = import_file(tmp_path, "doccano", export)
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["text"], r["spans"]) for r in imported] == [(g["id"], g["text"], g["spans"]) for g in gold]
    assert all(r["meta"]["source"] == "imported" and r["meta"]["imported_from"] == "doccano:doccano.jsonl" for r in imported)
    assert [r["meta"]["genre"] for r in imported] == [g["meta"].get("genre") for g in gold]


def test_gold_to_labelstudio_and_back_gives_identical_records(tmp_path):
    gold = gold_records()
    export = tmp_path / "export.json"
    export.write_text(json.dumps([as_submitted(labelstudio_task(r, "gold")) for r in gold], ensure_ascii=False, indent=2), encoding="utf-8")
    result, imported = import_file(tmp_path, "labelstudio", export)
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["text"], r["spans"]) for r in imported] == [(g["id"], g["text"], g["spans"]) for g in gold]


def test_doccano_entities_objects_and_labelstudio_utf16_offsets(tmp_path):
    text = "𠀀国务院和全国人大常委会"  # a character beyond U+FFFF: two JavaScript string units
    newer = {"text": text, "entities": [{"id": 1, "start_offset": 1, "end_offset": 4, "label": "ORG"}]}
    (tmp_path / "d.jsonl").write_text(json.dumps(newer, ensure_ascii=False) + "\n", encoding="utf-8")
    result, imported = import_file(tmp_path, "doccano", tmp_path / "d.jsonl")
    assert result.exit_code == 0 and imported[0]["spans"] == [{"start": 1, "end": 4, "label": "ORG"}]
    region = {"type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 6, "end": 13, "text": "全国人大常委会", "labels": ["ORG"]}}
    task = {"id": 3, "data": {"text": text}, "annotations": [{"result": [region]}]}
    (tmp_path / "ls.json").write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    [(line, record, error)] = list(read_labelstudio(tmp_path / "ls.json"))
    assert error is None and record["spans"] == [{"start": 5, "end": 12, "label": "ORG"}] and record["id"] == "ls-3"


def test_import_reports_what_it_rejected_with_file_and_line(tmp_path):
    good = gold_records(3)[2]
    lines = [
        doccano_line(good),
        "{not json\n",
        json.dumps({"text": "国务院召开会议", "label": [[0, 3, "AGENCY"]]}, ensure_ascii=False) + "\n",
        json.dumps({"text": "国务院和最高人民法院", "label": [[0, 3, "ORG"], [2, 6, "ORG"]]}, ensure_ascii=False) + "\n",
        json.dumps({"text": "国务院，召开会议", "label": [[0, 4, "ORG"]]}, ensure_ascii=False) + "\n",
        json.dumps({"text": "国务院\r\n召开会议", "label": [[0, 3, "ORG"]]}, ensure_ascii=False) + "\n",
        json.dumps({"text": "国务院召开会议", "label": [[0, "3", "ORG"]]}, ensure_ascii=False) + "\n",
        doccano_line(good),
    ]
    export = tmp_path / "corrected.jsonl"
    export.write_text("".join(lines), encoding="utf-8")
    result, imported = import_file(tmp_path, "doccano", export)
    assert result.exit_code == 1  # some records imported, some rejected
    assert [r["id"] for r in imported] == [good["id"]]
    rejected = [line for line in result.stderr.splitlines() if ": rejected: " in line]
    assert [line.split(f"{export}:")[1].split(":")[0] for line in rejected] == ["2", "3", "4", "5", "6", "7", "8"]
    assert "AGENCY" in rejected[1] and "overlapping" in rejected[2] and "edge" in rejected[3]
    assert "not normalized" in rejected[4] and "already used on line 1" in rejected[6]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "content, tool, message",
    [
        ('{"tasks": []}', "labelstudio", "expected a JSON list"),
        ('[{"data": {"text": "国务院"}}', "labelstudio", "not closed"),
        ('[{"data": {"text": "国务院"}, "annotations": [{"was_cancelled": true, "result": []}]}]', "labelstudio", "no submitted annotation"),
        ("\u56fd\u52a1\u9662".encode("gb18030"), "doccano", "not UTF-8"),
    ],
)
def test_unusable_exports_are_exit_2(tmp_path, content, tool, message):
    export = tmp_path / "export.json"
    export.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result, imported = import_file(tmp_path, tool, export)
    assert result.exit_code == 2 and message in result.stderr and not imported
    assert isinstance(result.exception, SystemExit)


def test_annotate_for_both_tools_with_rules(tmp_path):
    for tool in ("doccano", "labelstudio"):
        out = tmp_path / f"pre.{tool}"
        result = runner.invoke(app, ["annotate", str(OCR_SAMPLE), "-m", str(tmp_path / "none"), "-f", tool, "-o", str(out)])
        assert result.exit_code == 0, result.output
        # The annotator submits it unchanged: the import gives a valid corpus record.
        export = out
        if tool == "labelstudio":
            export = tmp_path / "export.json"
            export.write_text(json.dumps([as_submitted(t) for t in json.loads(out.read_text(encoding="utf-8"))], ensure_ascii=False), encoding="utf-8")
        result, [record] = import_file(tmp_path, tool, export)
        assert result.exit_code == 0 and check_record(record, tool, 1) == []
        assert record["id"] == "npcsc_2022_ocr" and ("数据安全法", "LAW") in {(record["text"][s["start"]:s["end"]], s["label"]) for s in record["spans"]}


def test_annotate_labelstudio_with_scores_least_confident_first(tiny_model, tmp_path):
    inputs = [OCR_SAMPLE, shared_path("reports", "gov_2020_spoken.txt"), shared_path("reports", "provincial_2026", "gov_2026_anhui.txt")]
    out = tmp_path / "tasks.json"
    command = ["annotate", *map(str, inputs), "-m", str(tiny_model), "-f", "labelstudio", "--order", "uncertain", "-o", str(out)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(t["data"]["record_id"] for t in tasks) == sorted(p.stem for p in inputs)
    confidence = [t["predictions"][0]["score"] for t in tasks]
    assert confidence == sorted(confidence)
    for task in tasks:
        results = task["predictions"][0]["result"]
        spans = [{"start": r["value"]["start"], "end": r["value"]["end"], "score": r["score"]} for r in results]
        assert task["predictions"][0]["score"] == document_confidence(spans)
        assert all(task["data"]["text"][r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] for r in results)
        assert all(0.0 <= r["score"] <= 1.0 for r in results)
    # The same entities as the corpus JSONL of annotate, on the same normalized text.
    plain = tmp_path / "pre.jsonl"
    runner.invoke(app, ["annotate", *map(str, inputs), "-m", str(tiny_model), "-o", str(plain)])
    by_id = {r["id"]: r for r in map(json.loads, plain.read_text(encoding="utf-8").splitlines())}
    for task in tasks:
        record = by_id[task["data"]["record_id"]]
        assert record["text"] == task["data"]["text"]
        assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == [
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["predictions"][0]["result"]
        ]


def test_the_corpus_step_trains_on_imported_records(tmp_path):
    """annotate -> doccano -> corrected -> import into corpus/imported -> build_corpus ->
    convert: the imported report is in reports.jsonl and its paragraphs in train.spacy."""
    corpus = tmp_path / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus, ignore=shutil.ignore_patterns("*.spacy", "segmenter", "*stats.json", "reports.jsonl"))
    raw = shared_path("reports", "gov_2022.txt").read_text(encoding="utf-8")[:1500]
    (tmp_path / "gov_2022_part.txt").write_text(raw, encoding="utf-8")
    pre = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["annotate", str(tmp_path / "gov_2022_part.txt"), "-m", str(tmp_path / "none"), "-f", "doccano", "-o", str(pre)])
    assert result.exit_code == 0, result.output
    item = json.loads(pre.read_text(encoding="utf-8"))
    item["label"] = item["label"][1:]  # the annotator deletes one span
    item["record_meta"]["genre"] = "gov_report"
    corrected = tmp_path / "corrected.jsonl"
    corrected.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(corrected), "--from", "doccano", "-o", str(corpus / "imported" / "gov_2022_part.jsonl")])
    assert result.exit_code == 0, result.output

    def run(*args):
        return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=tmp_path)

    built = run(PROJECT / "scripts" / "build_corpus.py", corpus, "--output", corpus / "reports.jsonl", "--shared", shared_path())
    assert built.returncode == 0, built.stderr
    records = {r["id"]: r for _, r, _ in read_jsonl(corpus / "reports.jsonl")}
    assert records["gov_2022_part"]["spans"] == sorted(
        ({"start": s, "end": e, "label": label} for s, e, label in item["label"]), key=lambda s: (s["start"], s["end"])
    )
    assert records["gov_2022_part"]["meta"]["source"] == "imported"
    converted = run(PROJECT / "scripts" / "convert.py", corpus / "reports.jsonl", corpus / "split.json", corpus)
    assert converted.returncode == 0, converted.stderr
    train_texts = {doc.text for doc in DocBin().from_disk(corpus / "train.spacy").get_docs(spacy.blank("zh").vocab)}
    paragraphs = [p for p in item["text"].split("\n") if p.strip()]
    assert paragraphs and all(p in train_texts for p in paragraphs)

    # A bad imported record stops the corpus step with its file and line.
    bad = {"id": "broken", "text": "国务院，召开会议", "spans": [{"start": 0, "end": 4, "label": "ORG"}], "meta": {"source": "imported"}}
    (corpus / "imported" / "broken.jsonl").write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = run(PROJECT / "scripts" / "build_corpus.py", corpus, "--output", tmp_path / "again.jsonl", "--shared", shared_path())
    assert failed.returncode == 1 and "broken.jsonl:1:" in failed.stderr
