"""Timed runs of commands, each in a fresh process, interleaved round by round.

Every timed run starts a new process and times it from the outside, so a run's time holds
everything a user waits for: interpreter start, imports, loading the model or dictionary,
reading, tagging and writing the output. Its peak memory is the largest resident set of
that process and of the processes it started (``wait4``'s ``ru_maxrss``, read by the small
``launch`` process that starts it).

Each job first runs once untimed (its warm-up command: the disk cache and compiled
bytecode are then warm for every job alike). Then ``repeats`` rounds each run every job
once, in the order given and reversed every other round: this machine's speed drifts by
tens of percent over minutes, and interleaving makes a drift hit every job alike instead
of whichever ran last. Nothing here asserts anything about the numbers.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

# A job whose first timed run takes longer than this is timed once, not ``repeats`` times.
LONG_RUN_SECONDS = 120.0


@dataclass(frozen=True)
class Job:
    """One measured configuration: a command, its warm-up command and the characters it reads."""

    key: str
    title: str
    argv: tuple[str, ...]
    warmup_argv: tuple[str, ...]
    chars: int


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    stderr_tail: str


@dataclass
class JobResult:
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    error: str = ""
    note: str = ""


def run_process(argv: Sequence[str]) -> ProcessRun:
    """Run ``argv`` to its end in a fresh process (started by ``launch``, which times it and
    reads its peak RSS): wall time, peak RSS, exit code and the last line it wrote to stderr."""
    with tempfile.TemporaryDirectory(prefix="report-ner-run-") as tmp, tempfile.TemporaryFile() as stderr:
        result_path = os.path.join(tmp, "result.json")
        launcher = [sys.executable, "-m", "report_ner.benchmark.launch", result_path, *argv]
        subprocess.run(launcher, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, check=False)
        stderr.seek(0)
        lines = [line for line in stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
        tail = lines[-1].strip() if lines else ""
        if not os.path.exists(result_path):
            return ProcessRun(0.0, 0.0, -1, tail or "the launcher failed")
        with open(result_path, encoding="utf-8") as handle:
            result = json.load(handle)
    return ProcessRun(result["seconds"], result["peak_rss_mb"], result["exit_code"], tail)


def _record(result: JobResult, run: ProcessRun, timed: bool) -> None:
    if run.exit_code != 0:
        result.error = f"exit code {run.exit_code}" + (f": {run.stderr_tail}" if run.stderr_tail else "")
    elif timed:
        result.seconds.append(round(run.seconds, 4))
        result.peak_rss_mb.append(round(run.peak_rss_mb, 1))


def run_interleaved(
    jobs: Sequence[Job], repeats: int, progress: Callable[[str], None] = lambda message: None
) -> dict[str, JobResult]:
    """One warm-up per job, then ``repeats`` interleaved rounds; a failed job stops being run."""
    results = {job.key: JobResult() for job in jobs}
    for job in jobs:
        progress(f"warm-up: {job.title}")
        _record(results[job.key], run_process(job.warmup_argv), timed=False)
    for round_number in range(repeats):
        progress(f"round {round_number + 1} of {repeats}")
        for job in jobs if round_number % 2 == 0 else reversed(jobs):
            result = results[job.key]
            if result.error:
                continue
            if result.seconds and result.seconds[0] > LONG_RUN_SECONDS:
                result.note = f"1 run only: a run takes {result.seconds[0]:.0f} s > {LONG_RUN_SECONDS:.0f} s"
                continue
            _record(result, run_process(job.argv), timed=True)
    return results


def summarize(job: Job, result: JobResult) -> dict:
    """The raw timings, their median and spread, rates per character and the peak RSS."""
    summary: dict = {"title": job.title, "chars": job.chars, "seconds": result.seconds}
    if result.error:
        summary["error"] = result.error
    if result.note:
        summary["note"] = result.note
    if result.seconds:
        median = statistics.median(result.seconds)
        summary.update(
            runs=len(result.seconds),
            median_s=round(median, 4),
            min_s=round(min(result.seconds), 4),
            max_s=round(max(result.seconds), 4),
            chars_per_s=round(job.chars / median, 1) if median else None,
            us_per_char=round(median / job.chars * 1e6, 3) if job.chars else None,
            peak_rss_mb=max(result.peak_rss_mb),
        )
    return summary


def rate_ratio(ours: Sequence[float], theirs: Sequence[float]) -> Optional[dict]:
    """Our rate relative to theirs on the same input, round by round (their seconds over ours),
    and the median of those per-round ratios; None without a round where both ran."""
    rounds = [round(their / our, 3) for our, their in zip(ours, theirs) if our > 0]
    if not rounds:
        return None
    return {"median": round(statistics.median(rounds), 3), "rounds": rounds}


def per_char_after(summary: dict, startup: dict) -> Optional[float]:
    """µs per character once the start-up run (the same command on one line) is taken off:
    the median times and the characters of both runs subtracted."""
    if "median_s" not in summary or "median_s" not in startup or summary["chars"] <= startup["chars"]:
        return None
    extra_chars = summary["chars"] - startup["chars"]
    return round((summary["median_s"] - startup["median_s"]) / extra_chars * 1e6, 3)
