"""An NER head that tags every token with a BILUO move: per-token scores in one pass.

spaCy's transition-based ``ner`` takes one step per token with a hidden layer per step;
on character tokens that is most of the pipeline's time. This head scores all tokens of a
batch with one matrix product, picks the most probable valid BILUO sequence (Viterbi, in
``crf_lattice``, over the stretches where O is not clearly best) and reads the spans off it.
The shipped head (``report_ner.CRFTagger.v1``, ``configs/config.cfg``) adds learned
tag-to-tag transitions and trains on the CRF likelihood; a softmax head (``spacy.Tagger.v2``,
the factory default) decodes its log probabilities with the BILUO constraints alone.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Callable, Iterable, Optional

import numpy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from spacy.util import registry
from thinc.api import Linear, Model, SequenceCategoricalCrossentropy, chain, set_dropout_rate, with_array, zero_init
from thinc.types import Floats2d

from . import crf_lattice
from .blas_ops import use_blas_ops
from .doc_spans import score_key
from .tokenizer import doc_text

MOVES = ("B", "I", "L", "U")

DEFAULT_MODEL = {
    "@architectures": "spacy.Tagger.v2",
    "nO": None,
    "normalize": False,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 64,
        "depth": 2,
        "embed_size": 2000,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": False,
    },
}


@registry.architectures("report_ner.CRFTagger.v1")
def build_crf_tagger(tok2vec: Model[list[Doc], list[Floats2d]], nO: Optional[int] = None) -> Model[list[Doc], list[Floats2d]]:
    """Per-token tag scores (a linear layer over the token vectors) plus a learned
    tag-to-tag transition matrix ``T``: a linear-chain CRF. ``TaggerNER`` trains it with the
    CRF likelihood and decodes with the transitions; the model's forward pass gives the
    per-token scores only."""
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    output_layer = Linear(nO, width, init_W=zero_init)
    scorer = chain(tok2vec, with_array(output_layer))
    model: Model[list[Doc], list[Floats2d]] = Model(
        "crf_tagger",
        _crf_forward,
        layers=[scorer],
        params={"T": None},
        dims={"nO": nO},
        init=_crf_init,
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    return model


def _crf_forward(model: Model, docs: list[Doc], is_train: bool):
    return model.layers[0](docs, is_train)


def _crf_init(model: Model, X=None, Y=None) -> None:
    if Y is not None and not model.has_dim("nO"):
        model.set_dim("nO", Y[0].shape[1])
    model.layers[0].initialize(X=X, Y=Y)
    n_tags = model.get_dim("nO")
    model.set_param("T", model.ops.alloc2f(n_tags, n_tags))


def tag_names(labels: Iterable[str]) -> list[str]:
    """The tag set: ``O`` at 0, then B, I, L, U of each label in order."""
    return ["O"] + [f"{move}-{label}" for label in labels for move in MOVES]


def decode(tag_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(start, end, label index) token spans from per-token tag ids (see ``tag_names``).

    Lenient: a span opens at B or U, at any tag after O, or where the label changes, and
    closes at L or U, before a new opening or at O, so every id sequence decodes to
    non-overlapping spans.
    """
    spans: list[tuple[int, int, int]] = []
    start, label, previous = -1, -1, -2
    for position, tag_id in enumerate(tag_ids):
        if tag_id == 0:
            continue
        label_here, move = divmod(tag_id - 1, len(MOVES))
        if start >= 0 and (position != previous + 1 or label_here != label or move in (0, 3)):
            spans.append((start, previous + 1, label))
            start = -1
        if start < 0:
            start, label = position, label_here
        previous = position
        if move >= 2:  # L or U
            spans.append((start, position + 1, label))
            start = -1
    if start >= 0:
        spans.append((start, previous + 1, label))
    return spans


def transitions(n_labels: int) -> numpy.ndarray:
    """(from, to) log-weights of the BILUO tag set: 0 where a move may follow another, -inf
    where it may not (I or L only after B or I of the same label; B, U or O only after O,
    L or U)."""
    moves = len(MOVES)
    size = 1 + moves * n_labels
    weights = numpy.full((size, size), -numpy.inf, dtype="f")
    begin, inside, last, unit = (MOVES.index(move) for move in "BILU")
    first = [1 + moves * k for k in range(n_labels)]  # B of each label
    closed = [0] + [b + m for b in first for m in (last, unit)]
    opening = [0] + [b + m for b in first for m in (begin, unit)]
    weights[numpy.ix_(closed, opening)] = 0.0
    for b in first:
        weights[numpy.ix_([b + begin, b + inside], [b + inside, b + last])] = 0.0
    return weights


def log_softmax(logits: numpy.ndarray) -> numpy.ndarray:
    """Row-wise log probabilities of unnormalized scores."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))


def _logsumexp(values: numpy.ndarray, axis: int) -> numpy.ndarray:
    top = values.max(axis=axis, keepdims=True)
    top = numpy.where(numpy.isfinite(top), top, 0.0)
    with numpy.errstate(divide="ignore"):
        return numpy.log(numpy.exp(values - top).sum(axis=axis)) + top.squeeze(axis)


def _stretches(
    logits: numpy.ndarray, outside: Optional[numpy.ndarray], o_margin: float = 0.0
) -> tuple[numpy.ndarray, numpy.ndarray, list[tuple[int, int]]]:
    """(logits with ``outside`` tokens forced to O, argmax tags, the stretches to decode).

    A token is decoded unless its O score beats every other tag's by at least ``o_margin``
    (0: decode where the argmax is not O); every other token stays O.
    """
    if outside is not None and outside.any():
        logits = logits.copy()
        logits[outside, 1:] = -numpy.inf
        logits[outside, 0] = 0.0
    tags = logits.argmax(axis=1)
    candidate = logits[:, 0] - logits[:, 1:].max(axis=1) < o_margin
    inside = numpy.flatnonzero(candidate)
    if not len(inside):
        return logits, tags, []
    breaks = numpy.flatnonzero(numpy.diff(inside) > 1)
    starts = numpy.concatenate([[inside[0]], inside[breaks + 1]])
    ends = numpy.concatenate([inside[breaks], [inside[-1]]]) + 1
    return logits, tags, list(zip(starts.tolist(), ends.tolist()))


def crf_loss(
    emissions: numpy.ndarray, gold: list[Optional[int]], weights: numpy.ndarray
) -> tuple[float, numpy.ndarray, numpy.ndarray]:
    """Negative log likelihood of the gold tags of one doc under a linear-chain CRF, and its
    gradients for the emissions and the transition weights.

    The chain starts after and ends before an O tag (row and column 0 of ``weights``), as in
    decoding. A missing gold tag (None) is marginalized over.
    """
    length, size = emissions.shape
    alpha, beta, log_z = _forward_backward(emissions, weights)
    node, edge = _marginals(emissions, weights, alpha, beta, log_z)
    if all(tag is not None for tag in gold):
        tags = numpy.asarray(gold)
        gold_score = emissions[numpy.arange(length), tags].sum() + weights[0, tags[0]] + weights[tags[-1], 0]
        gold_score += weights[tags[:-1], tags[1:]].sum()
        gold_node = numpy.zeros_like(node)
        gold_node[numpy.arange(length), tags] = 1.0
        gold_edge = numpy.zeros_like(edge)
        numpy.add.at(gold_edge, (tags[:-1], tags[1:]), 1.0)
        gold_edge[0, tags[0]] += 1.0
        gold_edge[tags[-1], 0] += 1.0
    else:
        allowed = numpy.full((length, size), -numpy.inf, dtype=emissions.dtype)
        for position, tag in enumerate(gold):
            if tag is None:
                allowed[position] = 0.0
            else:
                allowed[position, tag] = 0.0
        constrained = emissions + allowed
        c_alpha, c_beta, gold_score = _forward_backward(constrained, weights)
        gold_node, gold_edge = _marginals(constrained, weights, c_alpha, c_beta, gold_score)
    return float(log_z - gold_score), node - gold_node, edge - gold_edge


def _forward_backward(emissions: numpy.ndarray, weights: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, float]:
    length = len(emissions)
    alpha = numpy.empty_like(emissions)
    beta = numpy.empty_like(emissions)
    alpha[0] = emissions[0] + weights[0]
    for t in range(1, length):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + weights, axis=0) + emissions[t]
    beta[-1] = weights[:, 0]
    for t in range(length - 2, -1, -1):
        beta[t] = _logsumexp(weights + (emissions[t + 1] + beta[t + 1])[None, :], axis=1)
    return alpha, beta, float(_logsumexp(alpha[-1] + beta[-1], axis=0))


def _marginals(
    emissions: numpy.ndarray, weights: numpy.ndarray, alpha: numpy.ndarray, beta: numpy.ndarray, log_z: float
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Per-token tag marginals and expected transition counts (boundary O moves included)."""
    node = numpy.exp(alpha + beta - log_z)
    edge = numpy.zeros_like(weights)
    if len(emissions) > 1:
        pair = alpha[:-1, :, None] + weights[None] + (emissions[1:] + beta[1:])[:, None, :] - log_z
        edge += numpy.exp(pair).sum(axis=0)
    edge[0] += node[0]
    edge[:, 0] += node[-1]
    return node, edge


def best_tags(logits: numpy.ndarray, weights: numpy.ndarray, outside: Optional[numpy.ndarray] = None) -> numpy.ndarray:
    """Tag ids of the most probable valid BILUO sequence (Viterbi), between two O tags.

    ``logits`` are the head's unnormalized scores (``spacy.Tagger.v2`` with ``normalize =
    false`` returns logits at prediction time); each row is turned into log probabilities.
    Tokens flagged in ``outside`` can only be O, so no entity can contain them. Only
    stretches whose argmax is not O are decoded, each opening after O and closing before it;
    every other token stays O, so the cost is in the entity tokens.
    """
    return decode_scored(logits, weights, outside)[0]


def decode_scored(
    logits: numpy.ndarray,
    weights: numpy.ndarray,
    outside: Optional[numpy.ndarray] = None,
    *,
    with_scores: bool = False,
    normalize: bool = True,
    o_margin: float = 0.0,
    temperature: float = 1.0,
) -> tuple[numpy.ndarray, list[tuple[int, int, int, float]]]:
    """(tag ids as ``best_tags``, and with ``with_scores`` every decoded (start, end, label
    index, probability) span, its probability being its marginal under its stretch's lattice).

    ``normalize``: the scores are a softmax head's logits (decoded as log probabilities);
    without it they are a CRF's emission scores, decoded as they are with ``weights``
    holding its learned transitions; ``o_margin`` chooses the tokens to decode (see
    ``_stretches``). ``temperature`` divides the scores and transitions when the
    probabilities are computed (calibration), never when the tags are chosen.
    """
    return decode_many(
        [logits], weights, [outside], with_scores=with_scores, normalize=normalize, o_margin=o_margin, temperature=temperature
    )[0]


def decode_many(
    all_logits: list[numpy.ndarray],
    weights: numpy.ndarray,
    outsides: list[Optional[numpy.ndarray]],
    *,
    with_scores: bool = False,
    normalize: bool = True,
    o_margin: float = 0.0,
    temperature: float = 1.0,
) -> list[tuple[numpy.ndarray, list[tuple[int, int, int, float]]]]:
    """``decode_scored`` for several docs at once: their stretches are decoded together."""
    results: list[tuple[numpy.ndarray, list]] = []
    raw_parts: list[numpy.ndarray] = []
    where: list[tuple[int, int, int]] = []  # (doc, start, end) of each stretch
    for doc_index, (logits, outside) in enumerate(zip(all_logits, outsides)):
        logits, tags, stretches = _stretches(logits, outside, o_margin)
        results.append((tags, []))
        for start, end in stretches:
            raw_parts.append(logits[start:end])
            where.append((doc_index, start, end))
    if not raw_parts:
        return results
    raw = numpy.concatenate(raw_parts).astype("f", copy=False)
    bounds = numpy.zeros(len(raw_parts) + 1, dtype="i")
    numpy.cumsum([len(part) for part in raw_parts], out=bounds[1:])
    weights = numpy.ascontiguousarray(weights, dtype="f")
    scores = _decoding_scores(raw, normalize)
    paths = numpy.zeros(len(raw), dtype="i")
    crf_lattice.viterbi_paths(scores, bounds, weights, paths)
    spans = [decode(paths[a:b].tolist()) for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
    for (doc_index, start, end), a in zip(where, bounds[:-1].tolist()):
        results[doc_index][0][start:end] = paths[a : a + end - start]
    if with_scores:
        rows = [(index, a, b, label) for index, stretch_spans in enumerate(spans) for a, b, label in stretch_spans]
        probabilities = numpy.zeros(len(rows))
        if rows:
            if temperature != 1.0:
                scores = _decoding_scores(raw / numpy.float32(temperature), normalize)
                weights = numpy.ascontiguousarray(weights / numpy.float32(temperature))
            crf_lattice.span_marginals(scores, bounds, weights, numpy.asarray(rows, dtype="i"), probabilities)
        for (index, a, b, label), probability in zip(rows, probabilities.tolist()):
            doc_index, start, _ = where[index]
            results[doc_index][1].append((start + a, start + b, label, min(1.0, probability)))
        for _, scored in results:
            scored.sort()
    return results


def _decoding_scores(raw: numpy.ndarray, normalize: bool) -> numpy.ndarray:
    """A softmax head's logits as log probabilities (row by row), a CRF's emissions as they are."""
    return numpy.ascontiguousarray(log_softmax(raw) if normalize else raw, dtype="f")


# No entity contains a clause or sentence end or a line break (ANNOTATION.md: spans never
# cross punctuation; a paragraph break ends every span), nor the number of a heading.
OUTSIDE_CHARS = "，。；！？\n"
HEADING_NUMBER = re.compile(r"(?m)^[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(]?[一二三四五六七八九十]{1,3}[）)])")


def outside_tokens(doc: Doc) -> numpy.ndarray:
    """Tokens that can only be O: those holding one of ``OUTSIDE_CHARS`` and the characters
    of a heading number (一、 （三）) at the start of a paragraph."""
    text = doc_text(doc)
    flags = numpy.zeros(len(text) + 1, dtype=bool)
    for char in OUTSIDE_CHARS:
        position = text.find(char)
        while position != -1:
            flags[position] = True
            position = text.find(char, position + 1)
    for match in HEADING_NUMBER.finditer(text):
        flags[match.start() : match.end()] = True
    bounds = doc.to_array([IDX, LENGTH]).astype("int64")
    starts = bounds[:, 0]
    ends = starts + bounds[:, 1]
    # A token is blocked when any of its characters is: cumulative counts over its range.
    counts = numpy.concatenate([[0], numpy.cumsum(flags)])
    return counts[ends] > counts[starts]


class TaggerNER(TrainablePipe):
    """Named entities from per-token BILUO tags; ``labels`` are the entity labels."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "ner", *, scorer: Optional[Callable] = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        # temperature: set by scripts/calibration.py (1.0 leaves the model's probabilities as they are)
        self.cfg: dict = {"labels": [], "temperature": 1.0}
        self.scorer = scorer

    # Training keeps thinc's default ops (blis), so a config and seed train the same weights
    # as before; a loaded pipeline predicts on NumpyBlasOps, whose gemm is ~3x faster on the
    # encoder's skinny products. Its scores differ from blis's in float rounding (~1e-5).
    def from_disk(self, path, *, exclude=tuple()) -> "TaggerNER":
        super().from_disk(path, exclude=exclude)
        use_blas_ops(self.model)
        return self

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "TaggerNER":
        super().from_bytes(bytes_data, exclude=exclude)
        use_blas_ops(self.model)
        return self

    @property
    def is_crf(self) -> bool:
        """A CRF head (``report_ner.CRFTagger.v1``) learns transitions; a softmax head does not."""
        return "T" in self.model.param_names

    @property
    def o_margin(self) -> float:
        # A CRF's emission argmax can miss an entity's first or last character that its
        # transitions add: decode every token whose O score is not clearly the best
        # (by 4, a factor of e^4 ≈ 55; measured on dev: the same F1 as widening every
        # stretch by two tokens, in less time).
        return 4.0 if self.is_crf else 0.0

    def decoding_weights(self) -> numpy.ndarray:
        """Tag-to-tag log weights: the BILUO constraints, plus the learned transitions of a CRF."""
        weights = transitions(len(self.labels))
        if self.is_crf and self.model.has_param("T"):
            weights = weights + self.model.ops.to_numpy(self.model.get_param("T"))
        return weights

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def label_data(self) -> tuple[str, ...]:
        return self.labels

    @property
    def tags(self) -> list[str]:
        return tag_names(self.labels)

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    def predict(self, docs: Iterable[Doc]) -> list[numpy.ndarray]:
        """Per-token tag scores (logits), one (tokens, tags) array a doc."""
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((len(doc), len(self.tags)), dtype="f") for doc in docs]
        return [self.model.ops.to_numpy(scores) for scores in self.model.predict(docs)]

    def set_annotations(self, docs: Iterable[Doc], scores: list[numpy.ndarray]) -> None:
        """Entities of the best valid tag sequence, each with its probability in
        ``doc._.ent_scores`` (see ``entity_score``)."""
        labels = self.labels
        docs = list(docs)
        decoded = decode_many(
            [doc_scores for doc_scores in scores],
            self.decoding_weights(),
            [outside_tokens(doc) if len(doc) else None for doc in docs],
            with_scores=True,
            normalize=not self.is_crf,
            o_margin=self.o_margin,
            temperature=float(self.cfg.get("temperature", 1.0)),
        )
        for doc, (_, scored) in zip(docs, decoded):
            if not len(doc):
                doc.ents = []
                continue
            ents = [Span(doc, start, end, label=labels[label]) for start, end, label, _ in scored]
            doc.ents = ents
            doc._.ent_scores = {score_key(ent.start_char, ent.end_char, ent.label_): prob for ent, (*_, prob) in zip(ents, scored)}

    def _truths(self, example: Example) -> list[Optional[str]]:
        # '-' (unannotated) and None (misaligned) are both missing values for the loss.
        return [tag if tag not in (None, "-", "") else None for tag in example.get_aligned_ner()]

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, list]:
        validate_examples(examples, "TaggerNER.get_loss")
        truths = [self._truths(eg) for eg in examples]
        if not self.is_crf:
            loss_func = SequenceCategoricalCrossentropy(names=self.tags, normalize=False)
            d_scores, loss = loss_func(scores, truths)
            return float(loss), d_scores
        index = {tag: i for i, tag in enumerate(self.tags)}
        weights = self.decoding_weights()
        total, d_scores = 0.0, []
        d_weights = numpy.zeros_like(weights)
        for doc_scores, doc_truths in zip(scores, truths):
            emissions = self.model.ops.to_numpy(doc_scores)
            if not len(emissions):
                d_scores.append(doc_scores)
                continue
            loss, d_emissions, d_transitions = crf_loss(emissions, [index.get(tag) if tag else None for tag in doc_truths], weights)
            total += loss
            d_weights += d_transitions
            d_scores.append(self.model.ops.asarray2f(d_emissions))
        self.model.inc_grad("T", self.model.ops.asarray2f(d_weights))
        return total, d_scores

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd=None, losses=None) -> dict:
        examples = list(examples)
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        validate_examples(examples, "TaggerNER.update")
        if not any(len(eg.predicted) for eg in examples):
            return losses
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update([eg.predicted for eg in examples])
        loss, d_scores = self.get_loss(examples, scores)
        backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None, labels=None
    ) -> None:
        validate_get_examples(get_examples, "TaggerNER.initialize")
        found = labels if labels is not None else sorted({ent.label_ for eg in get_examples() for ent in eg.reference.ents})
        for label in found:
            self.add_label(label)
        self._require_labels()
        tags = self.tags
        doc_sample, label_sample = [], []
        for example in islice(get_examples(), 10):
            truths = self._truths(example)
            doc_sample.append(example.x)
            label_sample.append(
                self.model.ops.asarray([[1.0 if tag == truth else 0.0 for tag in tags] for truth in truths], dtype="f")
            )
        self.model.initialize(X=doc_sample, Y=label_sample)


@Language.factory(
    "report_ner_tagger_ner_v1",
    assigns=["doc.ents", "doc._.ent_scores", "span._.score"],
    default_config={"model": DEFAULT_MODEL, "scorer": {"@scorers": "spacy.ner_scorer.v1"}},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_tagger_ner(nlp: Language, name: str, model: Model, scorer: Optional[Callable]) -> TaggerNER:
    return TaggerNER(nlp.vocab, model, name, scorer=scorer)
