"""Score calibration: the NER's temperature changes probabilities, never entities, and is
saved with the pipeline; the calibration script's bands."""

import importlib.util
import json

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training import Example
from spacy.util import make_tempdir

import spacy

from report_ner.doc_spans import entity_spans
from report_ner.tagger_ner import decode_scored, transitions

from .conftest import PROJECT
from .test_tagger_ner import TRAIN_DATA, make_pipeline


def calibration_script():
    spec = importlib.util.spec_from_file_location("calibration", PROJECT / "scripts" / "calibration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.floats(0.3, 4.0), st.booleans())
def test_temperature_changes_scores_never_spans(seed, length, temperature, crf):
    rng = numpy.random.default_rng(seed)
    weights = transitions(2)
    if crf:
        weights = weights + rng.normal(size=weights.shape).astype("f")
    logits = (rng.normal(size=(length, weights.shape[0])) * 3).astype("f")
    tags, scored = decode_scored(logits, weights, with_scores=True, normalize=not crf)
    tags_t, scored_t = decode_scored(logits, weights, with_scores=True, normalize=not crf, temperature=temperature)
    assert tags_t.tolist() == tags.tolist()
    assert [s[:3] for s in scored_t] == [s[:3] for s in scored]
    # Each probability is the lattice marginal of the scaled scores and transitions.
    scaled = logits / temperature
    _, reference = decode_scored(scaled, weights / temperature if crf else weights, with_scores=True, normalize=not crf)
    assert [s[:3] for s in reference] == [s[:3] for s in scored]
    assert [s[3] for s in scored_t] == pytest.approx([s[3] for s in reference], rel=1e-4, abs=1e-7)


def test_temperature_is_saved_with_the_pipeline_and_keeps_the_entities():
    nlp = make_pipeline("crf")
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": spans}) for text, spans in TRAIN_DATA]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    ner = nlp.get_pipe("ner")
    assert ner.cfg["temperature"] == 1.0
    texts = [text for text, _ in TRAIN_DATA]
    before = [[(s.start, s.end, s.label_, s._.score) for s in entity_spans(doc)] for doc in nlp.pipe(texts)]
    ner.cfg["temperature"] = 3.0
    with make_tempdir() as folder:
        nlp.to_disk(folder)
        assert json.loads((folder / "ner" / "cfg").read_text())["temperature"] == 3.0
        loaded = spacy.load(folder)
    assert loaded.get_pipe("ner").cfg["temperature"] == 3.0
    after = [[(s.start, s.end, s.label_, s._.score) for s in entity_spans(doc)] for doc in loaded.pipe(texts)]
    assert [[s[:3] for s in doc] for doc in after] == [[s[:3] for s in doc] for doc in before]
    assert [s[3] for doc in after for s in doc] != [s[3] for doc in before for s in doc]


def test_score_bands_count_every_entity_once():
    calibration = calibration_script()
    pairs = [(0.1, False), (0.5, True), (0.69, False), (0.9, True), (0.97, True), (1.0, True), (0.96, False)]
    rows = {row["band"]: row for row in calibration.band_table(pairs)}
    assert [rows[band]["count"] for band in ("<0.5", "0.5-0.7", "0.7-0.9", "0.9-0.97", ">=0.97")] == [1, 2, 0, 2, 2]
    assert rows[">=0.9"] == {"band": ">=0.9", "count": 4, "correct": 3, "precision": 0.75}
    assert rows["all"]["count"] == len(pairs) and rows["0.7-0.9"]["precision"] is None
    assert calibration.confident_precision(pairs) == 0.75


def test_calibration_command_writes_the_table(tiny_project, tmp_path):
    import subprocess
    import sys

    from .conftest import shared_path

    root, _ = tiny_project
    output = tmp_path / "calibration.json"
    command = [sys.executable, str(PROJECT / "scripts" / "calibration.py"), str(root / "training" / "model-best"),
               "--corpus", str(root / "corpus" / "reports.jsonl"), "--split", str(root / "corpus" / "split.json"),
               "--eval-dir", str(shared_path("eval")), "--output", str(output), "--fit", "never"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = json.loads(output.read_text())
    # 'all' already fitted a temperature on dev-real; --fit never keeps the one stored.
    stored = json.loads((root / "training" / "model-best" / "ner" / "cfg").read_text())["temperature"]
    assert table["fitted"] is False and table["temperature"] == pytest.approx(stored)
    for name in ("dev-real", "eval"):
        rows = {row["band"]: row for row in table["before"][name]}
        assert sum(rows[b]["count"] for b in ("<0.5", "0.5-0.7", "0.7-0.9", "0.9-0.97", ">=0.97")) == rows["all"]["count"]
    assert ">=0.97" in result.stdout
