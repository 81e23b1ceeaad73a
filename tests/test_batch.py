"""report-ner batch on real Dask clusters of this machine (127.0.0.1 only): a local cluster,
a run killed with SIGKILL and resumed, and a scheduler and worker started on their own.
Every record must equal what 'report-ner tag FILE' writes for that file alone."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from report_ner.cli import InputTally, app
from report_ner.export import write_stream
from report_ner.manifest import MANIFEST_NAME, ManifestRow, ManifestWriter, read_rows
from report_ner.tagging import tag_docs

from .conftest import shared_path

runner = CliRunner()
RUN_TIMEOUT = 300
REPORTS = ["gov_2020_spoken.txt", "npcsc_2022_ocr.txt", "provincial_2026/gov_2026_hebei.txt",
           "provincial_2026/gov_2026_jilin.txt", "provincial_2026/gov_2026_henan.txt"]
BAD = {"empty.txt": "empty input", "binary.txt": "binary file", "undecodable.txt": "cannot decode"}


def cut_archive(folder: Path) -> list[Path]:
    """~20 reports cut at paragraph ends from the shared reports, of growing sizes; the
    largest piece of each in sub/, one piece in GB18030; plus three files that cannot be read."""
    (folder / "sub").mkdir(parents=True)
    files = []
    for report in REPORTS:
        paragraphs = shared_path("reports", *report.split("/")).read_text(encoding="utf-8").split("\n")
        stem = Path(report).stem
        cuts = [0, len(paragraphs) // 10, len(paragraphs) * 3 // 10, len(paragraphs) * 6 // 10, len(paragraphs)]
        for index, (start, end) in enumerate(zip(cuts, cuts[1:])):
            path = folder / ("sub" if index == 3 else "") / f"{stem}_{index}.txt"
            text = "\n".join(paragraphs[start:end]) + "\n"
            if report == REPORTS[0] and index == 1:
                path.write_bytes(text.encode("gb18030"))
            else:
                path.write_text(text, encoding="utf-8")
            files.append(path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "undecodable.txt").write_bytes("报告".encode("utf-8") + b"\xff\xff\xfe\x80" * 20)
    return files


def tag_alone(nlp, source: str) -> str:
    """What 'report-ner tag SOURCE --format jsonl' writes."""
    out = io.StringIO()
    write_stream(out, tag_docs(nlp, InputTally([source])), "jsonl")
    return out.getvalue()


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "report_ner.cli", "batch", *args]


def run_batch(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(batch_command(*args), capture_output=True, text=True, cwd=cwd, timeout=RUN_TIMEOUT)


def latest(folder: Path) -> dict[str, ManifestRow]:
    return {row.path: row for row in read_rows(folder / MANIFEST_NAME)}


@contextmanager
def working_directory(path: Path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def assert_outputs_equal_tag_alone(nlp, out: Path, rows: dict[str, ManifestRow], cwd: Path):
    """Each ok row's record is byte for byte what 'tag' writes for its input, named alike."""
    with working_directory(cwd):
        for source, row in rows.items():
            if row.status != "ok":
                continue
            expected = tag_alone(nlp, source)
            assert (out / row.output).read_text(encoding="utf-8") == expected, source
            assert row.entities == len(json.loads(expected)["entities"])


def stop_group(process: subprocess.Popen) -> None:
    """End a process started in its own session, and every process it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_local_cluster_tags_each_file_like_tag_alone_and_reruns_skip(tmp_path, tiny_model, tiny_nlp):
    files = cut_archive(tmp_path / "archive")
    assert len(files) == 20
    result = run_batch("archive", "archive/sub", "--output", "out", "--model", str(tiny_model), "--workers", "2", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "files" in result.stderr and "chars/s" in result.stderr and "ETA" in result.stderr
    out = tmp_path / "out"
    rows = latest(out)
    assert len(read_rows(out / MANIFEST_NAME)) == len(rows) == 23
    for name, reason in BAD.items():
        row = rows[f"archive/{name}"]
        assert row.status == "error" and reason in row.reason and row.output is None
        assert f"report-ner: archive/{name}: {reason}" in result.stderr
    ok = {source: row for source, row in rows.items() if row.status == "ok"}
    assert len(ok) == 20
    # Outputs mirror the inputs' paths below their common folder.
    assert {row.output for row in ok.values()} == {f"{p.relative_to(tmp_path / 'archive').as_posix()}.jsonl" for p in files}
    assert all(len(row.sha256) == 64 and row.seconds >= 0 for row in ok.values())
    assert_outputs_equal_tag_alone(tiny_nlp, out, ok, tmp_path)
    assert json.loads((out / "gov_2020_spoken_1.txt.jsonl").read_text(encoding="utf-8"))["encoding"] == "gb18030"
    assert not list(out.rglob("*.part"))

    # A rerun tags only what failed: the three bad files again, nothing else.
    stamps = {path: path.stat().st_mtime_ns for path in out.rglob("*.txt.jsonl")}
    again = run_batch("archive", "archive/sub", "--output", "out", "--model", str(tiny_model), "--workers", "2", cwd=tmp_path)
    assert again.returncode == 1 and "20 inputs already done" in again.stderr
    assert len(read_rows(out / MANIFEST_NAME)) == 23 + 3
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.txt.jsonl")} == stamps

    # A changed input is tagged again.
    changed = files[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "国务院召开常务会议。\n", encoding="utf-8")
    third = run_batch("archive", "--output", "out", "--model", str(tiny_model), "--workers", "1", cwd=tmp_path)
    assert third.returncode == 1
    source = f"archive/{changed.name}"
    assert latest(out)[source].status == "ok"
    assert_outputs_equal_tag_alone(tiny_nlp, out, {source: latest(out)[source]}, tmp_path)


def test_stats_from_batch_outputs_equals_stats_on_the_inputs(tmp_path, tiny_model):
    cut_archive(tmp_path / "archive")
    result = run_batch("archive", "--output", "out", "--model", str(tiny_model), "--workers", "2", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    tagged = tmp_path / "tagged.jsonl"
    with working_directory(tmp_path):  # sources are relative to the folder the batch ran in
        tag = runner.invoke(app, ["tag", "archive", "-m", str(tiny_model), "-o", str(tagged)])
        assert tag.exit_code == 1
        for by in ("law", "org", "person", "figure", "section"):
            direct = runner.invoke(app, ["stats", "archive", "-m", str(tiny_model), "--by", by, "-f", "json"])
            from_batch = runner.invoke(app, ["stats", "--from", "out", "--by", by, "-f", "json"])
            from_jsonl = runner.invoke(app, ["stats", "--from", str(tagged), "--by", by, "-f", "json"])
            assert direct.exit_code == 1 and from_batch.exit_code == 0 and from_jsonl.exit_code == 0
            rows = [json.loads(line) for line in direct.stdout.splitlines() if line.startswith("{")]
            assert rows, by
            batch_rows = [json.loads(line) for line in from_batch.stdout.splitlines()]
            assert sorted(batch_rows, key=lambda row: row["source"]) == sorted(rows, key=lambda row: row["source"]), by
            assert [json.loads(line) for line in from_jsonl.stdout.splitlines()] == rows, by
        both = runner.invoke(app, ["stats", "archive", "--from", "out"])
        assert both.exit_code == 2
        missing = runner.invoke(app, ["stats", "--from", "nowhere", "--by", "law"])
        assert missing.exit_code == 2 and "nowhere" in missing.output


def test_killed_run_resumes_and_completes_the_archive(tmp_path, tiny_model, tiny_nlp):
    archive = tmp_path / "archive"
    archive.mkdir()
    for report in sorted(shared_path("reports", "provincial_2026").glob("*.txt")):
        (archive / report.name).write_bytes(report.read_bytes())
    total = len(list(archive.glob("*.txt")))
    out = tmp_path / "out"
    args = ["archive", "--output", "out", "--model", str(tiny_model), "--workers", "1"]
    process = subprocess.Popen(batch_command(*args), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while len(read_rows(out / MANIFEST_NAME)) < 2:
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        # The workers and the cluster go when their client dies.
        deadline = time.monotonic() + 60
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not group_alive(process.pid), "worker processes outlived the killed batch"
    finally:
        stop_group(process)
    done_before = [row for row in read_rows(out / MANIFEST_NAME) if row.status == "ok"]
    assert 2 <= len(done_before) < total
    with (out / MANIFEST_NAME).open("a", encoding="utf-8") as manifest:
        manifest.write('{"path": "archive/gov_2026_torn.txt", "sha')  # a row torn by a crash mid-write

    result = run_batch(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(done_before)} inputs already done" in result.stderr
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]  # every line whole again
    assert len(rows) == total and {row["status"] for row in rows} == {"ok"}
    assert_outputs_equal_tag_alone(tiny_nlp, out, latest(out), tmp_path)
    assert not list(out.rglob("*.part"))


def start(command: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def test_batch_on_a_scheduler_and_worker_started_apart(tmp_path, tiny_model, tiny_nlp):
    files = cut_archive(tmp_path / "archive")[:6]
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                       "--no-dashboard", "--scheduler-file", str(scheduler_file)], tmp_path, tmp_path / "scheduler.log")
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = start([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                        "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(tmp_path / "worker")],
                       tmp_path, tmp_path / "worker.log")
        sources = [str(path.relative_to(tmp_path)) for path in files]
        result = run_batch(*sources, "--output", "out", "--model", str(tiny_model), "--scheduler", address, cwd=tmp_path)
        assert result.returncode == 0, result.stderr + (tmp_path / "worker.log").read_text()
        rows = latest(tmp_path / "out")
        assert sorted(rows) == sorted(sources) and {row.status for row in rows.values()} == {"ok"}
        assert_outputs_equal_tag_alone(tiny_nlp, tmp_path / "out", rows, tmp_path)
    finally:
        for process in (worker, scheduler):
            if process is not None:
                stop_group(process)


def test_batch_usage_errors_are_one_line(tmp_path, tiny_model, monkeypatch):
    (tmp_path / "a.txt").write_text("国务院召开常务会议。\n", encoding="utf-8")
    no_model = runner.invoke(app, ["batch", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "-m", str(tmp_path / "none")])
    assert no_model.exit_code == 2 and "none: no such model" in no_model.output
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    missing = runner.invoke(app, ["batch", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "-m", str(tiny_model)])
    assert missing.exit_code == 2
    assert missing.output.strip().count("\n") == 0 and 'pip install -e ".[dask]"' in missing.output


def test_manifest_survives_a_torn_last_line(tmp_path):
    path = tmp_path / MANIFEST_NAME
    row = ManifestRow("a.txt", "0" * 64, "ok", None, 3, "a.txt.jsonl", 0.5)
    with ManifestWriter(path) as writer:
        writer.append(row)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"path": "b.txt", "st')
    assert read_rows(path) == [row]
    with ManifestWriter(path) as writer:
        writer.append(ManifestRow("c.txt", None, "error", "c.txt: empty input", None, None, 0.0))
    assert [json.loads(line)["path"] for line in path.read_text(encoding="utf-8").splitlines()] == ["a.txt", "c.txt"]


def test_batch_with_a_user_lexicon_equals_tag_with_it(tmp_path, tiny_model):
    """--lexicon reaches every worker: each record equals 'tag --lexicon … --lexicon-mode force'."""
    from report_ner.tagging import load
    from report_ner.user_lexicon import apply_user_lexicon, read_user_lexicon

    archive = tmp_path / "archive"
    archive.mkdir()
    text = "青禾县数字治理促进中心召开会议。全国人大常委会制定数据安全法。\n"
    (archive / "one.txt").write_text(text * 3, encoding="utf-8")
    (archive / "two.txt").write_text("青禾县数字治理促进中心负责人出席。\n", encoding="utf-8")
    names = tmp_path / "names.tsv"
    names.write_text("青禾县数字治理促进中心\tORG\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch("archive", "-o", str(out), "-m", str(tiny_model), "-w", "1",
                       "--lexicon", str(names), "--lexicon-mode", "force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    nlp = apply_user_lexicon(load(tiny_model), read_user_lexicon(names), "force")
    rows = latest(out)
    assert {row.status for row in rows.values()} == {"ok"} and len(rows) == 2
    assert_outputs_equal_tag_alone(nlp, out, rows, tmp_path)
    from .test_user_lexicon import assert_forced_or_overlapped

    for source, row in rows.items():
        entities = json.loads((out / row.output).read_text(encoding="utf-8"))["entities"]
        assert_forced_or_overlapped(entities, (tmp_path / source).read_text(encoding="utf-8"), ["青禾县数字治理促进中心"])
    bad = tmp_path / "bad.tsv"
    bad.write_text("青禾县\tPLACE\n", encoding="utf-8")
    refused = run_batch("archive", "-o", str(tmp_path / "out2"), "-m", str(tiny_model), "--lexicon", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and f"{bad}:1:" in refused.stderr and "Traceback" not in refused.stderr
