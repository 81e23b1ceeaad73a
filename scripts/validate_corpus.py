"""Validate corpus/reports.jsonl: file:line errors, consistency review, coverage counts."""

import hashlib
from pathlib import Path

import typer

from report_ner.corpus import LABELS, Problem, check_consistency, check_record, coverage, load_exceptions, read_jsonl

TARGETS = {"LAW": 250, "ORG": 200, "PERSON": 150, "chars_written": 80000}


def main(
    corpus: Path = typer.Argument(Path("corpus/reports.jsonl")),
    exceptions: Path = typer.Option(Path("corpus/exceptions.txt"), help="Intentional mixed labellings"),
    strict_review: bool = typer.Option(False, help="Fail on review findings too"),
) -> None:
    if not corpus.exists():
        typer.echo(f"{corpus}: no such file (run 'spacy project run corpus' first)", err=True)
        raise typer.Exit(2)
    errors: list[Problem] = []
    records = []
    seen: dict[str, int] = {}
    ids: dict[str, int] = {}
    for line, record, error in read_jsonl(corpus):
        if error:
            errors.append(Problem(str(corpus), line, error))
            continue
        errors += check_record(record, str(corpus), line)
        digest = hashlib.sha1(str(record.get("text", "")).encode("utf-8")).hexdigest()
        if digest in seen:
            errors.append(Problem(str(corpus), line, f"duplicate document (same text as line {seen[digest]})"))
        seen.setdefault(digest, line)
        if record.get("id") in ids:
            errors.append(Problem(str(corpus), line, f"duplicate id {record.get('id')!r} (line {ids[record['id']]})"))
        ids.setdefault(record.get("id"), line)
        records.append((str(corpus), line, record))
    reviews = check_consistency(records, load_exceptions(exceptions))
    for problem in errors + reviews:
        typer.echo(str(problem))
    stats = coverage(r for _, _, r in records)
    written = sum(len(r["text"]) for _, _, r in records if r.get("meta", {}).get("source") == "written")
    typer.echo(f"\n{len(records)} reports, {stats['chars']} chars ({written} team-written)")
    typer.echo(f"{'label':<8}{'distinct':>10}{'target':>8}")
    for label in LABELS:
        target = TARGETS.get(label, "")
        typer.echo(f"{label:<8}{stats[label]:>10}{target:>8}")
    typer.echo(f"{len(errors)} errors, {len(reviews)} review findings")
    raise typer.Exit(1 if errors or (strict_review and reviews) else 0)


if __name__ == "__main__":
    typer.run(main)
