"""Transfer check: train on the team-written reports alone, score on real reports.

Real reports: the annotated OCR sample (raw OCR through the tagging path) and the gold
files of ../shared/eval. Shows how well written data carries over.
"""

import json
from pathlib import Path

import typer

from experiment import convert, f1_table, score_files, train
from report_ner.corpus import read_jsonl
from report_ner.text import normalize


def main(
    config: Path = typer.Option(Path("configs/config.cfg")),
    max_steps: int = typer.Option(4000),
    seed: int = typer.Option(342),
    eval_dir: Path = typer.Option(Path("../shared/eval")),
    out_dir: Path = typer.Option(Path("training/transfer")),
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    convert(out_dir, prefix="written_", only_source="written")
    train(config, out_dir / "model", out_dir / "written_train.spacy", out_dir / "written_dev.spacy", max_steps, seed)
    sample = [r for _, r, _ in read_jsonl(Path("corpus/reports.jsonl")) if r and r.get("meta", {}).get("source") == "sample"]
    raw_samples = []
    for record in sample:
        # Score the sample as raw OCR input: map its normalized gold spans to the raw file.
        raw = (Path("corpus") / record["meta"]["raw"]).read_text(encoding="utf-8")
        normalized = normalize(raw)
        spans = []
        for span in record["spans"]:
            start, end = normalized.original_span(span["start"], span["end"])
            spans.append({"start": start, "end": end, "label": span["label"]})
        raw_samples.append({"id": record["id"], "text": raw, "spans": spans})
    metrics = score_files(out_dir / "model" / "model-best", eval_dir, {"ocr_sample": raw_samples})
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(f1_table({"written-only": metrics}, list(metrics)))


if __name__ == "__main__":
    typer.run(main)
