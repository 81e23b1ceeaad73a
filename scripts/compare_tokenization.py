"""Tokenization by measurement: char, pkuseg words, char + word/lexicon features, + rules.

Each variant is trained on the same split with the same budget and scored on every gold
file through the tagging path. Prints per-label F1, misaligned-entity share, train time
and chars/s; writes training/compare/results.json.
"""

import json
from pathlib import Path

import typer

from experiment import chars_per_second, convert, f1_table, score_files, train

VARIANTS = {
    "a_char": {"config": "configs/char.cfg", "segmenter": "char"},
    "b_pkuseg": {"config": "configs/pkuseg.cfg", "segmenter": "pkuseg"},
    "c_char_lexicon": {"config": "configs/char_lexicon.cfg", "segmenter": "char"},
}


def main(
    max_steps: int = typer.Option(4000),
    seed: int = typer.Option(342),
    eval_dir: Path = typer.Option(Path("../shared/eval")),
    segmenter_model: Path = typer.Option(Path("corpus/segmenter")),
    out_dir: Path = typer.Option(Path("training/compare")),
    only: str = typer.Option("", help="Comma-separated variant names to run (default: all)"),
    rules_on: str = typer.Option("", help="Also score this trained variant with a rule layer added after the NER"),
    rules: str = typer.Option("report_ner_rules_v1", help="The rule component for --rules-on"),
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    texts = [json.loads(line)["text"] for path in sorted(eval_dir.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    for name, variant in VARIANTS.items():
        if only and name not in only.split(","):
            continue
        pkuseg = segmenter_model if variant["segmenter"] == "pkuseg" else None
        stats = convert(out_dir, prefix=f"{name}_", segmenter=variant["segmenter"], pkuseg_model=pkuseg, allow_misaligned=True)
        model_dir = out_dir / name
        seconds = train(Path(variant["config"]), model_dir, out_dir / f"{name}_train.spacy", out_dir / f"{name}_dev.spacy",
                        max_steps, seed, segmenter=pkuseg)
        best = model_dir / "model-best"
        results[name] = {
            "metrics": score_files(best, eval_dir),
            "misaligned_share": stats["misaligned_share"],
            "train_seconds": round(seconds, 1),
            "chars_per_second": round(chars_per_second(best, texts)),
        }
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if rules_on:
        base = results[rules_on]
        results[f"{rules_on}+{rules.replace('report_ner_', '')}"] = {
            **base,
            "metrics": score_files(out_dir / rules_on / "model-best", eval_dir, with_rules=rules),
        }
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    files = sorted({f for r in results.values() for f in r["metrics"]})
    typer.echo(f1_table({name: r["metrics"] for name, r in results.items()}, files))
    typer.echo(f"\n{'variant':<22}{'misaligned':>12}{'train s':>10}{'chars/s':>10}")
    for name, r in results.items():
        typer.echo(f"{name:<22}{r['misaligned_share']:>12.1%}{r['train_seconds']:>10}{r['chars_per_second']:>10}")


if __name__ == "__main__":
    typer.run(main)
