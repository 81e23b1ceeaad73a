"""Corpus JSONL -> train/dev DocBins (one Doc per paragraph), split by whole document."""

import json
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import DocBin

from report_ner.corpus import read_jsonl
from report_ner.text import paragraphs


def paragraph_examples(record: dict):
    """(paragraph text, spans relative to it) for each paragraph of a record."""
    for offset, text in paragraphs(record["text"]):
        end = offset + len(text)
        spans = [
            (s["start"] - offset, s["end"] - offset, s["label"])
            for s in record["spans"]
            if offset <= s["start"] and s["end"] <= end
        ]
        if text.strip():
            yield text, spans


def make_tokenizer(segmenter: str, pkuseg_model: Optional[Path]):
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    if segmenter == "pkuseg":
        nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model), pkuseg_user_dict="default")
    return nlp


def main(
    corpus: Path = typer.Argument(Path("corpus/reports.jsonl")),
    split: Path = typer.Argument(Path("corpus/split.json")),
    output_dir: Path = typer.Argument(Path("corpus")),
    segmenter: str = typer.Option("char", help="char or pkuseg: the pipeline's tokenization"),
    pkuseg_model: Optional[Path] = typer.Option(None, help="pkuseg model folder (segmenter=pkuseg)"),
    only_source: Optional[str] = typer.Option(None, help="Keep only train documents of this meta.source"),
    exclude_source: Optional[str] = typer.Option(None, help="Leave out train documents of this meta.source"),
    allow_misaligned: bool = typer.Option(False, help="Drop (and count) spans that do not align with tokens"),
    prefix: str = typer.Option("", help="Prefix for the output file names"),
) -> None:
    dev_ids = set(json.loads(split.read_text(encoding="utf-8"))["dev"])
    nlp = make_tokenizer(segmenter, pkuseg_model)
    bins = {"train": DocBin(), "dev": DocBin()}
    misaligned = []
    total = 0
    for line, record, error in read_jsonl(corpus):
        if error:
            typer.echo(f"{corpus}:{line}: {error}", err=True)
            raise typer.Exit(1)
        part = "dev" if record["id"] in dev_ids else "train"
        source = record.get("meta", {}).get("source")
        if part == "train" and ((only_source and source != only_source) or (exclude_source and source == exclude_source)):
            continue
        for text, spans in paragraph_examples(record):
            doc = nlp.make_doc(text)
            ents = []
            for start, end, label in spans:
                total += 1
                span = doc.char_span(start, end, label=label)
                if span is None:
                    misaligned.append(f"{corpus}:{line}: {record['id']}: {text[start:end]!r} ({label}) does not align with tokens")
                    continue
                ents.append(span)
            doc.ents = ents
            bins[part].add(doc)
    for message in misaligned[:50]:
        typer.echo(message, err=True)
    share = len(misaligned) / max(1, total)
    typer.echo(f"misaligned spans: {len(misaligned)} of {total} ({share:.1%})")
    if misaligned and not allow_misaligned:
        raise typer.Exit(1)
    output_dir.mkdir(parents=True, exist_ok=True)
    for part, docbin in bins.items():
        path = output_dir / f"{prefix}{part}.spacy"
        docbin.to_disk(path)
        typer.echo(f"{path}: {len(docbin)} paragraphs")
    (output_dir / f"{prefix}convert_stats.json").write_text(
        json.dumps({"spans": total, "misaligned": len(misaligned), "misaligned_share": share}), encoding="utf-8"
    )


if __name__ == "__main__":
    typer.run(main)
