"""Benchmark report-ner against a jieba.posseg peer: speed, memory, scaling and accuracy.

All speed numbers come from the same texts: every ``<shared>/reports/*.txt`` and the text of
every record in ``<shared>/eval/*.jsonl``. Measured, in one run:

- the end-to-end ``report-ner tag`` path, in-process: read bytes → decode → normalize,
  outline, model, linking (``tag_docs``) → JSONL lines; one process and ``n_process=2``;
- the pipeline alone: ``nlp.pipe`` over the normalized pieces that path feeds the model;
- the peer (``scripts/peer_jieba.py``) on the raw texts, decoding included;
- scaling: the end-to-end path on inputs of growing size, made by concatenating the
  reports and cutting at the line end nearest the target size in UTF-8 bytes;
- P/R/F per label on every gold file for the project and the peer, scored as
  ``scripts/evaluate.py`` does (spans compared as (start, end, label) in the input text).

Every speed configuration runs in its own freshly spawned process: one untimed warm-up run,
then ``--repeats`` timed runs (median and min–max), then its peak RSS (VmHWM) is read, so
no two configurations' memory mixes. Nothing is asserted: it prints one table and writes
the same numbers, with a "machine" block, to ``--output`` as JSON.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import typer

if TYPE_CHECKING:
    from spacy.language import Language

# evaluate.py and peer_jieba.py live beside this script; spawned workers inherit sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_SIZES = "10k,100k,1m,10m"
QUICK_SIZES = "10k,100k"
SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2}
# A configuration whose first timed run takes longer than this is timed once, not --repeats times.
LONG_RUN_SECONDS = 120.0
# Peak memory target of a run on an input this large.
RSS_TARGET_MB, RSS_TARGET_BYTES = 1024.0, 10 * 1000**2
# A worker that has sent its result but does not exit by then is stopped (and the row says so).
EXIT_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class Job:
    """One measured configuration, run in a fresh process of its own."""

    key: str
    title: str
    kind: str  # "tag" | "pipeline" | "peer" | "idle"
    paths: tuple[Path, ...]
    warmup_paths: tuple[Path, ...]
    model: str = ""
    repeats: int = 1
    n_process: int = 1
    batch_size: int = 4
    start_method: str = "fork"  # for spaCy's n_process workers, as in a plain `report-ner tag`


# ---------------------------------------------------------------- measured work (in workers)
# The heavy imports sit inside these functions so that a worker loads only what its own
# configuration needs: the peer's and the idle worker's memory never holds spaCy.


def tag_files(nlp: Language, paths: Sequence[Path], n_process: int, batch_size: int) -> int:
    """The ``report-ner tag`` path; returns the number of input characters tagged."""
    from report_ner.export import jsonl_line
    from report_ner.inputs import decode
    from report_ner.tagging import tag_docs

    docs = (decode(path.read_bytes(), str(path)) for path in paths)
    chars = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for tagged in tag_docs(nlp, docs, batch_size=batch_size, n_process=n_process):
            sink.write(jsonl_line(tagged))
            chars += tagged.length
    return chars


def normalized_pieces(paths: Sequence[Path]) -> list[str]:
    """The pieces ``tag_docs`` hands the model: normalized text cut into paragraph chunks."""
    from report_ner.inputs import decode
    from report_ner.tagging import chunks
    from report_ner.text import normalize

    pieces = []
    for path in paths:
        normalized = normalize(decode(path.read_bytes(), str(path)).text)
        pieces.extend(piece for _, piece in chunks(normalized.text))
    return pieces


def pipe_pieces(nlp: Language, pieces: Sequence[str], batch_size: int) -> int:
    """``nlp.pipe`` alone; returns the number of (normalized) characters processed."""
    # Same components as tag_docs, which links sections from its own outline instead.
    disable = [name for name in ("sections",) if name in nlp.pipe_names]
    for _ in nlp.pipe(pieces, batch_size=batch_size, disable=disable):
        pass
    return sum(len(piece) for piece in pieces)


def peer_files(paths: Sequence[Path]) -> int:
    """The peer on the raw (decoded, not normalized) texts; returns characters tagged."""
    import peer_jieba
    from report_ner.inputs import decode

    chars = 0
    for path in paths:
        text = decode(path.read_bytes(), str(path)).text
        peer_jieba.tag(text)
        chars += len(text)
    return chars


def task_for(job: Job, nlp: Optional[Language], paths: Sequence[Path]) -> Callable[[], int]:
    """A no-argument run of ``job`` over ``paths``; preparation happens here, untimed."""
    if job.kind == "tag":
        return lambda: tag_files(nlp, paths, job.n_process, job.batch_size)
    if job.kind == "pipeline":
        pieces = normalized_pieces(paths)
        return lambda: pipe_pieces(nlp, pieces, job.batch_size)
    if job.kind == "peer":
        return lambda: peer_files(paths)
    raise ValueError(f"unknown job kind {job.kind!r}")


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM)."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if match:
        return int(match.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_rss_mb() -> float:
    """Peak RSS of the largest finished child process (spaCy's n_process workers)."""
    multiprocessing.active_children()  # reaps any finished child so its usage is counted
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_job(job: Job) -> dict:
    """Warm up once, time ``job.repeats`` runs, then read peak memory."""
    # A spawned process defaults to spawning its own children, but `report-ner tag -n 2` started
    # from a shell uses the platform default; spaCy's workers must be started the same way.
    multiprocessing.set_start_method(job.start_method, force=True)
    if job.kind == "idle":
        return {"seconds": [], "chars": 0, "peak_rss_mb": round(peak_rss_mb(), 1), "workers_peak_rss_mb": 0.0, "note": ""}
    nlp = None
    if job.kind in ("tag", "pipeline"):
        from report_ner.tagging import load

        nlp = load(job.model)
    task_for(job, nlp, job.warmup_paths)()
    run = task_for(job, nlp, job.paths)
    seconds: list[float] = []
    chars = 0
    note = ""
    for _ in range(job.repeats):
        start = time.perf_counter()
        chars = run()
        seconds.append(time.perf_counter() - start)
        if job.repeats > 1 and seconds[0] > LONG_RUN_SECONDS:
            note = f"1 repeat only: a run takes {seconds[0]:.0f} s > {LONG_RUN_SECONDS:.0f} s"
            break
    return {
        "seconds": [round(s, 4) for s in seconds],
        "chars": chars,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "workers_peak_rss_mb": round(workers_peak_rss_mb(), 1),
        "note": note,
    }


def _worker(job: Job, conn: Connection) -> None:
    try:
        result = run_job(job)
    except Exception as err:  # reported by the parent; one failed configuration keeps the rest
        result = {"error": f"{type(err).__name__}: {err}"}
    conn.send(result)
    conn.close()


# ---------------------------------------------------------------- orchestration (parent)


def run_in_fresh_process(job: Job) -> dict:
    """Run ``job`` in a newly spawned (non-daemon, so spaCy may fork workers) process."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(job, sender), name=f"benchmark-{job.key}")
    process.start()
    sender.close()  # a crashed worker then shows up as EOF instead of a hang
    try:
        result = receiver.recv()
    except EOFError:
        process.join()
        return {"error": f"worker died with exit code {process.exitcode}"}
    process.join(EXIT_GRACE_SECONDS)
    if process.is_alive():
        process.terminate()
        process.join()
        hung = f"worker hung at exit, stopped after {EXIT_GRACE_SECONDS:.0f} s"
        result["note"] = "; ".join(part for part in (result.get("note"), hung) if part)
    return result


def summarize(job: Job, result: dict) -> dict:
    """The worker's raw timings plus median, spread and per-character rates."""
    summary = {"title": job.title, "kind": job.kind, "n_process": job.n_process, **result}
    summary["bytes"] = sum(path.stat().st_size for path in job.paths)
    seconds = result.get("seconds") or []
    if seconds:
        median = statistics.median(seconds)
        chars = result["chars"]
        summary.update(
            repeats=len(seconds),
            median_s=round(median, 4),
            min_s=round(min(seconds), 4),
            max_s=round(max(seconds), 4),
            chars_per_s=round(chars / median, 1) if median else None,
            us_per_char=round(median / chars * 1e6, 3) if chars else None,
        )
    return summary


def parse_sizes(spec: str) -> list[tuple[str, int]]:
    """"10k,100k,1m" → [("10k", 10000), ...]; sizes are decimal (1m = 1,000,000 bytes)."""
    sizes = []
    for item in (part.strip().lower() for part in spec.split(",") if part.strip()):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([km]?)b?", item)
        if not match:
            raise typer.BadParameter(f"size {item!r}: expected a number with k or m, e.g. 10k,1m")
        sizes.append((item, int(float(match.group(1)) * SIZE_UNITS[match.group(2)])))
    if not sizes:
        raise typer.BadParameter("no sizes given")
    return sizes


def size_title(n_bytes: int) -> str:
    if n_bytes >= 1000**2:
        return f"{n_bytes / 1000**2:g} MB"
    if n_bytes >= 1000:
        return f"{n_bytes / 1000:g} KB"
    return f"{n_bytes} B"


def scaled_input(texts: Sequence[str], target_bytes: int) -> bytes:
    """The texts concatenated repeatedly, cut after the line end nearest ``target_bytes``."""
    cycle = "\n".join(text.rstrip("\n") + "\n" for text in texts).encode("utf-8") + b"\n"
    data = cycle * (target_bytes // len(cycle) + 2)
    # "\n" never occurs inside a multi-byte UTF-8 sequence, so any cut after one is clean.
    before = data.rfind(b"\n", 0, target_bytes)
    after = data.find(b"\n", target_bytes)
    candidates = [pos for pos in (before, after) if pos >= 0]
    cut = min(candidates, key=lambda pos: abs(pos + 1 - target_bytes)) + 1
    return data[:cut]


@dataclass
class Inputs:
    """Every input file of the speed runs, all of them read as ``report-ner tag`` reads files."""

    reports: list[Path]
    eval_texts: list[Path]
    scaled: list[tuple[str, int, Path]]  # (size name, target bytes, file)

    @property
    def corpus(self) -> tuple[Path, ...]:
        return tuple(self.reports + self.eval_texts)


def read_text(path: Path) -> str:
    from report_ner.inputs import decode

    return decode(path.read_bytes(), str(path)).text


def write_inputs(shared_dir: Path, workdir: Path, sizes: Sequence[tuple[str, int]]) -> Inputs:
    """The gold texts and the scaled inputs written to ``workdir``, beside the report files."""
    from evaluate import gold_records

    reports = sorted((shared_dir / "reports").glob("*.txt"))
    if not reports:
        raise typer.BadParameter(f"{shared_dir / 'reports'}: no *.txt reports")
    eval_texts = []
    for path in sorted((shared_dir / "eval").glob("*.jsonl")):
        for record in gold_records(path):
            target = workdir / f"{path.stem}.{record['id']}.txt"
            target.write_bytes(record["text"].encode("utf-8"))
            eval_texts.append(target)
    report_texts = [read_text(path) for path in reports]
    scaled = []
    for name, target_bytes in sizes:
        target = workdir / f"scaled_{name}.txt"
        target.write_bytes(scaled_input(report_texts, target_bytes))
        scaled.append((name, target_bytes, target))
    return Inputs(reports, eval_texts, scaled)


def texts_info(inputs: Inputs, batch_size: int) -> dict:
    pieces = len(normalized_pieces(inputs.corpus))
    return {
        "reports": len(inputs.reports),
        "eval_texts": len(inputs.eval_texts),
        "files": [path.name for path in inputs.corpus],
        "chars": sum(len(read_text(path)) for path in inputs.corpus),
        "bytes": sum(path.stat().st_size for path in inputs.corpus),
        "pieces": pieces,
        "batches": -(-pieces // batch_size),
    }


def make_jobs(inputs: Inputs, model: Path, repeats: int, batch_size: int, start_method: str) -> list[Job]:
    corpus = inputs.corpus
    common = {"model": str(model), "repeats": repeats, "batch_size": batch_size, "start_method": start_method}
    jobs = [
        Job("idle", "idle", "idle", (), ()),
        Job("peer", "jieba.posseg peer", "peer", corpus, corpus, repeats=repeats),
        Job("tag_1_process", "report-ner tag, 1 process", "tag", corpus, corpus, **common),
        Job("tag_2_processes", "report-ner tag, n_process=2", "tag", corpus, corpus, n_process=2, **common),
        Job("pipeline", "pipeline only", "pipeline", corpus, corpus, **common),
    ]
    # Scaling runs warm up on the smallest input: an untimed 10 MB run would double the wait.
    smallest = (min(inputs.scaled, key=lambda item: item[1])[2],)
    jobs += [Job(f"scaling_{name}", f"scaling {name}", "tag", (path,), smallest, **common) for name, _, path in inputs.scaled]
    return jobs


def run_jobs(jobs: Sequence[Job]) -> dict[str, dict]:
    results = {}
    for number, job in enumerate(jobs, 1):
        typer.echo(f"[{number}/{len(jobs)}] {job.title} ...", err=True)
        job_start = time.perf_counter()
        results[job.key] = summarize(job, run_in_fresh_process(job))
        outcome = results[job.key].get("error", "done")
        typer.echo(f"    {outcome} in {time.perf_counter() - job_start:.1f} s", err=True)
    return results


def accuracy(nlp: Language, eval_dir: Path) -> dict[str, dict[str, dict]]:
    """P/R/F per label per gold file: {file: {"report-ner": scores, "jieba": scores}}."""
    import peer_jieba
    from evaluate import evaluate_records, gold_records, score

    results = {}
    for path in sorted(eval_dir.glob("*.jsonl")):
        records = gold_records(path)
        project, _ = evaluate_records(nlp, records)
        gold = {(i, s["start"], s["end"], s["label"]) for i, record in enumerate(records) for s in record["spans"]}
        predicted = {(i, *span) for i, record in enumerate(records) for span in peer_jieba.tag(record["text"])}
        results[path.stem] = {"report-ner": project, "jieba": score(gold, predicted)}
    return results


def cpu_model() -> str:
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    except OSError:
        match = None
    return match.group(1).strip() if match else platform.processor() or "unknown"


def total_memory_gb() -> Optional[float]:
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    except OSError:
        return None
    return round(int(match.group(1)) / 1024**2, 1) if match else None


def machine_info() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gb": total_memory_gb(),
        "spacy": version("spacy"),
        "jieba": version("jieba"),
    }


# ---------------------------------------------------------------- the table


def aligned(rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Rows padded to common column widths; ``align`` holds 'l' or 'r' per column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(align))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if side == "l" else cell.rjust(width) for cell, width, side in zip(row, widths, align)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _num(value: Optional[float], digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def speed_row(name: str, input_title: str, summary: dict, note: str = "") -> list[str]:
    if "error" in summary:
        return [name, input_title, "-", "-", "-", "-", "-", "-", f"FAILED: {summary['error']}"]
    timed = "median_s" in summary
    return [
        name,
        input_title,
        _num(summary["chars"]) if timed else "-",
        f"{summary['median_s']:.2f}" if timed else "-",
        f"{summary['min_s']:.2f}–{summary['max_s']:.2f}" if timed else "-",
        _num(summary.get("chars_per_s")),
        _num(summary.get("us_per_char"), 1),
        _num(summary["peak_rss_mb"]),
        "; ".join(part for part in (note, summary.get("note", "")) if part),
    ]


def ratio_note(part: dict, whole: dict, template: str) -> str:
    if "median_s" not in part or "median_s" not in whole:
        return ""
    return template.format(part["median_s"] / whole["median_s"])


def workers_note(summary: dict, texts: dict) -> str:
    """How busy n_process workers can be: spaCy hands each worker whole batches."""
    n_process = summary["n_process"]
    busy = min(n_process, texts["batches"])
    note = f"{texts['pieces']} pieces = {texts['batches']} batch(es): {busy} of {n_process} workers busy"
    if summary.get("workers_peak_rss_mb"):
        note += f"; + worker peak {summary['workers_peak_rss_mb']:,.0f} MB"
    return note


def speed_lines(speed: dict[str, dict], scaling: list[dict], texts: dict) -> list[str]:
    tag1, tag2 = speed["tag_1_process"], speed["tag_2_processes"]
    pipeline, peer = speed["pipeline"], speed["peer"]
    rows = [
        ["run", "input", "chars", "median s", "min–max s", "chars/s", "µs/char", "peak RSS MB", "note"],
        speed_row("report-ner tag, 1 process", "all texts", tag1),
        speed_row("report-ner tag, n_process=2", "all texts", tag2, workers_note(tag2, texts)),
        speed_row("pipeline only (nlp.pipe)", "normalized", pipeline,
                  ratio_note(pipeline, tag1, "{:.0%} of the 1-process tag time")),
        speed_row("jieba.posseg peer", "raw", peer, ratio_note(peer, tag1, "{:.1%} of the 1-process tag time")),
        speed_row("python + imports, idle", "-", speed["idle"], "memory baseline of a worker"),
    ]
    base = scaling[0] if scaling else {}
    for entry in scaling:
        notes = []
        if entry is not base and entry.get("us_per_char") and base.get("us_per_char"):
            notes.append(f"µs/char ×{entry['us_per_char'] / base['us_per_char']:.2f} of {base['size_title']}")
        if entry["target_bytes"] >= RSS_TARGET_BYTES and "peak_rss_mb" in entry:
            within = "within" if entry["peak_rss_mb"] <= RSS_TARGET_MB else "OVER"
            notes.append(f"{within} the {RSS_TARGET_MB:,.0f} MB target")
        rows.append(speed_row("scaling: tag, 1 process", entry["size_title"], entry, "; ".join(notes)))
    lines = aligned(rows, "llrrrrrrl")
    rule = "-" * max(len(line) for line in lines)
    return [lines[0], rule, *lines[1:6], "", *lines[6:]]


def accuracy_lines(results: dict[str, dict[str, dict]]) -> list[str]:
    rows = [["gold file", "label", "gold", "ner P", "ner R", "ner F", "ner pred", "jieba P", "jieba R", "jieba F", "jieba pred"]]
    for name, systems in results.items():
        project, peer = systems["report-ner"], systems["jieba"]
        for label, ours in project.items():
            theirs = peer[label]
            rows.append([
                name, label, str(ours["gold"]),
                f"{ours['p']:.3f}", f"{ours['r']:.3f}", f"{ours['f']:.3f}", str(ours["pred"]),
                f"{theirs['p']:.3f}", f"{theirs['r']:.3f}", f"{theirs['f']:.3f}", str(theirs["pred"]),
            ])
    lines = aligned(rows, "llrrrrrrrrr")
    lines.insert(1, "-" * len(lines[0]))
    return lines


def render_table(report: dict) -> str:
    machine, settings, texts = report["machine"], report["settings"], report["texts"]
    lines = [
        f"report-ner benchmark: model {settings['model']}, {settings['started']}",
        f"machine: {machine['cpu']}, {machine['usable_cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['platform']}, Python {machine['python']}, spaCy {machine['spacy']}, jieba {machine['jieba']}",
        f"texts: {texts['reports']} reports + {texts['eval_texts']} gold texts = {texts['chars']:,} chars "
        f"({texts['bytes']:,} bytes UTF-8), {texts['pieces']} model pieces in batches of {settings['batch_size']}",
        f"each row: a fresh process, 1 untimed warm-up, then the median (and min–max) of {settings['repeats']} "
        f"timed run(s) (scaling rows warm up on the smallest size); n_process workers started by "
        f"{settings['start_method']}",
        "",
    ]
    lines += speed_lines(report["speed"], report["scaling"], texts)
    lines += ["", "accuracy on the gold files (spans as (start, end, label) in the input text; ner = report-ner)", ""]
    lines += accuracy_lines(report["accuracy"])
    lines += ["", f"total benchmark time {report['settings']['elapsed_s']:.0f} s"]
    return "\n".join(lines)


# ---------------------------------------------------------------- command


def model_meta(model: Path) -> dict:
    meta_path = model / "meta.json"
    if not meta_path.exists():
        return {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return {key: meta.get(key) for key in ("lang", "name", "version", "pipeline")}


def main(
    model: Path = typer.Option(Path("training/model-best"), help="Trained pipeline folder."),
    output: Path = typer.Option(Path("training/benchmark.json"), help="Write the numbers here as JSON."),
    shared_dir: Path = typer.Option(Path("../shared"), help="Folder holding reports/ and eval/."),
    repeats: int = typer.Option(3, min=1, help="Timed runs per configuration (after one warm-up)."),
    sizes: str = typer.Option(DEFAULT_SIZES, help="Scaling input sizes in UTF-8 bytes, e.g. 10k,100k,1m,10m."),
    batch_size: int = typer.Option(4, min=1, help="Pieces per batch, as report-ner tag --batch-size."),
    quick: bool = typer.Option(False, "--quick", help=f"Fast check: sizes {QUICK_SIZES} and 1 repeat."),
) -> None:
    """Measure speed, memory, scaling and accuracy of report-ner and the jieba peer."""
    from report_ner.tagging import ModelError, load

    started = time.perf_counter()
    start_method = multiprocessing.get_start_method()  # this platform's default, before anything sets it
    if quick:
        sizes, repeats = QUICK_SIZES, 1
    size_list = parse_sizes(sizes)
    try:
        nlp = load(model)
    except ModelError as err:
        typer.echo(f"benchmark: {err}", err=True)
        raise typer.Exit(2)

    report: dict = {
        "machine": machine_info(),
        "settings": {
            "model": str(model),
            "model_meta": model_meta(model),
            "repeats": repeats,
            "sizes": [name for name, _ in size_list],
            "batch_size": batch_size,
            "quick": quick,
            "long_run_seconds": LONG_RUN_SECONDS,
            "start_method": start_method,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
    }
    typer.echo("scoring the gold files ...", err=True)
    report["accuracy"] = accuracy(nlp, shared_dir / "eval")
    del nlp

    with tempfile.TemporaryDirectory(prefix="report-ner-benchmark-") as tmp:
        inputs = write_inputs(shared_dir, Path(tmp), size_list)
        report["texts"] = texts_info(inputs, batch_size)
        results = run_jobs(make_jobs(inputs, model, repeats, batch_size, start_method))
    report["speed"] = {key: value for key, value in results.items() if not key.startswith("scaling_")}
    report["scaling"] = [
        {"size": name, "target_bytes": target, "size_title": size_title(target), **results[f"scaling_{name}"]}
        for name, target, _ in inputs.scaled
    ]
    report["settings"]["elapsed_s"] = round(time.perf_counter() - started, 1)

    typer.echo(render_table(report))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
