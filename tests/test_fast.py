"""The fast pipeline's parts: character tokenizer, BILUO tagging head, cheap entity reads."""

import itertools
import json
import subprocess
import sys

import numpy
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from report_ner.cli import app
from report_ner.doc_spans import entity_spans
from report_ner.tagger_ner import best_tags, decode, tag_names, transitions
from report_ner.tokenizer import CharTokenizer

from .conftest import OCR_SAMPLE, SHARED, TINY_STEPS
from .test_tag import check_contract

ZH = spacy.blank("zh")  # spaCy's own character segmenter, the reference
TOKENIZER = CharTokenizer(ZH.vocab)


def tokens(doc):
    return [(token.text, token.whitespace_) for token in doc]


def real_texts() -> list[str]:
    texts = [OCR_SAMPLE.read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in sorted((SHARED / "reports").glob("*.txt"))]
    return texts


def test_char_tokenizer_matches_spacys_on_real_reports():
    for text in real_texts():
        assert tokens(TOKENIZER(text)) == tokens(ZH.make_doc(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中国人 \n\t\u3000\r法A1.,《》")), max_size=40))
def test_char_tokenizer_matches_spacys_on_any_spacing(text):
    assert tokens(TOKENIZER(text)) == tokens(ZH.make_doc(text))


@pytest.fixture(scope="module")
def jieba_pair():
    import jieba

    from report_ner.segmenter import JiebaSegmenter

    return JiebaSegmenter(), jieba.Tokenizer()


def test_segmenter_gives_jiebas_words_on_real_reports(jieba_pair):
    ours, theirs = jieba_pair
    for text in real_texts():
        assert ours.spans(text) == [(start, end) for _, start, end in theirs.tokenize(text, HMM=True)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("全国人大常委会制定数据安全法的了是在李强张军鑫犇 \n\r\tA1.%，。")), max_size=40))
def test_segmenter_gives_jiebas_words_on_any_text(jieba_pair, text):
    ours, theirs = jieba_pair
    assert ours.spans(text) == [(start, end) for _, start, end in theirs.tokenize(text, HMM=True)]


def valid(tag_ids: list[int], weights: numpy.ndarray) -> bool:
    sequence = [0, *tag_ids, 0]
    return all(weights[a, b] == 0 for a, b in zip(sequence, sequence[1:]))


def test_tag_set_and_transitions():
    assert tag_names(["LAW", "ORG"]) == ["O", "B-LAW", "I-LAW", "L-LAW", "U-LAW", "B-ORG", "I-ORG", "L-ORG", "U-ORG"]
    weights = transitions(2)
    assert valid([1, 2, 3, 4, 0, 8], weights)  # B I L U O U
    assert not valid([2, 3], weights)  # I without B
    assert not valid([1, 7], weights)  # B-LAW then L-ORG
    assert not valid([1], weights)  # B never closed


def test_decode_reads_spans_from_tags():
    # O B I L O U I L O B I L I(other label) O I
    ids = [0, 1, 2, 3, 0, 4, 2, 3, 0, 5, 6, 7, 2, 0, 2]
    assert decode(ids) == [(1, 4, 0), (5, 6, 0), (6, 8, 0), (9, 12, 1), (12, 13, 0), (14, 15, 0)]
    assert decode([]) == [] and decode([0, 0]) == []


def brute_force(scores: numpy.ndarray, weights: numpy.ndarray) -> float:
    """The best log-score of a valid sequence that keeps O wherever the argmax is O."""
    fixed = scores.argmax(axis=1) == 0
    choices = [[0] if fixed[i] else range(scores.shape[1]) for i in range(len(scores))]
    best = -numpy.inf
    for sequence in itertools.product(*choices):
        if valid(list(sequence), weights):
            best = max(best, sum(numpy.log(scores[i, tag]) for i, tag in enumerate(sequence)))
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_viterbi_finds_the_best_valid_sequence(seed, length):
    rng = numpy.random.default_rng(seed)
    weights = transitions(2)
    scores = rng.random((length, weights.shape[0])) + 1e-3
    scores[rng.random(length) < 0.3, 0] = 10.0
    scores /= scores.sum(axis=1, keepdims=True)
    tags = best_tags(scores, weights).tolist()
    assert valid(tags, weights)
    achieved = sum(numpy.log(scores[i, tag]) for i, tag in enumerate(tags))
    assert achieved == pytest.approx(brute_force(scores, weights), rel=1e-5)


def test_entity_spans_equal_doc_ents():
    nlp = spacy.blank("zh")
    doc = nlp("全国人大常委会制定数据安全法，李强2023年3月出席。")
    labels = [("ORG", 0, 7), ("LAW", 9, 14), ("PERSON", 15, 17), ("DATE", 17, 24)]
    doc.ents = [doc.char_span(start, end, label=label) for label, start, end in labels]
    assert [(s.start, s.end, s.label_) for s in entity_spans(doc)] == [(e.start, e.end, e.label_) for e in doc.ents]
    # Two entities side by side with the same label stay two.
    doc.ents = [doc.char_span(0, 2, label="ORG"), doc.char_span(2, 4, label="ORG")]
    assert [(s.start, s.end) for s in entity_spans(doc)] == [(0, 2), (2, 4)]
    assert entity_spans(nlp("")) == []


@pytest.fixture(scope="session")
def tiny_fast_model(tiny_project):
    """`spacy project run train-fast` in the tiny project (its corpus is converted by `all`)."""
    root, _ = tiny_project
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "project", "run", "train-fast", str(root),
         "--vars.max_steps", str(TINY_STEPS), "--vars.eval_frequency", "100"],
        capture_output=True, text=True, cwd=root,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root / "training" / "fast" / "model-best"


def test_fast_model_tags_the_ocr_sample_with_exact_offsets(tiny_fast_model, ocr_sample):
    from report_ner.tagger_ner import TaggerNER
    from report_ner.tagging import load

    nlp = load(tiny_fast_model)
    assert isinstance(nlp.get_pipe("ner"), TaggerNER)
    assert set(nlp.get_pipe("ner").labels) == {"LAW", "ORG", "PERSON", "FIGURE", "DATE"}
    assert isinstance(nlp.tokenizer, CharTokenizer)
    result = CliRunner().invoke(app, ["tag", str(OCR_SAMPLE), "--model", str(tiny_fast_model)])
    assert result.exit_code == 0, result.stdout
    check_contract(json.loads(result.stdout.strip().splitlines()[-1]), ocr_sample)
    # Law titles still become one LAW after the tagging head.
    doc = nlp("依照《中华人民共和国数据安全法》，全国人大常委会开展执法检查。")
    assert "中华人民共和国数据安全法" in [ent.text for ent in doc.ents if ent.label_ == "LAW"]
