import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from report_ner.cli import app

from .conftest import OCR_SAMPLE

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_sections_json_for_the_sample():
    result = run("sections", str(OCR_SAMPLE), "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout.strip())
    assert record["source"] == str(OCR_SAMPLE)
    assert {"id", "level", "number", "title", "start", "end", "parent"} <= set(record["sections"][1])
    assert [s["title"] for s in record["sections"] if s["level"] == 1] == ["过去一年的工作", "今后一年的主要任务"]


def test_sections_table_is_readable():
    result = run("sections", str(OCR_SAMPLE))
    assert result.exit_code == 0
    assert "今后一年的主要任务" in result.stdout and "七、按照“四个机关”要求加强常委会自身建设" in result.stdout


def test_encodings_give_the_same_outline(tmp_path, ocr_sample):
    (tmp_path / "a.txt").write_bytes(ocr_sample.encode("gb18030"))
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + ocr_sample.encode("utf-8"))
    (tmp_path / "c.txt").write_bytes(ocr_sample.encode("utf-16"))
    result = run("sections", str(tmp_path), "-f", "json")
    assert result.exit_code == 0
    outlines = [json.loads(line)["sections"] for line in result.stdout.splitlines()]
    assert len(outlines) == 3 and outlines[0] == outlines[1] == outlines[2]


def test_bad_inputs_are_one_line_errors_and_the_rest_is_processed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes(b"\x81\x30\x81")  # not UTF-8, invalid GB18030 too
    result = subprocess.run(
        [sys.executable, "-m", "report_ner.cli", "sections", str(tmp_path / "empty.txt"),
         str(tmp_path / "binary.txt"), str(tmp_path / "latin.txt"), str(tmp_path / "missing.txt"), str(OCR_SAMPLE), "-f", "json"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4 and "Traceback" not in result.stderr
    for name, line in zip(["empty.txt", "binary.txt", "latin.txt", "missing.txt"], errors):
        assert name in line
    assert len(result.stdout.strip().splitlines()) == 1


def test_nothing_processed_exits_2(tmp_path):
    result = run("sections", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2


def test_standard_input():
    result = run("sections", "-", "-f", "json", input="标题\n一、第一部分\n正文。\n二、第二部分\n正文。\n".encode("utf-8"))
    assert result.exit_code == 0
    assert [s["number"] for s in json.loads(result.stdout)["sections"]] == [None, "一", "二"]
