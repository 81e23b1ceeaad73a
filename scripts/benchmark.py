"""Speed, memory, scaling and accuracy of report-ner against the jieba.posseg peer.

What is measured and how: ``report_ner.benchmark`` (``suite`` for the rows, ``runs`` for
the fresh processes and interleaved rounds). Nothing is asserted: it prints one table and
writes the same numbers, with a "machine" block, to ``--output`` as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import typer

from report_ner.benchmark.suite import (
    DEFAULT_SIZES, DEFAULT_TEXT_SIZE, QUICK_SIZES, QUICK_TEXT_SIZE, Settings, run_benchmark,
)
from report_ner.benchmark.table import render
from report_ner.benchmark.texts import parse_size, parse_sizes
from report_ner.cli import EXIT_NOTHING, report_error
from report_ner.evaluation import GoldError
from report_ner.export import atomic_output
from report_ner.inputs import InputError
from report_ner.tagging import ModelError


def main(
    model: Path = typer.Option(Path("training/model-best"), help="The trained pipeline."),
    output: Path = typer.Option(Path("training/benchmark.json"), help="Write the numbers here as JSON."),
    shared_dir: Path = typer.Option(Path("../shared"), help="Folder holding reports/ and eval/."),
    repeats: int = typer.Option(3, min=1, help="Timed rounds (after one untimed warm-up of every row)."),
    sizes: str = typer.Option(DEFAULT_SIZES, help="Scaling input sizes in UTF-8 bytes, e.g. 10k,100k,1m,10m."),
    text_size: str = typer.Option(DEFAULT_TEXT_SIZE, help="Size of the text report-ner and the peer are timed on."),
    quick: bool = typer.Option(
        False, "--quick", help=f"A fast check: sizes {QUICK_SIZES}, text {QUICK_TEXT_SIZE}, 1 round."
    ),
) -> None:
    """Measure report-ner and jieba.posseg in the same run; print the table, write the JSON."""
    if quick:
        sizes, text_size, repeats = QUICK_SIZES, QUICK_TEXT_SIZE, 1
    try:
        size_list, text = parse_sizes(sizes), parse_size(text_size)
    except ValueError as err:
        raise typer.BadParameter(str(err))
    for folder in (shared_dir / "reports", shared_dir / "eval"):
        if not folder.is_dir():
            report_error(f"{folder}: no such folder (--shared-dir must hold reports/ and eval/)")
            raise typer.Exit(EXIT_NOTHING)
    settings = Settings(model, shared_dir, tuple(size_list), (text_size.strip().lower(), text), repeats, quick)
    try:
        with tempfile.TemporaryDirectory(prefix="report-ner-benchmark-") as workdir:
            report = run_benchmark(settings, Path(workdir), progress=lambda message: typer.echo(message, err=True))
    except (ModelError, GoldError, InputError, FileNotFoundError) as err:  # the model loads first, before any run
        report_error(str(err))
        raise typer.Exit(EXIT_NOTHING)
    typer.echo(render(report))
    with atomic_output(output, sys.stdout) as out:
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
