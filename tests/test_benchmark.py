"""The benchmark library: inputs, process runs, ratios, table, machine block; and one --quick run."""

import json
import subprocess
import sys

import pytest

from report_ner.benchmark import peer
from report_ner.benchmark.machine import describe, machine_info
from report_ner.benchmark.runs import Job, JobResult, per_char_after, rate_ratio, run_process, summarize
from report_ner.benchmark.table import render
from report_ner.benchmark.texts import parse_size, parse_sizes, report_texts, scaled_input, size_title
from report_ner.corpus import LABELS

from .conftest import PROJECT, shared_path


@pytest.fixture(scope="module")
def reports() -> list[str]:
    return list(report_texts(shared_path("reports")).values())


def test_report_texts_are_every_shared_report_once():
    texts = report_texts(shared_path("reports"))
    files = sorted(shared_path("reports").rglob("*.txt"))
    assert len(set(texts.values())) == len(texts) <= len(files)
    assert {path.read_text(encoding="utf-8") for path in files} == set(texts.values())


@pytest.mark.parametrize("target", [1, 999, 10_000, 123_457, 1_000_000, 3_000_000])
def test_scaled_input_is_cut_at_the_line_end_nearest_the_size(reports, target):
    data = scaled_input(reports, target)
    cycle = "\n".join(text.rstrip("\n") + "\n" for text in reports).encode("utf-8") + b"\n"
    repeated = cycle * (target // len(cycle) + 2)
    assert repeated.startswith(data) and data.endswith(b"\n")
    data.decode("utf-8")  # never cut inside a character
    line_ends = [i + 1 for i, byte in enumerate(repeated[: target * 2 + 1000]) if byte == 0x0A]
    assert abs(len(data) - target) == min(abs(end - target) for end in line_ends)


def test_scaled_input_repeats_the_reports_past_their_size(reports):
    total = len("\n".join(text.rstrip("\n") + "\n" for text in reports).encode("utf-8")) + 1
    data = scaled_input(reports, 2 * total + len(reports[0].encode("utf-8")) + 1000).decode("utf-8")
    assert data.count(reports[0].rstrip("\n")) == 3


def test_sizes_are_parsed_as_decimal_bytes():
    assert parse_sizes("10k, 100K,1m,2.5m") == [("10k", 10_000), ("100k", 100_000), ("1m", 1_000_000), ("2.5m", 2_500_000)]
    assert parse_size("1mb") == 1_000_000 and size_title(10_000_000) == "10 MB" and size_title(10_000) == "10 KB"
    for bad in ("", "ten", "0k", "-1m", "5g"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


def test_rate_ratio_is_the_median_of_the_per_round_ratios():
    # Our seconds against the peer's, round by round: rates 2.0, 0.5 and 1.5 times the peer's.
    assert rate_ratio([1.0, 4.0, 2.0], [2.0, 2.0, 3.0]) == {"median": 1.5, "rounds": [2.0, 0.5, 1.5]}
    # Only rounds that both ran count (a job timed once: see LONG_RUN_SECONDS).
    assert rate_ratio([2.0], [1.0, 9.0]) == {"median": 0.5, "rounds": [0.5]}
    assert rate_ratio([], [1.0]) is None


def test_summary_and_per_char_arithmetic():
    job = Job("tag:1m", "tag", ("true",), ("true",), chars=1_000_000)
    summary = summarize(job, JobResult(seconds=[12.0, 10.0, 11.0], peak_rss_mb=[300.0, 320.5, 310.0]))
    assert (summary["median_s"], summary["min_s"], summary["max_s"]) == (11.0, 10.0, 12.0)
    assert summary["chars_per_s"] == pytest.approx(1_000_000 / 11) and summary["us_per_char"] == 11.0
    assert summary["peak_rss_mb"] == 320.5
    startup = summarize(Job("startup", "one line", ("true",), ("true",), chars=10), JobResult(seconds=[1.0], peak_rss_mb=[200.0]))
    assert per_char_after(summary, startup) == pytest.approx(10.0 / 999_990 * 1e6, abs=1e-3)
    failed = summarize(job, JobResult(error="exit code 2: report-ner: x: empty input"))
    assert "median_s" not in failed and per_char_after(failed, startup) is None


def test_run_process_reports_the_childs_own_peak_memory_and_failures():
    grown = run_process([sys.executable, "-c", "x = bytearray(300 * 1024 * 1024)\nx[::4096] = b'1' * len(x[::4096])"])
    small = run_process([sys.executable, "-c", "pass"])
    assert grown.exit_code == 0 and small.exit_code == 0
    # The benchmark's own memory (a loaded model) never counts for the runs it starts.
    assert grown.peak_rss_mb >= 300 > small.peak_rss_mb
    failed = run_process([sys.executable, "-c", "import sys; sys.exit('report-ner: x.txt: empty input')"])
    assert failed.exit_code == 1 and failed.stderr_tail == "report-ner: x.txt: empty input"


def test_machine_info_names_the_machine():
    machine = machine_info()
    assert {"cpu", "cores", "usable_cores", "memory_gb", "platform", "python", "spacy", "thinc", "jieba"} <= set(machine)
    assert machine["usable_cores"] >= 1 and machine["memory_gb"] > 0
    assert machine["cpu"] in describe(machine)


def fake_summary(title: str, chars: int, seconds: list, rss: float) -> dict:
    job = Job(title, title, ("true",), ("true",), chars)
    return summarize(job, JobResult(seconds=seconds, peak_rss_mb=[rss] * len(seconds)))


def fake_report() -> dict:
    scores = {label: {"p": 0.5, "r": 0.25, "f": 0.3333, "gold": 7, "pred": 4} for label in ("micro", *LABELS)}
    tag = fake_summary("tag", 345_401, [10.0, 12.0, 11.0], 400.0)
    return {
        "machine": machine_info(),
        "settings": {"model": "training/model-best", "started": "2026-01-01T00:00:00+00:00", "quick": False,
                     "repeats": 3, "elapsed_s": 100.0},
        "texts": {"reports": ["a.txt", "b.txt"], "inputs": {"1m": {"target_bytes": 1_000_000, "bytes": 1_000_021, "chars": 345_401}}},
        "speed": {
            "text_size": "1m", "tag_1_process": tag,
            "tag_2_processes": {**fake_summary("tag2", 345_401, [], 0), "error": "exit code 1: boom"},
            "peer": fake_summary("peer", 345_401, [20.0, 18.0, 33.0], 150.0),
            "startup": fake_summary("startup", 3, [1.5, 1.6, 1.4], 250.0),
            "peer_startup": fake_summary("peer_startup", 3, [0.5, 0.6, 0.5], 140.0),
            "rate_vs_peer": rate_ratio(tag["seconds"], [20.0, 18.0, 33.0]),
        },
        "scaling": [
            {"size": "10k", "target_bytes": 10_000, **fake_summary("10k", 3_557, [1.9], 260.0), "us_per_char_after_startup": 100.0},
            {"size": "1m", "target_bytes": 1_000_000, **tag, "us_per_char_after_startup": 28.0},
            {"size": "1m", "target_bytes": 1_000_000, "processes": 2, **fake_summary("1m2", 345_401, [5.5, 6.0, 5.0], 500.0),
             "us_per_char_after_startup": 12.0},
        ],
        "targets": {
            "small_input_total_s": {"size": "10 KB", "target": "< 2 s, model load included", "measured": 1.9, "within": True},
            "large_input_peak_rss_mb": {"size": "10 MB", "target": "peak RSS ≤ 1,024 MB", "measured": None, "within": None},
        },
        "accuracy": {"gov_2024": {"report-ner": scores, "jieba.posseg": scores}},
    }


def test_table_rows_line_up_and_say_what_was_measured():
    table = render(fake_report())
    lines = table.splitlines()
    tag_row = next(line for line in lines if line.startswith("report-ner tag --n-process 1"))
    header = lines[lines.index(tag_row) - 2]
    # Every cell of a block ends in the same column as its header's (numbers are right-aligned).
    assert tag_row.index("11.00") + len("11.00") == header.index("median s") + len("median s")
    assert "2.00× the peer's rate (median of the rounds 2.00, 1.50, 3.00)" in tag_row
    assert "FAILED: exit code 1: boom" in next(line for line in lines if "--n-process 2" in line)
    assert "target < 2 s, model load included: within" in next(line for line in lines if line.startswith("10 KB"))
    assert "2.00× one process" in next(line for line in lines if line.startswith("1 MB, -n 2"))
    accuracy_rows = [line for line in lines if line.startswith("gov_2024")]
    assert len(accuracy_rows) == 1 + len(LABELS) and all("0.333" in row and " 7 " in row for row in accuracy_rows)


def test_peer_command_writes_what_the_peer_tags(tmp_path):
    report = shared_path("reports", "gov_2022.txt")
    output = tmp_path / "peer.jsonl"
    result = subprocess.run([sys.executable, "-m", "report_ner.benchmark.peer", str(report), "--output", str(output)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    record = json.loads(output.read_text(encoding="utf-8"))
    text = report.read_text(encoding="utf-8")
    assert record["length"] == len(text) and [tuple(span) for span in record["spans"]] == peer.tag(text)
    assert {label for _, _, label in peer.tag(text)} <= set(LABELS)


def test_peer_command_names_a_bad_input_in_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "report_ner.benchmark.peer", str(empty)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.strip() == f"report-ner: {empty}: empty input"


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "scripts" / "benchmark.py"), *args],
                          capture_output=True, text=True, cwd=PROJECT)


def test_benchmark_names_a_missing_model_in_one_line(tmp_path):
    result = run_script("--model", str(tmp_path / "nothing"), "--output", str(tmp_path / "b.json"),
                        "--shared-dir", str(shared_path()), "--quick")
    assert result.returncode == 2 and not (tmp_path / "b.json").exists()
    assert result.stderr.strip().splitlines() == [f"report-ner: {tmp_path / 'nothing'}: no such model folder or installed pipeline package (train one with 'spacy project run all')"]


def test_benchmark_quick_writes_the_table_numbers_as_json(tiny_model, tmp_path):
    output = tmp_path / "benchmark.json"
    result = run_script("--model", str(tiny_model), "--output", str(output), "--shared-dir", str(shared_path()), "--quick")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    assert set(report) == {"machine", "settings", "texts", "speed", "scaling", "targets", "accuracy"}
    assert report["settings"]["quick"] and report["settings"]["repeats"] == 1
    speed = report["speed"]
    for key in ("tag_1_process", "tag_2_processes", "peer", "startup", "peer_startup"):
        assert "error" not in speed[key], speed[key]
        assert {"median_s", "min_s", "max_s", "chars_per_s", "peak_rss_mb", "seconds"} <= set(speed[key])
    # report-ner and the peer read the same text, and the ratio comes from their rounds.
    assert speed["tag_1_process"]["chars"] == speed["peer"]["chars"] == report["texts"]["inputs"]["100k"]["chars"]
    assert speed["rate_vs_peer"]["rounds"] == [round(p / t, 3) for t, p in zip(speed["tag_1_process"]["seconds"], speed["peer"]["seconds"])]
    assert [entry["size"] for entry in report["scaling"]] == ["10k", "100k"]
    assert report["targets"]["small_input_total_s"]["measured"] == report["scaling"][0]["median_s"]
    assert report["targets"]["large_input_peak_rss_mb"]["within"] is None  # no 10 MB run in --quick
    eval_files = sorted(path.stem for path in shared_path("eval").glob("*.jsonl"))
    assert sorted(report["accuracy"]) == eval_files
    for systems in report["accuracy"].values():
        assert set(systems) == {"report-ner", "jieba.posseg"}
        for scores in systems.values():
            assert set(scores) == {"micro", *LABELS} and scores["micro"]["gold"] == sum(scores[label]["gold"] for label in LABELS)
    # The printed table is made of the same numbers.
    assert f"{speed['tag_1_process']['median_s']:.2f}" in result.stdout and "jieba.posseg" in result.stdout
