import json
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
OCR_SAMPLE = PROJECT / "corpus" / "npcsc_2022_ocr.txt"


def shared_path(*parts: str) -> Path:
    """A file of ../shared beside the checkout; its absence fails the test, never skips it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} not found: the shared folder must stand beside the project (../shared)")
    return path


def eval_records():
    folder = SHARED / "eval"
    if not folder.is_dir():
        # At collection time: an empty parameter list would skip silently.
        raise FileNotFoundError(f"{folder} not found: the shared folder must stand beside the project (../shared)")
    return [
        pytest.param(json.loads(line), id=f"{path.stem}")
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def ocr_sample() -> str:
    return OCR_SAMPLE.read_text(encoding="utf-8")


TINY_STEPS = 200


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory):
    """The real `spacy project run all` workflow on a copy of the project, with a tiny budget."""
    import shutil
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("project")
    # src/ only for the deps that name it; the code run is the installed package.
    for name in ("project.yml", "configs", "scripts", "src"):
        source = PROJECT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    shutil.copytree(PROJECT / "corpus", root / "corpus", ignore=shutil.ignore_patterns("*.spacy", "segmenter", "*stats.json"))
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "project", "run", "all", str(root),
         "--vars.max_steps", str(TINY_STEPS), "--vars.eval_frequency", "100",
         "--vars.shared_dir", str(shared_path()), "--vars.eval_dir", str(shared_path("eval"))],
        capture_output=True, text=True, cwd=root,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root, result.stdout


@pytest.fixture(scope="session")
def tiny_model(tiny_project):
    return tiny_project[0] / "training" / "model-best"


@pytest.fixture(scope="session")
def tiny_nlp(tiny_model):
    from report_ner.tagging import load

    return load(tiny_model)


SLOW_FIXTURES = {"tiny_project", "tiny_model", "tiny_nlp"}


def pytest_collection_modifyitems(items):
    """Tests that need the tiny trained model are 'slow': `pytest -m "not slow"` runs the
    rest in seconds; the README's test command runs everything."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
