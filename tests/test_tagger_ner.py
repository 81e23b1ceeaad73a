"""The NER head: BILUO tag set, constrained Viterbi, entity probabilities, overfitting and
a save / load round trip (spaCy's test_overfitting_IO pattern)."""

import itertools

import numpy
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training import Example
from spacy.util import make_tempdir

from report_ner.blas_ops import NumpyBlasOps
from report_ner.tagger_ner import (
    _forward_backward, best_tags, crf_loss, decode, decode_many, decode_scored, outside_tokens, tag_names, transitions,
)

LABELS = ["LAW", "ORG"]


def valid(tag_ids: list[int], weights: numpy.ndarray) -> bool:
    sequence = [0, *tag_ids, 0]
    return all(weights[a, b] == 0 for a, b in zip(sequence, sequence[1:]))


def test_tag_set_and_transitions():
    assert tag_names(LABELS) == ["O", "B-LAW", "I-LAW", "L-LAW", "U-LAW", "B-ORG", "I-ORG", "L-ORG", "U-ORG"]
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


def lattice(scores: numpy.ndarray, weights: numpy.ndarray):
    """Every valid sequence that keeps O wherever the argmax is O, with its log score."""
    fixed = scores.argmax(axis=1) == 0
    log_p = numpy.log(scores)
    choices = [[0] if fixed[i] else range(scores.shape[1]) for i in range(len(scores))]
    for sequence in itertools.product(*choices):
        if valid(list(sequence), weights):
            yield sequence, sum(log_p[i, tag] for i, tag in enumerate(sequence))


def random_scores(seed: int, length: int, size: int) -> numpy.ndarray:
    rng = numpy.random.default_rng(seed)
    scores = rng.random((length, size)) + 1e-3
    scores[rng.random(length) < 0.3, 0] = 10.0
    return scores / scores.sum(axis=1, keepdims=True)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_viterbi_finds_the_best_valid_sequence(seed, length):
    weights = transitions(2)
    scores = random_scores(seed, length, weights.shape[0])
    # The head hands over logits: any per-row shift of log probabilities decodes the same.
    logits = numpy.log(scores) + numpy.random.default_rng(seed).normal(size=(length, 1))
    tags = best_tags(logits, weights).tolist()
    assert valid(tags, weights)
    achieved = sum(numpy.log(scores[i, tag]) for i, tag in enumerate(tags))
    assert achieved == pytest.approx(max(value for _, value in lattice(scores, weights)), rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_viterbi_with_learned_transitions(seed, length):
    weights = transitions(2) + numpy.random.default_rng(seed).normal(size=(9, 9))
    emissions = numpy.log(random_scores(seed, length, 9))
    tags, _ = decode_scored(emissions, weights, normalize=False)
    path = [0, *tags.tolist(), 0]
    achieved = sum(emissions[i, tag] for i, tag in enumerate(tags.tolist())) + sum(weights[a, b] for a, b in zip(path, path[1:]))
    assert achieved == pytest.approx(max(value for _, value in crf_lattice(emissions, weights)), rel=1e-6)


def test_negative_logits_are_not_flattened():
    """Logits, not probabilities, come from the head: a stretch whose every score is negative
    must still be decoded by their differences (the 0.1 decoder took log(max(x, 1e-12)) and
    tied them all at -27.6, so the tag id broke the tie)."""
    weights = transitions(2)
    # O-argmax is impossible to keep here: three tokens that are clearly B-ORG, I-ORG, L-ORG,
    # though every logit is negative.
    logits = numpy.full((3, 9), -9.0, dtype="f")
    logits[0, 5], logits[1, 6], logits[2, 7] = -1.0, -1.0, -1.0
    logits[:, 1] = -1.5  # B-LAW close behind everywhere: a flattened decoder would pick LAW
    assert best_tags(logits, weights).tolist() == [5, 6, 7]


def crf_lattice(emissions: numpy.ndarray, weights: numpy.ndarray):
    """Every valid sequence that keeps O wherever the emission argmax is O, with its score
    under a CRF (emissions plus transitions, the boundary O moves included)."""
    fixed = emissions.argmax(axis=1) == 0
    choices = [[0] if fixed[i] else range(emissions.shape[1]) for i in range(len(emissions))]
    for sequence in itertools.product(*choices):
        path = [0, *sequence, 0]
        value = sum(emissions[i, tag] for i, tag in enumerate(sequence)) + sum(weights[a, b] for a, b in zip(path, path[1:]))
        if numpy.isfinite(value):
            yield sequence, value


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.booleans())
def test_span_probabilities_are_lattice_marginals(seed, length, learned):
    """Softmax head (log probabilities, fixed transitions) and CRF head (raw emissions plus
    learned transitions): each span's probability is its share of the lattice's mass."""
    weights = transitions(2)
    scores = random_scores(seed, length, weights.shape[0])
    emissions = numpy.log(scores)
    if learned:
        weights = weights + numpy.random.default_rng(seed).normal(size=weights.shape)
    tags, scored = decode_scored(emissions, weights, with_scores=True, normalize=not learned)
    paths = list(crf_lattice(emissions, weights))
    total = sum(numpy.exp(value) for _, value in paths)
    for start, end, label, probability in scored:
        mass = sum(numpy.exp(value) for sequence, value in paths if (start, end, label) in decode(list(sequence)))
        assert probability == pytest.approx(mass / total, rel=1e-4, abs=1e-9)
    assert [(a, b, c) for a, b, c, _ in scored] == decode(tags.tolist())


def log_space_viterbi(emissions: numpy.ndarray, weights: numpy.ndarray) -> list[int]:
    """The textbook recursion, one token at a time (the oracle for long stretches)."""
    best = emissions[0] + weights[0]
    back = []
    for row in emissions[1:]:
        candidates = best[:, None] + weights
        back.append(candidates.argmax(axis=0))
        best = candidates.max(axis=0) + row
    tags = [int((best + weights[:, 0]).argmax())]
    for pointers in reversed(back):
        tags.append(int(pointers[tags[-1]]))
    return tags[::-1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_long_stretches_match_log_space_decoding(seed):
    """300 tokens in one stretch (every token decoded): the path is the log-space Viterbi
    path and every span's probability is the one read off log-space forward-backward, so
    the scaled recursion neither under- nor overflows."""
    rng = numpy.random.default_rng(seed)
    weights = transitions(2) + rng.normal(size=(9, 9))
    emissions = rng.normal(scale=3.0, size=(300, 9)).astype("f")
    tags, scored = decode_scored(emissions, weights, with_scores=True, normalize=False, o_margin=numpy.inf)
    exact = emissions.astype("f8")
    finite = numpy.maximum(weights.astype("f8"), -1e4)
    assert tags.tolist() == log_space_viterbi(exact, finite)
    alpha, beta, log_z = _forward_backward(exact, finite)
    assert len(scored) > 20
    for start, end, label, probability in scored:
        begin, inside, last, unit = (1 + 4 * label + k for k in range(4))
        if end - start == 1:
            log_mass = alpha[start, unit] + beta[start, unit]
        else:
            path = [begin] + [inside] * (end - start - 2) + [last]
            log_mass = alpha[start, begin] + beta[end - 1, last]
            log_mass += sum(finite[a, b] + exact[start + k + 1, b] for k, (a, b) in enumerate(zip(path, path[1:])))
        assert probability == pytest.approx(numpy.exp(log_mass - log_z), rel=1e-6, abs=1e-12)


def test_docs_decoded_together_decode_as_each_alone():
    rng = numpy.random.default_rng(7)
    weights = transitions(2) + rng.normal(size=(9, 9))
    docs = [rng.normal(scale=3.0, size=(length, 9)).astype("f") for length in (1, 40, 7, 120, 3)]
    together = decode_many(docs, weights, [None] * len(docs), with_scores=True, normalize=False, o_margin=4.0, temperature=1.7)
    for logits, (tags, scored) in zip(docs, together):
        alone_tags, alone_scored = decode_scored(logits, weights, with_scores=True, normalize=False, o_margin=4.0, temperature=1.7)
        assert tags.tolist() == alone_tags.tolist()
        assert scored == alone_scored


def test_outside_tokens_keep_punctuation_breaks_and_heading_numbers_out():
    nlp = spacy.blank("zh")
    text = "（九）加强生态文明建设，推进绿色低碳发展。\n二、因城施策"
    doc = nlp(text)
    blocked = {doc[i].text for i in numpy.flatnonzero(outside_tokens(doc))}
    assert {"，", "。", "\n", "九", "二", "、", "（", "）"} <= blocked
    assert not blocked & set("加强生态文明建设推进因城施策")


@pytest.mark.parametrize(
    "text",
    [
        # The two runaway entities of the 0.1 default on gov_2024 (issue 15).
        "促进民间投资政策，能源、水利等基础设施和制造业投资较快增长。因城施策优化房地产调控，推动降低房贷成本",
        "（九）加强生态文明建设，推进绿色低碳发展。深入推进美丽中国建设",
        "九）加强生态文明建设，推进绿色低碳发展。",  # OCR dropped the opening bracket
    ],
)
def test_no_entity_can_contain_a_clause_end_even_when_the_scores_say_so(text):
    """Scores that put one entity over the whole text still decode to spans that stop at
    every ，。 and never start inside a heading number."""
    nlp = spacy.blank("zh")
    doc = nlp(text)
    weights = transitions(1)
    logits = numpy.full((len(doc), 5), -5.0, dtype="f")
    logits[:, 2] = 3.0  # I-LAW everywhere
    logits[0, 1] = 4.0  # B-LAW at the first character
    logits[-1, 3] = 4.0  # L-LAW at the last
    _, scored = decode_scored(logits, weights, outside_tokens(doc), with_scores=True)
    assert scored
    for start, end, _, _ in scored:
        surface = doc[start:end].text
        assert not set(surface) & set("，。；！？\n")
        assert not surface.startswith(("（", "九", "）"))


TRAIN_DATA = [
    ("全国人大常委会制定数据安全法。", [(0, 7, "ORG"), (9, 14, "LAW")]),
    ("国务院修改种子法。", [(0, 3, "ORG"), (5, 8, "LAW")]),
    ("最高人民法院审理案件。", [(0, 6, "ORG")]),
]


HEADS = {
    "crf": {"@architectures": "report_ner.CRFTagger.v1", "nO": None},
    "softmax": {"@architectures": "spacy.Tagger.v2", "nO": None, "normalize": False},
}


def make_pipeline(head: str):
    nlp = spacy.blank("zh")
    nlp.add_pipe(
        "report_ner_tagger_ner_v1",
        name="ner",
        config={
            "model": {
                **HEADS[head],
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "pretrained_vectors": None,
                    "width": 32,
                    "depth": 1,
                    "embed_size": 500,
                    "window_size": 1,
                    "maxout_pieces": 2,
                    "subword_features": False,
                },
            }
        },
    )
    return nlp


@pytest.mark.parametrize("head", list(HEADS))
def test_overfitting_IO(head):
    nlp = make_pipeline(head)
    assert nlp.get_pipe("ner").is_crf == (head == "crf")
    examples = [
        Example.from_dict(nlp.make_doc(text), {"entities": spans}) for text, spans in TRAIN_DATA
    ]
    optimizer = nlp.initialize(lambda: examples)
    assert set(nlp.get_pipe("ner").labels) == {"LAW", "ORG"}
    for _ in range(80):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses)
    assert losses["ner"] < 1.0
    texts = [text for text, _ in TRAIN_DATA]
    expected = [[(text[a:b], label) for a, b, label in spans] for text, spans in TRAIN_DATA]
    docs = list(nlp.pipe(texts))
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs] == expected
    assert all(0.5 < e._.score <= 1.0 for doc in docs for e in doc.ents)
    with make_tempdir() as folder:
        nlp.to_disk(folder)
        loaded = spacy.load(folder)
    # Trained on thinc's default ops, predicting on numpy's BLAS once loaded: the same
    # entities, scores equal up to float rounding.
    assert not isinstance(nlp.get_pipe("ner").model.ops, NumpyBlasOps)
    assert all(isinstance(node.ops, NumpyBlasOps) for node in loaded.get_pipe("ner").model.walk())
    reloaded = [[(e.text, e.label_, e._.score) for e in doc.ents] for doc in loaded.pipe(texts)]
    assert [[(t, label) for t, label, _ in ents] for ents in reloaded] == expected
    assert [[score for *_, score in ents] for ents in reloaded] == [
        [pytest.approx(e._.score, abs=1e-4) for e in doc.ents] for doc in docs
    ]
    # to_bytes / from_bytes carry the same weights.
    restored = make_pipeline(head).from_bytes(nlp.to_bytes())
    assert isinstance(restored.get_pipe("ner").model.ops, NumpyBlasOps)
    assert [[(e.text, e.label_) for e in doc.ents] for doc in restored.pipe(texts)] == expected


def brute_force_nll(emissions, gold, weights):
    """-log P(gold) by enumerating every valid tag sequence; None in gold matches any tag."""
    size = weights.shape[0]

    def score(sequence):
        path = [0, *sequence, 0]
        return sum(emissions[i, t] for i, t in enumerate(sequence)) + sum(weights[a, b] for a, b in zip(path, path[1:]))

    paths = [p for p in itertools.product(range(size), repeat=len(gold)) if numpy.isfinite(score(p))]
    log_z = numpy.log(sum(numpy.exp(score(p)) for p in paths))
    matching = [p for p in paths if all(g is None or g == t for g, t in zip(gold, p))]
    return log_z - numpy.log(sum(numpy.exp(score(p)) for p in matching))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.booleans())
def test_crf_loss_and_gradients_match_brute_force(seed, length, with_missing):
    rng = numpy.random.default_rng(seed)
    weights = transitions(1) + rng.normal(size=(5, 5))
    emissions = rng.normal(size=(length, 5))
    gold = [0] * length
    if length >= 2:
        gold[0], gold[1] = 1, 3  # B L
    else:
        gold[0] = 4  # U
    if with_missing:
        gold[-1] = None
    loss, d_emissions, d_weights = crf_loss(emissions, gold, weights)
    assert loss == pytest.approx(brute_force_nll(emissions, gold, weights), rel=1e-6)
    step = 1e-6
    for i, j in [(0, 0), (0, 1), (length - 1, 3)]:
        bumped = emissions.copy()
        bumped[i, j] += step
        assert (crf_loss(bumped, gold, weights)[0] - loss) / step == pytest.approx(d_emissions[i, j], abs=1e-4)
    for i, j in [(0, 1), (1, 3), (3, 0)]:
        bumped = weights.copy()
        bumped[i, j] += step
        assert (crf_loss(emissions, gold, bumped)[0] - loss) / step == pytest.approx(d_weights[i, j], abs=1e-4)
