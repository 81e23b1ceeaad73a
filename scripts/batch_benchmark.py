"""The same archive through 'report-ner tag --n-process N' and 'report-ner batch --workers N'.

The archive is the shared reports copied into a temporary folder as many times as it takes
to reach --chars characters. Each command runs as the user runs it (a fresh process: model
load and, for batch, cluster start included). From the batch manifest it also gives the
engine's cost: the per-core tagging rate (characters over the workers' own per-file
seconds) and the overhead (wall time the workers did not spend tagging).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

from report_ner.inputs import read_path
from report_ner.manifest import MANIFEST_NAME, read_rows


def build_archive(shared: Path, folder: Path, chars: int) -> tuple[list[str], int, int]:
    """Copies of every shared report under folder/copyNN/; the copy folders, files, characters."""
    reports = sorted(shared.rglob("*.txt"))
    if not reports:
        raise typer.BadParameter(f"{shared}: no .txt reports")
    once = sum(len(read_path(path).text) for path in reports)
    copies = max(1, math.ceil(chars / once))
    folders = []
    for copy in range(copies):
        target = folder / f"copy{copy:02d}"
        target.mkdir(parents=True)
        for path in reports:
            # Names made unique within a copy (the same file name stands in two folders).
            shutil.copyfile(path, target / "_".join(path.relative_to(shared).parts))
        folders.append(str(target))
    return folders, copies * len(reports), copies * once


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds


def main(
    model: str = typer.Option("training/model-best", help="Pipeline to tag with."),
    shared: Path = typer.Option(Path("../shared/reports"), help="Reports to copy into the archive."),
    chars: int = typer.Option(4_000_000, help="Characters in the archive (copies of the reports)."),
    processes: int = typer.Option(2, help="--n-process of tag and --workers of batch."),
    output: Path = typer.Option(Path("training/batch_benchmark.json"), help="Results as JSON."),
) -> None:
    """Tag the same archive with 'tag --n-process' and 'batch --workers'; print a table."""
    cli = [sys.executable, "-m", "report_ner.cli"]
    with tempfile.TemporaryDirectory(prefix="batch-benchmark-") as tmp:
        root = Path(tmp)
        folders, files, total = build_archive(shared, root / "archive", chars)
        typer.echo(f"archive: {files} files, {total:,} characters ({len(folders)} copies of {shared})", err=True)
        runs = {
            f"tag --n-process {processes}": timed(
                [*cli, "tag", *folders, "--model", model, "--n-process", str(processes), "--output", str(root / "tag.jsonl")]
            ),
            f"batch --workers {processes}": timed(
                [*cli, "batch", *folders, "--model", model, "--workers", str(processes), "--output", str(root / "batch")]
            ),
        }
        rows = read_rows(root / "batch" / MANIFEST_NAME)
    if len(rows) != files or any(row.status != "ok" for row in rows):
        raise SystemExit(f"batch: {sum(row.status == 'ok' for row in rows)} of {files} files ok")
    worker_seconds = sum(row.seconds for row in rows)
    batch_wall = runs[f"batch --workers {processes}"]
    overhead = batch_wall - worker_seconds / processes
    results = {
        "files": files,
        "chars": total,
        "processes": processes,
        "runs": {name: {"seconds": round(s, 2), "files_per_s": round(files / s, 2), "chars_per_s": round(total / s)} for name, s in runs.items()},
        "batch_worker_seconds": round(worker_seconds, 2),
        "per_core_chars_per_s": round(total / worker_seconds),
        "batch_overhead_seconds": round(overhead, 2),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"\n{files} files, {total:,} characters, {processes} processes\n")
    typer.echo("| run | wall s | files/s | chars/s |")
    typer.echo("|---|---|---|---|")
    for name, run in results["runs"].items():
        typer.echo(f"| {name} | {run['seconds']:.1f} | {run['files_per_s']:.1f} | {run['chars_per_s']:,} |")
    typer.echo(
        f"\nbatch engine: workers tagged for {worker_seconds:.1f} s in all (per core {results['per_core_chars_per_s']:,} chars/s); "
        f"overhead {overhead:.1f} s of {batch_wall:.1f} s wall ({overhead / batch_wall:.0%}: cluster start, "
        f"model load per worker, shipping bytes, writing records and manifest)"
    )


if __name__ == "__main__":
    typer.run(main)
