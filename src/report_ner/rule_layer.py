"""The ``report_ner_rules_v1`` component: rule entities (lexicon names, 《…》 law titles,
number + unit, dates) where the model found nothing that overlaps. Kept for measurement;
the shipped pipeline does not use it (it lowered F1)."""


from pathlib import Path
from typing import Callable, Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import Lexicon, LexiconStore, load_lexicon_dir
from .rules import add_rule_entities


class RuleLayer(LexiconStore):
    def __init__(self, name: str = "rules"):
        self.name = name
        self.lexicon = Lexicon()

    def __call__(self, doc: Doc) -> Doc:
        return add_rule_entities(doc, self.lexicon)


@Language.factory("report_ner_rules_v1", assigns=["doc.ents"], requires=["doc.ents"])
def make_rule_layer(nlp: Language, name: str) -> RuleLayer:
    return RuleLayer(name)
