"""The benchmark of issues #11 and #16: what is measured, on which inputs, into one report.

Speed and memory: ``report-ner tag`` end to end (``--n-process 1`` and ``2``) and the
jieba.posseg peer (``python -m report_ner.benchmark.peer``) on the same text, a cut of the
shared reports (1 MB by default), every run a fresh process with loading included; the
rate relative to the peer is the median of the per-round ratios. Scaling: ``report-ner tag``
on inputs from 10 KB to 10 MB and on one line (the start-up cost), and with ``--n-process 2``
on the largest input, all jobs interleaved in the same rounds. Accuracy: report-ner (``evaluation.evaluate_records``, i.e. ``tag_docs``)
and the peer on every gold file, scored by ``evaluation.score``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from spacy.language import Language

from ..evaluation import evaluate_records, gold_records, score
from ..tagging import load
from .machine import load_average, machine_info
from .peer import tag as peer_tag
from .runs import Job, per_char_after, rate_ratio, run_interleaved, summarize
from .texts import report_texts, scaled_input, size_title

DEFAULT_SIZES = "10k,100k,1m,10m"
DEFAULT_TEXT_SIZE = "1m"
QUICK_SIZES = "10k,100k"
QUICK_TEXT_SIZE = "100k"
# The targets of the issues, printed beside the measured numbers (never asserted).
SMALL_INPUT_BYTES, SMALL_INPUT_LIMIT_S = 10 * 1000, 2.0
LARGE_INPUT_BYTES, PEAK_RSS_LIMIT_MB = 10 * 1000**2, 1024.0
PEER = "jieba.posseg"
OURS = "report-ner"


@dataclass(frozen=True)
class Settings:
    model: Path
    shared_dir: Path
    sizes: tuple[tuple[str, int], ...]  # scaling inputs: (name, target bytes)
    text_size: tuple[str, int]  # the input of the speed rows against the peer
    repeats: int = 3
    quick: bool = False


def tag_argv(model: Path, path: Path, output: Path, n_process: int = 1) -> tuple[str, ...]:
    """``report-ner tag`` as a user runs it, in this interpreter."""
    return (sys.executable, "-m", "report_ner.cli", "tag", str(path), "--model", str(model),
            "--output", str(output), "--n-process", str(n_process))


def peer_argv(path: Path, output: Path) -> tuple[str, ...]:
    return (sys.executable, "-m", "report_ner.benchmark.peer", str(path), "--output", str(output))


def write_input(workdir: Path, name: str, texts: Sequence[str], target_bytes: int) -> tuple[Path, int]:
    """A scaled input written to ``workdir``; its path and its number of characters."""
    path = workdir / f"input_{name}.txt"
    data = scaled_input(texts, target_bytes)
    path.write_bytes(data)
    return path, len(data.decode("utf-8"))


def file_name(key: str) -> str:
    return key.replace(":", "_")


def make_jobs(settings: Settings, texts: Sequence[str], workdir: Path) -> tuple[list[Job], dict]:
    """The jobs in interleaving order, and the inputs they read ({name: bytes, chars, path}).

    The jobs compared with each other stand next to each other, so that they also run next
    to each other in every round: the two start-up runs, then the scaling sizes, with the
    peer and ``--n-process 2`` right after ``report-ner tag`` on the text size."""
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    sizes = dict(settings.sizes)
    sizes.setdefault(*settings.text_size)
    inputs = {}
    for name, target in sorted([("line", 1), *sizes.items()], key=lambda item: item[1]):
        path, chars = write_input(workdir, name, texts, target)
        inputs[name] = {"target_bytes": target, "bytes": path.stat().st_size, "chars": chars, "path": path}
    # Warm-ups run the same command on the smallest scaled input: a warm-up of the 10 MB run
    # would double its wait for nothing the small one does not warm.
    smallest = inputs[min(sizes, key=sizes.get)]["path"]
    model = settings.model

    def tag_job(key: str, title: str, name: str, n_process: int = 1) -> Job:
        path = inputs[name]["path"]
        return Job(key, title, tag_argv(model, path, out / f"{file_name(key)}.jsonl", n_process),
                   tag_argv(model, smallest, out / f"{file_name(key)}.warmup.jsonl", n_process), inputs[name]["chars"])

    def peer_job(key: str, title: str, name: str) -> Job:
        path = inputs[name]["path"]
        return Job(key, title, peer_argv(path, out / f"{key}.jsonl"), peer_argv(smallest, out / f"{key}.warmup.jsonl"),
                   inputs[name]["chars"])

    text = settings.text_size[0]
    jobs = [tag_job("startup", f"{OURS} tag, one line", "line"), peer_job("peer_startup", f"{PEER}, one line", "line")]
    for name in sorted(sizes, key=sizes.get):
        jobs.append(tag_job(f"tag:{name}", f"{OURS} tag, {size_title(sizes[name])}", name))
        if name == text:
            jobs.append(peer_job("peer", f"{PEER}, {size_title(sizes[name])}", name))
            jobs.append(tag_job("tag_2_processes", f"{OURS} tag -n 2, {size_title(sizes[name])}", name, n_process=2))
    largest = max(sizes, key=sizes.get)
    if largest != text:  # where start-up weighs least, so the two processes' scaling shows
        jobs.append(tag_job(f"tag_2:{largest}", f"{OURS} tag -n 2, {size_title(sizes[largest])}", largest, n_process=2))
    return jobs, inputs


def accuracy(nlp: Language, eval_dir: Path) -> dict[str, dict[str, dict]]:
    """P/R/F (micro and per label, with gold counts) per gold file: {file: {system: scores}}."""
    results: dict[str, dict[str, dict]] = {}
    for path in sorted(eval_dir.glob("*.jsonl")):
        records = gold_records(path)
        gold = {(i, span["start"], span["end"], span["label"]) for i, record in enumerate(records) for span in record["spans"]}
        predicted = {(i, *span) for i, record in enumerate(records) for span in peer_tag(record["text"])}
        results[path.stem] = {OURS: evaluate_records(nlp, records)[0], PEER: score(gold, predicted)}
    return results


def model_meta(model: Path) -> dict:
    meta_path = model / "meta.json"
    if not meta_path.is_file():
        return {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return {key: meta.get(key) for key in ("lang", "name", "version", "pipeline")}


def targets(scaling: list[dict]) -> dict:
    """The issues' targets beside the rows they are about; ``within`` is None when that size
    was not run. Reported, never asserted."""
    by_size = {entry["target_bytes"]: entry for entry in scaling}
    small = by_size.get(SMALL_INPUT_BYTES, {}).get("median_s")
    large = by_size.get(LARGE_INPUT_BYTES, {}).get("peak_rss_mb")
    return {
        "small_input_total_s": {
            "size": size_title(SMALL_INPUT_BYTES), "target": f"< {SMALL_INPUT_LIMIT_S:g} s, model load included",
            "measured": small, "within": None if small is None else small < SMALL_INPUT_LIMIT_S,
        },
        "large_input_peak_rss_mb": {
            "size": size_title(LARGE_INPUT_BYTES), "target": f"peak RSS ≤ {PEAK_RSS_LIMIT_MB:,.0f} MB",
            "measured": large, "within": None if large is None else large <= PEAK_RSS_LIMIT_MB,
        },
    }


def run_benchmark(settings: Settings, workdir: Path, progress: Callable[[str], None] = lambda message: None) -> dict:
    """Everything measured, as the dict that goes to ``benchmark.json`` and the table."""
    started = time.perf_counter()
    reports = report_texts(settings.shared_dir / "reports")
    if not reports:
        raise FileNotFoundError(f"{settings.shared_dir / 'reports'}: no *.txt reports")
    report: dict = {
        "machine": machine_info(),
        "settings": {
            "model": str(settings.model),
            "model_meta": model_meta(settings.model),
            "repeats": settings.repeats,
            "sizes": [name for name, _ in settings.sizes],
            "text_size": settings.text_size[0],
            "quick": settings.quick,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
    }
    nlp = load(settings.model)  # a model that does not load stops the benchmark before any run
    progress("scoring the gold files ...")
    report["accuracy"] = accuracy(nlp, settings.shared_dir / "eval")
    del nlp

    jobs, inputs = make_jobs(settings, list(reports.values()), workdir)
    report["texts"] = {
        "reports": list(reports),
        "inputs": {name: {k: v for k, v in entry.items() if k != "path"} for name, entry in inputs.items()},
    }
    report["machine"]["load_average_before"] = load_average()
    results = run_interleaved(jobs, settings.repeats, progress)
    report["machine"]["load_average_after"] = load_average()
    summary = {job.key: summarize(job, results[job.key]) for job in jobs}
    text = settings.text_size[0]
    speed = {
        "text_size": text,
        "tag_1_process": summary[f"tag:{text}"],
        "tag_2_processes": summary["tag_2_processes"],
        "peer": summary["peer"],
        "startup": summary["startup"],
        "peer_startup": summary["peer_startup"],
    }
    speed["rate_vs_peer"] = rate_ratio(speed["tag_1_process"]["seconds"], speed["peer"]["seconds"])
    report["speed"] = speed
    report["scaling"] = [
        {"size": name, "target_bytes": target, "bytes": inputs[name]["bytes"], "processes": processes, **summary[key],
         "us_per_char_after_startup": per_char_after(summary[key], summary["startup"])}
        for name, target in sorted(settings.sizes, key=lambda item: item[1])
        for processes, key in ((1, f"tag:{name}"), (2, f"tag_2:{name}"))
        if key in summary
    ]
    report["targets"] = targets(report["scaling"])
    report["settings"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    return report
