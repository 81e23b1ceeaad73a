"""Train a pipeline with what makes training differ between machines pinned.

spaCy seeds its own random numbers (``--seed``); what it leaves open is pinned here before
numpy is imported: one BLAS / OpenMP thread (a multi-threaded sum adds in a different order
on a machine with another core count) and Python's string hash seed (set iteration order).
The process re-executes itself once to set ``PYTHONHASHSEED``, which Python reads at start.
"""

import os
import sys

PINNED = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
}

if any(os.environ.get(key) != value for key, value in PINNED.items()):
    os.environ.update(PINNED)
    os.execv(sys.executable, [sys.executable, *sys.argv])

from pathlib import Path  # noqa: E402

import typer  # noqa: E402


def main(
    config: Path = typer.Argument(..., help="Training config"),
    output: Path = typer.Argument(..., help="Output folder (model-best, model-last)"),
    train: Path = typer.Option(Path("corpus/train.spacy")),
    dev: Path = typer.Option(Path("corpus/dev.spacy")),
    seed: int = typer.Option(342),
    max_steps: int = typer.Option(12000),
    eval_frequency: int = typer.Option(400),
    gpu_id: int = typer.Option(-1),
) -> None:
    from spacy.cli.train import train as spacy_train

    for path in (config, train, dev):  # train may be a folder of .spacy files
        if not path.exists():
            typer.echo(f"train: {path}: no such file", err=True)
            raise typer.Exit(2)
    overrides = {
        "paths.train": str(train),
        "paths.dev": str(dev),
        "system.seed": seed,
        "training.seed": seed,
        "training.max_steps": max_steps,
        "training.eval_frequency": eval_frequency,
    }
    spacy_train(config, output, use_gpu=gpu_id, overrides=overrides)


if __name__ == "__main__":
    typer.run(main)
