import json

from report_ner.tagging import load



def test_project_all_builds_a_loadable_pipeline(tiny_project, tiny_model):
    root, stdout = tiny_project
    nlp = load(tiny_model)
    assert "ner" in nlp.pipe_names and nlp.pipe_names[-1] == "sections"
    assert set(nlp.get_pipe("ner").labels) == {"LAW", "ORG", "PERSON", "FIGURE", "DATE"}
    # The lexicon travels inside the pipeline: nothing is loaded from elsewhere at run time.
    assert nlp.pipe_names == ["char_features", "ner", "law_titles", "sections"]
    assert nlp.get_pipe("ner").is_crf
    assert len(nlp.get_pipe("char_features").lexicon) > 1000
    metrics = json.loads((root / "training" / "metrics.json").read_text())
    for name in ("dev-real", "dev-written", "gov_2024", "gov_2024_ocr", "spp_2026", "spp_2026_ocr"):
        assert {"micro", "LAW", "ORG", "PERSON", "FIGURE", "DATE"} <= set(metrics[name])
        assert metrics[name]["micro"]["gold"] > 90
    # The workflow ends by tagging the OCR sample: its table names the report's parts.
    assert "过去一年的工作" in stdout and "今后一年的主要任务" in stdout


def test_convert_fails_listing_misaligned_spans(tmp_path):
    import subprocess
    import sys

    from .conftest import PROJECT

    corpus = tmp_path / "c.jsonl"
    record = {"id": "x", "text": "制定 数据安全法。", "spans": [{"start": 2, "end": 3, "label": "LAW"}], "meta": {}}
    corpus.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    split = tmp_path / "split.json"
    split.write_text('{"dev": []}')
    command = [sys.executable, str(PROJECT / "scripts" / "convert.py"), str(corpus), str(split), str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    assert "does not align with tokens" in result.stderr and "misaligned spans: 1 of 1" in result.stdout
    allowed = subprocess.run(command + ["--allow-misaligned"], capture_output=True, text=True)
    assert allowed.returncode == 0 and (tmp_path / "train.spacy").exists()
