"""The benchmark's inputs: the shared reports, concatenated and cut to a size in UTF-8 bytes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Sequence

from ..inputs import read_path

SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2}


def report_texts(reports_dir: Path) -> dict[str, str]:
    """Every ``*.txt`` under ``reports_dir`` (recursively, sorted), decoded as ``report-ner tag``
    decodes it, keyed by its path relative to the folder; a text already seen under another
    name is left out, so no report weighs twice."""
    texts: dict[str, str] = {}
    seen = set()
    for path in sorted(reports_dir.rglob("*.txt")):
        text = read_path(path).text
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        if digest not in seen:
            seen.add(digest)
            texts[path.relative_to(reports_dir).as_posix()] = text
    return texts


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


def parse_sizes(spec: str) -> list[tuple[str, int]]:
    """"10k,100k,1m" → [("10k", 10000), ...]; sizes are decimal (1m = 1,000,000 bytes)."""
    sizes = []
    for item in (part.strip().lower() for part in spec.split(",") if part.strip()):
        sizes.append((item, parse_size(item)))
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def parse_size(item: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([km]?)b?", item.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"size {item!r}: expected a positive number with k or m, e.g. 10k or 1m")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2)])


def size_title(n_bytes: int) -> str:
    if n_bytes >= 1000**2:
        return f"{n_bytes / 1000**2:g} MB"
    if n_bytes >= 1000:
        return f"{n_bytes / 1000:g} KB"
    return f"{n_bytes} B"
