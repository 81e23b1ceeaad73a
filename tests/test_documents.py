"""Reading PDF, Word and HTML reports: the text, its pages/paragraphs, and bad documents."""

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from report_ner.cli import app
from report_ner.documents import format_of, sniff
from report_ner.inputs import InputError, read_path
from report_ner.outline import build_outline
from report_ner.text import normalize

from . import builders
from .conftest import SHARED

runner = CliRunner()


@pytest.fixture(scope="module")
def report_lines() -> list[str]:
    path = SHARED / "reports" / "gov_2022.txt"
    assert path.exists(), f"{path} is missing: the shared reports must be beside the project"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def cli_text(path) -> str:
    result = runner.invoke(app, ["text", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def test_text_command_prints_txt_input_exactly(tmp_path):
    raw = "标题\r\n  一、第一部分\r\n正文。\n"
    path = write(tmp_path, "a.txt", raw.encode("gb18030"))
    assert cli_text(path) == raw
    assert read_path(path).format == "txt"


def test_word_document_paragraphs(tmp_path, report_lines):
    data = builders.docx_bytes(report_lines, empty_every=3, table=[["国务院", "114万亿元"], ["数据安全法", "2021年"]])
    path = write(tmp_path, "report.docx", data)
    doc = read_path(path)
    assert doc.format == "docx" and doc.unit == "paragraph"
    assert cli_text(path) == doc.text
    lines = doc.text.split("\n")
    assert lines == report_lines + ["国务院", "114万亿元", "数据安全法", "2021年"]
    # Paragraph numbers count the document's paragraphs, empty ones and table cells included.
    import docx

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    for offset in range(0, len(doc.text) - 200, 997):
        if doc.text[offset] == "\n":
            continue
        number = doc.unit_at(offset)
        line = doc.text[: offset + 1].split("\n")[-1]
        if number <= len(paragraphs):
            assert paragraphs[number - 1].startswith(line)
    table_start = doc.text.index("国务院\n114万亿元")
    assert doc.unit_at(table_start) == len(paragraphs) + 1
    assert doc.unit_at(doc.text.index("2021年", table_start)) == len(paragraphs) + 4


def test_pdf_text_pages_and_reflow(tmp_path, report_lines):
    breaks = (10, 40)
    path = write(tmp_path, "report.pdf", builders.pdf_bytes(report_lines, page_break_before=breaks))
    doc = read_path(path)
    assert doc.format == "pdf" and doc.unit == "page"
    assert cli_text(path) == doc.text
    # Every character in order, no page numbers, lines re-flowed into the paragraphs.
    assert doc.text.replace("\n", "") == "".join(report_lines)
    wanted = set(report_lines)
    exact = [line for line in doc.text.split("\n") if line in wanted]
    assert len(exact) >= 0.95 * len(report_lines)  # paragraph starts from the first-line indents
    assert "全国政协委员提出意见" in doc.text  # broken at a line end in the PDF
    # Pages: the forced breaks start pages, and page numbers grow through the text.
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    page_texts = ["".join(page.get_textpage().get_text_range().split()) for page in pdf]
    for index in breaks:
        head = report_lines[index][:12]
        page = doc.unit_at(doc.text.index(head))
        assert re.sub(r"^—[0-9]+—", "", page_texts[page - 1]).startswith(head)
    for offset in range(0, len(doc.text), 503):
        probe = doc.text[offset : offset + 6]
        if "\n" in probe or len(probe) < 6:
            continue
        page = doc.unit_at(offset)
        assert probe in page_texts[page - 1] or probe in page_texts[page - 1] + page_texts[min(page, len(pdf) - 1)][:6]
    assert doc.unit_at(len(doc.text) - 1) == len(pdf)


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_web_page_main_text(tmp_path, report_lines, charset):
    lines = report_lines + ["细颗粒物（PM2.5）年平均浓度下降。"]
    path = write(tmp_path, "report.html", builders.page_bytes(lines, charset))
    doc = read_path(path)
    assert doc.format == "html" and doc.unit is None
    assert doc.encoding == ("gb18030" if charset == "gb2312" else "utf-8")
    assert cli_text(path) == doc.text
    assert doc.text.split("\n") == ["政府工作报告"] + lines  # inline markup stays in its line
    for furniture in builders.FURNITURE_TOP + builders.FURNITURE_END:
        if furniture not in "".join(lines):
            assert furniture not in doc.text


def test_formats_give_the_same_outline(tmp_path, report_lines):
    text = "\n".join(report_lines)
    files = {
        "txt": write(tmp_path, "r.txt", text.encode("utf-8")),
        "pdf": write(tmp_path, "r.pdf", builders.pdf_bytes(report_lines)),
        "docx": write(tmp_path, "r.docx", builders.docx_bytes(report_lines)),
        "html": write(tmp_path, "r.htm", builders.page_bytes(report_lines, "gb2312")),
    }
    shapes = {}
    for fmt, path in files.items():
        doc = read_path(path)
        outline = build_outline(normalize(doc.text))
        shapes[fmt] = [(s.level, s.kind, s.number, s.title) for s in outline if s.level > 0]
        for section in outline:
            if section.level > 0:
                assert doc.text[section.start :].startswith(section.title)
    assert shapes["txt"] and shapes["pdf"] == shapes["txt"] == shapes["docx"] == shapes["html"]


def test_recognised_by_content_as_well_as_by_extension(tmp_path, report_lines):
    pdf = builders.pdf_bytes(report_lines[:5])
    page = builders.page_bytes(report_lines[:5])
    word = builders.docx_bytes(report_lines[:5])
    assert sniff(pdf) == "pdf" and sniff(word) == "docx" and sniff(page) == "html"
    assert format_of("download", pdf) == "pdf" and format_of("x.html", pdf) == "pdf"
    assert format_of("notes.txt", page) == "txt"  # a .txt file is text, as always
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.txt", "\n".join(report_lines[:5]).encode("utf-8"))
    write(folder, "b.PDF", pdf)
    write(folder, "c_saved_page", page)  # no extension: an HTML page by content
    write(folder, "d.docx", word)
    write(folder, "e.htm", page)
    write(folder, "notes.md", b"# not a report")
    write(folder, "~$d.docx", b"lock")  # Word's lock file
    result = runner.invoke(app, ["sections", str(folder), "-f", "json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"].rsplit("/", 1)[-1] for r in records] == ["a.txt", "b.PDF", "c_saved_page", "d.docx", "e.htm"]
    assert all(r["sections"][1]["title"] == "一、2021年工作回顾" for r in records)


def test_standard_input_by_content(report_lines):
    pdf = builders.pdf_bytes(report_lines[:8])
    result = runner.invoke(app, ["text", "-"], input=pdf)
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8").replace("\n", "") == "".join(report_lines[:8])


def test_bad_documents_are_one_line_errors_and_the_rest_is_processed(tmp_path, report_lines):
    good_pdf = builders.pdf_bytes(report_lines[:6])
    good_docx = builders.docx_bytes(report_lines[:6])
    bad = {
        "locked.pdf": (builders.pdf_bytes(report_lines[:6], password="secret"), "encrypted"),
        "cut.pdf": (good_pdf[: len(good_pdf) // 3], "corrupt"),
        "scan.pdf": (builders.scanned_pdf_bytes(), "no text layer, run OCR first"),
        "broken.docx": (good_docx[: len(good_docx) // 2], "broken Word document"),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".doc"),
        "nav.html": (builders.empty_page_bytes(), "no body text"),
    }
    paths = [str(write(tmp_path, name, data)) for name, (data, _) in bad.items()]
    good = str(write(tmp_path, "good.pdf", good_pdf))
    result = subprocess.run(
        [sys.executable, "-m", "report_ner.cli", "sections", *paths, good, "-f", "json"], capture_output=True, text=True
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(bad)
    for (name, (_, reason)), line in zip(bad.items(), errors):
        assert line.startswith("report-ner: ") and name in line and reason in line, line
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [good]
    nothing = subprocess.run([sys.executable, "-m", "report_ner.cli", "text", paths[2]], capture_output=True, text=True)
    assert nothing.returncode == 2 and "no text layer" in nothing.stderr and "Traceback" not in nothing.stderr
    with pytest.raises(InputError, match="encrypted"):
        read_path(tmp_path / "locked.pdf")
