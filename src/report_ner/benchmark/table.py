"""The benchmark report as the plain-text table the command prints."""

from __future__ import annotations

from typing import Optional, Sequence

from .machine import describe
from .suite import OURS, PEER
from .texts import size_title


def aligned(rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Rows padded to common column widths, a rule under the first; ``align`` has 'l' or 'r' per column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(align))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if side == "l" else cell.rjust(width) for cell, width, side in zip(row, widths, align)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * max(len(line) for line in lines))
    return lines


def number(value: Optional[float], digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def timing_cells(summary: dict, rate: bool = True) -> list[str]:
    """chars, median s, min–max s, chars/s (unless ``rate`` is False: a start-up run), peak RSS MB."""
    if "median_s" not in summary:
        return [number(summary["chars"]), "-", "-", "-", "-"]
    return [
        number(summary["chars"]),
        f"{summary['median_s']:.2f}",
        f"{summary['min_s']:.2f}–{summary['max_s']:.2f}",
        number(summary["chars_per_s"]) if rate else "-",
        number(summary["peak_rss_mb"]),
    ]


def notes(summary: dict, *extra: str) -> str:
    parts = [part for part in (summary.get("error") and f"FAILED: {summary['error']}", *extra, summary.get("note")) if part]
    return "; ".join(parts)


def ratio_note(ratio: Optional[dict]) -> str:
    if not ratio:
        return ""
    rounds = ", ".join(f"{value:.2f}" for value in ratio["rounds"])
    return f"{ratio['median']:.2f}× the peer's rate (median of the rounds {rounds})"


def target_notes(entry: dict, targets: dict) -> list[str]:
    """"target …: within" (or OVER) for each target about this row's input size."""
    found = []
    for target in targets.values():
        if target["size"] == size_title(entry["target_bytes"]) and target["within"] is not None:
            found.append(f"target {target['target']}: {'within' if target['within'] else 'OVER'}")
    return found


def speed_lines(speed: dict) -> list[str]:
    header = ["run (a fresh process each, loading included)", "chars", "median s", "min–max s", "chars/s", "peak RSS MB", "note"]
    rows = [
        [f"{OURS} tag --n-process 1", *timing_cells(speed["tag_1_process"]),
         notes(speed["tag_1_process"], ratio_note(speed["rate_vs_peer"]))],
        [f"{OURS} tag --n-process 2", *timing_cells(speed["tag_2_processes"]),
         notes(speed["tag_2_processes"], "peak RSS of the largest process")],
        [f"{PEER} peer", *timing_cells(speed["peer"]), notes(speed["peer"], "1×")],
        [f"{OURS} tag, one line (start-up)", *timing_cells(speed["startup"], rate=False), notes(speed["startup"])],
        [f"{PEER} peer, one line (start-up)", *timing_cells(speed["peer_startup"], rate=False), notes(speed["peer_startup"])],
    ]
    return aligned([header, *rows], "lrrrrrl")


def scaling_lines(scaling: list[dict], targets: dict) -> list[str]:
    header = ["input", "chars", "median s", "min–max s", "chars/s", "peak RSS MB", "µs/char", "µs/char after start-up", "note"]
    rows = [header]
    one_process = {entry["target_bytes"]: entry for entry in scaling if entry.get("processes", 1) == 1}
    for entry in scaling:
        title, extra = size_title(entry["target_bytes"]), target_notes(entry, targets)
        if entry.get("processes", 1) == 2:
            title += ", -n 2"
            single = one_process.get(entry["target_bytes"], {})
            extra = [f"{entry['chars_per_s'] / single['chars_per_s']:.2f}× one process"] if entry.get("chars_per_s") and single.get("chars_per_s") else []
        rows.append([title, *timing_cells(entry), number(entry.get("us_per_char"), 1),
                     number(entry.get("us_per_char_after_startup"), 1), notes(entry, *extra)])
    return aligned(rows, "lrrrrrrrl")


def accuracy_lines(accuracy: dict[str, dict[str, dict]]) -> list[str]:
    header = ["gold file", "label", "gold", *(f"{system} {part}" for system in (OURS, PEER) for part in ("F", "P", "R"))]
    rows = [header]
    for name, systems in accuracy.items():
        for label, ours in systems[OURS].items():
            cells = [name, label, str(ours["gold"])]
            for system in (OURS, PEER):
                scores = systems[system][label]
                cells += [f"{scores['f']:.3f}", f"{scores['p']:.3f}", f"{scores['r']:.3f}"]
            rows.append(cells)
    return aligned(rows, "llr" + "r" * 6)


def load(machine: dict, when: str) -> str:
    values = machine.get(f"load_average_{when}")
    return "-" if not values else "/".join(f"{value:.1f}" for value in values)


def render(report: dict) -> str:
    settings, speed, texts = report["settings"], report["speed"], report["texts"]
    text = texts["inputs"][speed["text_size"]]
    lines = [
        f"report-ner benchmark: model {settings['model']}, {settings['started']}"
        + (" (--quick)" if settings["quick"] else ""),
        f"machine: {describe(report['machine'])}",
        f"load average (1, 5, 15 min) before the timed runs {load(report['machine'], 'before')}, "
        f"after {load(report['machine'], 'after')}",
        f"text: {len(texts['reports'])} shared reports concatenated and cut at the line end nearest "
        f"{size_title(text['target_bytes'])}: {text['chars']:,} chars ({text['bytes']:,} bytes UTF-8)",
        "each timed run is a fresh process (start, imports, model or dictionary load, reading, tagging, "
        f"writing the output file); after one untimed warm-up of every row, {settings['repeats']} round(s) "
        "each run every row once, interleaved (order reversed every other round); median and min–max",
        "",
        *speed_lines(speed),
        "",
        "scaling: report-ner tag on the concatenated reports, one process (-n 2: two) (same rounds)",
        "",
        *scaling_lines(report["scaling"], report["targets"]),
        "",
        "accuracy on the gold files (micro and per label; spans as (start, end, label) in the input text)",
        "",
        *accuracy_lines(report["accuracy"]),
        "",
        f"total benchmark time {settings['elapsed_s']:.0f} s",
    ]
    return "\n".join(lines)
