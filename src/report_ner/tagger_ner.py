"""An NER head that tags every token with a BILUO move in one softmax pass.

spaCy's transition-based ``ner`` takes one step per token with a hidden layer per step;
on character tokens that is most of the pipeline's time. This head scores all tokens of a
batch with one matrix product, picks the most probable valid BILUO sequence (Viterbi over
the stretches whose argmax is not O) and reads the spans off it, trading the transition
system's view of the span built so far for speed (``configs/fast.cfg``).
"""

from __future__ import annotations

from itertools import islice
from typing import Callable, Iterable, Optional

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Model, SequenceCategoricalCrossentropy, set_dropout_rate

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


def best_tags(scores: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
    """Tag ids of the most probable valid BILUO sequence (Viterbi), between two O tags.

    Only stretches whose argmax is not O are decoded: an O argmax stays O, so the cost is
    in the entity tokens, and each stretch must open after O and close before it.
    """
    tags = scores.argmax(axis=1)
    log_scores = numpy.log(numpy.maximum(scores, 1e-12))
    inside = numpy.flatnonzero(tags)
    if not len(inside):
        return tags
    breaks = numpy.flatnonzero(numpy.diff(inside) > 1)
    starts = numpy.concatenate([[inside[0]], inside[breaks + 1]])
    ends = numpy.concatenate([inside[breaks], [inside[-1]]]) + 1
    every = numpy.arange(weights.shape[0])
    for start, end in zip(starts.tolist(), ends.tolist()):
        best = log_scores[start] + weights[0]
        back = numpy.zeros((end - start, weights.shape[0]), dtype="i")
        for offset, position in enumerate(range(start + 1, end), start=1):
            candidates = best[:, None] + weights
            back[offset] = candidates.argmax(axis=0)
            best = candidates[back[offset], every] + log_scores[position]
        tag = int((best + weights[:, 0]).argmax())
        for offset in range(end - start - 1, -1, -1):
            tags[start + offset] = tag
            tag = back[offset, tag]
    return tags


class TaggerNER(TrainablePipe):
    """Named entities from per-token BILUO tags; ``labels`` are the entity labels."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "ner", *, scorer: Optional[Callable] = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: dict = {"labels": []}
        self.scorer = scorer

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
        """Per-token tag probabilities, one (tokens, tags) array a doc."""
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((len(doc), len(self.tags)), dtype="f") for doc in docs]
        return [self.model.ops.to_numpy(scores) for scores in self.model.predict(docs)]

    def set_annotations(self, docs: Iterable[Doc], scores: list[numpy.ndarray]) -> None:
        labels = self.labels
        weights = transitions(len(labels))
        for doc, doc_scores in zip(docs, scores):
            tag_ids = best_tags(doc_scores, weights).tolist() if len(doc) else []
            doc.ents = [Span(doc, start, end, label=labels[label]) for start, end, label in decode(tag_ids)]

    def _truths(self, example: Example) -> list[Optional[str]]:
        # '-' (unannotated) and None (misaligned) are both missing values for the loss.
        return [tag if tag not in (None, "-", "") else None for tag in example.get_aligned_ner()]

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, list]:
        validate_examples(examples, "TaggerNER.get_loss")
        loss_func = SequenceCategoricalCrossentropy(names=self.tags, normalize=False)
        d_scores, loss = loss_func(scores, [self._truths(eg) for eg in examples])
        return float(loss), d_scores

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
    assigns=["doc.ents"],
    default_config={"model": DEFAULT_MODEL, "scorer": {"@scorers": "spacy.ner_scorer.v1"}},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_tagger_ner(nlp: Language, name: str, model: Model, scorer: Optional[Callable]) -> TaggerNER:
    return TaggerNER(nlp.vocab, model, name, scorer=scorer)
