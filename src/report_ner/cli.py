"""The ``report-ner`` command line."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from enum import Enum
from typing import Annotated, List, Optional

import typer

from pathlib import Path

import click

from .inputs import InputDoc, InputError, iter_inputs
from .outline import build_outline
from .text import BATCH_PIECES, normalize

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Entities and sections in Chinese official work reports.",
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PARTIAL, EXIT_NOTHING = 0, 1, 2
INPUTS_HELP = "Files (.txt, .pdf, .docx, .html/.htm), folders (every such file inside) or - for standard input."


@app.callback()
def _commands() -> None:
    """Entities and sections in Chinese official work reports."""


class SectionFormat(str, Enum):
    table = "table"
    json = "json"


class TagFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    html = "html"
    table = "table"


class AnnotateFormat(str, Enum):
    jsonl = "jsonl"
    markup = "markup"
    doccano = "doccano"
    labelstudio = "labelstudio"


class AnnotateOrder(str, Enum):
    input = "input"
    uncertain = "uncertain"


class AnnotationTool(str, Enum):
    doccano = "doccano"
    labelstudio = "labelstudio"


class LexiconMode(str, Enum):
    features = "features"
    force = "force"


# A user's own names, for every command that runs the model (see report_ner.user_lexicon).
LexiconFile = Annotated[
    Optional[Path],
    typer.Option(
        "--lexicon",
        help="Your own names, used without retraining: a UTF-8 TSV of name<TAB>LAW or name<TAB>ORG ('#' comments).",
    ),
]
LexiconModeOption = Annotated[
    Optional[LexiconMode],
    typer.Option(
        "--lexicon-mode",
        help="features (default): the names become lexicon features of the model; force: also every exact match "
        "is an entity (score 1.0) where it overlaps no predicted one.",
    ),
]


class InputTally:
    """Passes decoded inputs on, reporting and counting the ones that fail."""

    def __init__(self, inputs: List[str]):
        self.inputs = inputs
        self.failed = 0
        self.total = 0

    def __iter__(self):
        for item in iter_inputs(self.inputs):
            self.total += 1
            if isinstance(item, InputError):
                report_error(str(item))
                self.failed += 1
                continue
            yield item


def read_lexicon_or_exit(lexicon: Optional[Path], mode: Optional[LexiconMode]):
    """The user lexicon of ``--lexicon`` (None without it); every bad line is reported, exit 2."""
    from .user_lexicon import UserLexiconError, read_user_lexicon

    if lexicon is None:
        if mode is not None:
            report_error("--lexicon-mode needs --lexicon FILE")
            raise typer.Exit(EXIT_NOTHING)
        return None
    try:
        return read_user_lexicon(lexicon)
    except UserLexiconError as err:
        for problem in err.problems:
            report_error(problem)
        raise typer.Exit(EXIT_NOTHING)


def use_lexicon_or_exit(nlp, names, mode: Optional[LexiconMode]) -> None:
    from .user_lexicon import UserLexiconError, apply_user_lexicon

    if names is None:
        return
    try:
        apply_user_lexicon(nlp, names, (mode or LexiconMode.features).value)
    except UserLexiconError as err:
        report_error(str(err))
        raise typer.Exit(EXIT_NOTHING)


def load_model_or_exit(model: str, lexicon: Optional[Path] = None, lexicon_mode: Optional[LexiconMode] = None):
    """The pipeline, with the user lexicon (``--lexicon``) in use; one-line errors, exit 2."""
    from .tagging import ModelError, load

    names = read_lexicon_or_exit(lexicon, lexicon_mode)
    try:
        nlp = load(model)
    except ModelError as err:
        report_error(str(err))
        raise typer.Exit(EXIT_NOTHING)
    use_lexicon_or_exit(nlp, names, lexicon_mode)
    return nlp


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
    inputs: List[str] = typer.Argument(..., help=INPUTS_HELP),
    output_format: SectionFormat = typer.Option(SectionFormat.table, "--format", "-f", help="table or json"),
) -> None:
    """Print the section outline (parts, numbered sections, sub-items) of each input."""
    processed = 0
    tally = InputTally(inputs)
    for item in tally:
        outline = build_outline(normalize(item.text)).to_list()
        if output_format == SectionFormat.json:
            typer.echo(json.dumps({"source": item.source, "sections": outline}, ensure_ascii=False))
        else:
            typer.echo(sections_table(item, outline))
        processed += 1
    raise typer.Exit(exit_code(processed, tally.failed))


@app.command()
def text(
    input_path: str = typer.Argument(..., metavar="INPUT", help="One file (.txt, .pdf, .docx, .html/.htm) or - for standard input."),
) -> None:
    """Print the text that the other commands tag, exactly: every entity's start/end index it."""
    items = list(InputTally([input_path]))
    if len(items) > 1:
        report_error(f"{input_path}: holds {len(items)} reports: give one file")
        raise typer.Exit(EXIT_NOTHING)
    if not items:
        raise typer.Exit(EXIT_NOTHING)
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        typer.echo(items[0].text, nl=False)
    else:  # bytes: no newline translation, no terminal encoding in the way
        sys.stdout.flush()
        stream.write(items[0].text.encode("utf-8"))
        stream.flush()
    raise typer.Exit(EXIT_OK)


@app.command()
def tag(
    inputs: List[str] = typer.Argument(..., help=INPUTS_HELP),
    model: str = typer.Option("training/model-best", "--model", "-m", help="Pipeline folder or installed package name."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of standard output."),
    output_format: TagFormat = typer.Option(TagFormat.jsonl, "--format", "-f", help="jsonl, csv, html or table"),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Processes for the model."),
    batch_size: int = typer.Option(BATCH_PIECES, "--batch-size", min=1, help="Pieces of up to 2,000 characters per batch (bounds memory)."),
    min_score: float = typer.Option(0.0, "--min-score", min=0.0, max=1.0, help="Leave out entities whose probability is lower."),
    lexicon: LexiconFile = None,
    lexicon_mode: LexiconModeOption = None,
) -> None:
    """Tag entities (LAW, ORG, PERSON, FIGURE, DATE) with input offsets and their sections."""
    from .export import atomic_output, write_stream
    from .tagging import tag_docs

    nlp = load_model_or_exit(model, lexicon, lexicon_mode)
    tally = InputTally(inputs)
    with atomic_output(output, sys.stdout) as out:
        stream = tag_docs(nlp, tally, batch_size=batch_size, n_process=n_process, min_score=min_score)
        with click.progressbar(stream, label="tagging", file=sys.stderr, show_pos=True) as progress:
            processed = write_stream(out, iter(progress), output_format.value)
    raise typer.Exit(exit_code(processed, tally.failed))


DASK_MISSING = "batch runs on Dask distributed, which is not installed: pip install -e \".[dask]\" (or pip install distributed)"


@app.command()
def batch(
    inputs: List[str] = typer.Argument(..., help="Files and folders (every report inside); not standard input."),
    output: Path = typer.Option(..., "--output", "-o", help="Batch folder: one <relative path>.jsonl per input and manifest.jsonl."),
    model: str = typer.Option("training/model-best", "--model", "-m", help="Pipeline folder or installed package name (on every worker)."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", "-w", min=1, help="Worker processes of the local cluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="tcp://HOST:PORT of a running 'dask scheduler' instead of a local cluster."),
    lexicon: LexiconFile = None,
    lexicon_mode: LexiconModeOption = None,
) -> None:
    """Tag an archive on a Dask cluster: resumable, one JSONL record per input, a manifest."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        report_error(DASK_MISSING)
        raise typer.Exit(EXIT_NOTHING)
    from .batch import BatchError, run_batch
    from .manifest import BatchFolderBusy

    names = read_lexicon_or_exit(lexicon, lexicon_mode)
    lexicon_lines = tuple(names.to_lines()) if names is not None else ()
    mode = (lexicon_mode or LexiconMode.features).value
    try:
        summary = run_batch(inputs, output, model, workers, scheduler, report_error, lexicon_lines=lexicon_lines, lexicon_mode=mode)
    except (BatchError, BatchFolderBusy) as err:
        report_error(str(err))
        raise typer.Exit(EXIT_NOTHING)
    raise typer.Exit(exit_code(summary.ok + summary.skipped, summary.failed))


class StatsFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class StatsBy(str, Enum):
    law = "law"
    org = "org"
    person = "person"
    figure = "figure"
    section = "section"


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: list[dict], columns: list[str]) -> str:
    shown = [[_cell(row.get(column)) for column in columns] for row in rows]
    shown = [[cell if len(cell) <= 40 else cell[:39] + "…" for cell in row] for row in shown]
    widths = [max([_width(column)] + [_width(row[i]) for row in shown]) for i, column in enumerate(columns)]
    lines = ["  ".join(_pad(column, width) for column, width in zip(columns, widths)).rstrip()]
    lines += ["  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip() for row in shown]
    return "\n".join(lines) + "\n"


@app.command()
def stats(
    inputs: Optional[List[str]] = typer.Argument(None, help=INPUTS_HELP),
    model: str = typer.Option("training/model-best", "--model", "-m", help="Pipeline folder or installed package name."),
    output_format: StatsFormat = typer.Option(StatsFormat.table, "--format", "-f", help="table, csv or json (one object a line)"),
    by: StatsBy = typer.Option(StatsBy.law, "--by", help="law, org, person, figure or section"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of standard output."),
    lexicon: LexiconFile = None,
    lexicon_mode: LexiconModeOption = None,
    records: Optional[List[Path]] = typer.Option(
        None, "--from", help="Count from tagged records instead of tagging: a batch folder or 'tag --format jsonl' files (repeatable)."
    ),
) -> None:
    """Counts and values per report: laws, institutions, persons, figures, or entities per section."""
    import csv

    from .export import atomic_output
    from .stats import rows_for

    if bool(inputs) == bool(records):
        report_error("stats: give inputs to tag, or --from with a batch folder or JSONL records, not both")
        raise typer.Exit(EXIT_NOTHING)
    docs, tally = _stats_docs(inputs, records, model, need_text=by is StatsBy.figure, lexicon=lexicon, lexicon_mode=lexicon_mode)
    processed = 0
    rows: list[dict] = []
    with atomic_output(output, sys.stdout) as out:
        writer = None
        for doc in docs:
            processed += 1
            doc_rows = rows_for([doc], by.value)
            if output_format == StatsFormat.json:
                for row in doc_rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            elif output_format == StatsFormat.csv:
                if writer is None and doc_rows:
                    writer = csv.DictWriter(out, fieldnames=list(doc_rows[0]), lineterminator="\n")
                    writer.writeheader()
                for row in doc_rows:
                    writer.writerow({key: _cell(value) for key, value in row.items()})
            else:
                rows.extend(doc_rows)
        if output_format == StatsFormat.table:
            columns = list(rows[0]) if rows else []
            columns = [c for c in columns if c not in ("section_ids", "section_id", "start", "end")]
            out.write(_table(rows, columns) if rows else "(no entities)\n")
    raise typer.Exit(exit_code(processed, tally.failed))


class RecordTally:
    """Passes tagged documents read back from records on, reporting the files that fail."""

    def __init__(self, records: List[Path], need_text: bool):
        self.records, self.need_text = records, need_text
        self.failed = 0

    def __iter__(self):
        from .tagged_files import RecordError, read_tagged

        for item in read_tagged(self.records, report_error, need_text=self.need_text):
            if isinstance(item, RecordError):
                report_error(str(item))
                self.failed += 1
                continue
            yield item


def _stats_docs(
    inputs: Optional[List[str]], records: Optional[List[Path]], model: str, need_text: bool, lexicon=None, lexicon_mode=None
):
    """Tagged documents for ``stats``: read back from records, or tagged now; and their tally."""
    if records:
        tally = RecordTally(records, need_text)
        return iter(tally), tally
    from .tagging import tag_docs

    nlp = load_model_or_exit(model, lexicon, lexicon_mode)
    tally = InputTally(inputs)
    return tag_docs(nlp, tally), tally


@app.command()
def annotate(
    inputs: List[str] = typer.Argument(..., help=INPUTS_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="File to write (atomically)."),
    model: str = typer.Option("training/model-best", "--model", "-m", help="Pre-annotate with this model; rules when it does not exist."),
    genre: str = typer.Option("unknown", help="meta.genre of the new records"),
    output_format: AnnotateFormat = typer.Option(
        AnnotateFormat.jsonl,
        "--format",
        "-f",
        help="jsonl: corpus records; markup: one [[surface|LABEL]] file (one input); doccano: JSONL to import into "
        "doccano; labelstudio: a JSON list of tasks with predictions (and scores) to import into Label Studio",
    ),
    order: AnnotateOrder = typer.Option(
        AnnotateOrder.input, "--order", help="input: as given; uncertain: least confident documents (lowest mean entity score) first"
    ),
    lexicon: LexiconFile = None,
    lexicon_mode: LexiconModeOption = None,
) -> None:
    """Pre-annotate new reports (offsets on the normalized text) for a person to correct."""
    from .export import atomic_output
    from .tagging import ModelError, load

    if output_format is AnnotateFormat.markup and len(inputs) != 1:
        report_error("--format markup writes one report: give exactly one input file")
        raise typer.Exit(EXIT_NOTHING)
    names = read_lexicon_or_exit(lexicon, lexicon_mode)
    tally = InputTally(inputs)
    try:
        nlp = load(model)
        typer.echo(f"pre-annotating with the model {model}", err=True)
    except ModelError:
        nlp = None
        typer.echo(f"no model at {model}: pre-annotating with rules (lexicons, 《》 titles, figures, dates)", err=True)
    if nlp is not None:
        use_lexicon_or_exit(nlp, names, lexicon_mode)
        records = _model_records(nlp, tally, genre, model)
    else:
        records = _rule_records(tally, genre, names)
    if order is AnnotateOrder.uncertain:
        from .annotation_formats import document_confidence

        records = iter(sorted(records, key=lambda record: document_confidence(record["spans"])))
    if output_format is AnnotateFormat.labelstudio:
        from .annotation_formats import labelstudio_config
        from .corpus import LABELS

        typer.echo(f"Label Studio labeling config for these tasks: {labelstudio_config(LABELS)}", err=True)
    with atomic_output(output, sys.stdout) as out:
        processed = _write_annotations(out, records, output_format, model if nlp is not None else "rules")
    raise typer.Exit(exit_code(processed, tally.failed))


def _record(source: str, text: str, spans: list[dict], genre: str, annotator: str) -> dict:
    record_id = Path(source).stem if source != "<stdin>" else "stdin"
    meta = {"source": "pre-annotated", "file": source, "genre": genre, "annotator": annotator}
    return {"id": record_id, "text": text, "spans": spans, "meta": meta}


def _model_records(nlp, docs, genre: str, model: str):
    from .tagging import tag_docs

    for doc in tag_docs(nlp, docs):
        spans = [
            {"start": (s := doc.normalized.normalized_offset(e.start)), "end": s + len(e.text), "label": e.label, "score": e.score}
            for e in doc.entities
        ]
        yield _record(doc.source, doc.normalized.text, spans, genre, model)


def _rule_records(docs, genre: str, names):
    from .lexicon import Lexicon
    from .rules import rule_spans

    lexicon = Lexicon.packaged() if names is None else Lexicon.packaged().merged(names)
    for item in docs:
        text = normalize(item.text).text
        spans = [{"start": a, "end": b, "label": label} for a, b, label in rule_spans(text, lexicon)]
        yield _record(item.source, text, sorted(spans, key=lambda s: s["start"]), genre, "rules")


def _write_annotations(out, records, output_format: AnnotateFormat, model_version: str) -> int:
    """Write the records in ``output_format``; returns how many were written."""
    from .annotation_formats import doccano_line, labelstudio_task
    from .corpus import META_PREFIX, to_markup

    written = 0
    if output_format is AnnotateFormat.labelstudio:
        out.write("[")
    for record in records:
        if output_format is AnnotateFormat.doccano:
            out.write(doccano_line(record))
        elif output_format is AnnotateFormat.labelstudio:
            task = json.dumps(labelstudio_task(record, model_version), ensure_ascii=False)
            out.write(("," if written else "") + "\n" + task)
        else:
            spans = [{key: span[key] for key in ("start", "end", "label")} for span in record["spans"]]
            if output_format is AnnotateFormat.markup:
                meta = {"id": record["id"], **record["meta"]}
                lines = [f"{META_PREFIX} {json.dumps(meta, ensure_ascii=False)}", *to_markup(record["text"], spans)]
                out.write("\n".join(lines) + "\n")
            else:
                out.write(json.dumps({**record, "spans": spans}, ensure_ascii=False) + "\n")
        written += 1
    if output_format is AnnotateFormat.labelstudio:
        out.write("\n]\n")
    return written


@app.command("import")
def import_(
    export: Path = typer.Argument(..., help="A corrected export: doccano JSONL or Label Studio JSON."),
    tool: AnnotationTool = typer.Option(..., "--from", help="doccano or labelstudio"),
    output: Path = typer.Option(..., "--output", "-o", help="Corpus JSONL to write (atomically), e.g. corpus/imported/NAME.jsonl"),
) -> None:
    """Turn a corrected export into corpus records (meta.source = imported), checked like the corpus."""
    from .annotation_formats import read_export, text_problem
    from .corpus import check_record
    from .export import atomic_output

    if not export.is_file():
        report_error(f"{export}: no such file")
        raise typer.Exit(EXIT_NOTHING)
    accepted: list[dict] = []
    rejected = 0
    seen: dict[str, int] = {}
    try:
        for line, record, error in read_export(export, tool.value):
            problems = [error] if error else []
            if record is not None:
                problems += [problem.message for problem in check_record(record, str(export), line)]
                if not problems:
                    problems += [problem for problem in (text_problem(record["text"]),) if problem]
                if record["id"] in seen:
                    problems.append(f"id {record['id']!r} was already used on line {seen[record['id']]}")
            if problems:
                rejected += 1
                for problem in problems:
                    report_error(f"{export}:{line}: rejected: {problem}")
                continue
            seen[record["id"]] = line
            accepted.append(record)
    except (UnicodeDecodeError, OSError) as err:
        reason = "not UTF-8" if isinstance(err, UnicodeDecodeError) else err.strerror
        report_error(f"{export}: cannot read ({reason})")
        raise typer.Exit(EXIT_NOTHING)
    if accepted:
        with atomic_output(output, sys.stdout) as out:
            out.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in accepted)
    spans = sum(len(record["spans"]) for record in accepted)
    written = f"imported {len(accepted)} records ({spans} spans) to {output}" if accepted else f"nothing imported ({output} not written)"
    typer.echo(f"{written}; rejected {rejected}", err=True)
    raise typer.Exit(exit_code(len(accepted), rejected))


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
