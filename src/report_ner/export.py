"""Output formats for tagged documents: JSONL, CSV, a self-contained HTML page, a table."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from spacy import displacy

from .tagging import TaggedDoc

LABEL_COLORS = {
    "LAW": "#f4a261",
    "ORG": "#8ecae6",
    "PERSON": "#e9c46a",
    "FIGURE": "#b7e4c7",
    "DATE": "#cdb4db",
}
ENTITY_MARK = re.compile(r'<mark class="entity"')
CSV_FIELDS = [
    "source", "label", "text", "start", "end", "score", "section", "section_number", "section_title",
    "norm_value", "norm_unit", "norm_approx", "norm_iso", "norm_canonical",
]


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: Path | None, stdout: IO[str], durable: bool = False) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    ``durable`` syncs the content to disk before the rename, for outputs that a manifest
    row will vouch for.
    """
    if path is None:
        yield stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False, newline=""
    )
    try:
        with handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        # The temporary file is private (0600); the output gets the mode any new file of the
        # user would get, or keeps the mode of the file it replaces.
        os.chmod(handle.name, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~current_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def jsonl_line(doc: TaggedDoc) -> str:
    return json.dumps(doc.to_dict(), ensure_ascii=False) + "\n"


def csv_rows(doc: TaggedDoc) -> Iterator[dict]:
    sections = {section["id"]: section for section in doc.sections}
    for entity in doc.entities:
        section = sections.get(entity.section, {})
        norm = entity.norm or {}
        yield {
            "source": doc.source,
            "label": entity.label,
            "text": entity.text,
            "start": entity.start,
            "end": entity.end,
            "score": "" if entity.score is None else entity.score,
            "section": entity.section,
            "section_number": section.get("number") or "",
            "section_title": section.get("title") or section.get("kind", ""),
            "norm_value": "" if norm.get("value") is None else norm["value"],
            "norm_unit": norm.get("unit") or "",
            "norm_approx": "" if "approx" not in norm else str(bool(norm["approx"])).lower(),
            "norm_iso": norm.get("iso") or "",
            "norm_canonical": norm.get("canonical") or "",
        }


def csv_writer(out: IO[str]) -> csv.DictWriter:
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    return writer


def section_table(doc: TaggedDoc) -> str:
    """Entity counts per section and label."""
    labels = list(LABEL_COLORS)
    counts: dict[str, Counter] = {section["id"]: Counter() for section in doc.sections}
    for entity in doc.entities:
        counts.setdefault(entity.section, Counter())[entity.label] += 1
    lines = [f"# {doc.source}: {len(doc.entities)} entities in {len(doc.sections)} sections"]
    lines.append(f"{'section':<8}" + "".join(f"{label:>8}" for label in labels) + "  title")
    for section in doc.sections:
        row = counts[section["id"]]
        indent = "  " * max(0, section["level"] - 1)
        title = section["title"] or f"({section['kind']})"
        if len(title) > 40:
            title = title[:39] + "…"
        lines.append(f"{section['id']:<8}" + "".join(f"{row[label]:>8}" for label in labels) + f"  {indent}{title}")
    total = Counter(entity.label for entity in doc.entities)
    lines.append(f"{'total':<8}" + "".join(f"{total[label]:>8}" for label in labels))
    return "\n".join(lines) + "\n"


def _marked_section(doc: TaggedDoc, start: int, end: int) -> str:
    """displaCy's entity markup of normalized text [start, end)."""
    assert doc.normalized is not None
    ents, hovers = [], []
    for entity in doc.entities:
        norm_start = doc.normalized.normalized_offset(entity.start) - start
        norm_end = norm_start + len(entity.text)
        if 0 <= norm_start and norm_end <= end - start:
            ents.append({"start": norm_start, "end": norm_end, "label": entity.label})
            score = "" if entity.score is None else f" {entity.score:.3f}"
            hovers.append(html.escape(f"{entity.label}{score} [{entity.start}:{entity.end}]", quote=True))
    markup = displacy.render(
        {"text": doc.normalized.text[start:end], "ents": ents, "title": None},
        style="ent",
        manual=True,
        jupyter=False,
        options={"colors": LABEL_COLORS},
    )
    # displaCy writes one <mark class="entity" …> per entity, in order: give each a hover title.
    titles = iter(hovers)
    return ENTITY_MARK.sub(lambda match: f'<mark title="{next(titles, "")}" class="entity"', markup)


def html_document(doc: TaggedDoc) -> str:
    """One document: each section's heading, then its own text with entities marked."""
    assert doc.outline is not None
    parts = [f"<article><h2>{html.escape(doc.source)}</h2>"]
    sections = list(doc.outline)
    for index, section in enumerate(sections):
        following = sections[index + 1].norm_start if index + 1 < len(sections) else len(doc.normalized.text)
        body_end = min(section.norm_end, following)
        level = min(6, section.level + 2)
        title = section.title or {"preamble": "（导语）", "other": "（其他文章）"}.get(section.kind, "")
        if section.kind in ("part", "section"):
            body_start = min(body_end, section.norm_start + len(section.title))
        else:
            body_start = section.norm_start
        parts.append(f'<h{level} id="{html.escape(doc.source)}-{section.id}">{html.escape(title)}</h{level}>')
        if doc.normalized.text[body_start:body_end].strip():
            parts.append(_marked_section(doc, body_start, body_end))
    parts.append("</article>")
    return "\n".join(parts)


def html_page_start() -> str:
    legend = " ".join(
        f'<mark style="background: {color}; padding: 0.2em 0.5em; border-radius: 0.3em;">{label}</mark>'
        for label, color in LABEL_COLORS.items()
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>report-ner</title>"
        "<style>body{font-family:-apple-system,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
        "max-width:60em;margin:2em auto;line-height:1.9;padding:0 1em}"
        "article{border-top:2px solid #ccc;margin-top:2em}.legend{position:sticky;top:0;background:#fff;padding:0.5em 0}"
        "</style></head><body>\n"
        f'<div class="legend">{legend}</div>\n'
    )


def html_page_end() -> str:
    return "</body></html>\n"


def write_stream(out: IO[str], docs: Iterator[TaggedDoc], output_format: str) -> int:
    """Write every tagged document in ``output_format``; returns the number written."""
    written = 0
    writer = csv_writer(out) if output_format == "csv" else None
    if output_format == "html":
        out.write(html_page_start())
    for doc in docs:
        if output_format == "jsonl":
            out.write(jsonl_line(doc))
        elif output_format == "csv":
            for row in csv_rows(doc):
                writer.writerow(row)
        elif output_format == "html":
            out.write(html_document(doc) + "\n")
        else:
            out.write(section_table(doc))
        out.flush()
        written += 1
    if output_format == "html":
        out.write(html_page_end())
    return written


def render(docs: list[TaggedDoc], output_format: str) -> str:
    """All documents in one string (for tests and small API calls)."""
    buffer = io.StringIO()
    write_stream(buffer, iter(docs), output_format)
    return buffer.getvalue()
