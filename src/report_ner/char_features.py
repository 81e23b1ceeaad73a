"""Per-character features for the NER: word boundaries, lexicon matches, 《》, surnames.

The ``report_ner_char_features_v1`` component writes two token attributes that the
tok2vec layer embeds with ``MultiHashEmbed``: ``TAG`` holds the character's position in its
word (B/M/E/S from the word segmenter), the lexicon match it stands in (LAW/ORG, B/I),
whether it stands inside 《》 and whether a surname starts there; ``LEMMA`` holds the word
the character belongs to. A user lexicon (``lexicon`` in the config, or ``user_lexicon``;
see ``user_lexicon.py``) is matched beside the packaged names without being serialized. Everything is computed per word or with array operations, so
the cost per character stays small next to the model's.
"""


import re
from itertools import product
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy
from spacy.attrs import IDX, LEMMA, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .lexicon import LEXICON_LABELS, Lexicon, LexiconStore, load_lexicon_dir, surname_starts
from .segmenter import WordSegmenter, make_segmenter
from .tokenizer import doc_text
from .user_lexicon import UserLexiconError, read_user_lexicon

SURNAME_START = surname_starts()
SURNAME_FIRST = re.compile("[" + "".join(sorted({re.escape(name[0]) for name in SURNAME_START})) + "]" if SURNAME_START else "(?!)")
SURNAME_CLASSES = ("", "N1", "N2")
BOOK_TITLE_MARK = re.compile("[《》]")
BOUNDARY_CLASSES = ("B", "M", "E", "S")


class CharFeatures(LexiconStore):
    """Sets ``TAG`` and ``LEMMA`` of every character token to hashed feature strings."""

    def __init__(
        self,
        vocab: Vocab,
        name: str = "char_features",
        *,
        segmenter: str = "jieba_rs",
        use_lexicon: bool = True,
        use_book_titles: bool = True,
        word_end_labels: Iterable[str] = ("LAW",),
        lexicon: Optional[str] = None,
    ):
        self.vocab = vocab
        self.name = name
        self.segmenter_name = segmenter
        self.use_lexicon = use_lexicon
        self.use_book_titles = use_book_titles
        self.word_end_labels = set(word_end_labels)
        self.lexicon = Lexicon()  # the packaged names: serialized with the pipeline
        self._user_lexicon: Optional[Lexicon] = None  # a user's names: matched, never serialized
        self._matched: tuple[Optional[Lexicon], Lexicon] = (self.lexicon, self.lexicon)
        if lexicon and not use_lexicon:
            raise UserLexiconError([f"{lexicon}: a user lexicon needs use_lexicon = true (the model learned no lexicon features)"])
        if lexicon:
            self.user_lexicon = read_user_lexicon(lexicon)
        self._segmenter: Optional[WordSegmenter] = None
        self._hashes: dict[str, int] = {}
        # Every TAG value is one of these strings; index = ((b * lexical) + x) * 2 + q) * 3 + n.
        lexical = ("",) + tuple(f"{label}{part}" for label in LEXICON_LABELS for part in "BI")
        self._tag_strings = [f"{b}|{x}|{q}|{n}" for b, x, q, n in product(BOUNDARY_CLASSES, lexical, ("", "Q"), SURNAME_CLASSES)]
        self._tag_hashes: Optional[numpy.ndarray] = None

    @property
    def user_lexicon(self) -> Optional[Lexicon]:
        return self._user_lexicon

    @user_lexicon.setter
    def user_lexicon(self, names: Optional[Lexicon]) -> None:
        self._user_lexicon = names
        self._matched = (None, self.lexicon)

    @property
    def matched_lexicon(self) -> Lexicon:
        """The names whose matches become features: the packaged ones and the user's."""
        if self._matched[0] is not self.lexicon:
            merged = self.lexicon if self._user_lexicon is None else self.lexicon.merged(self._user_lexicon)
            self._matched = (self.lexicon, merged)
        return self._matched[1]

    @property
    def segmenter(self) -> Optional[WordSegmenter]:
        if self._segmenter is None and self.segmenter_name != "none":
            self._segmenter = make_segmenter(self.segmenter_name)
        return self._segmenter

    def _hash(self, value: str) -> int:
        found = self._hashes.get(value)
        if found is None:
            found = self._hashes[value] = self.vocab.strings.add(value)
        return found

    def feature_ids(self, text: str) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(TAG class index, LEMMA hash) of every character of ``text``."""
        length = len(text)
        if self.segmenter is None:
            word_spans = [(i, i + 1) for i in range(length)]
        else:
            word_spans = self.segmenter.spans(text)
        starts = numpy.fromiter((start for start, _ in word_spans), dtype="int64", count=len(word_spans))
        lengths = numpy.diff(numpy.append(starts, length))
        word_hashes = numpy.fromiter((self._hash(text[a:b]) for a, b in word_spans), dtype="uint64", count=len(word_spans))
        position = numpy.arange(length) - numpy.repeat(starts, lengths)
        word_length = numpy.repeat(lengths, lengths)
        boundary = numpy.where(word_length == 1, 3, numpy.where(position == 0, 0, numpy.where(position == word_length - 1, 2, 1)))

        lexical = numpy.zeros(length, dtype="int64")
        lexicon = self.matched_lexicon
        if len(lexicon):
            word_ends = set((starts + lengths).tolist()) if self.segmenter is not None else None
            for start, end, category in lexicon.matches(text, word_ends, self.word_end_labels):
                if category in LEXICON_LABELS:
                    base = 1 + 2 * LEXICON_LABELS.index(category)
                    lexical[start] = base
                    lexical[start + 1 : end] = base + 1

        quoted = numpy.zeros(length, dtype="int64")
        if self.use_book_titles and "《" in text:
            depth, previous = 0, -1
            for match in BOOK_TITLE_MARK.finditer(text):
                here = match.start()
                if depth:
                    quoted[previous + 1 : here] = 1
                depth = depth + 1 if match.group() == "《" else max(0, depth - 1)
                previous = here
            if depth:
                quoted[previous + 1 :] = 1

        surname = numpy.zeros(length, dtype="int64")
        for match in SURNAME_FIRST.finditer(text):
            i = match.start()
            found = SURNAME_START.get(text[i : i + 2]) or SURNAME_START.get(match.group())
            if found:
                surname[i] = SURNAME_CLASSES.index(found)

        tag_class = ((boundary * 5 + lexical) * 2 + quoted) * 3 + surname
        return tag_class, numpy.repeat(word_hashes, lengths)

    def char_features(self, text: str) -> tuple[list[str], list[str]]:
        """The feature strings of every character (what ``TAG`` / ``LEMMA`` hold), for reading."""
        tag_class, word_hashes = self.feature_ids(text)
        strings = self.vocab.strings
        return [self._tag_strings[i] for i in tag_class.tolist()], [strings[h] for h in word_hashes.tolist()]

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if self._tag_hashes is None:
            self._tag_hashes = numpy.asarray([self._hash(s) for s in self._tag_strings], dtype="uint64")
        tag_class, word_hashes = self.feature_ids(doc_text(doc))
        starts = doc.to_array(IDX)
        doc.from_array([TAG, LEMMA], numpy.stack([self._tag_hashes[tag_class[starts]], word_hashes[starts]], axis=1))
        return doc


@Language.factory(
    "report_ner_char_features_v1",
    assigns=["token.tag", "token.lemma"],
    default_config={
        "segmenter": "jieba_rs",
        "use_lexicon": True,
        "use_book_titles": True,
        "word_end_labels": ["LAW"],
        "lexicon": None,
    },
)
def make_char_features(
    nlp: Language,
    name: str,
    segmenter: str,
    use_lexicon: bool,
    use_book_titles: bool,
    word_end_labels: list[str],
    lexicon: Optional[str],
) -> CharFeatures:
    """``lexicon``: a user lexicon file (``name<TAB>LAW|ORG``) matched beside the packaged names."""
    return CharFeatures(
        nlp.vocab,
        name,
        segmenter=segmenter,
        use_lexicon=use_lexicon,
        use_book_titles=use_book_titles,
        word_end_labels=word_end_labels,
        lexicon=lexicon,
    )
