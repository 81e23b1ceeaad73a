"""Shared steps of the training experiments: convert, train, score, time."""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))

from evaluate import evaluate_records, gold_records  # noqa: E402

from report_ner.tagging import load  # noqa: E402
from report_ner.text import normalize  # noqa: E402


def run(args: list[str]) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, check=True)


def convert(out_dir: Path, prefix: str = "", segmenter: str = "char", pkuseg_model: Optional[Path] = None,
            only_source: Optional[str] = None, allow_misaligned: bool = False) -> dict:
    args = [sys.executable, str(SCRIPTS / "convert.py"), "corpus/reports.jsonl", "corpus/split.json", str(out_dir),
            "--segmenter", segmenter, "--prefix", prefix]
    if pkuseg_model:
        args += ["--pkuseg-model", str(pkuseg_model)]
    if only_source:
        args += ["--only-source", only_source]
    if allow_misaligned:
        args.append("--allow-misaligned")
    run(args)
    return json.loads((out_dir / f"{prefix}convert_stats.json").read_text())


def train(config: Path, out_dir: Path, train: Path, dev: Path, max_steps: int, seed: int,
          segmenter: Optional[Path] = None) -> float:
    start = time.perf_counter()
    args = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(out_dir),
            "--paths.train", str(train), "--paths.dev", str(dev), "--training.max_steps", str(max_steps),
            "--system.seed", str(seed)]
    if segmenter:
        args += ["--paths.segmenter", str(segmenter)]
    run(args)
    return time.perf_counter() - start


def score_files(model: Path, eval_dir: Path, extra: dict[str, list[dict]] = {}, with_rules: str = "") -> dict:
    """Scores on every gold file (and ``extra`` record lists); ``with_rules`` names a rule
    component (``report_ner_rules_v1`` or ``report_ner_law_titles_v1``) to add after the NER."""
    nlp = load(model)
    if with_rules:
        rules = nlp.add_pipe(with_rules, name="rules", after="ner")
        if hasattr(rules, "initialize"):
            rules.initialize()
    metrics = {name: evaluate_records(nlp, records)[0] for name, records in extra.items()}
    for path in sorted(eval_dir.glob("*.jsonl")) if eval_dir.exists() else []:
        metrics[path.stem] = evaluate_records(nlp, gold_records(path))[0]
    return metrics


def chars_per_second(model: Path, texts: list[str], repeats: int = 2) -> float:
    nlp = load(model)
    normalized = [normalize(text).text for text in texts]
    list(nlp.pipe(normalized[:1]))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _doc in nlp.pipe(normalized):
            pass
        best = min(best, time.perf_counter() - start)
    return sum(map(len, normalized)) / best


def f1_table(rows: dict[str, dict], files: list[str]) -> str:
    labels = ["micro", "LAW", "ORG", "PERSON", "FIGURE", "DATE"]
    lines = [f"{'variant':<22}{'file':<16}" + "".join(f"{label:>8}" for label in labels)]
    for variant, metrics in rows.items():
        for name in files:
            if name in metrics:
                lines.append(f"{variant:<22}{name:<16}" + "".join(f"{metrics[name][label]['f']:>8.3f}" for label in labels))
    return "\n".join(lines)
