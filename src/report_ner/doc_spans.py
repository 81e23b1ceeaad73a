"""Reading a Doc's entities cheaply.

``Doc.ents`` builds a ``Token`` object for every token of the doc; on character-level docs
that costs more than the NER head of the fast pipeline. ``entity_spans`` reads the same spans
from the IOB arrays and only touches entity tokens.
"""

from __future__ import annotations

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.tokens import Doc, Span

IOB_INSIDE, IOB_BEGIN = 1, 3


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
