"""Tagging API: raw input text in, sections and entities with ORIGINAL offsets out."""

from __future__ import annotations

import multiprocessing
from collections import deque
from dataclasses import dataclass, field, fields
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from threadpoolctl import threadpool_limits

from .corpus import EDGE_FORBIDDEN
from .doc_spans import entity_spans
from .entity_norm import normalize_entity, report_year
from .inputs import InputDoc
from .outline import Outline, build_outline
from .text import BATCH_PIECES, CHUNK_CHARS, SENTENCE_ENDS, NormalizedText, normalize

DEFAULT_MODEL = "training/model-best"


class ModelError(Exception):
    """The model cannot be loaded; the message is one line naming it."""


@dataclass
class Entity:
    text: str
    label: str
    start: int
    end: int
    section: str | None
    norm: dict = field(default_factory=dict)
    score: float | None = None  # the entity's probability under the NER (1.0 for a rule's entity)

    def to_dict(self) -> dict:
        # Not dataclasses.asdict, whose recursive deep copy cost a tenth of a second a
        # megabyte of input: the norm values are scalars (entity_norm), a shallow copy is one.
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["norm"] = dict(self.norm)
        return data


@dataclass
class TaggedDoc:
    source: str
    encoding: str
    length: int
    sections: list[dict]
    entities: list[Entity]
    normalized: NormalizedText | None = field(default=None, repr=False)
    outline: Outline | None = field(default=None, repr=False)
    document: InputDoc | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        entities = [entity.to_dict() for entity in self.entities]
        document = self.document
        if document is not None and document.unit is not None:
            for entity in entities:  # PDF "page", Word "paragraph" of the entity's start
                entity[document.unit] = document.unit_at(entity["start"])
        return {
            "source": self.source,
            "format": document.format if document is not None else "txt",
            "encoding": self.encoding,
            "length": self.length,
            "sections": self.sections,
            "entities": entities,
        }


def load(model: str | Path = DEFAULT_MODEL) -> Language:
    """Load a trained pipeline from a folder or an installed package name."""
    name = str(model)
    if not Path(name).exists() and not spacy.util.is_package(name):
        raise ModelError(f"{name}: no such model folder or installed pipeline package (train one with 'spacy project run all')")
    try:
        nlp = spacy.load(name)
    except Exception as err:  # spaCy raises many kinds for a broken folder
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelError(f"{name}: cannot load the model ({first_line})") from None
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"{name}: the pipeline has no 'ner' component")
    return nlp


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Paragraph-aligned pieces of at most ``limit`` characters, with their offsets.

    A paragraph longer than the limit is cut after a sentence end where possible.
    """
    start = 0
    length = len(text)
    while start < length:
        end = min(start + limit, length)
        if end < length:
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = max(text.rfind(mark, start, end) for mark in SENTENCE_ENDS)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def _context(normalized: NormalizedText, start: int, end: int, window: int = 40) -> tuple[str, str]:
    text = normalized.text
    return text[max(0, start - window) : start], text[end : end + window]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A predicted span cut to the contract: never across a paragraph break (the longest
    paragraph part is kept), and no whitespace, punctuation, 《》 or quotes at its edges."""
    if "\n" in text[start:end]:
        parts, cursor = [], start
        for piece in text[start:end].split("\n"):
            parts.append((cursor, cursor + len(piece)))
            cursor += len(piece) + 1
        start, end = max(parts, key=lambda part: part[1] - part[0])
    while start < end and text[start] in EDGE_FORBIDDEN:
        start += 1
    while end > start and text[end - 1] in EDGE_FORBIDDEN:
        end -= 1
    return start, end


# An entity of one piece as the model found it: (start, end, label, score), piece offsets.
PieceEntity = tuple[int, int, str, Optional[float]]


def piece_entities(doc: Doc) -> list[PieceEntity]:
    return [(ent.start_char, ent.end_char, ent.label_, ent._.score) for ent in entity_spans(doc)]


def _entities_of(
    found: list[PieceEntity], offset: int, normalized: NormalizedText, outline: Outline, year: int | None, min_score: float = 0.0
) -> list[Entity]:
    entities = []
    for piece_start, piece_end, label, score in found:
        if min_score > 0.0 and (score or 0.0) < min_score:
            continue
        norm_start, norm_end = _trimmed(normalized.text, offset + piece_start, offset + piece_end)
        if norm_start >= norm_end:
            continue
        start, end = normalized.original_span(norm_start, norm_end)
        section = outline.section_at_normalized(norm_start)
        preceding, following = _context(normalized, norm_start, norm_end)
        entities.append(
            Entity(
                text=normalized.text[norm_start:norm_end],
                label=label,
                start=start,
                end=end,
                section=section.id if section else None,
                norm=normalize_entity(label, normalized.text[norm_start:norm_end], following=following, preceding=preceding, report_year=year),
                score=None if score is None else round(score, 4),
            )
        )
    return entities


# The pipeline and the components to leave out, for forked workers: set before the pool
# forks, so each worker inherits the loaded model instead of unpickling a copy.
_FORKED_PIPELINE: Optional[tuple[Language, list[str]]] = None


def _tag_batch(texts: list[str]) -> list[list[PieceEntity]]:
    assert _FORKED_PIPELINE is not None
    nlp, disable = _FORKED_PIPELINE
    return [piece_entities(doc) for doc in nlp.pipe(texts, batch_size=len(texts), disable=disable)]


def _tagged_pieces(
    nlp: Language, pieces: Iterable[tuple[str, Any]], batch_size: int, n_process: int, disable: list[str]
) -> Iterator[tuple[list[PieceEntity], Any]]:
    """(entities, context) of every (piece, context), in order.

    With ``n_process`` > 1 the pieces go to forked workers in batches and only their entities
    come back: spaCy's own ``n_process`` sends every Doc back serialized, which for one
    token a character cost more than tagging it. Up to two batches a worker are in flight,
    so the input is read as the work goes on, not all at once.
    """
    if n_process == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for doc, context in nlp.pipe(pieces, as_tuples=True, batch_size=batch_size, n_process=n_process, disable=disable):
            yield piece_entities(doc), context
        return
    global _FORKED_PIPELINE
    _FORKED_PIPELINE = (nlp, disable)
    # One BLAS thread a worker, set before the fork so that every worker inherits it: with
    # OpenBLAS's own threads on top, two workers on two cores ran no faster than one process.
    try:
        with threadpool_limits(limits=1, user_api="blas"), multiprocessing.get_context("fork").Pool(n_process) as pool:
            pending: deque = deque()
            stream = iter(pieces)
            while True:
                batch = list(islice(stream, batch_size))
                if batch:
                    pending.append((batch, pool.apply_async(_tag_batch, ([text for text, _ in batch],))))
                if pending and (not batch or len(pending) >= 2 * n_process):
                    done, result = pending.popleft()
                    for (_, context), found in zip(done, result.get()):
                        yield found, context
                if not batch and not pending:
                    break
    finally:
        _FORKED_PIPELINE = None


def tag_docs(
    nlp: Language, inputs: Iterable[InputDoc], *, batch_size: int = BATCH_PIECES, n_process: int = 1, min_score: float = 0.0
) -> Iterator[TaggedDoc]:
    """Tag many inputs as one stream; results come in input order.

    The one path from a report to its entities: normalize the decoded input (OCR re-flow,
    offset map), find its sections, cut it into paragraph-aligned pieces, run the pieces
    through ``nlp.pipe``, map every entity back to input offsets, link it to its section
    and normalize its value or name. Entities scored below ``min_score`` are left out.
    """
    prepared: dict[int, tuple[InputDoc, NormalizedText, Outline, int, int | None]] = {}

    def pieces():
        for index, item in enumerate(inputs):
            normalized = normalize(item.text)
            outline = build_outline(normalized)
            parts = list(chunks(normalized.text))
            prepared[index] = (item, normalized, outline, len(parts), report_year(normalized.text))
            for offset, piece in parts:
                yield piece, (index, offset)
            if not parts:
                yield "", (index, 0)

    # The report's outline is built once from the whole normalized text above; the pipeline's
    # own section component would only see one piece at a time.
    disable = [name for name in ("sections",) if name in nlp.pipe_names]
    current: int | None = None
    found: list[Entity] = []
    seen = 0
    for piece_found, (index, offset) in _tagged_pieces(nlp, pieces(), batch_size, n_process, disable):
        item, normalized, outline, n_parts, year = prepared[index]
        if index != current:
            current, found, seen = index, [], 0
        found.extend(_entities_of(piece_found, offset, normalized, outline, year, min_score))
        seen += 1
        if seen >= max(1, n_parts):
            del prepared[index]
            yield TaggedDoc(
                source=item.source,
                encoding=item.encoding,
                length=len(item.text),
                sections=outline.to_list(),
                entities=found,
                normalized=normalized,
                outline=outline,
                document=item,
            )


def tag_text(nlp: Language, text: str, source: str = "<text>") -> TaggedDoc:
    """Tag one text: sections and entities with offsets into ``text``."""
    return next(tag_docs(nlp, [InputDoc(source, text, "str")]))
