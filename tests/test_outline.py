import json

import pytest

from report_ner.outline import build_outline, chinese_ordinal
from report_ner.text import normalize

from .conftest import eval_records, shared_path


def test_ocr_sample_outline(ocr_sample):
    outline = build_outline(normalize(ocr_sample))
    shape = [(s.level, s.kind, s.number, s.title if s.level == 1 else None) for s in outline]
    numbers1 = ["一", "二", "三", "四", "五", "六"]
    numbers2 = numbers1 + ["七"]
    expected = [(0, "preamble", None, None), (1, "part", None, "过去一年的工作")]
    expected += [(2, "section", n, None) for n in numbers1]
    expected += [(1, "part", None, "今后一年的主要任务")]
    expected += [(2, "section", n, None) for n in numbers2]
    assert shape[: len(expected)] == expected
    others = shape[len(expected) :]
    assert others and all(level == 0 and kind == "other" for level, kind, _, _ in others)
    sections = list(outline)
    last_report_section = sections[len(expected) - 1]
    assert last_report_section.title == "七、按照“四个机关”要求加强常委会自身建设"
    continuation = ocr_sample.index("(上接第一版)过去一年")
    assert last_report_section.end <= continuation
    assert outline.section_at(continuation + 8).kind == "other"
    assert ocr_sample[sections[2].start :].startswith("一、进一步完善宪法相关法")
    assert sections[2].parent == sections[1].id and sections[1].parent is None


def test_lookup_gives_innermost_section(ocr_sample):
    outline = build_outline(normalize(ocr_sample))
    section = outline.section_at(ocr_sample.index("制定数据安全法"))
    assert section.number == "二" and outline[section.parent].title == "过去一年的工作"
    assert outline.section_at(0).kind == "preamble"


@pytest.mark.parametrize("record", eval_records())
def test_gold_headings_are_found_with_their_starts(record):
    outline = build_outline(normalize(record["text"]))
    found = {(s.start, s.level) for s in outline if s.level > 0}
    expected = {(h["start"], h["level"]) for h in record["headings"]}
    assert expected <= found
    assert not {start for start, _ in found} - {start for start, _ in expected}


def test_clean_government_report_outline():
    text = shared_path("reports", "gov_2022.txt").read_text(encoding="utf-8")
    outline = build_outline(normalize(text))
    sections = [s for s in outline if s.level == 2]
    items = [s for s in outline if s.level == 3]
    assert [s.number for s in sections] == ["一", "二", "三"]
    assert [s.number for s in items] == [f"（{n}）" for n in "一二三四五六七八九"]
    assert all(outline[i.parent].number == "三" for i in items)
    assert "。" not in items[0].title and items[0].title.startswith("（一）")


@pytest.mark.parametrize("number,value", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("（七）", 7)])
def test_chinese_ordinal(number, value):
    assert chinese_ordinal(number) == value
