"""Tag an archive on a Dask cluster: resumable, one record file per input, a durable manifest.

The client (this process) plans the run, reads each file's bytes and sends them to the
workers in bundles of similar size, largest first, with a bounded number in flight; each
result is written atomically under the batch folder and then recorded in the manifest.
A rerun skips every input whose last manifest row is ``ok`` for the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator

from .batch_worker import FileResult, FileTask, tag_bundle
from .export import atomic_output
from .inputs import InputError, expand, file_bytes
from .manifest import (
    ERROR,
    MANIFEST_NAME,
    OK,
    ManifestRow,
    ManifestWriter,
    batch_folder_lock,
    latest_rows,
    read_rows,
)
from .tagging import ModelError

MIN_BUNDLE_BYTES = 16 * 1024
MAX_BUNDLE_BYTES = 1024 * 1024
BUNDLES_PER_WORKER = 8  # enough bundles that the last ones finish close together
IN_FLIGHT_PER_WORKER = 2  # bundles queued per worker: busy workers, bounded client memory
CONNECT_TIMEOUT = 20  # seconds to reach a scheduler
WORKERS_TIMEOUT = 60  # seconds for a scheduler to have at least one worker


class BatchError(Exception):
    """The run cannot start or go on (scheduler, model, folder); one line."""


@dataclass(frozen=True)
class BatchInput:
    source: str  # as named on the command line: the record's "source"
    path: Path
    output: str  # record file relative to the batch folder: "<relative path>.jsonl"
    size: int


@dataclass
class BatchPlan:
    todo: list[BatchInput]
    done: list[BatchInput]  # already ok in the manifest, same bytes
    failed: list[ManifestRow]  # inputs that cannot even be listed or read


@dataclass
class BatchSummary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    chars: int = 0
    seconds: float = 0.0  # wall time of the tagging phase
    worker_seconds: float = 0.0  # sum of per-file times on the workers
    workers: int = 0
    startup_seconds: float = 0.0  # cluster start or connection


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _error_row(source: str, reason: str, sha: str | None = None) -> ManifestRow:
    return ManifestRow(path=source, sha256=sha, status=ERROR, reason=reason, entities=None, output=None, seconds=0.0)


def relative_outputs(paths: list[Path]) -> list[str]:
    """Each file's record path: its path below the deepest folder holding every input."""
    resolved = [path.resolve() for path in paths]
    root = Path(os.path.commonpath([path.parent for path in resolved])) if resolved else Path("/")
    return [path.relative_to(root).as_posix() + ".jsonl" for path in resolved]


def plan(inputs: list[str], folder: Path) -> BatchPlan:
    """The inputs to tag now, those already done, and those that fail before tagging."""
    failed: list[ManifestRow] = []
    files: list[Path] = []
    seen: set[Path] = set()
    for item in expand(inputs):
        if isinstance(item, InputError):
            failed.append(_error_row(str(item).split(": ", 1)[0], str(item)))
        elif item == "-":
            failed.append(_error_row("<stdin>", "<stdin>: a batch run reads files and folders, not standard input"))
        elif not item.is_file():
            reason = "not a regular file" if item.exists() else "no such file or folder"
            failed.append(_error_row(str(item), f"{item}: {reason}"))
        elif item.resolve() not in seen:
            seen.add(item.resolve())
            files.append(item)
    latest = latest_rows(read_rows(folder / MANIFEST_NAME))
    todo, done = [], []
    for path, output in zip(files, relative_outputs(files)):
        try:
            item = BatchInput(str(path), path, output, path.stat().st_size)
        except OSError as err:
            failed.append(_error_row(str(path), f"{path}: cannot read ({err.strerror})"))
            continue
        previous = latest.get(item.source)
        if previous and previous.status == OK and previous.output == output and (folder / output).is_file():
            try:
                if sha256_of(file_bytes(path)) == previous.sha256:
                    done.append(item)
                    continue
            except InputError:
                pass  # tried again below, where the error is recorded
        todo.append(item)
    return BatchPlan(todo, done, failed)


def bundles(items: list[BatchInput], workers: int) -> list[list[BatchInput]]:
    """Files grouped into bundles of similar size, largest first; a big file is a bundle alone."""
    total = sum(item.size for item in items)
    target = min(MAX_BUNDLE_BYTES, max(MIN_BUNDLE_BYTES, total // max(1, workers * BUNDLES_PER_WORKER)))
    groups: list[list[BatchInput]] = []
    current: list[BatchInput] = []
    size = 0
    for item in sorted(items, key=lambda item: (-item.size, item.source)):
        current.append(item)
        size += item.size
        if size >= target:
            groups.append(current)
            current, size = [], 0
    if current:
        groups.append(current)
    return groups


class Progress:
    """Files done, characters per second and time left, on one line of standard error."""

    def __init__(self, files: int, size: int, stream: IO[str] = sys.stderr, every: float = 2.0):
        self.files, self.size, self.stream, self.every = files, size, stream, every
        self.done = self.failed = self.chars = self.bytes_done = 0
        self.started = time.perf_counter()
        self.shown = 0.0
        self.live = getattr(stream, "isatty", lambda: False)()

    def update(self, results: list[FileResult], size: int) -> None:
        self.done += len(results)
        self.failed += sum(1 for result in results if not result.ok)
        self.chars += sum(result.chars for result in results)
        self.bytes_done += size
        now = time.perf_counter()
        if now - self.shown >= (0.2 if self.live else self.every) or self.done == self.files:
            self.shown = now
            self.show(final=self.done == self.files)

    def line(self) -> str:
        elapsed = max(1e-9, time.perf_counter() - self.started)
        rate = self.chars / elapsed
        left = (self.size - self.bytes_done) * elapsed / self.bytes_done if self.bytes_done else None
        eta = "?" if left is None else time.strftime("%H:%M:%S", time.gmtime(left))
        failed = f", {self.failed} failed" if self.failed else ""
        return f"batch: {self.done}/{self.files} files{failed}, {rate:,.0f} chars/s, ETA {eta}"

    def show(self, final: bool = False) -> None:
        if self.live:
            self.stream.write("\r" + self.line() + ("\n" if final else ""))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()


@dataclass
class Recorder:
    """Writes each result's record file, then its manifest row."""

    folder: Path
    manifest: ManifestWriter
    summary: BatchSummary
    report: Callable[[str], None]  # one-line errors to the user
    outputs: dict[str, str] = field(default_factory=dict)  # source -> relative record path
    hashes: dict[str, str] = field(default_factory=dict)  # source -> sha256 of the bytes sent

    def record(self, result: FileResult) -> None:
        sha = self.hashes.get(result.source)
        if result.ok:
            output = self.outputs[result.source]
            with atomic_output(self.folder / output, sys.stdout, durable=True) as out:
                out.write(result.line)
            row = ManifestRow(result.source, sha, OK, None, result.entities, output, result.seconds)
            self.summary.ok += 1
            self.summary.chars += result.chars
        else:
            self.report(result.reason)
            row = ManifestRow(result.source, sha, ERROR, result.reason, None, None, result.seconds)
            self.summary.failed += 1
        self.summary.worker_seconds += result.seconds
        self.manifest.append(row)

    def fail(self, row: ManifestRow) -> None:
        self.report(row.reason)
        self.manifest.append(row)
        self.summary.failed += 1


def _tasks(bundle: list[BatchInput], recorder: Recorder) -> list[FileTask]:
    tasks = []
    for item in bundle:
        try:
            data = file_bytes(item.path)
        except InputError as err:
            recorder.fail(_error_row(item.source, str(err)))
            continue
        recorder.hashes[item.source] = sha256_of(data)
        recorder.outputs[item.source] = item.output
        tasks.append(FileTask(item.source, item.path.name, data))
    return tasks


def worker_model_path(model: str) -> str:
    """A model folder of this machine as an absolute path (workers may run elsewhere);
    a package name as it is."""
    path = Path(model)
    return str(path.resolve()) if path.exists() else model


def run(
    client,
    plan_: BatchPlan,
    folder: Path,
    model: str,
    recorder: Recorder,
    progress: Progress,
    lexicon_lines: tuple[str, ...] = (),
    lexicon_mode: str = "features",
) -> None:
    """Tag every planned input on the cluster behind ``client``, recording as results come."""
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info()["workers"]))
    groups = deque(bundles(plan_.todo, workers))
    in_flight = as_completed()
    sizes: dict = {}
    limit = workers * IN_FLIGHT_PER_WORKER

    def submit_next() -> bool:
        while groups:
            bundle = groups.popleft()
            tasks = _tasks(bundle, recorder)
            if not tasks:
                continue
            future = client.submit(tag_bundle, model, tasks, lexicon_lines, lexicon_mode, pure=False)
            sizes[future.key] = (sum(item.size for item in bundle), [task.source for task in tasks])
            in_flight.add(future)
            return True
        return False

    for _ in range(limit):
        if not submit_next():
            break
    for future in in_flight:
        size, sources = sizes.pop(future.key)
        try:
            results = future.result()
        except Exception as err:
            if isinstance(err, ModelError):
                raise BatchError(str(err)) from None
            # The worker died (KilledWorker after retries) or the bundle could not be sent:
            # its files fail, the rest goes on.
            reason = err.__class__.__name__ + (f": {str(err).splitlines()[0]}" if str(err).strip() else "")
            results = [FileResult(source, False, f"{source}: worker failed ({reason})", None, None, 0, 0.0) for source in sources]
        for result in results:
            recorder.record(result)
        progress.update(results, size)
        submit_next()


@contextmanager
def cluster_client(scheduler: str | None, workers: int) -> Iterator:
    """A client of the given scheduler, or of a local cluster on 127.0.0.1 (no dashboard)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise BatchError(f"{scheduler}: cannot reach the Dask scheduler ({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
            except TimeoutError:
                raise BatchError(f"{scheduler}: no Dask worker joined the scheduler within {WORKERS_TIMEOUT} s") from None
            yield client
        return
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        yield client


def run_batch(
    inputs: list[str],
    folder: Path,
    model: str,
    workers: int,
    scheduler: str | None,
    report: Callable[[str], None],
    progress_stream: IO[str] = sys.stderr,
    lexicon_lines: tuple[str, ...] = (),
    lexicon_mode: str = "features",
) -> BatchSummary:
    """Plan, skip what is done, tag the rest on the cluster; BatchError when it cannot run."""
    summary = BatchSummary()
    if scheduler is None:
        load_check(model)
    with batch_folder_lock(folder):
        remove_partial_outputs(folder)
        plan_ = plan(inputs, folder)
        summary.skipped = len(plan_.done)
        if plan_.done:
            progress_stream.write(f"batch: {len(plan_.done)} inputs already done ({MANIFEST_NAME}), {len(plan_.todo)} to tag\n")
        with ManifestWriter(folder / MANIFEST_NAME) as manifest:
            recorder = Recorder(folder, manifest, summary, report)
            for row in plan_.failed:
                recorder.fail(row)
            if not plan_.todo:
                return summary
            started = time.perf_counter()
            with cluster_client(scheduler, workers) as client:
                summary.workers = len(client.scheduler_info()["workers"])
                summary.startup_seconds = round(time.perf_counter() - started, 2)
                progress = Progress(len(plan_.todo), sum(item.size for item in plan_.todo), progress_stream)
                tagging = time.perf_counter()
                run(client, plan_, folder, worker_model_path(model), recorder, progress, lexicon_lines, lexicon_mode)
                summary.seconds = round(time.perf_counter() - tagging, 2)
    return summary


def remove_partial_outputs(folder: Path) -> None:
    """Temporary record files of a run that was killed mid-write (this run holds the lock)."""
    for partial in folder.rglob(".*.jsonl.*.part"):
        partial.unlink(missing_ok=True)


def load_check(model: str) -> None:
    """Fail before starting a cluster when the model is plainly absent here."""
    import spacy

    if not Path(model).exists() and not spacy.util.is_package(model):
        raise BatchError(f"{model}: no such model folder or installed pipeline package (train one with 'spacy project run all')")
