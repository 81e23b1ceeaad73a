"""The ``report-ner`` command line."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import List, Optional

import typer

from .inputs import InputDoc, InputError, iter_inputs
from .outline import build_outline
from .text import normalize

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Entities and sections in Chinese official work reports.",
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PARTIAL, EXIT_NOTHING = 0, 1, 2


@app.callback()
def _commands() -> None:
    """Entities and sections in Chinese official work reports."""


class SectionFormat(str, Enum):
    table = "table"
    json = "json"


def report_error(message: str) -> None:
    typer.echo(f"report-ner: {message}", err=True)


def exit_code(processed: int, failed: int) -> int:
    if processed == 0:
        return EXIT_NOTHING
    return EXIT_PARTIAL if failed else EXIT_OK


def sections_table(doc: InputDoc, sections: list[dict]) -> str:
    lines = [f"# {doc.source} ({doc.encoding}, {len(doc.text)} chars)"]
    lines.append(f"{'id':<5} {'lvl':>3} {'number':<7} {'start':>7} {'end':>7}  title")
    for section in sections:
        indent = "  " * max(0, section["level"] - 1)
        title = section["title"] or f"({section['kind']})"
        if len(title) > 50:
            title = title[:49] + "…"
        lines.append(
            f"{section['id']:<5} {section['level']:>3} {section['number'] or '':<7} "
            f"{section['start']:>7} {section['end']:>7}  {indent}{title}"
        )
    return "\n".join(lines)


@app.command()
def sections(
    inputs: List[str] = typer.Argument(..., help="Files, folders (every *.txt inside) or - for standard input."),
    output_format: SectionFormat = typer.Option(SectionFormat.table, "--format", "-f", help="table or json"),
) -> None:
    """Print the section outline (parts, numbered sections, sub-items) of each input."""
    processed = failed = 0
    for item in iter_inputs(inputs):
        if isinstance(item, InputError):
            report_error(str(item))
            failed += 1
            continue
        outline = build_outline(normalize(item.text)).to_list()
        if output_format == SectionFormat.json:
            typer.echo(json.dumps({"source": item.source, "sections": outline}, ensure_ascii=False))
        else:
            typer.echo(sections_table(item, outline))
        processed += 1
    raise typer.Exit(exit_code(processed, failed))


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
