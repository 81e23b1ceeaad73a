"""What a batch worker runs: a bundle of input files in, one result per file out.

Runs inside Dask worker processes, on this machine or others: it gets the files' bytes
(no shared file system needed) and loads the model by name once per process, keeping it
for every later task.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from spacy.language import Language

from .export import jsonl_line
from .inputs import InputError, read_bytes
from .lexicon import Lexicon
from .tagging import load, tag_docs
from .user_lexicon import apply_user_lexicon

_MODELS: dict[tuple, Language] = {}
# spaCy pipelines are not documented as thread-safe: one file at a time per process, so a
# worker started with several threads still tags correctly (just no faster).
_MODEL_LOCK = threading.Lock()


@dataclass(frozen=True)
class FileTask:
    source: str  # the input as named on the command line
    name: str  # its file name (the format is known by its extension or content)
    data: bytes


@dataclass(frozen=True)
class FileResult:
    source: str
    ok: bool
    reason: str | None
    line: str | None  # the JSONL record, exactly as 'report-ner tag FILE' writes it
    entities: int | None
    chars: int  # characters of decoded text (0 when it could not be read)
    seconds: float


def model(name: str, lexicon_lines: tuple[str, ...] = (), lexicon_mode: str = "features") -> Language:
    """The pipeline ``name`` (with a user lexicon in use, given as its ``name<TAB>LABEL``
    lines), loaded on this process's first call; ModelError when it cannot be."""
    key = (name, lexicon_lines, lexicon_mode)
    with _MODEL_LOCK:
        if key not in _MODELS:
            nlp = load(name)
            if lexicon_lines:
                apply_user_lexicon(nlp, Lexicon.from_lines(lexicon_lines), lexicon_mode)
            _MODELS[key] = nlp
        return _MODELS[key]


def _failure(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0]}" if text else type(err).__name__


def tag_file(nlp: Language, task: FileTask) -> FileResult:
    """One file tagged alone, as ``report-ner tag FILE`` does; its error never escapes."""
    started = time.perf_counter()
    chars = 0
    try:
        doc = read_bytes(task.data, task.source, task.name)
        chars = len(doc.text)
        with _MODEL_LOCK:
            tagged = next(tag_docs(nlp, [doc]))
        line, reason, entities = jsonl_line(tagged), None, len(tagged.entities)
    except InputError as err:
        line, reason, entities = None, str(err), None
    except Exception as err:  # one file that breaks the pipeline must not stop the archive
        line, reason, entities = None, f"{task.source}: tagging failed ({_failure(err)})", None
    return FileResult(task.source, line is not None, reason, line, entities, chars, round(time.perf_counter() - started, 3))


def tag_bundle(
    model_name: str, tasks: list[FileTask], lexicon_lines: tuple[str, ...] = (), lexicon_mode: str = "features"
) -> list[FileResult]:
    """Every file of a bundle; ModelError (the model cannot load here) stops the bundle."""
    nlp = model(model_name, lexicon_lines, lexicon_mode)
    return [tag_file(nlp, task) for task in tasks]
