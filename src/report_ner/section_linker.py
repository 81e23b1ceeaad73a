"""The ``report_ner_sections_v1`` component: the section outline of a doc and the section of
every span.

It sets ``doc._.sections`` (a list of section dicts, offsets into ``doc.text``) and the span
group ``doc.spans["sections"]`` (one span per section, labelled with its kind);
``span._.section`` gives the id of the innermost section a span starts in.
"""

from __future__ import annotations

from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Span

from .outline import Outline, Section, build_outline
from .text import normalize

SPAN_GROUP = "sections"


def _section_of(span: Span) -> Optional[str]:
    outline = outline_of(span.doc)
    if outline is None:
        return None
    section = outline.section_at(span.start_char)
    return section.id if section else None


# A module-level getter, not a lambda: extensions must pickle for nlp.pipe(n_process=…) on
# platforms that spawn worker processes.
if not Doc.has_extension("sections"):
    Doc.set_extension("sections", default=None)
if not Span.has_extension("section"):
    Span.set_extension("section", getter=_section_of)


def outline_of(doc: Doc) -> Optional[Outline]:
    """The outline stored in ``doc._.sections``, rebuilt on each call: an Outline cached in
    ``user_data`` would not survive ``Doc.to_bytes``, and the build is a few dozen sections."""
    sections = doc._.sections
    if sections is None:
        return None
    return Outline([Section(**{**s, "norm_start": s["start"], "norm_end": s["end"]}) for s in sections])


class SectionLinker:
    """Finds the report's sections in ``doc.text`` (OCR layout re-flowed for the search, so
    offsets stay those of ``doc.text``)."""

    def __init__(self, name: str = "sections", spans_key: str = SPAN_GROUP):
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        sections = build_outline(normalize(doc.text)).to_list()
        doc._.sections = sections
        spans = []
        for section in sections:
            span = doc.char_span(section["start"], section["end"], label=section["kind"], alignment_mode="expand")
            if span is not None and len(span):
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "report_ner_sections_v1",
    assigns=["doc._.sections"],
    default_config={"spans_key": SPAN_GROUP},
)
def make_section_linker(nlp: Language, name: str, spans_key: str) -> SectionLinker:
    return SectionLinker(name, spans_key)
