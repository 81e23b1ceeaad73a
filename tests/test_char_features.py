"""Character tokenizer, word segmenter and the character features the NER embeds."""

import re

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.util import make_tempdir

from report_ner.char_features import CharFeatures
from report_ner.doc_spans import entity_spans
from report_ner.lexicon import Lexicon
from report_ner.segmenter import JiebaRsSegmenter
from report_ner.tokenizer import CharTokenizer, doc_text

from .conftest import OCR_SAMPLE, shared_path

ZH = spacy.blank("zh")  # spaCy's own character segmenter, the reference
TOKENIZER = CharTokenizer(ZH.vocab)
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def tokens(doc):
    return [(token.text, token.whitespace_) for token in doc]


def real_texts() -> list[str]:
    texts = [OCR_SAMPLE.read_text(encoding="utf-8")]
    folder = shared_path("reports")
    texts += [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted((folder / "provincial_2026").glob("*.txt"))[:6]]
    return texts


def test_char_tokenizer_matches_spacys_on_real_reports():
    for text in real_texts():
        doc = TOKENIZER(text)
        assert tokens(doc) == tokens(ZH.make_doc(text))
        assert doc_text(doc) == doc.text == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中国人 \n\t\u3000\r法A1.,《》")), max_size=40))
def test_char_tokenizer_matches_spacys_on_any_spacing(text):
    assert tokens(TOKENIZER(text)) == tokens(ZH.make_doc(text))


def test_doc_text_falls_back_when_the_doc_is_not_the_tokenizers():
    doc = ZH.make_doc("全国人大常委会")
    assert doc_text(doc) == "全国人大常委会"


@pytest.fixture(scope="module")
def segmenters():
    import jieba

    jieba.setLogLevel(60)
    return JiebaRsSegmenter(), jieba.Tokenizer()


def test_segmenter_covers_real_reports_and_gives_jiebas_chinese_words(segmenters):
    ours, theirs = segmenters
    for text in real_texts()[:4]:
        spans = ours.spans(text)
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        # On runs of Chinese characters jieba-rs gives jieba's words (it groups Latin and
        # digit runs differently, which does not matter to the features).
        for run in HAN_RUN.findall(text)[:300]:
            assert ours.spans(run) == [(start, end) for _, start, end in theirs.tokenize(run, HMM=True)], run


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("全国人大常委会制定数据安全法的了是在李强张军鑫犇 \n\r\tA1.%，。")), max_size=40))
def test_segmenter_spans_cover_any_text_in_order(segmenters, text):
    spans = segmenters[0].spans(text)
    assert "".join(text[a:b] for a, b in spans) == text


def features_for(text: str, lexicon: Lexicon) -> list[tuple[str, str]]:
    nlp = spacy.blank("zh")
    component = CharFeatures(nlp.vocab)
    component.lexicon = lexicon
    tags, words = component.char_features(text)
    return list(zip(tags, words))


def test_features_of_a_sentence():
    lexicon = Lexicon.from_names({"LAW": ["数据安全法"], "ORG": ["全国人大常委会"]})
    features = features_for("全国人大常委会制定《数据安全法》。李强出席", lexicon)
    tags = [tag for tag, _ in features]
    # 全国人大常委会 is one jieba word and one ORG lexicon match.
    assert tags[0].startswith("B|ORGB|") and tags[6].startswith("E|ORGI|")
    # 数据安全法 inside 《》: LAW match, quoted.
    assert tags[10].split("|")[1:3] == ["LAWB", "Q"] and tags[14].split("|")[1:3] == ["LAWI", "Q"]
    assert tags[9].split("|")[2] == "" and tags[15].split("|")[2] == ""  # the marks themselves are not inside
    # 李 starts a surname.
    assert tags[17].split("|")[3] == "N1"
    assert features[0][1] == "全国人大常委会" and features[17][1] in ("李强", "李")


def test_a_law_name_inside_a_longer_word_is_not_a_match():
    lexicon = Lexicon.from_names({"LAW": ["劳动法"]})
    tags = [tag for tag, _ in features_for("完善劳动法律制度", lexicon)]
    assert all(tag.split("|")[1] == "" for tag in tags)


def test_features_land_on_the_tokens_and_the_lexicon_travels_with_the_pipeline():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "report_ner.char_tokenizer.v1"}}})
    component = nlp.add_pipe("report_ner_char_features_v1", name="char_features")
    component.initialize()
    assert len(component.lexicon) > 1000  # the packaged law and institution lexicons
    doc = nlp("全国人大常委会制定数据安全法")
    assert doc[0].tag_.startswith("B|ORGB") and doc[0].lemma_ == "全国人大常委会"
    with make_tempdir() as folder:
        nlp.to_disk(folder)
        loaded = spacy.load(folder)
    assert len(loaded.get_pipe("char_features").lexicon) == len(component.lexicon)
    assert [t.tag_ for t in loaded("全国人大常委会制定数据安全法")] == [t.tag_ for t in doc]
    restored = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "report_ner.char_tokenizer.v1"}}})
    restored.add_pipe("report_ner_char_features_v1", name="char_features").from_bytes(component.to_bytes())
    assert len(restored.get_pipe("char_features").lexicon) == len(component.lexicon)


def test_a_missing_lexicon_is_an_error_not_an_empty_lexicon(tmp_path):
    nlp = spacy.blank("zh")
    component = nlp.add_pipe("report_ner_char_features_v1", name="char_features")
    with pytest.raises(FileNotFoundError, match="lexicon"):
        component.initialize(lexicon_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="lexicon"):
        component.from_disk(tmp_path)


def test_entity_spans_equal_doc_ents():
    nlp = spacy.blank("zh")
    doc = nlp("全国人大常委会制定数据安全法，李强2023年3月出席。")
    labels = [("ORG", 0, 7), ("LAW", 9, 14), ("PERSON", 15, 17), ("DATE", 17, 24)]
    doc.ents = [doc.char_span(start, end, label=label) for label, start, end in labels]
    assert [(s.start, s.end, s.label_) for s in entity_spans(doc)] == [(e.start, e.end, e.label_) for e in doc.ents]
    doc.ents = [doc.char_span(0, 2, label="ORG"), doc.char_span(2, 4, label="ORG")]
    assert [(s.start, s.end) for s in entity_spans(doc)] == [(0, 2), (2, 4)]
    assert entity_spans(nlp("")) == []
