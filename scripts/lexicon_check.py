"""What a user lexicon does to a trained pipeline (``--lexicon``), measured two ways.

1. Recall gained: the invented institutions of ``corpus/lexicon_check/invented_orgs.txt``
   (no such body exists, so the model never saw them) tagged without a lexicon, with their
   names as lexicon features, and forced. Every occurrence of a listed name is gold ORG.
2. Harmlessness: micro F1 on the shared eval files without and with a lexicon of unrelated
   names (features mode); the check fails when it moves by more than ``--tolerance``. An
   unrelated name rarely occurs, so for contrast the same is measured with a lexicon that
   does match: the LAW and ORG names of the training split (what a user's own corpus holds).
"""

import json
from pathlib import Path

import typer

from report_ner.evaluation import GoldError, evaluate_records, gold_records
from report_ner.inputs import InputDoc
from report_ner.tagging import ModelError, load, tag_docs
from report_ner.lexicon import Lexicon
from report_ner.user_lexicon import FORCED_NAMES, UserLexiconError, name_problem, apply_user_lexicon, read_user_lexicon


def train_names(corpus: Path, split: Path) -> Lexicon:
    """The LAW and ORG names annotated in the training split of the corpus."""
    dev = set(json.loads(split.read_text(encoding="utf-8"))["dev"])
    names: dict[str, set[str]] = {"LAW": set(), "ORG": set()}
    for record in gold_records(corpus):
        if record["id"] in dev:
            continue
        for span in record["spans"]:
            name = record["text"][span["start"] : span["end"]]
            if span["label"] in names and name_problem(name, span["label"]) is None:
                names[span["label"]].add(name)
    return Lexicon.from_names({label: sorted(found) for label, found in names.items()})


def name_recall(nlp, text: str, names: list[str]) -> tuple[int, int]:
    """(found, total): occurrences of ``names`` in ``text`` that come out as exactly that ORG."""
    gold = set()
    for name in names:
        start = text.find(name)
        while start != -1:
            gold.add((start, start + len(name)))
            start = text.find(name, start + 1)
    tagged = next(tag_docs(nlp, [InputDoc("invented", text, "utf-8")]))
    found = {(e.start, e.end) for e in tagged.entities if e.label == "ORG"}
    return len(gold & found), len(gold)


def without_lexicon(nlp) -> None:
    nlp.get_pipe("char_features").user_lexicon = None
    if FORCED_NAMES in nlp.pipe_names:
        nlp.remove_pipe(FORCED_NAMES)


def main(
    model: Path = typer.Argument(Path("training/model-best")),
    invented_text: Path = typer.Option(Path("corpus/lexicon_check/invented_orgs.txt")),
    invented_names: Path = typer.Option(Path("corpus/lexicon_check/invented_orgs.tsv")),
    unrelated_names: Path = typer.Option(Path("corpus/lexicon_check/unrelated.tsv")),
    corpus: Path = typer.Option(Path("corpus/reports.jsonl")),
    split: Path = typer.Option(Path("corpus/split.json")),
    eval_dir: Path = typer.Option(Path("../shared/eval"), help="Gold JSONL files of unseen reports"),
    tolerance: float = typer.Option(0.005, help="Largest change of eval micro F1 the unrelated lexicon may cause"),
    output: Path = typer.Option(Path("training/lexicon_check.json")),
) -> None:
    try:
        nlp = load(model)
        invented = read_user_lexicon(invented_names)
        unrelated = read_user_lexicon(unrelated_names)
        records = [record for path in sorted(eval_dir.glob("*.jsonl")) for record in gold_records(path)]
        own = train_names(corpus, split)
    except (ModelError, UserLexiconError, GoldError, OSError, KeyError) as err:
        typer.echo(f"lexicon-check: {err}", err=True)
        raise typer.Exit(2)
    if not records:
        typer.echo(f"lexicon-check: {eval_dir}: no gold files", err=True)
        raise typer.Exit(2)
    text = invented_text.read_text(encoding="utf-8")
    names = [name for name, label in invented.entries.items() if label == "ORG"]

    recall = {}
    for mode in ("none", "features", "force"):
        without_lexicon(nlp)
        if mode != "none":
            apply_user_lexicon(nlp, invented, mode)
        recall[mode] = name_recall(nlp, text, names)

    without_lexicon(nlp)
    before = evaluate_records(nlp, records)[0]["micro"]
    apply_user_lexicon(nlp, unrelated, "features")
    after = evaluate_records(nlp, records)[0]["micro"]
    matches = sum(1 for record in records for _ in unrelated.matches(record["text"]))
    change = round(after["f"] - before["f"], 4)
    apply_user_lexicon(nlp, own, "features")
    with_own = evaluate_records(nlp, records)[0]["micro"]
    own_matches = sum(1 for record in records for _ in own.matches(record["text"]))

    typer.echo(f"invented institutions ({invented_text}, {recall['none'][1]} mentions of {len(names)} names): recall")
    for mode, (found, total) in recall.items():
        typer.echo(f"  {'lexicon ' + mode if mode != 'none' else 'no lexicon':<18}{found / total:>7.3f}  ({found}/{total})")
    typer.echo(f"shared eval ({len(records)} records), lexicon of {len(unrelated)} unrelated entries ({matches} matches in the eval texts):")
    typer.echo(f"  micro F1 without {before['f']:.4f}  with {after['f']:.4f}  change {change:+.4f} (tolerance {tolerance})")
    typer.echo(
        f"  for contrast, the {len(own)} LAW/ORG entries of the training split ({own_matches} matches): "
        f"micro F1 {with_own['f']:.4f} (change {with_own['f'] - before['f']:+.4f})"
    )
    result = {
        "invented": {mode: {"found": found, "total": total, "recall": round(found / total, 4)} for mode, (found, total) in recall.items()},
        "eval_micro_f1": {
            "without": before["f"],
            "with_unrelated": after["f"],
            "change": change,
            "unrelated_matches": matches,
            "with_train_names": with_own["f"],
            "train_name_matches": own_matches,
        },
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2), encoding="utf-8")
    raise typer.Exit(0 if abs(change) <= tolerance else 1)


if __name__ == "__main__":
    typer.run(main)
