"""A character tokenizer: the tokens of spaCy's Chinese ``char`` segmenter, in one regex pass.

spaCy's version aligns every character with ``text[position:].index(char)``, which copies
the rest of the text for each character; on a 2,000-character piece that was most of the
tokenization time.
"""

from __future__ import annotations

import re
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

# A character with the one ASCII space that may follow it, or a run of other whitespace.
PIECE = re.compile(r"\S ?|\s+")


TEXT_KEY = ("report_ner", "text")


def doc_text(doc: Doc) -> str:
    """``doc.text`` without building a Token per character: the tokenizer keeps the text it
    was given (checked against the doc's length, so a doc changed since falls back)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is not None and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return text
    return doc.text


class CharTokenizer:
    """One token per non-space character; a single space after a character is that token's
    trailing whitespace, any other whitespace run is a token of its own."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        pieces = PIECE.findall(text)
        words = [piece if piece[0].isspace() else piece[0] for piece in pieces]
        spaces = [len(piece) == 2 and not piece[0].isspace() for piece in pieces]
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text
        return doc

    # Nothing to save: the pipeline's config recreates it.
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "CharTokenizer":
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        return None

    def from_disk(self, path, *, exclude=tuple()) -> "CharTokenizer":
        return self


@registry.tokenizers("report_ner.char_tokenizer.v1")
def create_char_tokenizer() -> Callable[[Language], CharTokenizer]:
    def make(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return make
