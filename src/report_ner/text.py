"""Report text normalization with an exact offset map back to the user's input.

Normalization only ever *drops* characters of the input (layout line breaks, blank lines,
page markers, edge whitespace); it never invents one. So every character of the normalized
text is a character of the input, and ``to_original[i]`` is its index there.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

# Line ends that close a paragraph when the line is shorter than the column.
TERMINAL_PUNCT = set("。！？：；…”!?;:")
# Marks that end a sentence; FULL_STOPS are those that end one for good (not ；).
SENTENCE_ENDS = "。！？；"
FULL_STOPS = "。！？"
# The country's name as it opens law and institution names (中华人民共和国数据安全法).
PRC = "中华人民共和国"
# The model reads a report in paragraph-aligned pieces (tagging.chunks) that stay well under
# spaCy's max_length; a batch of them (BATCH_PIECES x CHUNK_CHARS characters) bounds the
# model's working memory. Measured on 1 MB: 16 pieces a batch ran ~8% faster than 4 (fewer
# per-batch steps in the encoder and the decoder) for ~90 MB more peak memory; 32 and 64
# were no faster.
CHUNK_CHARS = 2_000
BATCH_PIECES = 16
PAGE_MARKER = re.compile(
    r"[（(]\s*(?P<dir>上接|下转|接上|转下)\s*第?\s*[一二三四五六七八九十百0-9０-９]+\s*版\s*[）)]"
)
NUMBERED_HEADING = re.compile(r"^(?P<number>[一二三四五六七八九十]{1,3})、")
SUB_ITEM_HEADING = re.compile(r"^(?P<number>[（(][一二三四五六七八九十]{1,3}[）)])")
YEAR = r"(?:[0-9]{4}|[〇○零一二三四五六七八九]{4})年"
# A five-year plan period as provincial reports name their parts: “十四五”时期, 十五五.
PLAN_PERIOD = r"[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期)?"
PART_TITLE = re.compile(
    rf"^(?:过去|今后|本届|五年来|{YEAR}|{PLAN_PERIOD})"
    r"[^，。；：、！？,]{0,20}"
    r"(?:工作回顾|主要任务|工作安排|工作部署|的工作|工作建议|工作任务|总体要求|目标任务|重点工作|主要目标|发展成就|工作总结)$"
)
LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
WHITESPACE = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
OCR_MIN_COLUMN = 8
OCR_MAX_COLUMN = 60
INDENT_CHARS = 2
INDENTED_SHARE = (0.02, 0.6)


def is_part_title(line: str) -> bool:
    """A part heading such as 过去一年的工作 or 2025年工作回顾 standing alone on its line."""
    return bool(PART_TITLE.match(line.strip()))


def heading_kind(line: str) -> str | None:
    """'part', 'section' or 'item' when the line opens like a heading, else None."""
    stripped = line.strip()
    if is_part_title(stripped):
        return "part"
    if NUMBERED_HEADING.match(stripped):
        return "section"
    if SUB_ITEM_HEADING.match(stripped):
        return "item"
    return None


@dataclass
class _Line:
    """One physical input line after page markers and edge whitespace are dropped."""

    chars: Sequence[int]  # original indices of the kept characters (a range when contiguous)
    text: str
    terminator: int | None  # original index of the "\n" (or "\r") ending the line
    blank_after: bool  # followed by at least one blank line
    opens_block: bool  # began with an (上接第X版) marker
    closes_block: bool  # carried a (下转第X版) marker
    space_before: int | None = None  # index of a space that separated it from a Latin/digit
    space_after: int | None = None
    indent: int = 0  # whitespace characters dropped before the text (a first-line indent)


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text plus the map from each of its characters to the input."""

    original: str
    text: str
    # array('q') rather than a list: 8 bytes a character instead of ~36 for 10 MB inputs.
    to_original: Sequence[int] = field(repr=False)
    layout: str = "clean"  # "clean" or "ocr"
    block_starts: frozenset[int] = frozenset()  # normalized offsets of (上接) paragraphs

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized ``[start, end)`` span to the input; it may cover layout breaks."""
        if start >= end:
            position = self.original_offset(start)
            return position, position
        return self.to_original[start], self.to_original[end - 1] + 1

    def original_offset(self, index: int) -> int:
        """Input index of a normalized position (its end maps to the input's end)."""
        if index >= len(self.to_original):
            return len(self.original)
        return self.to_original[index]

    def normalized_offset(self, original_index: int) -> int:
        """Normalized index of the first kept character at or after ``original_index``."""
        return bisect_left(self.to_original, original_index)


def _split_lines(original: str) -> list[_Line | None]:
    """Physical lines; ``None`` stands for a blank line."""
    lines: list[_Line | None] = []
    for match in re.finditer(r"([^\r\n]*)(\r\n|\r|\n|$)", original):
        if match.start() == len(original) and not match.group(0):
            break
        content_start, content_end = match.span(1)
        term = match.group(2)
        terminator = None
        if term:
            terminator = match.start(2) + (1 if term == "\r\n" else 0)
        content = match.group(1)
        removed: set[int] = set()
        opens = closes = False
        for marker in PAGE_MARKER.finditer(content):
            removed.update(range(content_start + marker.start(), content_start + marker.end()))
            if marker.group("dir") in ("上接", "接上"):
                opens = True
            else:
                closes = True
        kept: Sequence[int] = range(content_start, content_end)
        if removed:
            kept = [i for i in kept if i not in removed]
        left = 0
        while left < len(kept) and original[kept[left]] in WHITESPACE:
            left += 1
        right = len(kept)
        while right > left and original[kept[right - 1]] in WHITESPACE:
            right -= 1
        space_before = kept[left - 1] if left > 0 else None
        indent = left
        space_after = kept[right] if right < len(kept) else None
        kept = kept[left:right]
        if not kept:
            lines.append(None)
            continue
        lines.append(
            _Line(
                chars=kept,
                text=original[kept[0] : kept[-1] + 1] if isinstance(kept, range) else "".join(original[i] for i in kept),
                terminator=terminator,
                blank_after=False,
                opens_block=opens,
                closes_block=closes,
                space_before=space_before,
                space_after=space_after,
                indent=indent,
            )
        )
    for index, line in enumerate(lines):
        if line is not None:
            line.blank_after = index + 1 < len(lines) and lines[index + 1] is None
    return lines


def _column_width(lines: list[_Line]) -> int | None:
    """The OCR column width, or None when the text is laid out as clean paragraphs."""
    if len(lines) < 4:
        return None
    lengths = [len(line.text) for line in lines if len(line.text) >= OCR_MIN_COLUMN]
    if not lengths:
        return None
    counts = Counter(lengths)
    width = max(counts, key=lambda n: (counts[n], n))
    if width > OCR_MAX_COLUMN:
        return None
    near = sum(1 for line in lines if width - 3 <= len(line.text) <= width + 2)
    wrapped = sum(
        1
        for line in lines
        if len(line.text) >= width - 3 and line.text[-1] not in TERMINAL_PUNCT and heading_kind(line.text) is None
    )
    if near < 0.5 * len(lines) or wrapped < 0.25 * len(lines):
        return None
    return width


def _in_heading(paragraph: str) -> bool:
    kind = heading_kind(paragraph)
    return kind in ("section", "item") and "。" not in paragraph


def _breaks_after(
    paragraph: str, line: _Line, nxt: _Line, width: int, double_spaced: bool, indents: bool = False
) -> bool:
    """Does the OCR paragraph ``paragraph`` (ending with ``line``) end before ``nxt``?

    With ``indents`` (the text marks paragraph starts by a first-line indent, as PDF text
    does), an indented line starts a paragraph and an indented line is full at width - 2.
    """
    if nxt.opens_block or line.closes_block:
        return True
    if indents and nxt.indent >= INDENT_CHARS:
        return True
    last = line.text[-1]
    short = len(line.text) + (INDENT_CHARS if indents and line.indent >= INDENT_CHARS else 0) < width
    if is_part_title(paragraph):
        return True
    if _in_heading(paragraph):
        if double_spaced and not line.blank_after:
            return False
        return short or last in TERMINAL_PUNCT
    nxt_kind = heading_kind(nxt.text)
    if nxt_kind is not None and (last in TERMINAL_PUNCT or short):
        return True
    return short and last in TERMINAL_PUNCT


def normalize(original: str) -> NormalizedText:
    """Re-flow OCR column layout, drop page markers and blank lines; keep the offset map."""
    lines = _split_lines(original)
    physical = [line for line in lines if line is not None]
    width = _column_width(physical)
    # Newspaper OCR puts a blank line after every body line but keeps a heading's own
    # wrapped lines together: a single newline there means "same heading".
    double_spaced = sum(1 for line in physical if line.blank_after) >= 0.6 * max(1, len(physical) - 1)
    # First-line indents mark paragraphs only where some lines, not most, are indented.
    indented = sum(1 for line in physical if line.indent >= INDENT_CHARS)
    indents = INDENTED_SHARE[0] * len(physical) <= indented <= INDENTED_SHARE[1] * len(physical)
    out_chars: list[str] = []
    out_index = array("q")
    block_starts: set[int] = set()
    paragraph = ""
    previous: _Line | None = None
    for line in physical:
        if previous is not None:
            joined = width is not None and not _breaks_after(paragraph, previous, line, width, double_spaced, indents)
            if joined:
                gap = previous.space_after if previous.space_after is not None else line.space_before
                if (
                    gap is not None
                    and LATIN_OR_DIGIT.match(previous.text[-1])
                    and LATIN_OR_DIGIT.match(line.text[0])
                ):
                    out_chars.append(original[gap])
                    out_index.append(gap)
            else:
                assert previous.terminator is not None
                out_chars.append("\n")
                out_index.append(previous.terminator)
                paragraph = ""
        if line.opens_block:
            block_starts.add(len(out_index))
        out_chars.append(line.text)
        out_index.extend(line.chars)
        paragraph += line.text
        previous = line
    return NormalizedText(
        original=original,
        text="".join(out_chars),
        to_original=out_index,
        layout="ocr" if width is not None else "clean",
        block_starts=frozenset(block_starts),
    )


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, paragraph) for each non-empty line of normalized text (one paragraph a line)."""
    result = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph:
            result.append((offset, paragraph))
        offset += len(paragraph) + 1
    return result
