"""A user's own names: a TSV of ``name<TAB>LAW|ORG`` used by a trained pipeline without retraining.

``features`` mode merges the names into the lexicon that ``char_features`` matches, so the
NER sees them as it saw the packaged lexicons in training; ``force`` mode also makes every
exact match an entity (score 1.0) where it overlaps nothing the pipeline found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span

from .corpus import EDGE_FORBIDDEN
from .doc_spans import entity_spans, set_entity_score
from .lexicon import LEXICON_LABELS, Lexicon
from .rules import overlaps
from .tagger_ner import OUTSIDE_CHARS
from .tokenizer import doc_text

USER_LABELS = LEXICON_LABELS
LEXICON_MODES = ("features", "force")
MAX_LEXICON_BYTES = 50 * 1024 * 1024
FORCED_NAMES = "user_names"


class UserLexiconError(Exception):
    """A user lexicon that cannot be used; ``problems`` holds one 'file:line: message' line each."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else f"{problems[0]} (and {len(problems) - 1} more)")
        self.problems = problems


def name_problem(name: str, label: str) -> Optional[str]:
    if label not in USER_LABELS:
        return f"label {label!r} is not LAW or ORG"
    if len(name) < 2:
        return f"name {name!r} is shorter than 2 characters"
    inner = next((char for char in name if char in OUTSIDE_CHARS), None)
    if inner is not None:
        return f"name {name!r} contains {inner!r}, which no entity can contain"
    if name[0] in EDGE_FORBIDDEN or name[-1] in EDGE_FORBIDDEN:
        return f"name {name!r} starts or ends with whitespace or punctuation"
    return None


def parse_user_lexicon(lines: Iterable[str], where: str) -> tuple[dict[str, list[str]], list[str]]:
    """(names by label, problems) of a lexicon file's lines.

    A line is ``name<TAB>LABEL``; ``#`` starts a comment (so no name can hold one) and
    blank lines are skipped. 《》 around a law's name are dropped (they are
    outside LAW entities).
    """
    names: dict[str, list[str]] = {label: [] for label in USER_LABELS}
    first_seen: dict[str, tuple[str, int]] = {}
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        body = raw.rstrip("\r\n").split("#", 1)[0]
        if not body.strip():
            continue
        columns = body.split("\t")
        if len(columns) < 2:
            problems.append(f"{where}:{number}: expected name<TAB>LABEL, found no tab")
            continue
        if any(column.strip() for column in columns[2:]):
            problems.append(f"{where}:{number}: expected two columns (name<TAB>LABEL), found {len(columns)}")
            continue
        label = columns[1].strip()
        name = columns[0].strip()
        if label == "LAW":
            name = name.strip("《》")
        problem = name_problem(name, label)
        if problem:
            problems.append(f"{where}:{number}: {problem}")
            continue
        seen = first_seen.get(name)
        if seen is None:
            first_seen[name] = (label, number)
            names[label].append(name)
        elif seen[0] != label:
            problems.append(f"{where}:{number}: {name!r} is {seen[0]} on line {seen[1]} and {label} here")
    return names, problems


def read_user_lexicon(path: str | Path) -> Lexicon:
    """The names of a user lexicon file; every bad line is a problem of the ``UserLexiconError``."""
    where = str(path)
    path = Path(path)
    if not path.is_file():
        raise UserLexiconError([f"{where}: no such lexicon file"])
    if path.stat().st_size > MAX_LEXICON_BYTES:
        raise UserLexiconError([f"{where}: too large for a lexicon ({path.stat().st_size} bytes; the limit is {MAX_LEXICON_BYTES})"])
    data = path.read_bytes()
    if b"\x00" in data:
        raise UserLexiconError([f"{where}: binary file (contains NUL bytes), expected a UTF-8 TSV"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UserLexiconError([f"{where}:{line}: not UTF-8 (byte {err.start}); save the lexicon as UTF-8"]) from None
    names, problems = parse_user_lexicon(text.splitlines(), where)
    if problems:
        raise UserLexiconError(problems)
    if not any(names.values()):
        raise UserLexiconError([f"{where}: no names (expected lines of name<TAB>LAW or name<TAB>ORG)"])
    return Lexicon.from_names(names)


def force_names(doc: Doc, lexicon: Lexicon) -> Doc:
    """Every exact match of ``lexicon`` becomes an entity (score 1.0) where it overlaps none."""
    taken = [(span.start_char, span.end_char) for span in entity_spans(doc)]
    added: list[Span] = []
    for start, end, label in lexicon.matches(doc_text(doc)):
        if overlaps(start, end, taken):
            continue
        span = doc.char_span(start, end, label=label)
        if span is not None:
            added.append(span)
    if added:
        doc.ents = sorted([*entity_spans(doc), *added], key=lambda span: span.start)
        for span in added:
            set_entity_score(span, 1.0)
    return doc


class UserNames:
    """The ``report_ner_user_names_v1`` component: ``force`` mode of a user lexicon."""

    def __init__(self, name: str = FORCED_NAMES, lexicon: Optional[Lexicon] = None):
        self.name = name
        self.lexicon = lexicon if lexicon is not None else Lexicon()

    def __call__(self, doc: Doc) -> Doc:
        return force_names(doc, self.lexicon) if len(self.lexicon) and len(doc) else doc


@Language.factory("report_ner_user_names_v1", assigns=["doc.ents"], requires=["doc.ents"], default_config={"lexicon": None})
def make_user_names(nlp: Language, name: str, lexicon: Optional[str]) -> UserNames:
    """Exact matches of the user lexicon file ``lexicon`` as entities where the pipeline found none."""
    return UserNames(name, read_user_lexicon(lexicon) if lexicon else None)


def apply_user_lexicon(nlp: Language, lexicon: Lexicon | str | Path, mode: str = "features") -> Language:
    """Use a user lexicon in a loaded pipeline (see the module doc for the modes).

    The names are merged into ``char_features``' matching, never into its serialized
    lexicon; ``force`` adds the ``user_names`` component after the entity components.
    """
    if mode not in LEXICON_MODES:
        raise ValueError(f"lexicon mode {mode!r}: expected one of {', '.join(LEXICON_MODES)}")
    if not isinstance(lexicon, Lexicon):
        lexicon = read_user_lexicon(lexicon)
    features = nlp.get_pipe("char_features") if "char_features" in nlp.pipe_names else None
    if features is None or not features.use_lexicon:
        if mode == "features":
            raise UserLexiconError(["this pipeline has no lexicon features (char_features with use_lexicon = true): use --lexicon-mode force"])
    else:
        features.user_lexicon = lexicon
    if FORCED_NAMES in nlp.pipe_names:
        nlp.remove_pipe(FORCED_NAMES)
    if mode == "force":
        placement = {"before": "sections"} if "sections" in nlp.pipe_names else {}
        forced = nlp.add_pipe("report_ner_user_names_v1", name=FORCED_NAMES, **placement)
        forced.lexicon = lexicon
    return nlp
