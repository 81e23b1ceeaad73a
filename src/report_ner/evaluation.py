"""Scoring: gold records, per-label precision / recall / F1, dev sets, tables.

Gold texts are raw inputs (the ``_ocr`` eval files are newspaper OCR): they go through the
same report-level path as ``report-ner tag`` (``tagging.tag_docs``), and spans are compared
as (start, end, label) in the input text.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable, Optional

from spacy.language import Language

from .corpus import LABELS, read_jsonl
from .inputs import InputDoc
from .tagging import tag_docs
from .text import BATCH_PIECES


class GoldError(Exception):
    """A gold file that cannot be read; the message is one line naming file and line."""


def score(gold: set, predicted: set) -> dict:
    """Micro and per-label P/R/F over (…, label) tuples, with gold and predicted counts."""
    result = {}
    for label in (None,) + LABELS:
        g = {s for s in gold if label is None or s[-1] == label}
        p = {s for s in predicted if label is None or s[-1] == label}
        tp = len(g & p)
        precision = tp / len(p) if p else 0.0
        recall = tp / len(g) if g else 0.0
        f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label or "micro"] = {"p": round(precision, 4), "r": round(recall, 4), "f": round(f, 4), "gold": len(g), "pred": len(p)}
    return result


def gold_records(path: Path, ids: Optional[set] = None) -> list[dict]:
    """The records of a gold JSONL file (``text``, ``spans``), optionally only some ids."""
    if not path.is_file():
        raise GoldError(f"{path}: no such gold file")
    records = []
    for line, record, error in read_jsonl(path):
        if error:
            raise GoldError(f"{path}:{line}: {error}")
        if "text" not in record or "spans" not in record:
            raise GoldError(f"{path}:{line}: a gold record needs 'text' and 'spans'")
        if ids is None or record.get("id") in ids:
            records.append(record)
    return records


def dev_sets(corpus: Path, split: Path) -> dict[str, list[dict]]:
    """The dev reports of the corpus split, as ``dev-real`` and ``dev-written``."""
    dev_ids = set(json.loads(split.read_text(encoding="utf-8"))["dev"])
    records = gold_records(corpus, dev_ids)
    sets = {
        "dev-real": [r for r in records if r.get("meta", {}).get("source") != "written"],
        "dev-written": [r for r in records if r.get("meta", {}).get("source") == "written"],
    }
    return {name: chosen for name, chosen in sets.items() if chosen}


def evaluate_records(nlp: Language, records: list[dict], *, batch_size: int = BATCH_PIECES) -> tuple[dict, list]:
    """Scores of ``nlp`` on gold records, and the most common errors."""
    gold, predicted, errors = set(), set(), Counter()
    docs = [InputDoc(record.get("id", str(i)), record["text"], "utf-8") for i, record in enumerate(records)]
    for index, (record, tagged) in enumerate(zip(records, tag_docs(nlp, docs, batch_size=batch_size))):
        g = {(index, s["start"], s["end"], s["label"]) for s in record["spans"]}
        p = {(index, e.start, e.end, e.label) for e in tagged.entities}
        gold |= g
        predicted |= p
        text = record["text"]
        for _, start, end, label in g - p:
            errors[("missed", label, text[start:end].replace("\n", ""))] += 1
        for _, start, end, label in p - g:
            errors[("spurious", label, text[start:end].replace("\n", ""))] += 1
    return score(gold, predicted), errors.most_common(40)


def evaluate_all(
    nlp: Language, corpus: Optional[Path], split: Optional[Path], eval_files: Iterable[Path]
) -> tuple[dict, dict]:
    """Scores on the dev sets and on each eval file, and their most common errors."""
    named: dict[str, list[dict]] = {}
    if corpus is not None and split is not None and corpus.is_file() and split.is_file():
        named.update(dev_sets(corpus, split))
    for path in eval_files:
        named[path.stem] = gold_records(path)
    metrics, errors = {}, {}
    for name, records in named.items():
        metrics[name], errors[name] = evaluate_records(nlp, records)
    return metrics, errors


def metrics_table(metrics: dict) -> str:
    """One row per set and label: P, R, F and the gold count beside the F."""
    header = f"{'set':<22}{'label':<8}{'P':>7}{'R':>7}{'F':>7}{'gold':>6}"
    lines = [header, "-" * len(header)]
    for name, scores in metrics.items():
        for label, s in scores.items():
            lines.append(f"{name:<22}{label:<8}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['gold']:>6}")
    return "\n".join(lines)
