"""Tagged documents read back from their JSONL records, without tagging again.

Records come from a batch folder (its manifest names the record file of every input done)
or from files that ``report-ner tag --format jsonl`` wrote. A record holds the entities and
sections but not the text; what needs the text (the sentence around a figure) reads the
input again when it is still there, unchanged.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .inputs import InputError, read_path
from .manifest import MANIFEST_NAME, OK, latest_rows, read_rows
from .tagging import Entity, TaggedDoc
from .text import normalize

ENTITY_FIELDS = {item.name for item in fields(Entity)}


class RecordError(Exception):
    """A record file or batch folder that cannot be read; one line naming it."""


def tagged_doc(record: dict) -> TaggedDoc:
    """The TaggedDoc a record was written from, less its text."""
    try:
        entities = [Entity(**{k: v for k, v in entity.items() if k in ENTITY_FIELDS}) for entity in record["entities"]]
        return TaggedDoc(
            source=record["source"],
            encoding=record["encoding"],
            length=record["length"],
            sections=record["sections"],
            entities=entities,
        )
    except (KeyError, TypeError) as err:
        raise ValueError(f"not a tagged record ({type(err).__name__}: {err})") from None


def with_text(doc: TaggedDoc, report: Callable[[str], None]) -> TaggedDoc:
    """The document with its normalized text, read again from its source when unchanged."""
    try:
        text = read_path(Path(doc.source)).text
    except InputError as err:
        report(f"{err} (figure sentences left empty)")
        return doc
    if len(text) != doc.length:
        report(f"{doc.source}: changed since it was tagged (figure sentences left empty)")
        return doc
    doc.normalized = normalize(text)
    return doc


def _records_of_file(path: Path) -> Iterator[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RecordError(f"{path}: no such record file") from None
    except OSError as err:
        raise RecordError(f"{path}: cannot read ({err.strerror})") from None
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8, not a JSONL record file") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise RecordError(f"{path}:{number}: not a JSON line") from None
        if not isinstance(record, dict):
            raise RecordError(f"{path}:{number}: not a tagged record (a JSON object is expected)")
        yield record


def record_files(path: Path) -> list[Path]:
    """A batch folder's record files (its inputs' latest ok rows, in path order), or the file itself."""
    if path.is_file():
        return [path]
    manifest = path / MANIFEST_NAME
    if not path.is_dir():
        raise RecordError(f"{path}: no such file or folder")
    if not manifest.is_file():
        raise RecordError(f"{path}: not a batch folder (no {MANIFEST_NAME}); give it or JSONL files")
    rows = [row for row in latest_rows(read_rows(manifest)).values() if row.status == OK and row.output]
    return [path / row.output for row in sorted(rows, key=lambda row: Path(row.path))]


def read_tagged(
    paths: Iterable[Path], report: Callable[[str], None], need_text: bool = False
) -> Iterator[TaggedDoc | RecordError]:
    """Every record of the given batch folders and JSONL files, as TaggedDocs; a file or
    folder that cannot be read gives its RecordError and the others go on."""
    for path in paths:
        try:
            files = record_files(path)
        except RecordError as err:
            yield err
            continue
        for file in files:
            try:
                docs = [tagged_doc_at(file, number, record) for number, record in enumerate(_records_of_file(file), 1)]
            except RecordError as err:
                yield err
                continue
            for doc in docs:
                yield with_text(doc, report) if need_text else doc


def tagged_doc_at(file: Path, number: int, record: dict) -> TaggedDoc:
    try:
        return tagged_doc(record)
    except ValueError as err:
        raise RecordError(f"{file}:{number}: {err}") from None
