"""The report's section tree: preamble, parts, numbered sections, sub-items, other blocks.

Built from normalized text (one paragraph a line); every section's ``start``/``end`` are
indices into the ORIGINAL input, ``start`` being its heading's first character.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass

from .text import (
    FULL_STOPS,
    NUMBERED_HEADING,
    SUB_ITEM_HEADING,
    TERMINAL_PUNCT,
    NormalizedText,
    heading_kind,
    paragraphs,
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
        and not any(mark in paragraph for mark in FULL_STOPS)
    )


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


# Web-page furniture that closes a report: from the first such line on, everything is one
# trailing level-0 block (相关报道, 责任编辑, 扫一扫在手机打开当前页, 【打印本页】, 分享到…).
TRAILING_FURNITURE = re.compile(
    r"^(?:相关(?:报道|文档|附件|链接|新闻|阅读|稿件)|责任编辑|扫一扫|分享到|[【\[]?\s*(?:打印本页|关闭窗口|打印|关闭)\s*[】\]]?$"
    r"|[》>]+\s*点击.{0,10}专题)"
)
# An appendix after the report: 附件, 名词解释, 《政府工作报告》有关内容名词注释 … on a line of
# its own. It and what follows it are a level-0 block, its numbered entries no headings.
APPENDIX_TITLE = re.compile(r"^(?:附件\s*[0-9一二三四五六七八九十]*[：:]?|.{0,20}名词(?:解释|注释|解读)|注释|附表\s*[0-9]*)$")
OPEN_BRACKET_ONLY = re.compile(r"^[（(]$")
SPLIT_NUMBER_REST = re.compile(r"^[一二三四五六七八九十]{1,3}[）)]")
# How many headings in a row may be missing (OCR dropped a line) before a number is no
# longer taken as the next heading.
MAX_SKIPPED = 2


def _mended(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join a heading that web extraction split after its opening bracket: "（" + "三）…"."""
    result: list[tuple[int, str]] = []
    index = 0
    while index < len(paragraphs):
        start, paragraph = paragraphs[index]
        if (
            OPEN_BRACKET_ONLY.match(paragraph)
            and index + 1 < len(paragraphs)
            and SPLIT_NUMBER_REST.match(paragraphs[index + 1][1])
        ):
            result.append((start, paragraph + paragraphs[index + 1][1]))
            index += 2
            continue
        result.append((start, paragraph))
        index += 1
    return result


def _trailing_start(paragraphs: list[tuple[int, str]]) -> int | None:
    """Index of the first furniture line after which no heading comes, if any."""
    found = None
    for index in range(len(paragraphs) - 1, -1, -1):
        paragraph = paragraphs[index][1]
        if heading_kind(paragraph) is not None:
            break
        if TRAILING_FURNITURE.match(paragraph):
            found = index
    return found


def _in_sequence(value: int, last: int) -> bool:
    """Is ``value`` the next number after ``last`` (0: none yet), allowing for gaps?

    The first number may be any (an excerpt starting at 三、); 1 always restarts; later
    ones may skip up to MAX_SKIPPED missing headings.
    """
    if value <= 0:
        return False
    return last == 0 or value == 1 or last < value <= last + 1 + MAX_SKIPPED


def build_outline(normalized: NormalizedText) -> Outline:
    """Find the headings of a normalized report and nest them into a section tree.

    Page furniture before the first heading stays in the preamble; furniture after the
    report (相关报道, 扫一扫…) and an appendix (附件, 名词解释) are trailing level-0 blocks.
    In OCR newspaper text, a headline after the report starts the next article (level 0).
    Lines that web extraction broke out of a sentence are plain body text.
    """
    lines = _mended(paragraphs(normalized.text))
    newspaper = normalized.layout == "ocr" or bool(normalized.block_starts)
    trailing = _trailing_start(lines)
    openings: list[tuple[int, str, str | None, str]] = []  # (norm start, kind, number, title)
    seen_heading = False
    after_report = False
    in_appendix = False
    last = {"section": 0, "item": 0}
    for index, (start, paragraph) in enumerate(lines):
        if trailing is not None and index >= trailing:
            openings.append((start, "other", None, paragraph[:HEADLINE_MAX_CHARS]))
            break
        if start in normalized.block_starts:
            openings.append((start, "other", None, paragraph[:HEADLINE_MAX_CHARS]))
            after_report = True
            continue
        if after_report:
            if _is_headline(paragraph):
                openings.append((start, "other", None, paragraph))
            continue
        if in_appendix:
            continue
        if seen_heading and APPENDIX_TITLE.match(paragraph):
            openings.append((start, "other", None, paragraph))
            in_appendix = True
            continue
        kind = heading_kind(paragraph)
        if kind == "part":
            openings.append((start, "part", None, paragraph))
            last = {"section": 0, "item": 0}
            seen_heading = True
            continue
        if kind in ("section", "item"):
            pattern = NUMBERED_HEADING if kind == "section" else SUB_ITEM_HEADING
            number = pattern.match(paragraph).group("number")
            value = chinese_ordinal(number)
            if _in_sequence(value, last[kind]):
                openings.append((start, kind, number, _heading_title(paragraph, kind)))
                last[kind] = value
                if kind == "section":
                    last["item"] = 0
                seen_heading = True
                continue
        if newspaper and seen_heading and _is_headline(paragraph):
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
