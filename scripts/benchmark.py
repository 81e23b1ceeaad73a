"""Benchmark report-ner against a jieba.posseg peer: speed, memory, scaling and accuracy.

All speed numbers come from the same texts: every ``<shared>/reports/*.txt`` and the text of
every record in ``<shared>/eval/*.jsonl``. Measured, in one run:

- for the default model and, when it exists, the fast one (``configs/fast.cfg``), the
  end-to-end ``report-ner tag`` path, in-process: read bytes → decode → normalize,
  outline, model, linking (``tag_docs``) → JSONL lines; one process and ``n_process=2``;
- the pipeline alone: ``nlp.pipe`` over the normalized pieces that path feeds the model;
- the peer (``scripts/peer_jieba.py``) on the raw texts, decoding included;
- scaling: the end-to-end path on inputs of growing size, made by concatenating the
  reports and cutting at the line end nearest the target size in UTF-8 bytes;
- P/R/F per label on every gold file for the project and the peer, scored as
  ``scripts/evaluate.py`` does (spans compared as (start, end, label) in the input text).

Every speed configuration runs in its own freshly spawned process, so no two
configurations' memory mixes: it loads, makes one untimed warm-up run and waits. Then
``--repeats`` rounds each time one run of every configuration, interleaved (the order
reversed every other round), because this machine's speed drifts by tens of percent over
minutes; the table gives the median and min–max, each model's rate relative to the peer's
as the median of the per-round ratios, and each process's peak RSS (VmHWM). Nothing is
asserted: it prints one table and writes the same numbers, with a "machine" block, to
``--output`` as JSON.
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


def _worker(job: Job, conn: Connection) -> None:
    """Load and warm up once, then time one run per "run" message; "stop" sends peak memory.

    Workers wait between runs, so the parent can interleave the timed runs of several
    configurations: the machine's speed drifts over minutes, and a drift then hits every
    configuration alike instead of whichever ran last.
    """
    # A spawned process defaults to spawning its own children, but `report-ner tag -n 2` started
    # from a shell uses the platform default; spaCy's workers must be started the same way.
    multiprocessing.set_start_method(job.start_method, force=True)
    try:
        run = None
        if job.kind != "idle":
            nlp = None
            if job.kind in ("tag", "pipeline"):
                from report_ner.tagging import load

                nlp = load(job.model)
            task_for(job, nlp, job.warmup_paths)()
            run = task_for(job, nlp, job.paths)
        conn.send({"ready": True})
        while conn.recv() == "run":
            start = time.perf_counter()
            chars = run() if run else 0
            conn.send({"seconds": time.perf_counter() - start, "chars": chars})
        conn.send({"peak_rss_mb": round(peak_rss_mb(), 1), "workers_peak_rss_mb": round(workers_peak_rss_mb(), 1)})
    except Exception as err:  # reported by the parent; one failed configuration keeps the rest
        conn.send({"error": f"{type(err).__name__}: {err}"})
    conn.close()


class Worker:
    """The parent's end of one configuration's process."""

    def __init__(self, job: Job):
        context = multiprocessing.get_context("spawn")  # non-daemon, so spaCy may fork workers
        self.job = job
        self.conn, sender = context.Pipe()
        self.process = context.Process(target=_worker, args=(job, sender), name=f"benchmark-{job.key}")
        self.process.start()
        sender.close()  # a crashed worker then shows up as EOF instead of a hang
        self.result: dict = {"seconds": [], "chars": 0, "note": ""}

    def ask(self, message: str) -> dict:
        if "error" in self.result:
            return self.result
        try:
            if message:
                self.conn.send(message)
            reply = self.conn.recv()
        except (EOFError, BrokenPipeError):
            self.process.join()
            reply = {"error": f"worker died with exit code {self.process.exitcode}"}
        if "error" in reply:
            self.result = reply
        return reply

    def timed_run(self) -> None:
        reply = self.ask("run")
        if "seconds" in reply:
            self.result["seconds"].append(round(reply["seconds"], 4))
            self.result["chars"] = reply["chars"]

    def finish(self) -> dict:
        reply = self.ask("stop")
        if "error" not in reply:
            self.result.update(reply)
        self.process.join(EXIT_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
            hung = f"worker hung at exit, stopped after {EXIT_GRACE_SECONDS:.0f} s"
            self.result["note"] = "; ".join(part for part in (self.result.get("note"), hung) if part)
        return self.result


def run_interleaved(jobs: Sequence[Job], repeats: int) -> dict[str, dict]:
    """Every job in a process of its own, all loaded and warmed up first; then ``repeats``
    rounds with one timed run of each job, the order reversed every other round. A job
    whose first run takes longer than LONG_RUN_SECONDS runs once."""
    workers = [Worker(job) for job in jobs]
    for worker in workers:
        worker.ask("")  # the "ready" message: loaded and warmed up
    for round_number in range(repeats):
        order = workers if round_number % 2 == 0 else workers[::-1]
        for worker in order:
            if worker.job.kind == "idle":
                continue
            seconds = worker.result["seconds"]
            if seconds and seconds[0] > LONG_RUN_SECONDS:
                worker.result["note"] = f"1 repeat only: a run takes {seconds[0]:.0f} s > {LONG_RUN_SECONDS:.0f} s"
                continue
            worker.timed_run()
    return {worker.job.key: worker.finish() for worker in workers}


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


def make_jobs(inputs: Inputs, models: dict[str, Path], batch_size: int, start_method: str) -> list[list[Job]]:
    """Groups of jobs whose timed runs are interleaved: the peer with every model's runs on
    all texts, then one group per scaling size. Keys of the models' runs are
    ``<model name>:<run>``."""
    corpus = inputs.corpus
    main = [Job("idle", "idle", "idle", (), ()), Job("peer", "jieba.posseg peer", "peer", corpus, corpus)]
    # Scaling runs warm up on the smallest input: an untimed 10 MB run would double the wait.
    smallest = (min(inputs.scaled, key=lambda item: item[1])[2],)
    scaling: dict[str, list[Job]] = {size: [] for size, _, _ in inputs.scaled}
    for name, model in models.items():
        common = {"model": str(model), "batch_size": batch_size, "start_method": start_method}
        main += [
            Job(f"{name}:tag_1_process", f"{name}: report-ner tag, 1 process", "tag", corpus, corpus, **common),
            Job(f"{name}:tag_2_processes", f"{name}: report-ner tag, n_process=2", "tag", corpus, corpus, n_process=2, **common),
            Job(f"{name}:pipeline", f"{name}: pipeline only", "pipeline", corpus, corpus, **common),
        ]
        for size, _, path in inputs.scaled:
            scaling[size].append(Job(f"{name}:scaling_{size}", f"{name}: scaling {size}", "tag", (path,), smallest, **common))
    return [main, *scaling.values()]


def run_jobs(groups: Sequence[Sequence[Job]], repeats: int) -> dict[str, dict]:
    """Each group's jobs interleaved (see ``run_interleaved``), one group after another."""
    results = {}
    for number, group in enumerate(groups, 1):
        titles = ", ".join(job.title for job in group)
        typer.echo(f"[{number}/{len(groups)}] {titles} ...", err=True)
        group_start = time.perf_counter()
        for key, result in run_interleaved(group, repeats).items():
            job = next(job for job in group if job.key == key)
            results[key] = summarize(job, result)
            if "error" in results[key]:
                typer.echo(f"    {job.title}: {results[key]['error']}", err=True)
        typer.echo(f"    done in {time.perf_counter() - group_start:.1f} s", err=True)
    return results


def accuracy(models: dict[str, Path], eval_dir: Path) -> dict[str, dict[str, dict]]:
    """P/R/F per label per gold file: {file: {model name: scores, ..., "jieba": scores}}."""
    import peer_jieba
    from evaluate import evaluate_records, gold_records, score
    from report_ner.tagging import load

    files = {path.stem: gold_records(path) for path in sorted(eval_dir.glob("*.jsonl"))}
    results: dict[str, dict[str, dict]] = {name: {} for name in files}
    for name, model in models.items():
        nlp = load(model)
        for stem, records in files.items():
            results[stem][name] = evaluate_records(nlp, records)[0]
        del nlp
    for stem, records in files.items():
        gold = {(i, s["start"], s["end"], s["label"]) for i, record in enumerate(records) for s in record["spans"]}
        predicted = {(i, *span) for i, record in enumerate(records) for span in peer_jieba.tag(record["text"])}
        results[stem]["jieba"] = score(gold, predicted)
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


def peer_note(summary: dict) -> str:
    ratio = summary.get("rate_vs_peer")
    if not ratio:
        return ""
    return f"{ratio['median']:.2f}× the peer's rate (median of rounds: " + ", ".join(f"{r:.2f}" for r in ratio["rounds"]) + ")"


def workers_note(summary: dict, texts: dict) -> str:
    """How busy n_process workers can be: spaCy hands each worker whole batches."""
    n_process = summary["n_process"]
    busy = min(n_process, texts["batches"])
    note = f"{texts['pieces']} pieces = {texts['batches']} batch(es): {busy} of {n_process} workers busy"
    if summary.get("workers_peak_rss_mb"):
        note += f"; + worker peak {summary['workers_peak_rss_mb']:,.0f} MB"
    return note


def speed_lines(speed: dict, scaling: dict[str, list[dict]], texts: dict) -> list[str]:
    header = ["run", "input", "chars", "median s", "min–max s", "chars/s", "µs/char", "peak RSS MB", "note"]
    peer = speed["peer"]
    rows, scaling_rows = [header], []
    for name, runs in speed["models"].items():
        tag1, tag2, pipeline = runs["tag_1_process"], runs["tag_2_processes"], runs["pipeline"]
        rows += [
            speed_row(f"{name}: report-ner tag, 1 process", "all texts", tag1, peer_note(tag1)),
            speed_row(f"{name}: report-ner tag, n_process=2", "all texts", tag2, workers_note(tag2, texts)),
            speed_row(f"{name}: pipeline only (nlp.pipe)", "normalized", pipeline,
                      ratio_note(pipeline, tag1, "{:.0%} of the 1-process tag time")),
        ]
        base = scaling[name][0] if scaling[name] else {}
        for entry in scaling[name]:
            notes = []
            if entry is not base and entry.get("us_per_char") and base.get("us_per_char"):
                notes.append(f"µs/char ×{entry['us_per_char'] / base['us_per_char']:.2f} of {base['size_title']}")
            if entry["target_bytes"] >= RSS_TARGET_BYTES and "peak_rss_mb" in entry:
                within = "within" if entry["peak_rss_mb"] <= RSS_TARGET_MB else "OVER"
                notes.append(f"{within} the {RSS_TARGET_MB:,.0f} MB target")
            scaling_rows.append(speed_row(f"{name}: scaling, tag 1 process", entry["size_title"], entry, "; ".join(notes)))
    rows += [
        speed_row("jieba.posseg peer", "raw", peer),
        speed_row("python + imports, idle", "-", speed["idle"], "memory baseline of a worker"),
    ]
    lines = aligned(rows + scaling_rows, "llrrrrrrl")
    rule = "-" * max(len(line) for line in lines)
    return [lines[0], rule, *lines[1 : len(rows)], "", *lines[len(rows) :]]


def accuracy_lines(results: dict[str, dict[str, dict]]) -> list[str]:
    systems = list(next(iter(results.values())).keys()) if results else []
    rows = [["gold file", "label", "gold"] + [f"{system} {part}" for system in systems for part in ("P", "R", "F")]]
    for name, scores in results.items():
        for label, first in scores[systems[0]].items():
            cells = [name, label, str(first["gold"])]
            for system in systems:
                ours = scores[system][label]
                cells += [f"{ours['p']:.3f}", f"{ours['r']:.3f}", f"{ours['f']:.3f}"]
            rows.append(cells)
    lines = aligned(rows, "ll" + "r" * (len(rows[0]) - 2))
    lines.insert(1, "-" * len(lines[0]))
    return lines


def render_table(report: dict) -> str:
    machine, settings, texts = report["machine"], report["settings"], report["texts"]
    lines = [
        "report-ner benchmark: " + ", ".join(f"{name} = {path}" for name, path in settings["models"].items())
        + f", {settings['started']}",
        f"machine: {machine['cpu']}, {machine['usable_cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['platform']}, Python {machine['python']}, spaCy {machine['spacy']}, jieba {machine['jieba']}",
        f"texts: {texts['reports']} reports + {texts['eval_texts']} gold texts = {texts['chars']:,} chars "
        f"({texts['bytes']:,} bytes UTF-8), {texts['pieces']} model pieces in batches of {settings['batch_size']}",
        f"each row: a fresh process, 1 untimed warm-up, then the median (and min–max) of {settings['repeats']} "
        f"timed run(s), interleaved round by round with the other rows of its block (scaling rows warm up "
        f"on the smallest size); n_process workers started by "
        f"{settings['start_method']}",
        "",
    ]
    lines += speed_lines(report["speed"], report["scaling"], texts)
    lines += ["", "accuracy on the gold files (spans as (start, end, label) in the input text)", ""]
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
    model: Path = typer.Option(Path("training/model-best"), help="The default trained pipeline."),
    fast_model: Path = typer.Option(
        Path("training/fast/model-best"), help="The fast pipeline (configs/fast.cfg); measured too when it exists."
    ),
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
    models = {"default": model}
    if fast_model.exists():
        models["fast"] = fast_model
    else:
        typer.echo(f"benchmark: {fast_model}: no fast model, measuring the default one only", err=True)
    for path in models.values():
        try:
            load(path)
        except ModelError as err:
            typer.echo(f"benchmark: {err}", err=True)
            raise typer.Exit(2)

    report: dict = {
        "machine": machine_info(),
        "settings": {
            "models": {name: str(path) for name, path in models.items()},
            "model_meta": {name: model_meta(path) for name, path in models.items()},
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
    report["accuracy"] = accuracy(models, shared_dir / "eval")

    with tempfile.TemporaryDirectory(prefix="report-ner-benchmark-") as tmp:
        inputs = write_inputs(shared_dir, Path(tmp), size_list)
        report["texts"] = texts_info(inputs, batch_size)
        results = run_jobs(make_jobs(inputs, models, batch_size, start_method), repeats)
    for name in models:
        ours, peer = results[f"{name}:tag_1_process"], results["peer"]
        rounds = [theirs / mine for theirs, mine in zip(peer.get("seconds", []), ours.get("seconds", [])) if mine]
        if rounds:
            ours["rate_vs_peer"] = {"median": round(statistics.median(rounds), 3), "rounds": [round(r, 3) for r in rounds]}
    report["speed"] = {
        "peer": results["peer"],
        "idle": results["idle"],
        "models": {
            name: {run: results[f"{name}:{run}"] for run in ("tag_1_process", "tag_2_processes", "pipeline")}
            for name in models
        },
    }
    report["scaling"] = {
        name: [
            {"size": size, "target_bytes": target, "size_title": size_title(target), **results[f"{name}:scaling_{size}"]}
            for size, target, _ in inputs.scaled
        ]
        for name in models
    }
    report["settings"]["elapsed_s"] = round(time.perf_counter() - started, 1)

    typer.echo(render_table(report))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
