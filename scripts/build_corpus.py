"""Build corpus/reports.jsonl from the annotated markup files.

Sources: the annotated OCR sample (``corpus/*.ann.txt``, raw file beside it), the annotated
real reports (``corpus/real/*.ann.txt``, their raw text in ``../shared``), the
team-written reports (``corpus/written/*.txt``), and records corrected in doccano or Label
Studio (``corpus/imported/*.jsonl``, written by ``report-ner import``).
"""

import json
from pathlib import Path

import typer

from report_ner.annotation_formats import text_problem
from report_ner.corpus import Problem, check_record, check_shared_source, read_jsonl, read_markup_file
from report_ner.text import normalize


def imported_records(path: Path, shared: Path) -> tuple[list[dict], list[Problem]]:
    """The records of one ``report-ner import`` file, checked as the import checked them."""
    records, problems = [], []
    for line, record, error in read_jsonl(path):
        if error:
            problems.append(Problem(str(path), line, error))
            continue
        found = check_record(record, str(path), line)
        if not found and text_problem(record["text"]):
            found.append(Problem(str(path), line, text_problem(record["text"])))
        if not found:
            meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
            found += [Problem(str(path), line, p.message) for p in check_shared_source(meta, record["text"], shared, str(path))]
        problems += found
        records.append({"id": record.get("id"), "text": record.get("text"), "spans": record.get("spans", []), "meta": record.get("meta", {})})
    return records, problems


def main(
    corpus_dir: Path = typer.Argument(Path("corpus"), help="The corpus folder"),
    output: Path = typer.Option(Path("corpus/reports.jsonl"), help="JSONL to write"),
    shared: Path = typer.Option(Path("../shared"), help="The shared folder that real reports come from"),
) -> None:
    sources = (
        sorted(corpus_dir.glob("*.ann.txt"))
        + sorted((corpus_dir / "real").glob("*.ann.txt"))
        + sorted((corpus_dir / "written").glob("*.txt"))
    )
    records = []
    failed = False
    for path in sources:
        meta, text, spans, problems = read_markup_file(path)
        problems += check_shared_source(meta, text, shared, str(path))
        raw_name = meta.get("raw")
        if raw_name:
            # An annotated raw input must be annotated on exactly the normalized text the
            # tagger will see, or its offsets would drift.
            expected = normalize((corpus_dir / raw_name).read_text(encoding="utf-8")).text
            if expected != text:
                typer.echo(f"{path}:1: error: text differs from normalize({raw_name})", err=True)
                failed = True
        for problem in problems:
            typer.echo(str(problem), err=True)
            failed = True
        meta.setdefault("source", "written")
        record_id = meta.pop("id", path.name.split(".")[0])
        records.append({"id": record_id, "text": text, "spans": spans, "meta": meta})
    for path in sorted((corpus_dir / "imported").glob("*.jsonl")):
        found, problems = imported_records(path, shared)
        for problem in problems:
            typer.echo(str(problem), err=True)
            failed = True
        records.extend(found)
    seen: set = set()
    for record in records:
        if record["id"] in seen:
            typer.echo(f"error: record id {record['id']!r} is used twice in the corpus", err=True)
            failed = True
        seen.add(record["id"])
    output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    typer.echo(f"wrote {len(records)} reports, {sum(len(r['text']) for r in records)} chars to {output}")
    raise typer.Exit(1 if failed else 0)


if __name__ == "__main__":
    typer.run(main)
