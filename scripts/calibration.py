"""How far an entity's score can be trusted: precision per score band on dev-real and on the
shared eval files, and a temperature fitted on dev-real when the confident entities are not
precise enough.

An entity is correct when its (start, end, label) is a gold span. When entities scored ≥ 0.9
are less than 0.97 precise on dev-real, one scalar (the NER's ``temperature``, dividing
emissions and transitions when scores are computed; the decoded entities never change) is
fitted on dev-real by the log loss of the scores against correctness and saved with the
pipeline. Nothing is fitted on the eval files: they only show whether the fit carries over.
"""

import json
import math
from pathlib import Path

import typer

from report_ner.evaluation import GoldError, dev_sets, gold_records
from report_ner.inputs import InputDoc
from report_ner.tagging import ModelError, load, tag_docs

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.01))
CONFIDENT, TARGET = 0.9, 0.97
# Temperatures tried (log-spaced), then refined around the best by golden-section search.
GRID = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)


def scored_entities(nlp, records: list[dict]) -> list[tuple[float, bool]]:
    """(score, correct) of every entity the pipeline finds in the gold records."""
    docs = [InputDoc(str(record.get("id", i)), record["text"], "utf-8") for i, record in enumerate(records)]
    pairs = []
    for record, tagged in zip(records, tag_docs(nlp, docs)):
        gold = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        pairs += [(e.score if e.score is not None else 1.0, (e.start, e.end, e.label) in gold) for e in tagged.entities]
    return pairs


def band_name(low: float, high: float) -> str:
    return f"<{high}" if low == 0.0 else f">={low}" if high > 1.0 else f"{low}-{high}"


def band_table(pairs: list[tuple[float, bool]]) -> list[dict]:
    """Count, correct and precision of the entities in each score band, and of all ≥ 0.9."""
    rows = []
    for name, chosen in [(band_name(low, high), [c for s, c in pairs if low <= s < high]) for low, high in BANDS] + [
        (f">={CONFIDENT}", [c for s, c in pairs if s >= CONFIDENT]),
        ("all", [c for _, c in pairs]),
    ]:
        rows.append({"band": name, "count": len(chosen), "correct": sum(chosen), "precision": round(sum(chosen) / len(chosen), 4) if chosen else None})
    return rows


def log_loss(pairs: list[tuple[float, bool]]) -> float:
    eps = 1e-6
    return -sum(math.log(min(1 - eps, max(eps, s if c else 1 - s))) for s, c in pairs) / max(1, len(pairs))


def confident_precision(pairs: list[tuple[float, bool]]) -> float:
    chosen = [c for s, c in pairs if s >= CONFIDENT]
    return sum(chosen) / len(chosen) if chosen else 1.0


def fit_temperature(nlp, records: list[dict]) -> tuple[float, float]:
    """(temperature, log loss) minimizing the log loss of the scores on ``records``."""
    ner = nlp.get_pipe("ner")

    def loss(temperature: float) -> float:
        ner.cfg["temperature"] = temperature
        return log_loss(scored_entities(nlp, records))

    tried = {t: loss(t) for t in GRID}
    best = min(tried, key=tried.get)
    index = GRID.index(best)
    low, high = math.log(GRID[max(0, index - 1)]), math.log(GRID[min(len(GRID) - 1, index + 1)])
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(8):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if loss(math.exp(a)) <= loss(math.exp(b)):
            high = b
        else:
            low = a
    candidate = round(math.exp((low + high) / 2), 3)
    tried[candidate] = loss(candidate)
    best = min(tried, key=tried.get)
    return best, tried[best]


def print_tables(title: str, tables: dict[str, list[dict]]) -> None:
    typer.echo(title)
    typer.echo(f"  {'set':<10}{'band':<11}{'count':>7}{'correct':>9}{'precision':>11}")
    for name, rows in tables.items():
        for row in rows:
            shown = "-" if row["precision"] is None else f"{row['precision']:.3f}"
            typer.echo(f"  {name:<10}{row['band']:<11}{row['count']:>7}{row['correct']:>9}{shown:>11}")


def main(
    model: Path = typer.Argument(Path("training/model-best")),
    corpus: Path = typer.Option(Path("corpus/reports.jsonl")),
    split: Path = typer.Option(Path("corpus/split.json")),
    eval_dir: Path = typer.Option(Path("../shared/eval"), help="Gold JSONL files of unseen reports (measured, never fitted on)"),
    output: Path = typer.Option(Path("training/calibration.json")),
    fit: str = typer.Option("auto", help="auto: fit and save a temperature when the confident entities are not precise enough; always; never"),
) -> None:
    try:
        nlp = load(model)
        dev = dev_sets(corpus, split).get("dev-real", [])
        shared_eval = [record for path in sorted(eval_dir.glob("*.jsonl")) for record in gold_records(path)]
    except (ModelError, GoldError, OSError, KeyError, ValueError) as err:
        typer.echo(f"calibration: {err}", err=True)
        raise typer.Exit(2)
    if not dev or not shared_eval:
        typer.echo(f"calibration: no dev-real records in {corpus} or no gold files in {eval_dir}", err=True)
        raise typer.Exit(2)
    ner = nlp.get_pipe("ner")
    start_temperature = float(ner.cfg.get("temperature", 1.0))
    dev_pairs = scored_entities(nlp, dev)
    before = {"dev-real": band_table(dev_pairs), "eval": band_table(scored_entities(nlp, shared_eval))}
    print_tables(f"temperature {start_temperature}:", before)
    result = {"temperature": start_temperature, "fitted": False, "target": f"precision >= {TARGET} for scores >= {CONFIDENT}", "before": before}
    if fit not in ("auto", "always", "never"):
        typer.echo(f"calibration: --fit {fit!r}: expected auto, always or never", err=True)
        raise typer.Exit(2)
    if fit == "always" or (fit == "auto" and confident_precision(dev_pairs) < TARGET):
        temperature, loss = fit_temperature(nlp, dev)
        ner.cfg["temperature"] = temperature
        after = {"dev-real": band_table(scored_entities(nlp, dev)), "eval": band_table(scored_entities(nlp, shared_eval))}
        print_tables(f"temperature {temperature} (fitted on dev-real, log loss {loss:.4f} from {log_loss(dev_pairs):.4f}):", after)
        nlp.to_disk(model)
        typer.echo(f"saved temperature {temperature} in {model}/ner/cfg")
        result.update({"temperature": temperature, "fitted": True, "dev_log_loss": {"before": round(log_loss(dev_pairs), 4), "after": round(loss, 4)}, "after": after})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2), encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
