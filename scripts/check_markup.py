"""Check annotated markup files ([[surface|LABEL]]) and print their coverage.

Files whose meta names a ``shared`` report are also checked against that report's
normalized text, so an annotator cannot change a character of the real input.
"""

from pathlib import Path
from typing import List

import typer

from report_ner.corpus import (
    check_consistency,
    check_record,
    check_shared_source,
    coverage,
    load_exceptions,
    read_markup_file,
)


def main(
    paths: List[Path] = typer.Argument(..., help="Markup files or folders of *.txt"),
    shared: Path = typer.Option(Path("../shared"), help="The shared folder that real reports come from"),
    exceptions: Path = typer.Option(Path("corpus/exceptions.txt"), help="Intentional mixed labellings"),
) -> None:
    files = sorted(p for path in paths for p in ([path] if path.is_file() else path.glob("*.txt")))
    records = []
    errors = 0
    for path in files:
        meta, text, spans, problems = read_markup_file(path)
        record = {"id": meta.get("id", path.stem), "text": text, "spans": spans, "meta": meta}
        problems += check_record(record, str(path), 1, markup=True)
        problems += check_shared_source(meta, text, shared, str(path))
        for problem in problems:
            print(problem)
        errors += len(problems)
        records.append((str(path), 1, record))
    for problem in check_consistency(records, load_exceptions(exceptions), markup=True):
        print(problem)
    stats = coverage(record for _, _, record in records)
    print("coverage:", ", ".join(f"{k}={v}" for k, v in stats.items()))
    raise typer.Exit(1 if errors else 0)


if __name__ == "__main__":
    typer.run(main)
