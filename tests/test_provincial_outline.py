"""The outline of real web-extracted reports, and of excerpts and damaged headings.

tests/data/provincial_2026_headings.tsv holds the headings of each of the 26 provincial
reports as read from the reports (see its header): every report must give exactly those
parts, numbered sections and sub-items, with page furniture and appendices in level-0
blocks only.
"""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from report_ner.outline import build_outline
from report_ner.text import normalize

from .conftest import SHARED

DATA = Path(__file__).parent / "data" / "provincial_2026_headings.tsv"
FOLDER = SHARED / "reports" / "provincial_2026"
HEADING_KINDS = ("part", "section", "item")


def expected_rows() -> dict[str, list[dict]]:
    lines = [line for line in DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    by_file: dict[str, list[dict]] = defaultdict(list)
    for row in csv.DictReader(lines, delimiter="\t"):
        row["line"] = int(row["line"])
        by_file[row["file"]].append(row)
    return by_file


EXPECTED = expected_rows()


def test_every_provincial_report_has_expected_headings():
    # Fails loudly (no skip) when ../shared is missing: these reports are the test's input.
    assert FOLDER.is_dir(), f"{FOLDER} is missing: the shared reports must be beside the project"
    assert sorted(path.name for path in FOLDER.glob("*.txt")) == sorted(EXPECTED)
    assert len(EXPECTED) == 26


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def line_start(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_provincial_report_outline(name):
    text = (FOLDER / name).read_text(encoding="utf-8")
    rows = EXPECTED[name]
    outline = build_outline(normalize(text))
    sections = list(outline)

    found = [(line_of(text, s.start), s.kind, s.number or "", s.title) for s in sections if s.level > 0]
    wanted = [(r["line"], r["kind"], r["number"], r["title"]) for r in rows if r["kind"] in HEADING_KINDS]
    assert found == wanted

    # Nesting: a sub-item under the section before it (or the part, with no section), a
    # section under the part before it.
    by_id = {s.id: s for s in sections}
    current = {"part": None, "section": None}
    for section in sections:
        if section.level == 0:
            continue
        parent = by_id[section.parent] if section.parent else None
        if section.kind == "part":
            assert parent is None
            current = {"part": section, "section": None}
        elif section.kind == "section":
            assert parent is current["part"]
            current["section"] = section
        else:
            assert parent is (current["section"] or current["part"])

    # Level 0: the preamble (title, page furniture, captions) and blocks that start exactly
    # at the appendix and at the closing page furniture; from there on nothing else.
    assert sections[0].kind == "preamble" and sections[0].start == 0
    first_heading = wanted[0][0]
    assert sections[0].end == line_start(text, first_heading)
    closing = [r for r in rows if r["kind"] in ("appendix", "trailing")]
    others = [s for s in sections[1:] if s.level == 0]
    assert [line_of(text, s.start) for s in others] == [r["line"] for r in closing]
    for row in closing:
        start = line_start(text, row["line"])
        assert text[start:].startswith(row["title"])
        for offset in (start, len(text) - 1):
            assert outline.section_at(offset).level == 0
    if closing:
        last_heading = max((s for s in sections if s.level > 0), key=lambda s: s.start)
        assert last_heading.end <= line_start(text, closing[0]["line"])


def outline_of(text: str):
    return [(s.level, s.kind, s.number) for s in build_outline(normalize(text)) if s.level > 0]


REPORT = """2026年政府工作报告
各位代表：
一、2025年工作回顾
过去一年，经济运行稳中有进。
二、“十五五”时期主要目标任务
今后五年，要实现以下目标。
三、2026年重点工作
今年经济社会发展的主要预期目标是：增长5%左右。
（一）加力扩内需稳增长。扩大有效投资。
（二）持续改善生态环境。细颗粒物浓度下降。
（三）加大保障和改善民生力度。稳就业。
四、全面加强政府自身建设
各位代表！让我们团结奋斗。
"""


def test_whole_report_reference():
    assert outline_of(REPORT) == [
        (2, "section", "一"), (2, "section", "二"), (2, "section", "三"),
        (3, "item", "（一）"), (3, "item", "（二）"), (3, "item", "（三）"), (2, "section", "四"),
    ]


def test_excerpt_starting_at_section_three():
    excerpt = REPORT[REPORT.index("三、") :]
    assert outline_of(excerpt) == [
        (2, "section", "三"), (3, "item", "（一）"), (3, "item", "（二）"), (3, "item", "（三）"), (2, "section", "四"),
    ]


def test_excerpt_starting_at_a_sub_item():
    excerpt = REPORT[REPORT.index("（二）") :]
    assert outline_of(excerpt) == [(3, "item", "（二）"), (3, "item", "（三）"), (2, "section", "四")]


def test_missing_heading_keeps_the_rest():
    damaged = REPORT.replace("三、2026年重点工作\n", "")
    assert outline_of(damaged) == [
        (2, "section", "一"), (2, "section", "二"),
        (3, "item", "（一）"), (3, "item", "（二）"), (3, "item", "（三）"), (2, "section", "四"),
    ]
    assert [n for _, _, n in outline_of(REPORT.replace("二、“十五五”时期主要目标任务\n", ""))][:2] == ["一", "三"]
    assert "（三）" in [n for _, _, n in outline_of(REPORT.replace("（二）持续改善生态环境。细颗粒物浓度下降。\n", ""))]


AUDIT = [
    "审计工作报告",
    "一、中央财政管理审计情况",
    "审计了中央决算草案，发现中央部门预算执行中存在一些问题，涉及资金共计12亿元，已督促整改。",
    "二、重点专项审计情况",
    "（一）防洪减灾重点工程审计情况。审计的12个省份中，有3个省份的工程进度滞后，涉及投资20亿元，部分项目未按期完工。",
    "（二）义务教育经费审计情况。审计了20个省份，发现问题资金10亿元，主要是挤占挪用和闲置。",
    "三、审计建议",
    "加强财政管理，严肃财经纪律，推动审计整改落实到位。",
]


@pytest.mark.parametrize("layout", ["clean", "ocr"])
def test_sub_item_title_runs_into_its_body(layout):
    if layout == "clean":
        text = "\n".join(AUDIT) + "\n"
    else:  # as OCR gives it: wrapped at a column of 20 characters
        text = "\n".join(line[i : i + 20] for line in AUDIT for i in range(0, len(line), 20))
    assert normalize(text).layout == layout
    outline = [s for s in build_outline(normalize(text)) if s.level > 0]
    assert [(s.number, s.title) for s in outline] == [
        ("一", "一、中央财政管理审计情况"), ("二", "二、重点专项审计情况"),
        ("（一）", "（一）防洪减灾重点工程审计情况"), ("（二）", "（二）义务教育经费审计情况"), ("三", "三、审计建议"),
    ]
    assert text[outline[2].start :].startswith("（一）防洪减灾")


def test_web_fragments_are_body_text():
    # Inline markup split these sentences into lines: none is a heading or a block, and
    # the numbering after them goes on.
    text = REPORT.replace(
        "过去一年，经济运行稳中有进。",
        "过去一年，经济运行稳中有进。细颗粒物（\nPM\n2.5\n）年平均浓度下降3.2%。\n今年经济社会发展的\n主要预期目标\n是：增长5%左右。",
    )
    assert outline_of(text) == outline_of(REPORT)
    assert all(s.level > 0 or s.kind == "preamble" for s in build_outline(normalize(text)))


def test_heading_split_after_its_bracket():
    text = REPORT.replace("（二）持续改善", "（\n二）持续改善")
    outline = [s for s in build_outline(normalize(text)) if s.kind == "item"]
    assert [s.number for s in outline] == ["（一）", "（二）", "（三）"]
    assert outline[1].title == "（二）持续改善生态环境" and text[outline[1].start :].startswith("（\n二）")


def test_page_furniture_around_the_report_is_level_0():
    furniture_top = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n来源：日报\n时间：2026-02-10\n省长作政府工作报告。本报记者 摄\n"
    furniture_end = "相关报道：\n干部群众热议政府工作报告\n扫一扫在手机打开当前页\n【\n打印本页\n】\n"
    text = furniture_top + REPORT + furniture_end
    outline = build_outline(normalize(text))
    assert outline_of(text) == outline_of(REPORT)
    assert outline.section_at(text.index("本报记者")).kind == "preamble"
    assert outline.section_at(text.index("热议")).level == 0
    assert outline.section_at(text.index("打印本页")).level == 0
    assert outline.section_at(text.index("让我们团结奋斗")).number == "四"
