"""The manifest of a batch folder: one JSON row per input tried, appended durably.

Each row is written, flushed and synced before the next input is counted as done, so the
manifest survives a ``kill -9`` or a power cut with at most its last line torn; reading
skips a torn line and appending first cuts it off. A later row for the same path overrides
an earlier one (a rerun retries the inputs that failed or changed).
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

MANIFEST_NAME = "manifest.jsonl"
LOCK_NAME = ".batch.lock"
OK, ERROR = "ok", "error"


class BatchFolderBusy(Exception):
    """Another batch run is writing to the same folder."""


@dataclass(frozen=True)
class ManifestRow:
    path: str  # the input as named on the command line (the record's "source")
    sha256: str | None  # of the input's bytes; None when they could not be read
    status: str  # "ok" or "error"
    reason: str | None  # the one-line error, for status "error"
    entities: int | None
    output: str | None  # the record's file, relative to the batch folder
    seconds: float  # time to read, tag and serialize the input on its worker

    @classmethod
    def from_dict(cls, row: dict) -> "ManifestRow":
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})


def read_rows(path: Path) -> list[ManifestRow]:
    """Every complete row of a manifest (none when it does not exist yet)."""
    if not path.exists():
        return []
    rows = []
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break  # torn by a crash mid-write
            try:
                rows.append(ManifestRow.from_dict(json.loads(line)))
            except (ValueError, TypeError):
                continue
    return rows


def latest_rows(rows: Iterable[ManifestRow]) -> dict[str, ManifestRow]:
    """The last row of each path."""
    latest: dict[str, ManifestRow] = {}
    for row in rows:
        latest[row.path] = row
    return latest


def _cut_torn_tail(path: Path) -> None:
    """Truncate after the last newline, so that the next row starts a line of its own."""
    with path.open("r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        position = size
        while position > 0:
            step = min(65536, position)
            handle.seek(position - step)
            block = handle.read(step)
            newline = block.rfind(b"\n")
            if newline != -1:
                handle.truncate(position - step + newline + 1)
                return
            position -= step
        handle.truncate(0)


class ManifestWriter:
    """Appends rows to a manifest, each one synced to disk before ``append`` returns."""

    def __init__(self, path: Path):
        self.path = path
        if path.exists():
            _cut_torn_tail(path)
        self._handle: IO[str] = path.open("a", encoding="utf-8", newline="\n")

    def append(self, row: ManifestRow) -> None:
        self._handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "ManifestWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def batch_folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder for one run; the lock goes with the process, even on ``kill -9``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchFolderBusy(f"{folder}: another batch run is writing to this folder") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
