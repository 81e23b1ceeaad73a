"""From tagged documents to rows an analyst can count and join: one row per report and item."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from .corpus import LABELS
from .tagging import TaggedDoc
from .text import SENTENCE_ENDS

SENTENCE_END = SENTENCE_ENDS + "\n"
BY_LABEL = {"law": "LAW", "org": "ORG", "person": "PERSON"}


def section_paths(doc: TaggedDoc) -> dict[str, str]:
    """Section id → a readable path such as '过去一年的工作 / 二 / （一）'."""
    by_id = {section["id"]: section for section in doc.sections}
    paths = {}
    for section in doc.sections:
        names = []
        current = section
        while current is not None:
            if current["kind"] == "part" or current["level"] == 0:
                names.append(current["title"] or current["kind"])
            else:
                names.append(current["number"] or current["title"])
            current = by_id.get(current["parent"]) if current["parent"] else None
        paths[section["id"]] = " / ".join(reversed(names))
    return paths


def sentence_around(doc: TaggedDoc, start: int, end: int) -> str:
    """The sentence (in normalized text) that holds the input span [start, end)."""
    normalized = doc.normalized
    if normalized is None:
        return ""
    text = normalized.text
    norm_start = normalized.normalized_offset(start)
    norm_end = normalized.normalized_offset(max(start, end - 1)) + 1
    left = max(text.rfind(mark, 0, norm_start) for mark in SENTENCE_END) + 1
    right_candidates = [i for i in (text.find(mark, norm_end) for mark in SENTENCE_END) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left:right].strip()


def name_rows(docs: list[TaggedDoc], label: str) -> Iterator[dict]:
    """Each canonical name of ``label`` per report: mention count and the sections it is in."""
    for doc in docs:
        paths = section_paths(doc)
        mentions: Counter = Counter()
        sections: dict[str, list[str]] = defaultdict(list)
        for entity in doc.entities:
            if entity.label != label:
                continue
            name = (entity.norm or {}).get("canonical") or entity.text
            mentions[name] += 1
            if entity.section not in sections[name]:
                sections[name].append(entity.section)
        for name, count in sorted(mentions.items(), key=lambda item: (-item[1], item[0])):
            yield {
                "source": doc.source,
                "name": name,
                "mentions": count,
                "sections": [paths.get(s, s) for s in sections[name]],
                "section_ids": sections[name],
            }


def figure_rows(docs: list[TaggedDoc]) -> Iterator[dict]:
    """Every figure with its value, unit, sentence and section."""
    for doc in docs:
        paths = section_paths(doc)
        for entity in doc.entities:
            if entity.label != "FIGURE":
                continue
            norm = entity.norm or {}
            yield {
                "source": doc.source,
                "text": entity.text,
                "value": norm.get("value"),
                "unit": norm.get("unit"),
                "approx": norm.get("approx"),
                "start": entity.start,
                "end": entity.end,
                "section": paths.get(entity.section, entity.section),
                "section_id": entity.section,
                "sentence": sentence_around(doc, entity.start, entity.end),
            }


def section_rows(docs: list[TaggedDoc]) -> Iterator[dict]:
    """Entity counts by label for every section."""
    for doc in docs:
        paths = section_paths(doc)
        counts: dict[str, Counter] = defaultdict(Counter)
        for entity in doc.entities:
            counts[entity.section][entity.label] += 1
        for section in doc.sections:
            row = {"source": doc.source, "section_id": section["id"], "section": paths[section["id"]],
                   "title": section["title"]}
            row.update({label: counts[section["id"]][label] for label in LABELS})
            yield row


def rows_for(docs: list[TaggedDoc], by: str) -> list[dict]:
    if by in BY_LABEL:
        return list(name_rows(docs, BY_LABEL[by]))
    if by == "figure":
        return list(figure_rows(docs))
    if by == "section":
        return list(section_rows(docs))
    raise ValueError(f"unknown grouping {by!r}")
