"""The report's section tree: preamble, parts, numbered sections, sub-items, other blocks.

Built from normalized text (one paragraph a line); every section's ``start``/``end`` are
indices into the ORIGINAL input, ``start`` being its heading's first character.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass

from .text import (
    NUMBERED_HEADING,
    SUB_ITEM_HEADING,
    TERMINAL_PUNCT,
    NormalizedText,
    heading_kind,
)

LEVELS = {"preamble": 0, "other": 0, "part": 1, "section": 2, "item": 3}
CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
HEADLINE_MAX_CHARS = 120


@dataclass
class Section:
    id: str
    level: int
    kind: str  # preamble | part | section | item | other
    number: str | None
    title: str
    start: int  # original offsets
    end: int
    parent: str | None
    norm_start: int = 0  # normalized offsets, for linking inside the pipeline
    norm_end: int = 0

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["norm_start"], data["norm_end"]
        return data


def chinese_ordinal(number: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (section numbers only go this far)."""
    digits = number.strip("（）()")
    if "十" not in digits:
        return CHINESE_DIGITS.get(digits, 0)
    tens, _, units = digits.partition("十")
    return (CHINESE_DIGITS.get(tens, 0) if tens else 1) * 10 + (CHINESE_DIGITS.get(units, 0) if units else 0)


def _heading_title(paragraph: str, kind: str) -> str:
    if kind == "part":
        return paragraph
    # 政府工作报告 sub-items run on into their body: the heading ends at the first 。.
    head, _, _ = paragraph.partition("。")
    return head


def _is_headline(paragraph: str) -> bool:
    """A newspaper headline: short, and no sentence ends in it."""
    return (
        len(paragraph) <= HEADLINE_MAX_CHARS
        and paragraph[-1] not in TERMINAL_PUNCT and paragraph[-1] not in "）)"
        and not any(mark in paragraph for mark in "。！？")
    )


def _paragraphs(text: str) -> list[tuple[int, str]]:
    result = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph:
            result.append((offset, paragraph))
        offset += len(paragraph) + 1
    return result


class Outline:
    """Sections in document order, with a lookup from original offsets to sections."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self._starts = [section.start for section in sections]
        self._norm_starts = [section.norm_start for section in sections]
        self._by_id = {section.id: section for section in sections}

    def __iter__(self):
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def __getitem__(self, section_id: str) -> Section:
        return self._by_id[section_id]

    def section_at(self, original_offset: int) -> Section | None:
        """The innermost section containing an original offset."""
        return self._innermost(self._starts, original_offset, "start", "end")

    def section_at_normalized(self, norm_offset: int) -> Section | None:
        """The innermost section containing a normalized offset."""
        return self._innermost(self._norm_starts, norm_offset, "norm_start", "norm_end")

    def _innermost(self, starts: list[int], offset: int, start_attr: str, end_attr: str) -> Section | None:
        # Sections are nested and in document order, so the last one that starts at or
        # before the offset and still contains it is the innermost.
        index = bisect_right(starts, offset) - 1
        while index >= 0:
            section = self.sections[index]
            if getattr(section, start_attr) <= offset < getattr(section, end_attr):
                return section
            index -= 1
        return self.sections[0] if self.sections else None

    def to_list(self) -> list[dict]:
        return [section.to_dict() for section in self.sections]


def build_outline(normalized: NormalizedText) -> Outline:
    """Find the headings of a normalized report and nest them into a section tree."""
    paragraphs = _paragraphs(normalized.text)
    openings: list[tuple[int, str, str | None, str]] = []  # (norm start, kind, number, title)
    seen_heading = False
    after_report = False
    expected = {"section": 1, "item": 1}
    for start, paragraph in paragraphs:
        if start in normalized.block_starts:
            openings.append((start, "other", None, paragraph[:HEADLINE_MAX_CHARS]))
            after_report = True
            continue
        if after_report:
            if _is_headline(paragraph):
                openings.append((start, "other", None, paragraph))
            continue
        kind = heading_kind(paragraph)
        if kind == "part":
            openings.append((start, "part", None, paragraph))
            expected = {"section": 1, "item": 1}
            seen_heading = True
            continue
        if kind in ("section", "item"):
            pattern = NUMBERED_HEADING if kind == "section" else SUB_ITEM_HEADING
            number = pattern.match(paragraph).group("number")
            value = chinese_ordinal(number)
            if value == expected[kind] or (value == 1 and kind == "section"):
                openings.append((start, kind, number, _heading_title(paragraph, kind)))
                expected[kind] = value + 1
                if kind == "section":
                    expected["item"] = 1
                seen_heading = True
                continue
        if seen_heading and _is_headline(paragraph):
            openings.append((start, "other", None, paragraph))
            after_report = True
    return _nest(normalized, openings)


def _nest(normalized: NormalizedText, openings: list[tuple[int, str, str | None, str]]) -> Outline:
    text_end = len(normalized.text)
    original_end = len(normalized.original)
    sections: list[Section] = []
    if not openings or openings[0][0] > 0:
        first = openings[0][0] if openings else text_end
        sections.append(Section("s0", 0, "preamble", None, "", 0, 0, None, 0, first))
    stack: list[Section] = []
    for norm_start, kind, number, title in openings:
        level = LEVELS[kind]
        while stack and (stack[-1].level >= level or level == 0):
            stack.pop()
        parent = stack[-1].id if stack and level > 0 else None
        section = Section(f"s{len(sections)}", level, kind, number, title, 0, 0, parent, norm_start, text_end)
        sections.append(section)
        if level > 0:
            stack.append(section)
    # A section ends where the next section at its level or above begins.
    for index, section in enumerate(sections):
        for later in sections[index + 1 :]:
            if later.level <= section.level or later.level == 0 or section.level == 0:
                section.norm_end = later.norm_start
                break
        else:
            section.norm_end = text_end
    for section in sections:
        section.start = 0 if section.kind == "preamble" else normalized.original_offset(section.norm_start)
        section.end = normalized.original_offset(section.norm_end) if section.norm_end < text_end else original_end
    return Outline(sections)
