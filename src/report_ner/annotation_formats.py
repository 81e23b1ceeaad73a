"""Exchange with annotation tools: doccano JSONL and Label Studio tasks out, their corrected
exports back in as corpus records.

Offsets are characters of the record's text (the normalized text, as in the corpus). Our
record id and meta travel in the exported items (``record_id``, ``record_meta``; both tools
keep unknown fields), so an import gives back the records that were exported, corrected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Optional

from .corpus import read_jsonl
from .text import normalize

LS_FROM_NAME, LS_TO_NAME = "label", "text"
TOOLS = ("doccano", "labelstudio")
# (line, record, error): one item of an export, read as a corpus record or rejected.
Item = tuple[int, Optional[dict], Optional[str]]


def document_confidence(spans: list[dict]) -> float:
    """How sure the model is of a document: the mean score of its entities (1.0 when nothing
    was scored). The mean, not the minimum: a long report always holds some doubtful entity,
    while the share of doubtful ones says how much a person will have to correct."""
    scores = [span["score"] for span in spans if span.get("score") is not None]
    return round(sum(scores) / len(scores), 4) if scores else 1.0


def doccano_line(record: dict) -> str:
    """A doccano sequence-labeling line: ``{"text", "label": [[start, end, LABEL], ...]}``."""
    item = {
        "text": record["text"],
        "label": [[span["start"], span["end"], span["label"]] for span in record["spans"]],
        "record_id": record["id"],
        "record_meta": record.get("meta", {}),
    }
    return json.dumps(item, ensure_ascii=False) + "\n"


def labelstudio_task(record: dict, model_version: str) -> dict:
    """A Label Studio task whose ``predictions`` carry the spans (and their scores) for review."""
    text = record["text"]
    results = []
    for index, span in enumerate(record["spans"]):
        result = {
            "id": f"{record['id']}-{index}",
            "from_name": LS_FROM_NAME,
            "to_name": LS_TO_NAME,
            "type": "labels",
            "value": {"start": span["start"], "end": span["end"], "text": text[span["start"] : span["end"]], "labels": [span["label"]]},
        }
        if span.get("score") is not None:
            result["score"] = span["score"]
        results.append(result)
    return {
        "data": {"text": text, "record_id": record["id"], "record_meta": record.get("meta", {})},
        "predictions": [{"model_version": model_version, "score": document_confidence(record["spans"]), "result": results}],
    }


def labelstudio_config(labels: tuple[str, ...]) -> str:
    """The labeling config whose names (``label`` on ``text``) the tasks use."""
    choices = "".join(f'<Label value="{label}"/>' for label in labels)
    return f'<View><Labels name="{LS_FROM_NAME}" toName="{LS_TO_NAME}">{choices}</Labels><Text name="{LS_TO_NAME}" value="$text"/></View>'


def _record(text: object, spans: list[dict], record_id: object, meta: object, tool: str, path: Path) -> dict:
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta.update({"source": "imported", "imported_from": f"{tool}:{path.name}"})
    return {"id": str(record_id), "text": text, "spans": sorted(spans, key=lambda s: (s["start"], s["end"])), "meta": meta}


def _doccano_spans(item: dict) -> tuple[list[dict], Optional[str]]:
    if "entities" in item:  # doccano's export of projects with relations
        entities = item["entities"]
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            return [], "'entities' is not a list of objects"
        triples = [[e.get("start_offset"), e.get("end_offset"), e.get("label")] for e in entities]
    else:
        triples = item.get("label", item.get("labels", []))
    if not isinstance(triples, list) or not all(isinstance(t, list) and len(t) == 3 for t in triples):
        return [], "'label' is not a list of [start, end, LABEL]"
    bad = next((t for t in triples if not (isinstance(t[0], int) and isinstance(t[1], int))), None)
    if bad is not None:
        return [], f"span {bad!r} needs whole-number start and end offsets"
    return [{"start": start, "end": end, "label": label} for start, end, label in triples], None


def read_doccano(path: Path) -> Iterator[Item]:
    """The records of a doccano JSONL export (``label`` triples or ``entities`` objects)."""
    for line, item, error in read_jsonl(path, encoding="utf-8-sig"):  # doccano may write a BOM
        if error:
            yield line, None, error
            continue
        if not isinstance(item.get("text"), str):
            yield line, None, "not a doccano item (an object with 'text')"
            continue
        spans, error = _doccano_spans(item)
        if error:
            yield line, None, error
            continue
        record_id = item.get("record_id") or f"{path.stem}-{line}"
        yield line, _record(item["text"], spans, record_id, item.get("record_meta"), "doccano", path), None


class _ArrayError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _json_array(text: str) -> Iterator[tuple[int, object]]:
    """(line, item) of each item of a JSON array, the line being where the item starts."""
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip())
    if not text.startswith("[", position):
        raise _ArrayError(text.count("\n", 0, position) + 1, "expected a JSON list of tasks (Label Studio's JSON export)")
    position += 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            raise _ArrayError(text.count("\n") + 1, "the list of tasks is not closed")
        if text[position] == "]":
            return
        line = text.count("\n", 0, position) + 1
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as err:
            raise _ArrayError(err.lineno, f"not valid JSON ({err.msg} at column {err.colno})") from None
        yield line, item


def _utf16_to_chars(text: str, offset: int) -> int:
    """A JavaScript (UTF-16) offset as a character offset: characters beyond U+FFFF take two units."""
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _labelstudio_span(text: str, value: dict) -> tuple[Optional[dict], Optional[str]]:
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1:
        return None, f"a region needs exactly one label, has {labels!r}"
    if not (isinstance(start, int) and isinstance(end, int)):
        return None, f"a region's start and end must be numbers (text offsets): {value!r}"
    surface = value.get("text")
    if isinstance(surface, str) and text[start:end] != surface:
        # Some Label Studio versions count JavaScript string units, not characters.
        start16, end16 = _utf16_to_chars(text, start), _utf16_to_chars(text, end)
        if text[start16:end16] != surface:
            return None, f"region {surface!r} at {start}:{end} does not match the text there ({text[start:end]!r})"
        start, end = start16, end16
    return {"start": start, "end": end, "label": labels[0]}, None


def _latest_annotation(task: dict) -> Optional[dict]:
    submitted = [
        (annotation.get("updated_at") or annotation.get("created_at") or "", index, annotation)
        for index, annotation in enumerate(task.get("annotations") or [])
        if isinstance(annotation, dict) and not annotation.get("was_cancelled")
    ]
    return max(submitted, key=lambda entry: entry[:2])[2] if submitted else None


def read_labelstudio(path: Path) -> Iterator[Item]:
    """The records of a Label Studio JSON export: each task's latest submitted annotation."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        for line, task in _json_array(text):
            yield _labelstudio_item(line, task, path)
    except _ArrayError as err:
        yield err.line, None, str(err)


def _labelstudio_item(line: int, task: object, path: Path) -> Item:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return line, None, "not a Label Studio text task (no data.text)"
    annotation = _latest_annotation(task)
    if annotation is None:
        return line, None, "the task has no submitted annotation (nobody corrected it); not imported"
    spans = []
    for result in annotation.get("result") or []:
        if not isinstance(result, dict) or result.get("type") != "labels":
            continue  # relations, choices, text areas: not entities
        span, error = _labelstudio_span(data["text"], result.get("value") or {})
        if error:
            return line, None, error
        spans.append(span)
    record_id = data.get("record_id") or f"{path.stem}-{task.get('id', line)}"
    return line, _record(data["text"], spans, record_id, data.get("record_meta"), "labelstudio", path), None


def read_export(path: Path, tool: str) -> Iterator[Item]:
    """The items of a doccano or Label Studio export, each a corpus record or an error."""
    if tool not in TOOLS:
        raise ValueError(f"unknown annotation tool {tool!r}: expected one of {', '.join(TOOLS)}")
    return read_doccano(path) if tool == "doccano" else read_labelstudio(path)


def text_problem(text: str) -> Optional[str]:
    """Why a record's text cannot be a corpus text (offsets are on the normalized text), or None."""
    normalized = normalize(text).text
    if normalized == text:
        return None
    at = next((i for i, (a, b) in enumerate(zip(normalized, text)) if a != b), min(len(normalized), len(text)))
    return f"the text is not normalized (corpus convention) at character {at}: {text[at:at + 12]!r}; export with 'report-ner annotate'"
