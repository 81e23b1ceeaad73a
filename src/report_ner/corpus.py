"""Annotated corpus: inline markup, JSONL records and their validation.

Authoring format (``corpus/written/*.txt``): the first line is ``# meta: {json}`` with at
least ``id`` and ``genre``; every further line is one paragraph of normalized text in which
entities are written as ``[[surface|LABEL]]``. The committed corpus is JSONL (``id``,
``text``, ``spans``, ``meta``), built from the markup by ``scripts/build_corpus.py``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

LABELS = ("LAW", "ORG", "PERSON", "FIGURE", "DATE")
MARKUP = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Z]+)\]\]")
META_PREFIX = "# meta:"
# Characters a span may not start or end with (ANNOTATION.md: no whitespace, punctuation,
# book-title marks or quotes at the edges).
EDGE_FORBIDDEN = set(" \t\r\n\u3000《》〈〉“”‘’\"'「」『』（）()【】[]，。、；：！？,.;:!?—…·-")


@dataclass(frozen=True)
class Problem:
    """One validation finding, reported as ``file:line: message``."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "review"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def parse_markup(line: str) -> tuple[str, list[dict]]:
    """Strip ``[[surface|LABEL]]`` markup, returning plain text and its spans."""
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    length = 0
    for match in MARKUP.finditer(line):
        before = line[pos : match.start()]
        out.append(before)
        length += len(before)
        surface, label = match.group(1), match.group(2)
        spans.append({"start": length, "end": length + len(surface), "label": label})
        out.append(surface)
        length += len(surface)
        pos = match.end()
    out.append(line[pos:])
    return "".join(out), spans


def read_markup_file(path: Path) -> tuple[dict, str, list[dict], list[Problem]]:
    """Read one authored report: (meta, text, spans, problems)."""
    problems: list[Problem] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    meta: dict = {}
    body_start = 0
    if lines and lines[0].startswith(META_PREFIX):
        try:
            meta = json.loads(lines[0][len(META_PREFIX) :])
        except json.JSONDecodeError as err:
            problems.append(Problem(str(path), 1, f"meta line is not JSON: {err.msg}"))
        body_start = 1
    else:
        problems.append(Problem(str(path), 1, "first line must be '# meta: {...}'"))
    paragraphs: list[str] = []
    spans: list[dict] = []
    offset = 0
    for lineno, raw in enumerate(lines[body_start:], start=body_start + 1):
        raw = raw.strip()
        if not raw:
            continue
        leftover = MARKUP.sub("", raw)
        if "[[" in leftover or "]]" in leftover:
            problems.append(Problem(str(path), lineno, "unbalanced or malformed [[...|LABEL]] markup"))
        plain, line_spans = parse_markup(raw)
        for span in line_spans:
            spans.append({**span, "start": span["start"] + offset, "end": span["end"] + offset})
        paragraphs.append(plain)
        offset += len(plain) + 1
    text = "\n".join(paragraphs)
    return meta, text, spans, problems


def check_record(record: dict, where: str, line: int, *, markup: bool = False) -> list[Problem]:
    """Checks that need only one record: labels, ranges, overlaps and span edges.

    With ``markup``, a span's finding names the line of its paragraph in the markup file
    (the meta line, then one paragraph a line) instead of ``line``.
    """
    problems: list[Problem] = []
    text = record.get("text")
    if not isinstance(text, str) or not text:
        return [Problem(where, line, "record has no text")]
    if not isinstance(record.get("id"), str):
        problems.append(Problem(where, line, "record has no string id"))
    previous_end = -1
    for span in sorted(record.get("spans", []), key=lambda s: (s.get("start", -1), s.get("end", -1))):
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        shown = text[start:end] if isinstance(start, int) and isinstance(end, int) else "?"
        if markup and isinstance(start, int):
            line = text.count("\n", 0, start) + 2
        if label not in LABELS:
            problems.append(Problem(where, line, f"unknown label {label!r} on {shown!r}"))
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(Problem(where, line, f"span out of range: {span}"))
            continue
        if start < previous_end:
            problems.append(Problem(where, line, f"overlapping span {shown!r} at {start}"))
        previous_end = max(previous_end, end)
        if text[start] in EDGE_FORBIDDEN or text[end - 1] in EDGE_FORBIDDEN:
            problems.append(Problem(where, line, f"span {shown!r} at {start} has whitespace or punctuation at an edge"))
        if "\n" in shown:
            problems.append(Problem(where, line, f"span {shown!r} at {start} crosses a paragraph"))
    return problems


def read_jsonl(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, dict | None, str | None]]:
    """Yield (line number, record, error) for each non-blank line of a JSONL file."""
    with path.open(encoding=encoding) as handle:
        for lineno, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as err:
                yield lineno, None, f"not valid JSON ({err.msg} at column {err.colno})"
                continue
            if not isinstance(record, dict):
                yield lineno, None, "line is not a JSON object"
                continue
            yield lineno, record, None


def load_exceptions(path: Path | None) -> set[str]:
    """Surface strings whose mixed labelling is intentional (one per line, '#' comments)."""
    if path is None or not path.exists():
        return set()
    entries = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if entry:
            entries.add(entry)
    return entries


def _occurrences(text: str, needle: str) -> Iterable[int]:
    start = text.find(needle)
    while start != -1:
        yield start
        start = text.find(needle, start + 1)


def check_consistency(
    records: list[tuple[str, int, dict]], exceptions: set[str], *, markup: bool = False
) -> list[Problem]:
    """Same surface labelled differently, or left unlabelled elsewhere, across the corpus.

    An unlabelled occurrence counts only where it is not inside another span, so that
    常委会 inside [全国人大常委会] is not flagged.
    """
    labels_of: dict[str, set[str]] = defaultdict(set)
    first_seen: dict[str, tuple[str, int]] = {}
    for where, line, record in records:
        for span in record.get("spans", []):
            surface = record["text"][span["start"] : span["end"]]
            labels_of[surface].add(span["label"])
            first_seen.setdefault(surface, (where, line))
    problems: list[Problem] = []
    for surface, labels in sorted(labels_of.items()):
        if len(labels) > 1 and surface not in exceptions:
            where, line = first_seen[surface]
            problems.append(
                Problem(where, line, f"{surface!r} is labelled {sorted(labels)} in different places", "review")
            )
    for where, line, record in records:
        text = record["text"]
        covered = bytearray(len(text))
        for span in record.get("spans", []):
            covered[span["start"] : span["end"]] = b"\x01" * (span["end"] - span["start"])
        for surface in labels_of:
            if len(surface) < 2 or surface in exceptions:
                continue
            for start in _occurrences(text, surface):
                if not any(covered[start : start + len(surface)]):
                    at_line = text.count("\n", 0, start) + 2 if markup else line
                    problems.append(
                        Problem(where, at_line, f"{surface!r} at {start} is unlabelled here but labelled elsewhere", "review")
                    )
                    break
    return problems


def coverage(records: Iterable[dict]) -> dict[str, int]:
    """Distinct surface strings per label, plus total characters."""
    distinct: dict[str, set[str]] = defaultdict(set)
    chars = 0
    for record in records:
        chars += len(record["text"])
        for span in record.get("spans", []):
            distinct[span["label"]].add(record["text"][span["start"] : span["end"]])
    result = {label: len(distinct[label]) for label in LABELS}
    result["chars"] = chars
    return result


def to_markup(text: str, spans: Iterable[dict]) -> list[str]:
    """Inline ``[[surface|LABEL]]`` markup of ``text``, one paragraph a line (the inverse of
    ``read_markup_file``'s body)."""
    out: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < cursor:
            continue  # overlapping spans cannot be written inline; the validator reports them
        out.append(text[cursor : span["start"]])
        out.append(f"[[{text[span['start']:span['end']]}|{span['label']}]]")
        cursor = span["end"]
    out.append(text[cursor:])
    return "".join(out).split("\n")


def check_shared_source(meta: dict, text: str, shared_dir: Path, where: str) -> list[Problem]:
    """A record annotated on a report in ``shared/`` must carry exactly the normalized text
    of that file (``meta["shared"]``, relative to ``shared_dir``), or its offsets would drift."""
    from .text import normalize

    relative = meta.get("shared")
    if not relative:
        return []
    source = shared_dir / relative
    if not source.is_file():
        return [Problem(where, 1, f"source report {source} is missing (the shared folder must stand beside the project)")]
    expected = normalize(source.read_text(encoding="utf-8")).text
    if expected == text:
        return []
    at = next((i for i, (a, b) in enumerate(zip(expected, text)) if a != b), min(len(expected), len(text)))
    # Line numbers of the markup file: the meta line, then one paragraph a line.
    line = text.count("\n", 0, at) + 2
    return [Problem(where, line, f"text differs from normalize({relative}) at character {at}: {text[at:at + 20]!r}, expected {expected[at:at + 20]!r}")]
