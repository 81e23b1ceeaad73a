"""The ``report_ner_law_titles_v1`` component: every law-shaped 《…》 title is one LAW."""

from __future__ import annotations

from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc

from .rules import add_law_titles


@Language.factory("report_ner_law_titles_v1", assigns=["doc.ents"], requires=["doc.ents"])
def make_law_titles(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """《…法/条例/规定/办法/规则/公约》 (not 关于… titles) replaces what the NER found there."""
    return add_law_titles
