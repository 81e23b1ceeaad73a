"""Reading a Doc's entities cheaply, and their probabilities.

``Doc.ents`` builds a ``Token`` object for every token of the doc; on character-level docs
that costs more than the NER head. ``entity_spans`` reads the same spans from the IOB arrays
and only touches entity tokens. ``doc._.ent_scores`` holds the probability of each entity
(set by the NER head; 1.0 for an entity made by a rule), ``span._.score`` reads it.
"""

from __future__ import annotations

from typing import Optional

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.tokens import Doc, Span

IOB_INSIDE, IOB_BEGIN = 1, 3


def score_key(start_char: int, end_char: int, label: str) -> str:
    return f"{start_char}:{end_char}:{label}"


def entity_score(span: Span) -> Optional[float]:
    """The probability given to this entity (None where nothing scored it)."""
    scores = span.doc._.ent_scores
    return None if scores is None else scores.get(score_key(span.start_char, span.end_char, span.label_))


def set_entity_score(span: Span, score: float) -> None:
    if span.doc._.ent_scores is None:
        span.doc._.ent_scores = {}
    span.doc._.ent_scores[score_key(span.start_char, span.end_char, span.label_)] = score


# Module-level functions, not lambdas: extensions must pickle for nlp.pipe(n_process=…).
if not Doc.has_extension("ent_scores"):
    Doc.set_extension("ent_scores", default=None)
if not Span.has_extension("score"):
    Span.set_extension("score", getter=entity_score)


def entity_spans(doc: Doc) -> list[Span]:
    """The spans of ``doc.ents``, in order."""
    if not len(doc):
        return []
    array = doc.to_array([ENT_IOB, ENT_TYPE])
    iob, types = array[:, 0].tolist(), array[:, 1].tolist()
    spans: list[Span] = []
    start, previous = -1, -2
    for position in numpy.flatnonzero((array[:, 0] == IOB_INSIDE) | (array[:, 0] == IOB_BEGIN)).tolist():
        continues = iob[position] == IOB_INSIDE and position == previous + 1 and types[position] == types[start]
        if start >= 0 and not continues:
            spans.append(Span(doc, start, previous + 1, label=types[start]))
            start = -1
        if start < 0:
            start = position
        previous = position
    if start >= 0:
        spans.append(Span(doc, start, previous + 1, label=types[start]))
    return spans
