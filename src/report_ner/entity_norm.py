"""Normalize entity strings into values analysts can count and join.

FIGURE spans become numbers with a unit, DATE spans ISO-8601 strings, LAW and ORG
spans canonical names. Every public function accepts odd input without raising:
what cannot be read comes back as None fields.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

from .text import PRC

__all__ = [
    "canonical_law",
    "canonical_org",
    "normalize_date",
    "normalize_entity",
    "normalize_figure",
    "org_aliases",
    "parse_alias_table",
    "report_year",
]

Number = int | float


# ---------------------------------------------------------------- text helpers

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _compact(text: str) -> str:
    """Half-width ASCII and no whitespace: OCR wraps lines inside spans."""
    return "".join(text.translate(_FULLWIDTH).split())


def _str(text: Any) -> str:
    return text if isinstance(text, str) else ""


# --------------------------------------------------------------------- numerals

_CN_DIGITS = "〇零一二三四五六七八九两壹贰叁肆伍陆柒捌玖廿"
_CN_POWERS = "十百千拾佰仟"
_MULTIPLIER_EXPONENT = {"万": 4, "亿": 8}
# One numeral character; "." and 点 only as a decimal point, "," only as a
# thousands separator, so that "两点建议" or "3,的" do not read as numbers.
_NUM = (
    rf"(?:[0-9{_CN_DIGITS}{_CN_POWERS}万亿]"
    rf"|\.(?=[0-9])|点(?=[{_CN_DIGITS}])|,(?=[0-9]{{3}}))"
)
# Units that begin with a numeral character and must not be read as one.
_NUMERAL_LED_UNITS = ("百分点", "千克", "千米", "千瓦", "千伏", "千帕", "千卡")
_FIGURE_RE = re.compile(
    rf"(?P<num>{_NUM}+?)(?P<approx1>[余多]?)(?P<mult>[万亿]*)(?P<approx2>[余多]?)"
    rf"(?P<unit>(?:{'|'.join(_NUMERAL_LED_UNITS)}).*|(?!{_NUM}).*)",
    re.S,
)
_ARABIC_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _to_number(value: Decimal) -> Number:
    return int(value) if value == value.to_integral_value() else float(value)


def _parse_numeral(text: str) -> Decimal | None:
    """Arabic, Chinese or mixed numeral ("3千", "一千二百", "二〇二六") to a Decimal."""
    text = text.replace(",", "")
    if _ARABIC_RE.fullmatch(text):
        return Decimal(text)
    if text and text[0] in "百千万亿佰仟":
        text = "一" + text  # a bare leading power: 千万, 百分之百
    return _chinese_numeral(text)


_DIGIT_VALUE = {char: value for value, chars in enumerate(("〇零", "一壹", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖")) for char in chars}
_UNIT_VALUE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10**4, "亿": 10**8}
_NUMERAL_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.S)


def _chinese_numeral(text: str) -> Decimal | None:
    """A Chinese, Arabic or mixed numeral to its value, or None where it is not one.

    一千二百三十四, 三百零五, 十五, 二十万亿, 三点五; digit strings 二〇二六; the colloquial
    last digit 一千六 (1600), 七万九 (79,000); Arabic numbers with units 1.5万, 3千5百, 12亿.
    """
    if not text:
        return None
    if len(text) > 1 and all(char in _DIGIT_VALUE for char in text):
        return Decimal("".join(str(_DIGIT_VALUE[char]) for char in text))
    whole, point, fraction = text.partition("点")
    value = _whole_number(whole)
    if value is None or not point:
        return value
    if not fraction or not all(char in _DIGIT_VALUE or char in "0123456789" for char in fraction):
        return None
    digits = "".join(str(_DIGIT_VALUE[char]) if char in _DIGIT_VALUE else char for char in fraction)
    return value + Decimal("0." + digits)


def _whole_number(text: str) -> Decimal | None:
    done = Decimal(0)  # the 亿 part, closed
    section = Decimal(0)  # below the last 亿
    number: Decimal | None = None  # the numeral waiting for its unit
    last_unit = None  # the unit before the waiting numeral, for 一千六
    after_zero = False
    small_unit = 0  # the last 十 百 千 of this 万 group (0: none yet); each must be lower
    tokens = _NUMERAL_TOKEN.findall(text)
    if not tokens:
        return None
    for index, token in enumerate(tokens):
        if token in _DIGIT_VALUE or token[0] in "0123456789":
            if number is not None:
                return None  # two numerals without a unit between
            if _DIGIT_VALUE.get(token) == 0:
                after_zero = True  # 零 only marks a skipped unit
                continue
            number = Decimal(_DIGIT_VALUE[token]) if token in _DIGIT_VALUE else Decimal(token)
        elif token in _UNIT_VALUE:
            unit = _UNIT_VALUE[token]
            if unit < 10**4:
                if small_unit and unit >= small_unit:
                    return None
                small_unit = unit
                if number is None:
                    if index != 0 or unit != 10:  # only a leading 十 stands alone (十五)
                        return None
                    number = Decimal(1)
                section += number * unit
            elif unit == 10**4:
                if number is None and not small_unit and section == 0:
                    return None
                section = (section + (number or 0)) * unit
                small_unit = 0
            else:
                if number is None and section == 0 and done == 0:
                    return None
                done = (done + section + (number or 0)) * unit
                section, small_unit = Decimal(0), 0
            number, last_unit, after_zero = None, unit, False
        else:
            return None
    if number is not None and last_unit is not None and not after_zero and tokens[-1] in _DIGIT_VALUE and last_unit >= 100:
        if last_unit > 10**4:
            return None  # 一亿五: not said
        number *= last_unit // 10  # 一千六, 七万九: the unit below the last one
    return done + section + (number or 0)


# ---------------------------------------------------------------------- FIGURE

_APPROX_PREFIX_RE = re.compile(r"^(?:将近|接近|大约|超过|近|约|超|逾|上(?=[百千万亿]))")
_NEUTRAL_PREFIX_RE = re.compile(r"^(?:共计|共|连续|累计)")
_APPROX_SUFFIX_RE = re.compile(r"(?:左右|以上|以下|以内|上下)$")
_APPROX_FOLLOWING_RE = re.compile(r"^(?:左右|以上|以下|以内|上下)")
_APPROX_PRECEDING_RE = re.compile(r"(?:将近|接近|大约|超过|近|约|超|逾)$")
_RANGE_SEP_RE = re.compile(r"至|到|~|-|—|–")
_CLAUSE_END_RE = re.compile(r"[，,。；;：:！!？?（(）)“”\"]")
_ENUM_SEP_RE = re.compile(r"[、和及与或]")
_MAX_MULTIPLIERS = 3

# Measure words recognised when borrowing an elided unit from the next figure.
_KNOWN_UNITS = tuple(
    sorted(
        """个百分点 百分点 % ‰ 人次 件次 户次 剂次 人 名 位 件 个 项 部 条 篇 份 次 场 期
        批 家 户 所 座 处 套 台 辆 艘 架 元 美元 欧元 港元 倍 年 周年 周岁 岁 个月 月
        天 日 小时 分钟 周 斤 公斤 千克 吨 公里 千米 米 平方米 平方公里 立方米 亩
        公顷 千瓦时 千瓦 标准箱 省 册 株 头 只 支 棵 门""".split(),
        key=len,
        reverse=True,
    )
)


def _empty_figure() -> dict[str, Any]:
    return {"value": None, "unit": None, "approx": False}


def _strip_prefixes(text: str) -> tuple[str, bool]:
    """Drop leading 约/近/超过 (approximate) and 共/连续 (exact) from a span."""
    approx = False
    while True:
        if match := _APPROX_PREFIX_RE.match(text):
            approx = True
        elif not (match := _NEUTRAL_PREFIX_RE.match(text)):
            return text, approx
        text = text[match.end() :]


def _parse_single(text: str) -> tuple[Decimal, str, bool, int] | None:
    """One figure without a range: (value, unit, approx, multiplier exponent)."""
    text, approx = _strip_prefixes(text)
    if text.startswith("百分之"):
        value = _parse_numeral(text[3:])
        return None if value is None else (value, "%", approx, 0)
    match = _FIGURE_RE.fullmatch(text)
    if not match or len(match["mult"]) > _MAX_MULTIPLIERS:
        return None
    value = _parse_numeral(match["num"])
    if value is None:
        return None
    exponent = sum(_MULTIPLIER_EXPONENT[c] for c in match["mult"])
    unit = match["unit"]
    approx = approx or bool(match["approx1"] or match["approx2"]) or bool(re.search("[余多]", unit))
    unit = re.sub("[余多]", "", unit)  # 一年多, 两个多月 -> 年, 个月
    while suffix := _APPROX_SUFFIX_RE.search(unit):
        unit, approx = unit[: suffix.start()], True
    return value.scaleb(exponent), unit, approx, exponent


def _parse_range(text: str) -> dict[str, Any] | None:
    """"3至5年", "30—50%", "3至5万人": lower bound, upper bound, shared unit."""
    for sep in _RANGE_SEP_RE.finditer(text):
        left = _parse_single(text[: sep.start()])
        right = _parse_single(text[sep.end() :])
        if not left or not right:
            continue
        low, left_unit, left_approx, left_exp = left
        high, unit, right_approx, right_exp = right
        if left_exp == 0 and not left_unit:
            low = low.scaleb(right_exp)  # the multiplier is shared: 3至5万 = 3万至5万
        return {
            "value": _to_number(low),
            "unit": unit or left_unit or None,
            "approx": left_approx or right_approx,
            "value_max": _to_number(high),
        }
    return None


def _known_unit(text: str) -> str | None:
    return next((unit for unit in _KNOWN_UNITS if text.startswith(unit)), None)


def _borrowed_unit(own_unit: str, following: str) -> str | None:
    """Unit of the next figure in an enumeration, when this one elides it.

    "3.6个、2.6个百分点" -> 个百分点; "4.6万、5.3万件" -> 件. Only the text up to the
    clause end counts, and the span must be directly followed by a separator.
    """
    clause = _CLAUSE_END_RE.split(following, maxsplit=1)[0]
    parts = _ENUM_SEP_RE.split(clause)
    if len(parts) < 2 or parts[0]:
        return None
    for part in parts[1:]:
        parsed = _parse_single(part)
        if parsed is None:
            return None
        unit = _known_unit(parsed[1])
        if unit and unit != own_unit and unit.startswith(own_unit):
            return unit
        if unit:
            return None
    return None


def normalize_figure(text: str, following: str = "", preceding: str = "") -> dict[str, Any]:
    """Read a FIGURE span as {"value", "unit", "approx"} (+ "value_max" for ranges).

    ``following`` is the text after the span up to the sentence end; it supplies an
    elided unit ("3.6个" before "、2.6个百分点") and a trailing 左右/以上.
    ``preceding`` is the text before the span; a final 近/约/超过 marks it approximate.
    value is an int when integral, else a float; unit is None when the span has none.
    """
    span, following, preceding = (_compact(_str(s)) for s in (text, following, preceding))
    result = _parse_range(span)
    if result is None:
        parsed = _parse_single(span)
        if parsed is None:
            return _empty_figure()
        value, unit, approx, _ = parsed
        result = {"value": _to_number(value), "unit": unit or None, "approx": approx}
    if borrowed := _borrowed_unit(result["unit"] or "", following):
        result["unit"] = borrowed
    if (
        _APPROX_FOLLOWING_RE.match(following)
        or _APPROX_PRECEDING_RE.search(preceding)
        or (preceding.endswith("上") and span[:1] in "百千万亿")  # 惠及上千万家庭
    ):
        result["approx"] = True
    return result


# ------------------------------------------------------------------------ DATE

_CN_DATE_DIGITS = "〇零一二三四五六七八九"
_YEAR = rf"(?<![0-9])[0-9]{{4}}|[{_CN_DATE_DIGITS}]{{4}}"
_MONTH = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_DAY = r"[0-9]{1,2}|[一二三四五六七八九十廿]{1,3}"
_DATE_RE = re.compile(
    rf"(?:(?P<y>{_YEAR})年)?(?:(?P<m>{_MONTH})月份?)?(?:(?P<d>{_DAY})[日号])?"
    r"(?:度|底|初|末|中|上旬|中旬|下旬|上半年|下半年)?"
)
_NUMERIC_DATE_RE = re.compile(r"(?P<y>[0-9]{4})([-./])(?P<m>[0-9]{1,2})(?:\2(?P<d>[0-9]{1,2}))?")
_DATE_RANGE_SEP_RE = re.compile(r"至|到|~|—|–|-")
_BARE_NUMBER_RE = re.compile(rf"[0-9{_CN_DATE_DIGITS}十廿]+")
_FULL_DATE = rf"(?:{_YEAR})年(?:{_MONTH})月(?:{_DAY})日"

DateParts = tuple[int | None, int | None, int | None]


def _date_field(text: str | None) -> int | None:
    if not text:
        return None
    value = _parse_numeral(text)
    return int(value) if value is not None else None


def _parse_date_parts(text: str) -> DateParts | None:
    match = _NUMERIC_DATE_RE.fullmatch(text) or _DATE_RE.fullmatch(text)
    if not match or not any(match.group("y", "m", "d")):
        return None
    return _date_field(match["y"]), _date_field(match["m"]), _date_field(match["d"])


def _valid(parts: DateParts) -> bool:
    year, month, day = parts
    if month is not None and not 1 <= month <= 12:
        return False
    if day is not None and not 1 <= day <= 31:
        return False
    if month is not None and day is not None:
        try:
            # Without a year, allow 2月29日: 2000 is a leap year.
            _dt.date(year if year is not None else 2000, month, day)
        except ValueError:
            return False
    return True


def _iso(parts: DateParts) -> str | None:
    year, month, day = parts
    if year is not None:
        if month is None:
            return None if day is not None else f"{year:04d}"
        return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
    if month is not None:  # ISO 8601:2000 truncated forms without the year
        return f"--{month:02d}" + (f"-{day:02d}" if day is not None else "")
    return None


def _single_date(text: str, report_year: int | None) -> DateParts | None:
    parts = _parse_date_parts(text)
    if parts is not None and parts[0] is None and parts[1] is not None and report_year is not None:
        parts = (report_year, parts[1], parts[2])
    return parts if parts is not None and _valid(parts) else None


def _date_range(text: str, report_year: int | None) -> str | None:
    """"2026—2030年", "2021年至2025年", "2021年1月至3月" -> "start/end"."""
    for sep in _DATE_RANGE_SEP_RE.finditer(text):
        left_text, right_text = text[: sep.start()], text[sep.end() :]
        if _BARE_NUMBER_RE.fullmatch(left_text):
            marker = re.search("[年月日号]", right_text)
            left_text += marker.group() if marker else ""
        left = _single_date(left_text, report_year)
        right = _parse_date_parts(right_text)
        if not left or not right:
            continue
        # The end inherits the fields it leaves out: 2021年1月至3月, 3月1日至5日.
        if right[0] is None:
            right = (left[0], right[1] if right[1] is not None else left[1], right[2])
        start = _iso(left)
        end = _iso(right) if _valid(right) else None
        if start and end:
            return f"{start}/{end}"
    return None


def normalize_date(text: str, report_year: int | None = None) -> str | None:
    """ISO-8601 for a DATE span, as far as it is known.

    "2022年3月8日" -> "2022-03-08"; "2025年10月" -> "2025-10"; "2026—2030年" ->
    "2026/2030". A month and day without a year take ``report_year`` when given,
    else the truncated form "--03-08". Unreadable text gives None.
    """
    span = _compact(_str(text))
    parts = _single_date(span, report_year)
    if parts is not None:
        return _iso(parts)
    return _date_range(span, report_year)


# ---------------------------------------------------------------- report year

_HEADER_CHARS = 300
_DATE_LINE_RE = re.compile(rf"——(?P<date>{_FULL_DATE})|(?P<date2>{_FULL_DATE})在")
_NPC_SESSION_RE = re.compile(
    r"第?(?P<term>[一二三四五六七八九十]+)届全国(?:人民代表大会|人大)第?(?P<session>[一二三四五六七八九十]+)次会议"
)
_REVIEW_RE = re.compile(rf"(?P<y>{_YEAR})年工作回顾")
_YEAR_RE = re.compile(rf"(?P<y>{_YEAR})年")
_NPC_FIRST_REGULAR_TERM = 6  # from the 6th NPC (1983) on, terms last five years


def _npc_session_year(header: str) -> int | None:
    """Year of "第十四届全国人民代表大会第二次会议": term start + session - 1."""
    match = _NPC_SESSION_RE.search(header)
    if not match:
        return None
    term, session = _date_field(match["term"]), _date_field(match["session"])
    if term is None or session is None or term < _NPC_FIRST_REGULAR_TERM or not 1 <= session <= 5:
        return None
    return 1983 + 5 * (term - _NPC_FIRST_REGULAR_TERM) + session - 1


def report_year(text: str) -> int | None:
    """The report's own year, read from the top of the document.

    In order: the date line ("——2024年3月5日在…", Chinese numerals too); the NPC
    session it is delivered to ("十三届全国人大五次会议" -> 2022); a "2021年工作回顾"
    heading (the review of the previous year -> 2022); else the first year in the
    first 300 characters. None if there is none.
    """
    header = _compact(_str(text)[: _HEADER_CHARS * 4])[:_HEADER_CHARS]
    if match := _DATE_LINE_RE.search(header):
        parts = _parse_date_parts(match["date"] or match["date2"])
        if parts and parts[0]:
            return parts[0]
    if year := _npc_session_year(header):
        return year
    if match := _REVIEW_RE.search(header):
        year = _date_field(match["y"])
        return year + 1 if year else None
    if match := _YEAR_RE.search(header):
        return _date_field(match["y"])
    return None


# ------------------------------------------------------------------ LAW / ORG

_TITLE_MARKS_RE = re.compile(r"[《》〈〉<>“”\"‘’']")


def _bare_name(text: str) -> str:
    return _TITLE_MARKS_RE.sub("", "".join(_str(text).split()))


def _drop_prc(name: str) -> str:
    rest = name.removeprefix(PRC)
    return rest or name


def canonical_law(text: str) -> str:
    """Law name without title marks, whitespace or a leading 中华人民共和国.

    《中华人民共和国数据安全法》 and 数据安全法 both give 数据安全法.
    """
    return _drop_prc(_bare_name(text))


def parse_alias_table(text: str) -> list[tuple[str, str]]:
    """Rows of an alias<TAB>canonical table; blank and '#' lines are skipped."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) != 2 or not all(fields):
            raise ValueError(f"org alias table line {number}: expected alias<TAB>canonical")
        rows.append((fields[0], fields[1]))
    return rows


@lru_cache(maxsize=1)
def org_aliases() -> Mapping[str, str]:
    """The shipped alias -> canonical ORG table (read-only, loaded once)."""
    path = resources.files("report_ner").joinpath("data/org_aliases.tsv")
    table: dict[str, str] = {}
    for alias, canonical in parse_alias_table(path.read_text(encoding="utf-8")):
        if alias in table:
            raise ValueError(f"org alias table: duplicate alias {alias!r}")
        table[alias] = canonical
    return MappingProxyType(table)


def canonical_org(text: str) -> str:
    """Canonical full name of an organization, via the shipped alias table.

    发改委, 国家发展改革委 and 国家发展和改革委员会 all give 国家发展和改革委员会.
    Canonical names carry no leading 中华人民共和国 (国务院, 公安部). Unknown names come
    back unchanged apart from whitespace and title marks; the bare 常委会 is ambiguous
    and stays as it is.
    """
    name = _bare_name(text)
    table = org_aliases()
    return table.get(name) or table.get(_drop_prc(name)) or name


# ---------------------------------------------------------------- dispatcher


def normalize_entity(
    label: str,
    text: str,
    *,
    following: str = "",
    preceding: str = "",
    report_year: int | None = None,
) -> dict[str, Any]:
    """Normalized fields for one entity, by label; {} for an unknown label.

    FIGURE -> normalize_figure's dict; DATE -> {"iso"}; LAW, ORG, PERSON -> {"canonical"}.
    """
    label = _str(label).upper()
    text = _str(text)
    if label == "FIGURE":
        return normalize_figure(text, following=following, preceding=preceding)
    if label == "DATE":
        return {"iso": normalize_date(text, report_year=report_year)}
    if label == "LAW":
        return {"canonical": canonical_law(text)}
    if label == "ORG":
        return {"canonical": canonical_org(text)}
    if label == "PERSON":
        # OCR wraps names across lines: drop line breaks, keep a space in Latin names.
        return {"canonical": " ".join(re.sub(r"\s*\n\s*", "", text).split())}
    return {}
