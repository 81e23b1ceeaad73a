import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_ner.text import normalize

from .conftest import eval_records


def test_ocr_sample_is_reflowed(ocr_sample):
    normalized = normalize(ocr_sample)
    assert normalized.layout == "ocr"
    for word in ("中国人民解放军", "全国人大常委会", "108221人次", "地方各级人民代表大会和地方各级人民政府组织法"):
        assert word in normalized.text
    assert "上接第一版" not in normalized.text
    assert "\n\n" not in normalized.text
    paragraphs = normalized.text.split("\n")
    assert "一、进一步完善宪法相关法，维护宪法的最高法律地位、权威和效力" in paragraphs
    assert "过去一年的工作" in paragraphs and "今后一年的主要任务" in paragraphs


def test_every_normalized_char_is_its_original_char(ocr_sample):
    normalized = normalize(ocr_sample)
    assert len(normalized.to_original) == len(normalized.text)
    assert all(ocr_sample[o] == c for c, o in zip(normalized.text, normalized.to_original))
    assert list(normalized.to_original) == sorted(set(normalized.to_original))


def test_latin_words_split_by_a_wrap_keep_their_space():
    lines = ["这是一个很长的测试段落内容包括英文单词COVID", "19以及更多的中文内容继续写下去直到结束为止啊"] * 3
    text = "\n\n".join(lines[:-1] + ["完。"])
    spaced = text.replace("COVID\n", "COVID \n")
    assert "COVID19" in normalize(text).text
    assert "COVID 19" in normalize(spaced).text


@pytest.mark.parametrize("record", eval_records())
def test_gold_spans_survive_normalization(record):
    text = record["text"]
    normalized = normalize(text)
    for span in record["spans"]:
        start = normalized.normalized_offset(span["start"])
        end = normalized.normalized_offset(span["end"] - 1) + 1
        assert normalized.text[start:end] == text[span["start"] : span["end"]].replace("\n", "")
        assert normalized.original_span(start, end) == (span["start"], span["end"])


def test_clean_text_line_endings_bom_and_blank_lines():
    assert normalize("第一段。\r\n\r\n第二段。\r\n").text == "第一段。\n第二段。"
    assert normalize("第一段。\n\n\n第二段。").text == "第一段。\n第二段。"
    assert normalize("一、标题\n正文。").layout == "clean"


def test_page_markers_are_dropped_and_offsets_map_around_them():
    text = "（下转第二版）\n(上接第一版)正文内容。"
    normalized = normalize(text)
    assert normalized.text == "正文内容。"
    assert normalized.original_span(0, 2) == (text.index("正文"), text.index("正文") + 2)


REPORT_CHARS = st.sampled_from(list("的人大常委会法律监督工作制度国家建设发展改革审议通过代表委员会议社会经济数据安全保护条例年月日") + list("，、；") + ["2", "0", "5", "%"])
ANY_CHARS = st.sampled_from(list("一二、（）()。，；：！？”“\n\r \u3000abc12的人大法过去年工作") + ["(上接第一版)", "（下转第二版）"])


@settings(max_examples=150, deadline=None)
@given(st.lists(ANY_CHARS, max_size=300).map("".join))
def test_normalization_is_idempotent_and_maps_back(text):
    once = normalize(text)
    assert normalize(once.text).text == once.text
    for char, index in zip(once.text, once.to_original):
        assert text[index] == char or (char == "\n" and text[index] == "\r")


@settings(max_examples=80, deadline=None)
@given(
    width=st.integers(min_value=12, max_value=30),
    bodies=st.lists(st.lists(REPORT_CHARS, min_size=40, max_size=160).map("".join), min_size=2, max_size=6),
)
def test_reflowing_fixed_width_ocr_gives_back_the_clean_text(width, bodies):
    paragraphs = [body + "。" for body in bodies]
    paragraphs = [p for p in paragraphs if len(p) % width != 0 and len(p) > 2 * width]
    if len(paragraphs) < 2:
        return
    lines = [p[i : i + width] for p in paragraphs for i in range(0, len(p), width)]
    ocr = "\n\n".join(lines) + "\n"
    assert normalize(ocr).text == "\n".join(paragraphs)
