import json
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
OCR_SAMPLE = PROJECT / "corpus" / "npcsc_2022_ocr.txt"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent here ({path} not found)")
    return path


def eval_records():
    folder = SHARED / "eval"
    if not folder.exists():
        return []
    return [
        pytest.param(json.loads(line), id=f"{path.stem}")
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def ocr_sample() -> str:
    return OCR_SAMPLE.read_text(encoding="utf-8")
