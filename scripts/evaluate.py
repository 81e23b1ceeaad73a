"""Score a trained pipeline: dev split and each gold file, through the same path as the CLI.

Gold files are raw inputs (the `_ocr` ones are newspaper OCR): they are normalized, tagged
and mapped back exactly as `report-ner tag` does, and spans are compared as
(start, end, label) in the input text.
"""

import json
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from report_ner.corpus import LABELS, read_jsonl
from report_ner.inputs import InputDoc
from report_ner.tagging import ModelError, load, tag_docs


def score(gold: set, predicted: set) -> dict:
    result = {}
    for label in (None,) + LABELS:
        g = {s for s in gold if label is None or s[-1] == label}
        p = {s for s in predicted if label is None or s[-1] == label}
        tp = len(g & p)
        precision = tp / len(p) if p else 0.0
        recall = tp / len(g) if g else 0.0
        f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label or "micro"] = {"p": round(precision, 4), "r": round(recall, 4), "f": round(f, 4), "gold": len(g), "pred": len(p)}
    return result


def gold_records(path: Path, ids: Optional[set] = None) -> list[dict]:
    records = []
    for line, record, error in read_jsonl(path):
        if error:
            raise typer.BadParameter(f"{path}:{line}: {error}")
        if ids is None or record["id"] in ids:
            records.append(record)
    return records


def evaluate_records(nlp, records: list[dict]) -> tuple[dict, list]:
    gold, predicted, errors = set(), set(), Counter()
    docs = [InputDoc(record["id"], record["text"], "utf-8") for record in records]
    for index, (record, tagged) in enumerate(zip(records, tag_docs(nlp, docs))):
        g = {(index, s["start"], s["end"], s["label"]) for s in record["spans"]}
        p = {(index, e.start, e.end, e.label) for e in tagged.entities}
        gold |= g
        predicted |= p
        text = record["text"]
        for _, start, end, label in g - p:
            errors[("missed", label, text[start:end].replace("\n", ""))] += 1
        for _, start, end, label in p - g:
            errors[("spurious", label, text[start:end].replace("\n", ""))] += 1
    return score(gold, predicted), errors.most_common(40)


def print_table(metrics: dict) -> None:
    header = f"{'set':<22}{'label':<8}{'P':>7}{'R':>7}{'F':>7}{'gold':>6}"
    typer.echo(header)
    typer.echo("-" * len(header))
    for name, scores in metrics.items():
        for label, s in scores.items():
            typer.echo(f"{name:<22}{label:<8}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['gold']:>6}")


def main(
    model: Path = typer.Argument(Path("training/model-best")),
    corpus: Path = typer.Option(Path("corpus/reports.jsonl")),
    split: Path = typer.Option(Path("corpus/split.json")),
    eval_dir: Path = typer.Option(Path("../shared/eval"), help="Gold JSONL files of unseen reports"),
    output: Path = typer.Option(Path("training/metrics.json")),
    errors_out: Optional[Path] = typer.Option(None, help="Write the most common errors here"),
) -> None:
    try:
        nlp = load(model)
    except ModelError as err:
        typer.echo(f"evaluate: {err}", err=True)
        raise typer.Exit(2)
    metrics, error_lists = {}, {}
    if corpus.exists() and split.exists():
        dev_ids = set(json.loads(split.read_text(encoding="utf-8"))["dev"])
        metrics["dev"], error_lists["dev"] = evaluate_records(nlp, gold_records(corpus, dev_ids))
    if eval_dir.exists():
        for path in sorted(eval_dir.glob("*.jsonl")):
            metrics[path.stem], error_lists[path.stem] = evaluate_records(nlp, gold_records(path))
    else:
        typer.echo(f"notice: {eval_dir} not found; scoring the dev split only", err=True)
    print_table(metrics)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    if errors_out:
        errors_out.write_text(json.dumps(error_lists, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
