"""Score a trained pipeline on dev-real, dev-written and each gold file in the eval folder."""

import json
from pathlib import Path
from typing import Optional

import typer

from report_ner.evaluation import GoldError, evaluate_all, metrics_table
from report_ner.cli import load_model_or_exit


def main(
    model: Path = typer.Argument(Path("training/model-best")),
    corpus: Path = typer.Option(Path("corpus/reports.jsonl")),
    split: Path = typer.Option(Path("corpus/split.json")),
    eval_dir: Path = typer.Option(Path("../shared/eval"), help="Gold JSONL files of unseen reports"),
    output: Path = typer.Option(Path("training/metrics.json")),
    errors_out: Optional[Path] = typer.Option(None, help="Write the most common errors here"),
) -> None:
    nlp = load_model_or_exit(str(model))
    if not eval_dir.is_dir():
        typer.echo(f"evaluate: {eval_dir}: no such folder (the shared eval files must stand beside the project)", err=True)
        raise typer.Exit(2)
    try:
        metrics, errors = evaluate_all(nlp, corpus, split, sorted(eval_dir.glob("*.jsonl")))
    except GoldError as err:
        typer.echo(f"evaluate: {err}", err=True)
        raise typer.Exit(2)
    typer.echo(metrics_table(metrics))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    if errors_out:
        errors_out.write_text(json.dumps(errors, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
