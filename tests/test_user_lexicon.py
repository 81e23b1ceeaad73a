"""A user's own names (--lexicon): reading the TSV, lexicon features, force mode, the CLI."""

import json

import pytest
import spacy
from typer.testing import CliRunner

from report_ner.char_features import CharFeatures
from report_ner.cli import app
from report_ner.doc_spans import entity_spans
from report_ner.lexicon import Lexicon
from report_ner.tagging import load, tag_text
from report_ner.text import normalize
from report_ner.user_lexicon import (
    FORCED_NAMES,
    UserLexiconError,
    apply_user_lexicon,
    force_names,
    read_user_lexicon,
)

from .conftest import PROJECT, shared_path

runner = CliRunner()
INVENTED = PROJECT / "corpus" / "lexicon_check" / "invented_orgs.tsv"
NAMES = ["青禾县数字治理促进中心", "澜沧江流域生态协作联盟", "北辰量子工坊"]


def write(tmp_path, text: str, name: str = "names.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def report_with_names() -> str:
    """A real report (normalized, so offsets need no mapping) with invented names put in."""
    text = normalize(shared_path("reports", "gov_2020_spoken.txt").read_text(encoding="utf-8")).text[:3000]
    cut = text.index("。", 200) + 1
    inserted = f"{NAMES[0]}和{NAMES[1]}联合发布报告，{NAMES[2]}参加。"
    return text[:cut] + inserted + text[cut:]


def test_a_lexicon_file_with_comments_and_law_titles(tmp_path):
    path = write(tmp_path, "\ufeff# my names\n\n青禾县数字治理促进中心\tORG   # a centre\n《青禾县数据条例》\tLAW\n")
    lexicon = read_user_lexicon(path)
    assert lexicon.entries["青禾县数字治理促进中心"] == "ORG"
    assert lexicon.entries["青禾县数据条例"] == "LAW"  # 《》 are outside a LAW
    assert lexicon.entries["中华人民共和国青禾县数据条例"] == "LAW"  # as for the packaged laws


def test_every_bad_line_is_one_error_with_file_and_line(tmp_path):
    path = write(tmp_path, "好名字中心\tORG\nno tab here\nx\tORG\n某某人\tPERSON\n甲乙丙\tORG\textra\n名称，有逗号\tORG\n好名字中心\tLAW\n")
    with pytest.raises(UserLexiconError) as caught:
        read_user_lexicon(path)
    problems = caught.value.problems
    assert [problem.split(":")[1] for problem in problems] == ["2", "3", "4", "5", "6", "7"]
    assert all(problem.startswith(f"{path}:") and "\n" not in problem for problem in problems)
    assert "no tab" in problems[0] and "PERSON" in problems[2] and "line 1" in problems[5]


@pytest.mark.parametrize(
    "content, message",
    [(b"", "no names"), (b"# only a comment\n", "no names"), (b"\xc7\xe0\xba\xcc\tORG\n", "not UTF-8"), (b"a\x00b\tORG", "binary")],
)
def test_unusable_lexicon_files(tmp_path, content, message):
    path = tmp_path / "names.tsv"
    path.write_bytes(content)
    with pytest.raises(UserLexiconError, match=message):
        read_user_lexicon(path)
    with pytest.raises(UserLexiconError, match="no such"):
        read_user_lexicon(tmp_path / "missing.tsv")


def test_user_names_become_lexicon_features_but_are_not_serialized():
    nlp = spacy.blank("zh")
    features = CharFeatures(nlp.vocab)
    features.lexicon = Lexicon.from_names({"ORG": ["全国人大常委会"]})
    text = f"{NAMES[0]}会同全国人大常委会调研"
    before = features.char_features(text)[0]
    packaged_bytes = features.to_bytes()
    features.user_lexicon = read_user_lexicon(INVENTED)
    after = features.char_features(text)[0]
    name = len(NAMES[0])
    assert [tag.split("|")[1] for tag in before[:name]] == [""] * name
    assert [tag.split("|")[1] for tag in after[:name]] == ["ORGB"] + ["ORGI"] * (name - 1)
    assert before[name:] == after[name:]  # the packaged match is untouched
    assert features.to_bytes() == packaged_bytes
    features.lexicon = Lexicon.from_names({"ORG": ["全国人大常委会"]})  # e.g. from_disk: the user names stay
    assert features.char_features(text)[0] == after


def test_force_adds_exact_matches_only_where_nothing_overlaps():
    nlp = spacy.blank("zh")
    text = f"{NAMES[0]}和{NAMES[2]}在2025年开会"
    doc = nlp(text)
    taken = text.index(NAMES[2])
    doc.ents = [doc.char_span(taken, taken + 4, label="ORG"), doc.char_span(text.index("2025"), len(text) - 2, label="DATE")]
    force_names(doc, read_user_lexicon(INVENTED))
    assert [(span.text, span.label_, span._.score) for span in entity_spans(doc)] == [
        (NAMES[0], "ORG", 1.0),
        ("北辰量子", "ORG", None),  # a predicted entity wins over an overlapping name
        ("2025年", "DATE", None),
    ]


def test_force_mode_is_feature_mode_plus_every_free_match(tiny_model):
    """Compare paths: force = the entities of feature mode, plus every exact match that
    overlaps none of them, at score 1.0."""
    text = report_with_names()
    lexicon = read_user_lexicon(INVENTED)
    nlp = load(tiny_model)
    apply_user_lexicon(nlp, lexicon, "features")
    featured = {(e.start, e.end, e.label): e.score for e in tag_text(nlp, text).entities}
    apply_user_lexicon(nlp, lexicon, "force")
    assert FORCED_NAMES in nlp.pipe_names and nlp.pipe_names.index(FORCED_NAMES) > nlp.pipe_names.index("ner")
    forced = {(e.start, e.end, e.label): e.score for e in tag_text(nlp, text).entities}
    free = {
        (start, end, label)
        for start, end, label in lexicon.matches(text)
        if not any(start < b and a < end for a, b, _ in featured)
    }
    assert len(list(lexicon.matches(text))) == 3
    assert forced == {**featured, **{key: 1.0 for key in free}}
    apply_user_lexicon(nlp, lexicon, "features")
    assert FORCED_NAMES not in nlp.pipe_names


def test_lexicon_in_the_component_config_is_loaded_with_the_pipeline(tiny_model, tmp_path):
    nlp = spacy.load(tiny_model, config={"components": {"char_features": {"lexicon": str(INVENTED)}}})
    features = nlp.get_pipe("char_features")
    assert NAMES[0] in features.user_lexicon.entries and NAMES[0] not in features.lexicon.entries
    assert NAMES[0] in features.matched_lexicon.entries
    nlp.to_disk(tmp_path / "saved")
    saved = (tmp_path / "saved" / "char_features" / "lexicon.tsv").read_text(encoding="utf-8")
    assert saved == (tiny_model / "char_features" / "lexicon.tsv").read_text(encoding="utf-8")


def assert_forced_or_overlapped(entities: list[dict], text: str, names) -> None:
    import re

    for name in names:
        for match in re.finditer(re.escape(name), text):
            start, end = match.span()
            forced = any(e["start"] == start and e["end"] == end and e["label"] == "ORG" for e in entities)
            overlapped = any(e["start"] < end and start < e["end"] for e in entities)
            assert forced or overlapped, (name, start)


def test_cli_lexicon_on_tag_and_annotate(tiny_model, tmp_path):
    source = write(tmp_path, report_with_names(), "report.txt")
    out = tmp_path / "forced.jsonl"
    result = runner.invoke(app, ["tag", str(source), "-m", str(tiny_model), "--lexicon", str(INVENTED), "--lexicon-mode", "force", "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    # Force makes every occurrence an entity unless the model's own entity overlaps it:
    # whatever the (tiny) model finds, each occurrence is one or the other.
    assert_forced_or_overlapped(record["entities"], source.read_text(encoding="utf-8"), NAMES)
    # Without a model, annotate's rules use the user's names as well.
    annotated = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["annotate", str(source), "-m", str(tmp_path / "none"), "--lexicon", str(INVENTED), "-o", str(annotated)])
    assert result.exit_code == 0, result.output
    record = json.loads(annotated.read_text(encoding="utf-8"))
    assert {(record["text"][s["start"]:s["end"]], s["label"]) for s in record["spans"]} >= {(name, "ORG") for name in NAMES}


def test_cli_bad_lexicon_is_exit_2_with_one_line_per_bad_line(tiny_model, tmp_path):
    source = write(tmp_path, report_with_names(), "report.txt")
    bad = write(tmp_path, "好名字中心\tORG\nbad line\n某某\tPER\n")
    for command in (["tag", str(source), "-m", str(tiny_model)], ["annotate", str(source), "-o", str(tmp_path / "o.jsonl")]):
        result = runner.invoke(app, [*command, "--lexicon", str(bad)])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert [line.split(": ", 1)[1].split(":")[1] for line in result.stderr.strip().splitlines()] == ["2", "3"]
    result = runner.invoke(app, ["tag", str(source), "-m", str(tiny_model), "--lexicon-mode", "force"])
    assert result.exit_code == 2 and "--lexicon" in result.stderr
