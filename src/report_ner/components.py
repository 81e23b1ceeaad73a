"""spaCy components: lexicon/word-boundary features before the NER, section linking after it."""


import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy
from spacy.attrs import IDX, LEMMA, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from .lexicon import Lexicon, read_lexicon_lines, surname_starts
from .outline import Outline, Section, build_outline
from .rules import add_law_titles, add_rule_entities
from .segmenter import WordSegmenter, make_segmenter
from .text import normalize

SURNAME_START = surname_starts()
SURNAME_FIRST = {name[0] for name in SURNAME_START}
BOOK_TITLE_MARK = re.compile("[《》]")


def _section_of(span: Span) -> Optional[str]:
    outline = _outline_of(span.doc)
    if outline is None:
        return None
    section = outline.section_at_normalized(span.start_char)
    return section.id if section else None


# A module-level getter, not a lambda: extensions must pickle for nlp.pipe(n_process=…)
# on platforms that spawn worker processes.
if not Doc.has_extension("sections"):
    Doc.set_extension("sections", default=None)
if not Span.has_extension("section"):
    Span.set_extension("section", getter=_section_of)


def _outline_of(doc: Doc) -> Optional[Outline]:
    # Rebuilt on each call rather than cached in user_data: an Outline there would not
    # survive Doc.to_bytes, and the build is a few dozen sections.
    sections = doc._.sections
    if sections is None:
        return None
    return Outline([Section(**{**s, "norm_start": s["start"], "norm_end": s["end"]}) for s in sections])


class SectionLinker:
    """Sets ``doc._.sections`` (offsets into ``doc.text``); ``span._.section`` reads them."""

    def __init__(self, name: str = "sections"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.sections = build_outline(normalize(doc.text)).to_list()
        return doc


@Language.factory("report_ner_sections_v1", default_config={})
def make_section_linker(nlp: Language, name: str) -> SectionLinker:
    return SectionLinker(name)


class _LexiconStore:
    """A component holding a ``Lexicon`` that travels with the pipeline on disk."""

    lexicon: Lexicon

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "lexicon.tsv").write_text("\n".join(self.lexicon.to_lines()) + "\n", encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        lexicon_file = ensure_path(path) / "lexicon.tsv"
        if lexicon_file.exists():
            self.lexicon = Lexicon.from_lines(lexicon_file.read_text(encoding="utf-8").splitlines())
        return self


def _load_lexicon(lexicon_dir: Optional[Path]) -> Lexicon:
    """The packaged law and institution lexicons, or the ones in ``lexicon_dir``."""
    if lexicon_dir is None:
        return Lexicon.packaged()
    folder = Path(lexicon_dir)
    return Lexicon.from_names(
        {
            label: read_lexicon_lines((folder / f"{stem}.txt").read_text(encoding="utf-8").splitlines())
            for label, stem in (("LAW", "laws"), ("ORG", "orgs"))
            if (folder / f"{stem}.txt").exists()
        }
    )


@lru_cache(maxsize=None)
def _word_positions(length: int) -> tuple[str, ...]:
    """B/M/E/S of each character of a word this long."""
    return ("S",) if length == 1 else ("B",) + ("M",) * (length - 2) + ("E",)


class LexiconFeatures(_LexiconStore):
    """Writes per-character features that the tok2vec layer embeds.

    ``TAG`` carries the word-boundary position (B/M/E/S from the word segmenter) joined with
    lexicon matches (LAW/ORG, B/I) and whether the character stands inside 《》; ``LEMMA``
    carries the word the character belongs to. Both are plain token attributes, so
    ``MultiHashEmbed`` can embed them like any other.
    """

    def __init__(
        self, name: str, segmenter: str, use_lexicon: bool, use_book_titles: bool, word_end_labels: list[str]
    ):
        self.name = name
        self.word_end_labels = set(word_end_labels)
        self.segmenter_name = segmenter
        self.use_lexicon = use_lexicon
        self.use_book_titles = use_book_titles
        self.lexicon = Lexicon()
        self._segmenter: Optional[WordSegmenter] = None

    @property
    def segmenter(self) -> Optional[WordSegmenter]:
        if self._segmenter is None and self.segmenter_name != "none":
            self._segmenter = make_segmenter(self.segmenter_name)
        return self._segmenter

    def initialize(
        self,
        get_examples: Callable[[], Iterable] = lambda: [],
        *,
        nlp: Optional[Language] = None,
        lexicon_dir: Optional[Path] = None,
    ) -> None:
        """Load the law and institution lexicons (the packaged ones unless a folder is given)."""
        if self.use_lexicon:
            self.lexicon = _load_lexicon(lexicon_dir)

    def char_features(self, text: str) -> tuple[list[str], list[str]]:
        """(tag, word) for every character of ``text``."""
        length = len(text)
        word_ends: Optional[set[int]] = None
        if self.segmenter is None:
            boundary = ["S"] * length
            words = [text[i : i + 2] for i in range(length)]
        else:
            boundary, words = [], []
            word_spans = self.segmenter.spans(text)
            word_ends = {end for _, end in word_spans}
            for start, end in word_spans:
                boundary.extend(_word_positions(end - start))
                words.extend([text[start:end]] * (end - start))
        lexical = [""] * length
        for start, end, category in self.lexicon.matches(text, word_ends, self.word_end_labels):
            lexical[start] = f"{category}B"
            for i in range(start + 1, end):
                lexical[i] = f"{category}I"
        quoted = [""] * length
        if self.use_book_titles and "《" in text:
            depth, previous = 0, -1
            for match in BOOK_TITLE_MARK.finditer(text):
                here = match.start()
                if depth:
                    quoted[previous + 1 : here] = ["Q"] * (here - previous - 1)
                depth = depth + 1 if match.group() == "《" else max(0, depth - 1)
                previous = here
            if depth:
                quoted[previous + 1 :] = ["Q"] * (length - previous - 1)
        surname = [
            (SURNAME_START.get(text[i : i + 2]) or SURNAME_START.get(char, "")) if char in SURNAME_FIRST else ""
            for i, char in enumerate(text)
        ]
        tags = [f"{b}|{x}|{q}|{n}" for b, x, q, n in zip(boundary, lexical, quoted, surname)]
        return tags, words

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        tags, words = self.char_features(doc.text)
        strings = doc.vocab.strings
        hashes: dict[str, int] = {}

        def hashed(values: list[str]) -> numpy.ndarray:
            # One StringStore lookup per distinct string, not per character.
            return numpy.asarray(
                [hashes[v] if v in hashes else hashes.setdefault(v, strings.add(v)) for v in values], dtype="uint64"
            )

        starts = doc.to_array(IDX)
        doc.from_array([TAG, LEMMA], numpy.stack([hashed(tags)[starts], hashed(words)[starts]], axis=1))
        return doc


@Language.factory(
    "report_ner_lexicon_features_v1",
    default_config={
        "segmenter": "jieba",
        "use_lexicon": True,
        "use_book_titles": True,
        "word_end_labels": ["LAW", "ORG"],
    },
)
def make_lexicon_features(
    nlp: Language, name: str, segmenter: str, use_lexicon: bool, use_book_titles: bool, word_end_labels: list[str]
) -> LexiconFeatures:
    return LexiconFeatures(name, segmenter, use_lexicon, use_book_titles, word_end_labels)


class RuleLayer(_LexiconStore):
    """Adds rule entities (lexicon names, 《…》 law titles, number + unit, dates) where the
    model found nothing overlapping."""

    def __init__(self, name: str):
        self.name = name
        self.lexicon = Lexicon()

    def initialize(self, get_examples: Callable[[], Iterable] = lambda: [], *, nlp: Optional[Language] = None,
                   lexicon_dir: Optional[Path] = None) -> None:
        self.lexicon = _load_lexicon(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        return add_rule_entities(doc, self.lexicon)


@Language.factory("report_ner_rules_v1", default_config={})
def make_rule_layer(nlp: Language, name: str) -> RuleLayer:
    return RuleLayer(name)


@Language.factory("report_ner_law_titles_v1", default_config={})
def make_law_titles(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Every law-shaped 《…》 title (法, 条例, 规定, 办法, 规则, 公约; not 关于 titles) is one LAW."""
    return add_law_titles
