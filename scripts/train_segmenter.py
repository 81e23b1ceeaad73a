"""Train the spacy-pkuseg word segmenter from the corpus, so no pkuseg model is downloaded.

Training text: jieba's segmentation of every paragraph, with every gold entity edge forced
to be a word edge (words that cross an edge are split there). The dev documents of
corpus/split.json are the segmenter's test file.
"""

import json
import logging
import tempfile
from pathlib import Path

import jieba
import spacy_pkuseg
import typer

from report_ner.corpus import read_jsonl


def segment(text: str, spans: list[tuple[int, int]], tokenizer) -> list[str]:
    edges = {0, len(text)}
    for start, end in spans:
        edges.update((start, end))
    for _, start, end in tokenizer.tokenize(text, HMM=True):
        edges.update((start, end))
    cuts = sorted(edges)
    words = [text[a:b] for a, b in zip(cuts, cuts[1:])]
    return [w for w in (word.strip() for word in words) if w]


def main(
    corpus: Path = typer.Argument(Path("corpus/reports.jsonl")),
    output: Path = typer.Argument(Path("corpus/segmenter")),
    split: Path = typer.Option(Path("corpus/split.json")),
    iterations: int = typer.Option(10, help="pkuseg training iterations"),
) -> None:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    dev_ids = set(json.loads(split.read_text(encoding="utf-8"))["dev"])
    lines = {"train": [], "test": []}
    for _, record, error in read_jsonl(corpus):
        if error:
            continue
        part = "test" if record["id"] in dev_ids else "train"
        offset = 0
        for paragraph in record["text"].split("\n"):
            end = offset + len(paragraph)
            spans = [(s["start"] - offset, s["end"] - offset) for s in record["spans"] if offset <= s["start"] and s["end"] <= end]
            if paragraph.strip():
                lines[part].append(" ".join(segment(paragraph, spans, tokenizer)))
            offset = end + 1
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        train_file, test_file = Path(tmp) / "train.txt", Path(tmp) / "test.txt"
        train_file.write_text("\n".join(lines["train"]) + "\n", encoding="utf-8")
        test_file.write_text("\n".join(lines["test"] or lines["train"][:10]) + "\n", encoding="utf-8")
        spacy_pkuseg.train(str(train_file), str(test_file), str(output), train_iter=iterations)
    typer.echo(f"segmenter trained on {len(lines['train'])} paragraphs -> {output}")


if __name__ == "__main__":
    typer.run(main)
