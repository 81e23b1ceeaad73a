"""Silver training data from the raw real reports: the model's confident entities.

Tags every report of ``--shared``/reports that is not in the annotated corpus (by text), one
paragraph a doc as in convert.py, and keeps an entity as training signal when the model
gives it a probability of at least ``--min-score``; the tokens of a less certain entity (and
one token on each side) are left unannotated (missing, not O), every other token is O.
Writes a DocBin to add beside corpus/train.spacy. The shared eval files are never read.
"""

import json
from pathlib import Path

import typer
from spacy.tokens import DocBin

from report_ner.corpus import read_jsonl
from report_ner.cli import load_model_or_exit
from report_ner.text import normalize, paragraphs


def merged(spans: list) -> list:
    """Overlapping or touching spans of one doc joined into one."""
    result = []
    for span in sorted(spans, key=lambda s: s.start):
        if result and span.start <= result[-1].end:
            result[-1] = span.doc[result[-1].start : max(result[-1].end, span.end)]
        else:
            result.append(span)
    return result


def main(
    model: Path = typer.Argument(..., help="Trained pipeline that labels the raw text"),
    output: Path = typer.Argument(..., help="DocBin to write"),
    shared: Path = typer.Option(Path("../shared"), help="The shared folder (its reports/ are read)"),
    corpus: Path = typer.Option(Path("corpus/reports.jsonl"), help="Annotated reports: never relabelled"),
    min_score: float = typer.Option(0.9, help="Keep entities at least this probable"),
) -> None:
    nlp = load_model_or_exit(str(model))
    annotated = {record["text"] for _, record, _ in read_jsonl(corpus) if record}
    annotated_sources = {record["meta"].get("shared") for _, record, _ in read_jsonl(corpus) if record}
    sources = sorted((shared / "reports").rglob("*.txt"))
    docbin, kept, missing_spans, paragraphs, used = DocBin(), 0, 0, 0, []
    for path in sources:
        relative = str(path.relative_to(shared))
        text = normalize(path.read_text(encoding="utf-8")).text
        # beijing_gov_2026.txt repeats provincial_2026/gov_2026_beijing.txt: read it once.
        if relative in annotated_sources or text in annotated or path.name == "beijing_gov_2026.txt":
            continue
        used.append(relative)
        for _, paragraph in paragraphs(text):
            if not paragraph.strip():
                continue
            doc = nlp(paragraph)
            confident = [ent for ent in doc.ents if (ent._.score or 0.0) >= min_score]
            unsure = [
                doc[max(0, ent.start - 1) : min(len(doc), ent.end + 1)]
                for ent in doc.ents
                if (ent._.score or 0.0) < min_score
            ]
            unsure = merged([span for span in unsure if not any(span.start < c.end and c.start < span.end for c in confident)])
            doc.set_ents(confident, missing=unsure, default="outside")
            docbin.add(doc)
            kept += len(confident)
            missing_spans += len(unsure)
            paragraphs += 1
    output.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(output)
    typer.echo(json.dumps({"reports": used, "paragraphs": paragraphs, "entities": kept, "unsure_left_missing": missing_spans}, ensure_ascii=False))


if __name__ == "__main__":
    typer.run(main)
