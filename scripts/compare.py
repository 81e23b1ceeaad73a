"""Train and score named variants of the pipeline on the same split and budget.

Each variant is a config and a training set (the ablations: without the real reports, with
another NER head, without features); each is trained by scripts/train.py (threads and hash
seed pinned) for every seed given and scored through the report-level path on dev-real,
dev-written and the shared eval files. Prints micro and per-label F1 (with gold counts and,
over several seeds, the spread) and writes everything to --out-dir/results.json.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import typer

from report_ner.corpus import LABELS as CORPUS_LABELS
from report_ner.evaluation import evaluate_all
from report_ner.tagging import load

SCRIPTS = Path(__file__).resolve().parent
# name: (config, convert options, what it shows)
VARIANTS = {
    "shipped": ("configs/config.cfg", [], "the shipped config"),
    "transition": ("configs/transition.cfg", [], "transition-based NER on a 128-wide, 4-deep encoder (the 0.1 default)"),
    "char": ("configs/char.cfg", [], "characters only: no word, lexicon, 《》 or surname features"),
    "written_only": ("configs/config.cfg", ["--exclude-source", "real"], "shipped config without the real reports in training"),
    "pkuseg": ("configs/pkuseg.cfg", ["--segmenter", "pkuseg", "--pkuseg-model", "corpus/segmenter", "--allow-misaligned"], "pkuseg words as tokens (run 'segmenter' first)"),
    "self_trained": ("configs/config.cfg", [], "shipped config, plus the silver paragraphs of 'self-train' (training/silver/silver.spacy)"),
}
SILVER = Path("training/silver/silver.spacy")
LABELS = ["micro", *CORPUS_LABELS]


def run(args: list[str]) -> None:
    typer.echo("$ " + " ".join(args), err=True)
    subprocess.run(args, check=True)


def train_variant(name: str, seed: int, max_steps: int, out_dir: Path) -> tuple[Path, float]:
    config, convert_options, _ = VARIANTS[name]
    data = out_dir / "data"
    prefix = f"{name}_" if convert_options else ""
    if not (data / f"{prefix}train.spacy").exists():
        run([sys.executable, str(SCRIPTS / "convert.py"), "corpus/reports.jsonl", "corpus/split.json", str(data), "--prefix", prefix, *convert_options])
    model_dir = out_dir / f"{name}_seed{seed}"
    train = data / f"{prefix}train.spacy"
    if name == "self_trained":
        # spaCy reads every .spacy file of a folder: the gold paragraphs and the silver ones.
        if not SILVER.is_file():
            raise typer.BadParameter(f"{SILVER}: no such file (run 'spacy project run self-train' first)")
        train = data / "with_silver"
        train.mkdir(parents=True, exist_ok=True)
        shutil.copy(data / "train.spacy", train / "train.spacy")
        shutil.copy(SILVER, train / "silver.spacy")
    start = time.perf_counter()
    run([sys.executable, str(SCRIPTS / "train.py"), config, str(model_dir), "--train", str(train),
         "--dev", str(data / f"{prefix}dev.spacy"), "--seed", str(seed), "--max-steps", str(max_steps)])
    return model_dir / "model-best", time.perf_counter() - start


def table(results: dict) -> str:
    lines = [f"{'variant':<14}{'seed':>5}  {'set':<14}" + "".join(f"{label:>8}" for label in LABELS)]
    for name, runs in results.items():
        for seed, run_result in runs.items():
            for set_name, scores in run_result["metrics"].items():
                lines.append(f"{name:<14}{seed:>5}  {set_name:<14}" + "".join(f"{scores[label]['f']:>8.3f}" for label in LABELS))
        if len(runs) > 1:
            sets = next(iter(runs.values()))["metrics"]
            for set_name in sets:
                values = [[r["metrics"][set_name][label]["f"] for r in runs.values()] for label in LABELS]
                lines.append(f"{name:<14}{'±':>5}  {set_name:<14}" + "".join(f"{(max(v) - min(v)) / 2:>8.3f}" for v in values))
    first = next(iter(next(iter(results.values())).values()))["metrics"]
    lines.append("gold spans: " + "; ".join(f"{s} " + " ".join(f"{label} {first[s][label]['gold']}" for label in LABELS[1:]) for s in first))
    return "\n".join(lines)


def main(
    variants: str = typer.Option("transition,char,written_only", help=f"Comma-separated, of {', '.join(VARIANTS)}"),
    seeds: str = typer.Option("342", help="Comma-separated training seeds"),
    max_steps: int = typer.Option(12000),
    eval_dir: Path = typer.Option(Path("../shared/eval")),
    out_dir: Path = typer.Option(Path("training/compare")),
) -> None:
    names = [name for name in variants.split(",") if name]
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        typer.echo(f"compare: unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}", err=True)
        raise typer.Exit(2)
    if not eval_dir.is_dir():
        typer.echo(f"compare: {eval_dir}: no such folder (the shared eval files must stand beside the project)", err=True)
        raise typer.Exit(2)
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    for name in names:
        for seed in [int(s) for s in seeds.split(",")]:
            best, seconds = train_variant(name, seed, max_steps, out_dir)
            metrics, _ = evaluate_all(load(best), Path("corpus/reports.jsonl"), Path("corpus/split.json"), sorted(eval_dir.glob("*.jsonl")))
            results.setdefault(name, {})[str(seed)] = {"metrics": metrics, "train_seconds": round(seconds, 1), "about": VARIANTS[name][2]}
            results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(table({name: results[name] for name in names}))


if __name__ == "__main__":
    typer.run(main)
