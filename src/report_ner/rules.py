"""Rule-based entities: lexicon names, 《…》 law titles, number + unit, calendar dates.

Used to pre-annotate reports when no model exists, and as an optional rule layer after the
NER (its F1 effect is measured, not assumed).
"""

from __future__ import annotations

import re
from typing import Iterator

from .doc_spans import entity_spans, set_entity_score
from .lexicon import Lexicon
from .text import PRC, YEAR
from .tokenizer import doc_text

NUMBER = r"(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[零〇一二两三四五六七八九十百千万亿]+)"
UNITS = (
    "个百分点|万亿元|亿元|万元|千元|元|万亿|亿|万|%|％|倍|人次|万人|人|件|部|项|次|个|名|家|所|篇|场|批|条|年|"
    "个月|天|公里|千米|平方米|吨|斤|公顷|亩|户|岁|周年|位|期|起|宗|份|本|座|套|辆|艘|架|台|千瓦|元/吨"
)
FIGURE_RE = re.compile(rf"{NUMBER}(?:[余多])?(?:万|亿|万亿)?(?:{UNITS})")
DATE_RE = re.compile(
    rf"{YEAR}(?:[—–-](?:[0-9]{{4}})年)?"
    r"(?:(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})月(?:(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})日)?)?"
    r"|(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})月(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})日"
)
LAW_TITLE_RE = re.compile(rf"《((?:{PRC})?[^《》〈〉\n]{{1,40}}?(?:法典|法|条例|规定|办法|规则|公约))》")


def overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Does [start, end) overlap any of the (start, end) ranges in ``taken``?"""
    return any(start < e and s < end for s, e in taken)


def rule_spans(text: str, lexicon: Lexicon) -> Iterator[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) spans, most specific rules first."""
    taken: list[tuple[int, int]] = []
    candidates: list[tuple[int, int, str]] = []
    for match in LAW_TITLE_RE.finditer(text):
        candidates.append((match.start(1), match.end(1), "LAW"))
    candidates.extend(lexicon.matches(text))
    for match in DATE_RE.finditer(text):
        candidates.append((match.start(), match.end(), "DATE"))
    for match in FIGURE_RE.finditer(text):
        candidates.append((match.start(), match.end(), "FIGURE"))
    for start, end, label in candidates:
        if not overlaps(start, end, taken):
            taken.append((start, end))
            yield start, end, label


def law_title_spans(text: str) -> Iterator[tuple[int, int]]:
    """《…》 titles that name a law or regulation by its form (法, 条例, 规定, 办法, 规则, 公约).

    Titles with 关于 are left out: 《最高人民法院关于…的规定》 is a judicial interpretation,
    not a LAW under the contract.
    """
    for match in LAW_TITLE_RE.finditer(text):
        if "关于" not in match.group(1):
            yield match.start(1), match.end(1)


def add_law_titles(doc):
    """Make every law-shaped 《…》 title one LAW entity, replacing what overlaps it."""
    titles = []
    for start, end in law_title_spans(doc_text(doc)):
        span = doc.char_span(start, end, label="LAW")
        if span is not None:
            titles.append(span)
    if titles:
        kept = [ent for ent in entity_spans(doc) if not any(ent.start < t.end and t.start < ent.end for t in titles)]
        doc.ents = sorted(kept + titles, key=lambda span: span.start)
        for title in titles:
            set_entity_score(title, 1.0)  # a rule's entity: certain by construction
    return doc


def add_rule_entities(doc, lexicon: Lexicon):
    """Add rule spans to ``doc.ents`` wherever the model found nothing that overlaps."""
    from spacy.util import filter_spans

    existing = entity_spans(doc)
    occupied = [(ent.start_char, ent.end_char) for ent in existing]
    added = []
    for start, end, label in rule_spans(doc.text, lexicon):
        if overlaps(start, end, occupied):
            continue
        span = doc.char_span(start, end, label=label, alignment_mode="contract")
        if span is not None and len(span):
            added.append(span)
    doc.ents = filter_spans(existing + added)
    return doc
