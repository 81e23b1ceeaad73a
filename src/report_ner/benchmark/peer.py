"""The peer system for the benchmark: jieba.posseg's part-of-speech tags mapped onto our labels.

jieba ships its own dictionary, so this runs offline with nothing trained here. The mapping:

- ``nr`` (and its sub-tags ``nrfg``, ``nrt``) → PERSON
- ``nt`` → ORG
- a run of numerals (``m``) and measure words (``q``) starting with a numeral → FIGURE,
  merged into one span, when the run holds a measure word or a numeral with 万/亿/%/个百分点
- ``t`` (time word) containing a digit → DATE
- a word ending in 法/法典/条例 (longer than the ending itself) → LAW

There is no normalization: spans are character offsets into exactly the text given.

``python -m report_ner.benchmark.peer FILE... --output OUT`` is the peer's counterpart of
``report-ner tag``: it reads and decodes the files, tags them and writes one JSONL line per
file, so that the benchmark can time both from a fresh process, loading included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import List, NamedTuple, Optional

import jieba
import jieba.posseg as pseg
import typer

from ..cli import InputTally, exit_code

jieba.setLogLevel(logging.WARNING)

Span = tuple[int, int, str]

LAW_ENDINGS = ("法典", "条例", "法")
# Tokens that finish a FIGURE run: jieba splits 16.5% into 16.5/m + %/x.
FIGURE_TAILS = {"%", "％", "百分点", "个百分点"}
FIGURE_MARKERS = ("万", "亿", "%", "％", "百分点")
DIGIT = re.compile(r"[0-9０-９〇○零一二三四五六七八九十百千]")


class Token(NamedTuple):
    start: int
    end: int
    word: str
    flag: str


def tokens(text: str) -> list[Token]:
    """jieba words with their offsets; jieba's words concatenate back to the text."""
    found = []
    offset = 0
    for pair in pseg.cut(text):
        found.append(Token(offset, offset + len(pair.word), pair.word, pair.flag))
        offset += len(pair.word)
    return found


def _figure_end(words: list[Token], first: int) -> int | None:
    """Index after the FIGURE run starting at numeral ``words[first]``, or None if it is none."""
    index = first
    while index < len(words) and words[index].flag in ("m", "q"):
        index += 1
    while index < len(words) and words[index].word in FIGURE_TAILS:
        index += 1
    run = words[first:index]
    has_measure = any(token.flag == "q" for token in run)
    has_marker = any(marker in token.word for token in run for marker in FIGURE_MARKERS)
    return index if has_measure or has_marker else None


def _word_label(token: Token) -> str | None:
    word, flag = token.word, token.flag
    if any(word.endswith(ending) and len(word) > len(ending) for ending in LAW_ENDINGS):
        return "LAW"
    if flag.startswith("nr"):
        return "PERSON"
    if flag == "nt":
        return "ORG"
    if flag == "t" and DIGIT.search(word):
        return "DATE"
    return None


def tag(text: str) -> list[Span]:
    """(start, end, label) spans, character offsets into ``text``."""
    words = tokens(text)
    spans: list[Span] = []
    index = 0
    while index < len(words):
        token = words[index]
        if token.flag == "m":
            end = _figure_end(words, index)
            if end is not None:
                spans.append((token.start, words[end - 1].end, "FIGURE"))
                index = end
                continue
        label = _word_label(token)
        if label:
            spans.append((token.start, token.end, label))
        index += 1
    return spans


def main(
    inputs: List[str] = typer.Argument(..., help="Files or folders (every *.txt inside)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the JSONL here instead of standard output."),
) -> None:
    """Tag files with the peer: one JSONL line per file, {"source", "length", "spans"}."""
    tally = InputTally(inputs)
    processed = 0
    # Not export.atomic_output: it imports spaCy, which the peer's timed load must not include.
    with open(output, "w", encoding="utf-8") if output else nullcontext(sys.stdout) as out:
        for item in tally:
            record = {"source": item.source, "length": len(item.text), "spans": tag(item.text)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            processed += 1
    raise typer.Exit(exit_code(processed, tally.failed))


if __name__ == "__main__":
    typer.run(main)
