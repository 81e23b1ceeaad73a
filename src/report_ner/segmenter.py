"""Word segmenters whose word boundaries feed the character model as features."""

from __future__ import annotations

import logging
from typing import Protocol


class WordSegmenter(Protocol):
    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of the words of ``text``, covering it in order."""


class JiebaSegmenter:
    """jieba with its bundled dictionary: offline, no model download."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [(start, end) for _, start, end in self._tokenizer.tokenize(text, HMM=True)]


def make_segmenter(name: str) -> WordSegmenter:
    if name == "jieba":
        return JiebaSegmenter()
    raise ValueError(f"unknown word segmenter {name!r} (expected 'jieba' or 'none')")
