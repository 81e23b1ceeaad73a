"""Tests for report_ner.entity_norm: figures, dates, report year, laws, organizations."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import shared_path
from report_ner.entity_norm import (
    _parse_numeral,
    canonical_law,
    canonical_org,
    normalize_date,
    normalize_entity,
    normalize_figure,
    org_aliases,
    parse_alias_table,
    report_year,
)

ALIAS_FILE = Path(__file__).resolve().parents[1] / "src" / "report_ner" / "data" / "org_aliases.tsv"

# ------------------------------------------------------------------- FIGURE

# (span, value, unit, approx)
FIGURES = [
    # examples from the specification
    ("2.8万亿元", 2.8e12, "元", False),
    ("150余人次", 150, "人次", True),
    ("两次", 2, "次", False),
    ("16.5%", 16.5, "%", False),
    ("3.6个百分点", 3.6, "个百分点", False),
    ("一千二百万人", 1.2e7, "人", False),
    ("200多万名", 2_000_000, "名", True),
    ("6600多万", 6.6e7, None, True),
    ("126万亿元", 1.26e14, "元", False),
    ("3倍", 3, "倍", False),
    ("二十年", 20, "年", False),
    ("1.39万亿斤", 1.39e12, "斤", False),
    ("千万", 1e7, None, False),
    ("１２件", 12, "件", False),
    ("3千万元", 3e7, "元", False),
    ("百分之五", 5, "%", False),
    ("一百周年", 100, "周年", False),
    ("8151件", 8151, "件", False),
    # hard cases from the reports and the gold sets
    ("23.04万人", 230_400, "人", False),
    ("4.06万亿元", 4.06e12, "元", False),
    ("346.7万件", 3_467_000, "件", False),
    ("1.3万件次", 13_000, "件次", False),
    ("33.4个百分点", 33.4, "个百分点", False),
    ("十四周岁", 14, "周岁", False),
    ("十二周岁", 12, "周岁", False),
    ("三十余年", 30, "年", True),
    ("千亿斤", 1e11, "斤", False),
    ("百亿元", 1e10, "元", False),
    ("1100多万", 1.1e7, None, True),
    ("两省", 2, "省", False),
    ("九成", 9, "成", False),
    ("58万元/人", 580_000, "元/人", False),
    ("１６.５％", 16.5, "%", False),
    ("1,234人", 1234, "人", False),
    ("十二万五千元", 125_000, "元", False),
    ("1万5千人", 15_000, "人", False),
    ("二〇二〇年", 2020, "年", False),
    ("百分之五十五点五", 55.5, "%", False),
    ("1200万千瓦", 1.2e7, "千瓦", False),
    ("3.6百分点", 3.6, "百分点", False),
    ("一年多", 1, "年", True),
    ("两个多月", 2, "个月", True),
    ("5%左右", 5, "%", True),
    ("1200万人以上", 1.2e7, "人", True),
    ("约3000人", 3000, "人", True),
    ("近800件", 800, "件", True),
    ("超过126万亿元", 1.26e14, "元", True),
    ("共16件", 16, "件", False),
    ("上千万", 1e7, None, True),
    ("亿", 1e8, None, False),
    # OCR: numbers and units broken across lines inside the span
    ("12\n\n6万亿元", 1.26e14, "元", False),
    ("33.4个百分\n\n点", 33.4, "个百分点", False),
    ("1.39\n\n万亿斤", 1.39e12, "斤", False),
    ("6\n\n600多万", 6.6e7, None, True),
]


@pytest.mark.parametrize(("span", "value", "unit", "approx"), FIGURES)
def test_normalize_figure(span: str, value: float, unit: str | None, approx: bool) -> None:
    result = normalize_figure(span)
    assert result == {"value": pytest.approx(value), "unit": unit, "approx": approx}
    assert "value_max" not in result


@pytest.mark.parametrize(
    ("span", "value_type"),
    [("2.8万亿元", int), ("8151件", int), ("16.5%", float), ("3.6个百分点", float)],
)
def test_figure_value_is_int_when_integral(span: str, value_type: type) -> None:
    assert type(normalize_figure(span)["value"]) is value_type


def test_figure_large_values_are_exact() -> None:
    assert normalize_figure("1.39万亿斤")["value"] == 1_390_000_000_000
    assert normalize_figure("4.06万亿元")["value"] == 4_060_000_000_000


# (span, following, expected unit)
ELIDED_UNITS = [
    ("3.6个", "、2.6个百分点", "个百分点"),
    ("4.6万", "、5.3万件", "件"),
    ("0.5", "、2.5%和15.7%。石某因交通事故", "%"),  # skips a unit-less middle figure
    ("10.8", "和20.5%，其中起诉", "%"),
    ("4.6万", "、5.3万人次，", "人次"),
    ("6600多万", "纳税人受益。", None),  # not an enumeration: nothing to borrow
    ("16件", "、5.3万人", "件"),  # own unit is not a prefix of the next: keep it
    ("3个", "方面，2.6个百分点", "个"),
    ("4.6万", "。5.3万件", None),  # the next figure is in another sentence
]


@pytest.mark.parametrize(("span", "following", "unit"), ELIDED_UNITS)
def test_figure_borrows_elided_unit(span: str, following: str, unit: str | None) -> None:
    assert normalize_figure(span, following=following)["unit"] == unit


def test_borrowed_unit_keeps_own_value() -> None:
    assert normalize_figure("4.6万", following="、5.3万件")["value"] == 46_000


# (span, following, preceding, approx)
APPROX_CONTEXT = [
    ("5%", "左右；城镇新增就业", "", True),
    ("1200万人", "以上，城镇调查失业率", "", True),
    ("126万亿元", "，增长5.2%", "国内生产总值超过", True),
    ("800件", "", "近", True),
    ("3000人", "", "约", True),
    ("千万", "家庭。", "惠及上", True),
    ("126万亿元", "，增长5.2%", "国内生产总值", False),
    ("4年", "，", "连续", False),
    ("5.2%", "，增速居世界主要", "增长", False),
    ("30%", "。完善吸引外资政策", "口增长近", True),
]


@pytest.mark.parametrize(("span", "following", "preceding", "approx"), APPROX_CONTEXT)
def test_figure_approx_from_context(span: str, following: str, preceding: str, approx: bool) -> None:
    assert normalize_figure(span, following=following, preceding=preceding)["approx"] is approx


# (span, value, value_max, unit)
RANGES = [
    ("3至5年", 3, 5, "年"),
    ("30—50%", 30, 50, "%"),
    ("3至5万人", 30_000, 50_000, "人"),
    ("3万至5万人", 30_000, 50_000, "人"),
    ("三到五年", 3, 5, "年"),
    ("1.5~2倍", 1.5, 2, "倍"),
    ("百分之五至百分之十", 5, 10, "%"),
]


@pytest.mark.parametrize(("span", "value", "value_max", "unit"), RANGES)
def test_figure_ranges(span: str, value: float, value_max: float, unit: str) -> None:
    result = normalize_figure(span)
    assert result["value"] == pytest.approx(value)
    assert result["value_max"] == pytest.approx(value_max)
    assert result["unit"] == unit


@pytest.mark.parametrize("span", ["", "   ", "C919", "第三个", "“十四五”", "-", "来", "半年", "点五"])
def test_figure_unreadable_gives_none(span: str) -> None:
    assert normalize_figure(span) == {"value": None, "unit": None, "approx": False}


# --------------------------------------------------------------------- DATE

# (span, report_year, iso)
DATES = [
    ("2021年", None, "2021"),
    ("2022年3月8日", None, "2022-03-08"),
    ("二〇二六年三月九日", None, "2026-03-09"),
    ("2025年10月", None, "2025-10"),
    ("2026—2030年", None, "2026/2030"),
    ("2026-2030年", None, "2026/2030"),
    ("2021年至2025年", None, "2021/2025"),
    ("3月8日", 2022, "2022-03-08"),
    ("3月8日", None, "--03-08"),
    ("2020年度", None, "2020"),
    ("２０２２年３月８日", None, "2022-03-08"),
    ("十二月三十一日", None, "--12-31"),
    ("十二月三十一日", 2021, "2021-12-31"),
    ("2021年1月1日", None, "2021-01-01"),
    ("3月16日", 2026, "2026-03-16"),
    ("二零二零年", None, "2020"),
    ("2024年3\n\n月5日", None, "2024-03-05"),
    ("2026-02-02", None, "2026-02-02"),
    ("2020年底", None, "2020"),
    ("2021年1月至3月", None, "2021-01/2021-03"),
    ("3月1日至5日", 2022, "2022-03-01/2022-03-05"),
    ("3月", 2022, "2022-03"),
    ("2月29日", 2024, "2024-02-29"),
    ("2月29日", None, "--02-29"),
]


@pytest.mark.parametrize(("span", "year", "iso"), DATES)
def test_normalize_date(span: str, year: int | None, iso: str) -> None:
    assert normalize_date(span, report_year=year) == iso


@pytest.mark.parametrize(
    ("span", "year"),
    [
        ("2月30日", 2022),
        ("2月29日", 2023),
        ("13月1日", None),
        ("十三届", None),
        ("一年来", None),
        ("“十四五”", None),
        ("8日", None),
        ("", None),
        ("2030年至2026", None),
    ],
)
def test_normalize_date_unreadable_gives_none(span: str, year: int | None) -> None:
    assert normalize_date(span, report_year=year) is None


# -------------------------------------------------------------- report year

REPORT_HEADS = [
    ("政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理 李强", 2024),
    ("最高人民检察院工作报告\n——二〇二六年三月九日在第十四届全国人民代表大会第四次会议上", 2026),
    # OCR: the date line itself wrapped
    ("政府工作报告\n\n——2024年3\n\n月5日在第十四届全国人民代\n\n表大会", 2024),
    # no date line: the NPC session it is delivered to
    ("新华社北京3月8日电 受全国人大常委会委托，委员长栗战书3月8日向十三届全国人大五次会议作报告。2021年是", 2022),
    # no date line, a review of the previous year
    ("各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2021年工作回顾\n过去一年", 2022),
    ("# 最高人民法院关于修改…的决定\n\n2020年12月23日 最高人民法院审判委员会第1823次会议通过", 2020),
    ("各位代表：2019年是新中国成立70周年", 2019),
    ("各位代表：过去一年，我们砥砺前行。", None),
    ("", None),
]


@pytest.mark.parametrize(("head", "year"), REPORT_HEADS)
def test_report_year(head: str, year: int | None) -> None:
    assert report_year(head) == year


def test_report_year_only_reads_the_top() -> None:
    assert report_year("各位代表：" + "过去一年。" * 100 + "2021年") is None


REPORT_FILES = [
    ("beijing_gov_2026.txt", 2026),
    ("gov_2020_spoken.txt", 2020),
    ("gov_2022.txt", 2022),
    ("npcsc_2022_ocr.txt", 2022),
    ("spc_civil_interpretations_2020.txt", 2020),
]


@pytest.mark.parametrize(("name", "year"), REPORT_FILES)
def test_report_year_of_real_reports(name: str, year: int) -> None:
    path = shared_path("reports", name)
    assert report_year(path.read_text(encoding="utf-8")) == year


# --------------------------------------------------- gold sets, clean vs OCR


def _load_gold(name: str) -> dict:
    path = shared_path("eval", f"{name}.jsonl")
    with path.open(encoding="utf-8") as lines:
        return json.loads(next(lines))


def _normalize_doc(doc: dict) -> list[tuple[str, dict]]:
    text, year = doc["text"], report_year(doc["text"])
    return [
        (
            span["label"],
            normalize_entity(
                span["label"],
                text[span["start"] : span["end"]],
                following=text[span["end"] : span["end"] + 30],
                preceding=text[max(0, span["start"] - 4) : span["start"]],
                report_year=year,
            ),
        )
        for span in doc["spans"]
    ]


@pytest.mark.parametrize("name", ["gov_2024", "spp_2026"])
def test_gold_figures_and_dates_all_parse(name: str) -> None:
    for label, fields in _normalize_doc(_load_gold(name)):
        if label == "FIGURE":
            assert fields["value"] is not None
            assert fields["unit"] is not None or fields["approx"] or fields["value"] >= 10_000
        elif label == "DATE":
            assert fields["iso"] is not None


@pytest.mark.parametrize("name", ["gov_2024", "spp_2026"])
def test_ocr_text_normalizes_like_clean_text(name: str) -> None:
    clean, ocr = _load_gold(name), _load_gold(f"{name}_ocr")
    assert _normalize_doc(ocr) == _normalize_doc(clean)


# ---------------------------------------------------------------------- LAW

LAWS = [
    ("《中华人民共和国数据安全法》", "数据安全法"),
    ("数据安全法", "数据安全法"),
    ("中华人民共和国宪法", "宪法"),
    ("中华人民共和国", "中华人民共和国"),
    ("《中华人民共和国》", "中华人民共和国"),
    ("〈中华人民共和国工会法〉", "工会法"),
    ("中华\n\n人民共和国香港特别行政区维护国家安全法", "香港特别行政区维护国家安全法"),
    (" 民法典 ", "民法典"),
    ("全国人大常委会议事规则", "全国人大常委会议事规则"),
    ("中国共产党领导全面依法治国工作条例", "中国共产党领导全面依法治国工作条例"),
]


@pytest.mark.parametrize(("text", "canonical"), LAWS)
def test_canonical_law(text: str, canonical: str) -> None:
    assert canonical_law(text) == canonical


# ---------------------------------------------------------------------- ORG

# Every alias in a group names the same body; the first is the canonical name.
ORG_GROUPS = [
    ["全国人民代表大会", "全国人大", "中华人民共和国全国人民代表大会"],
    ["全国人民代表大会常务委员会", "全国人大常委会"],
    ["国务院", "中华人民共和国国务院", "中央人民政府"],
    ["最高人民法院", "最高法"],
    ["最高人民检察院", "最高检"],
    ["中国人民政治协商会议全国委员会", "全国政协"],
    ["中国共产党中央委员会", "中共中央", "党中央"],
    ["中央军事委员会", "中央军委"],
    ["国家监察委员会", "国家监委", "中华人民共和国国家监察委员会"],
    ["国家发展和改革委员会", "发改委", "国家发展改革委", "国家发改委"],
    ["中国人民银行", "人民银行", "央行"],
    ["国家金融监督管理总局", "金融监管总局"],
    ["中国证券监督管理委员会", "证监会", "中国证监会"],
    ["国家市场监督管理总局", "市场监管总局"],
    ["生态环境部", "中华人民共和国生态环境部"],
    ["公安部", "中华人民共和国公安部"],
    ["司法部"],
    ["财政部"],
    ["审计署", "国家审计署"],
    ["外交部"],
    ["教育部"],
    ["科学技术部", "科技部"],
    ["工业和信息化部", "工信部"],
    ["人力资源和社会保障部", "人社部", "人力资源社会保障部"],
    ["住房和城乡建设部", "住建部", "住房城乡建设部"],
    ["交通运输部"],
    ["农业农村部"],
    ["商务部"],
    ["文化和旅游部", "文旅部"],
    ["国家卫生健康委员会", "卫健委", "国家卫生健康委"],
    ["应急管理部"],
    ["退役军人事务部"],
    ["海关总署"],
    ["国家税务总局", "税务总局"],
    ["国家统计局", "统计局"],
    ["国务院国有资产监督管理委员会", "国资委", "国务院国资委"],
    ["中华全国律师协会", "全国律协"],
    ["中华全国妇女联合会", "全国妇联"],
    ["中华全国总工会", "全国总工会"],
    ["中国共产主义青年团中央委员会", "共青团中央"],
    ["新华通讯社", "新华社"],
    ["中国人民解放军", "解放军"],
    ["全国人民代表大会宪法和法律委员会", "全国人大宪法和法律委员会", "宪法和法律委员会"],
    ["全国人民代表大会常务委员会法制工作委员会", "法工委", "全国人大常委会法工委", "全国人大常委会法制工作委员会"],
    ["全国人民代表大会财政经济委员会", "全国人大财经委", "全国人大财政经济委员会"],
]


@pytest.mark.parametrize("group", ORG_GROUPS, ids=lambda group: group[0])
def test_org_aliases_of_one_body_share_a_canonical(group: list[str]) -> None:
    canonical = group[0]
    assert [canonical_org(alias) for alias in group] == [canonical] * len(group)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("中国人\n\n民解放军", "中国人民解放军"),  # OCR line break inside the name
        ("  全国人大常委会 ", "全国人民代表大会常务委员会"),
        ("常委会", "常委会"),  # ambiguous: left as is
        ("人大常委会", "人大常委会"),
        ("成渝金融法院", "成渝金融法院"),  # unknown: itself
        ("上海代表团", "上海代表团"),
        ("中国共产党", "中国共产党"),  # the Party is not its Central Committee
    ],
)
def test_canonical_org_special_cases(text: str, canonical: str) -> None:
    assert canonical_org(text) == canonical


def test_alias_table_loads_with_enough_unique_aliases() -> None:
    rows = parse_alias_table(ALIAS_FILE.read_text(encoding="utf-8"))
    aliases = [alias for alias, _ in rows]
    assert len(aliases) == len(set(aliases)), "duplicate aliases"
    assert len(aliases) >= 80
    assert dict(rows) == dict(org_aliases())
    assert "常委会" not in org_aliases() and "人大常委会" not in org_aliases()


def test_alias_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        org_aliases()["测试"] = "测试"  # type: ignore[index]


def test_every_canonical_maps_to_itself() -> None:
    canonicals = set(org_aliases().values())
    assert {name: canonical_org(name) for name in canonicals} == {name: name for name in canonicals}
    assert canonicals <= set(org_aliases()), "each canonical is listed as its own alias"


def test_parse_alias_table_skips_comments_and_rejects_bad_rows() -> None:
    text = "# header\n\n最高法\t最高人民法院\n  # indented comment\n最高检\t最高人民检察院\n"
    assert parse_alias_table(text) == [("最高法", "最高人民法院"), ("最高检", "最高人民检察院")]
    with pytest.raises(ValueError, match="line 1"):
        parse_alias_table("只有一列\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_alias_table("a\tb\na\tb\tc\n")


# --------------------------------------------------------------- dispatcher

DISPATCH = [
    ("FIGURE", "2.8万亿元", {}, {"value": 2.8e12, "unit": "元", "approx": False}),
    ("FIGURE", "3.6个", {"following": "、2.6个百分点"}, {"value": 3.6, "unit": "个百分点", "approx": False}),
    ("FIGURE", "800件", {"preceding": "近"}, {"value": 800, "unit": "件", "approx": True}),
    ("DATE", "3月8日", {"report_year": 2022}, {"iso": "2022-03-08"}),
    ("DATE", "一年来", {}, {"iso": None}),
    ("LAW", "《中华人民共和国数据安全法》", {}, {"canonical": "数据安全法"}),
    ("ORG", "最高检", {}, {"canonical": "最高人民检察院"}),
    ("PERSON", " 栗战书 ", {}, {"canonical": "栗战书"}),
    ("PERSON", "习近\n\n平", {}, {"canonical": "习近平"}),
    ("figure", "3倍", {}, {"value": 3, "unit": "倍", "approx": False}),
    ("EVENT", "十九届六中全会", {}, {}),
]


@pytest.mark.parametrize(("label", "text", "context", "expected"), DISPATCH)
def test_normalize_entity(label: str, text: str, context: dict, expected: dict) -> None:
    assert normalize_entity(label, text, **context) == expected


_ODD_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789.,-—至到年月日号度万亿千百十两一二〇余多个%％《》 \n人件元约近左右以上点分之")),
    max_size=20,
) | st.text(max_size=20)


@settings(max_examples=300, deadline=None)
@given(label=st.sampled_from(["FIGURE", "DATE", "LAW", "ORG", "PERSON", "X"]), text=_ODD_TEXT, following=_ODD_TEXT)
def test_normalize_entity_never_raises(label: str, text: str, following: str) -> None:
    result = normalize_entity(label, text, following=following, preceding=following, report_year=2022)
    assert isinstance(result, dict)
    if label == "FIGURE":
        assert result["value"] is None or isinstance(result["value"], (int, float))
    if label == "DATE":
        assert result["iso"] is None or isinstance(result["iso"], str)


@settings(max_examples=200, deadline=None)
@given(number=st.integers(min_value=0, max_value=10**7), unit=st.sampled_from(["件", "人", "元", "人次", "%"]))
def test_arabic_figure_round_trips(number: int, unit: str) -> None:
    assert normalize_figure(f"{number}{unit}") == {"value": number, "unit": unit, "approx": False}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一千二百三十四", "1234"),
        ("三百零五", "305"),
        ("十五", "15"),
        ("二十万亿", "20000000000000"),
        ("三千万", "30000000"),
        ("两千零五", "2005"),
        ("三点五", "3.5"),
        ("零点五", "0.5"),
        ("二〇二六", "2026"),
        ("三五", "35"),
        ("一千六", "1600"),
        ("七万九", "79000"),
        ("千万", "10000000"),
        ("1.5万", "15000"),
        ("3千5百", "3500"),
        ("12亿", "1200000000"),
        ("10万亿", "10000000000000"),
        ("1,000", "1000"),
        ("十十", None),
        ("三二百", None),
        ("一亿五", None),
        ("三点", None),
        ("九万亿三", None),
        ("", None),
    ],
)
def test_numerals_read_as_their_value(text, value):
    parsed = _parse_numeral(text)
    assert (None if parsed is None else parsed.normalize()) == (None if value is None else Decimal(value).normalize())
