"""Measure candidate libraries for reading PDF and web pages on Chinese report text.

Builds documents from shared report texts (reportlab's STSong-Light CID font for PDF; a
government-site page template with navigation, 来源/时间 bar, 【字号】 buttons, a photo
caption, share bar, 相关报道 list and footer around the body for HTML), extracts them
with each candidate and scores against the source paragraphs:

- PDF: pypdfium2, pypdf, pdfminer.six; every page text joined and re-flowed with
  report_ner.text.normalize; and 'report-ner' (report_ner.documents.read_pdf: pypdfium2
  with paragraph indents read from the character boxes). Scores: the characters kept in order (difflib ratio of the
  texts without line breaks), paragraphs recovered exactly, seconds.
- HTML: trafilatura, jusText (no Chinese stop list exists, so an empty one), and the plain
  lxml text of <body> split at block elements. Scores: paragraphs recovered exactly,
  furniture strings that leak into the text, seconds.

Run: python scripts/measure_formats.py [report.txt ...]  (default: four shared reports)
Candidates that are not installed are reported as such.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import sys
import time
from pathlib import Path

from report_ner.text import normalize

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reports"
DEFAULT = [
    SHARED / "gov_2022.txt",
    SHARED / "provincial_2026" / "gov_2026_gansu.txt",
    SHARED / "provincial_2026" / "gov_2026_sichuan.txt",
    SHARED / "provincial_2026" / "gov_2026_zhejiang.txt",
]
FURNITURE = ["首页", "政务公开", "当前位置", "字号", "加大", "打印本页", "关闭窗口", "扫一扫", "相关报道", "版权所有", "本报记者 摄", "不要这段脚本"]


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def body_of(text: str) -> list[str]:
    """The report from 各位代表 on: the measured documents carry their own furniture."""
    lines = paragraphs(text)
    for index, line in enumerate(lines):
        if line.startswith("各位代表"):
            return lines[index:]
    return lines


def make_pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK", firstLineIndent=24)

    def footer(canvas, doc):
        canvas.setFont("STSong-Light", 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(
        [Paragraph(html.escape(line), style) for line in lines], onFirstPage=footer, onLaterPages=footer
    )
    return out.getvalue()


def make_page(lines: list[str], charset: str) -> bytes:
    body = []
    for index, line in enumerate(lines):
        escaped = html.escape(line).replace("PM2.5", "PM<sub>2.5</sub>")
        if index % 7 == 3:
            escaped = f"<strong>{escaped[:6]}</strong>{escaped[6:]}"
        body.append(f"<p style='text-indent:2em'>{escaped}</p>")
    page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>政府工作报告_人民政府网</title><script>var a = "<p>不要这段脚本</p>";</script></head><body>
<div class="nav"><a href="/">首页</a> <a href="#">政务公开</a> <a href="#">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="#">要闻</a></div>
<div class="article"><h1>政府工作报告</h1>
<div class="info">来源：日报 时间：2026-02-10 【字号：<a>加大</a> <a>还原</a> <a>减小</a>】 <a>下载</a> <a>打印</a></div>
<div class="pic"><img src="a.jpg"><p class="caption">省长作政府工作报告。本报记者 摄</p></div>
<div class="content">{"".join(body)}</div>
<div class="share">扫一扫在手机打开当前页</div><div>【<a>打印本页</a>】【<a>关闭窗口</a>】</div>
<div class="related"><h4>相关报道：</h4><ul><li><a href="#">热议政府工作报告</a></li></ul></div></div>
<div class="footer">主办：人民政府办公厅 版权所有 ICP备00000000号</div></body></html>"""
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)


# ----------------------------------------------------------------------------- PDF


def pdf_pypdfium2(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    return [page.get_textpage().get_text_range() for page in pdf]


def pdf_pypdf(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f")


def pdf_report_ner(data: bytes) -> str:
    """What 'report-ner text' gives: pypdfium2 plus first-line indents from the character boxes."""
    from report_ner.documents import read_pdf

    return read_pdf(data, "measured.pdf").text


PAGE_NUMBER = re.compile(r"\s*[—–-]?\s*[0-9]+\s*[—–-]?\s*")


def pdf_text(pages: list[str]) -> str:
    kept = []
    for page in pages:
        lines = [line for line in page.replace("\r\n", "\n").split("\n") if not PAGE_NUMBER.fullmatch(line)]
        kept.append("\n".join(lines))
    return normalize("\n".join(kept)).text


# ---------------------------------------------------------------------------- HTML


def html_trafilatura(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data, include_comments=False, include_tables=True) or ""


def html_justext(data: bytes) -> str:
    import justext

    kept = justext.justext(data, frozenset())
    return "\n".join(p.text for p in kept if not p.is_boilerplate)


BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article", "ul", "table"}


def html_lxml(data: bytes) -> str:
    import lxml.html

    root = lxml.html.document_fromstring(data)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    pieces: list[str] = []

    def walk(element):
        if element.tag in BLOCKS:
            pieces.append("\n")
        if element.text:
            pieces.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                pieces.append(child.tail)
        if element.tag in BLOCKS:
            pieces.append("\n")

    walk(root.body)
    return "\n".join(paragraphs("".join(pieces)))


def score_pdf(lines, candidates):
    data = make_pdf(lines)
    expected = "".join(lines)
    wanted = set(lines)
    for name, extract in candidates:
        try:
            start = time.perf_counter()
            text = extract(data) if name == "report-ner" else pdf_text(extract(data))
            seconds = time.perf_counter() - start
        except ImportError:
            print(f"  {name:<12} not installed")
            continue
        ratio = difflib.SequenceMatcher(None, expected, text.replace("\n", ""), autojunk=False).ratio()
        exact = sum(1 for line in text.split("\n") if line in wanted)
        print(f"  {name:<12} chars in order {ratio:.4f}  paragraphs exact {exact}/{len(lines)}  {seconds:.2f}s")


def score_html(lines, candidates, charset):
    # Every candidate gets the page as text decoded the same way (GB2312/GBK read as their
    # superset GB18030), so the score is the extractor's, not its charset guess.
    data = make_page(lines, charset).decode("gb18030" if charset == "gb2312" else charset)
    wanted = set(lines)
    for name, extract in candidates:
        try:
            start = time.perf_counter()
            text = extract(data)
            seconds = time.perf_counter() - start
        except ImportError as err:
            print(f"  {name:<12} not usable ({err})")
            continue
        got = paragraphs(text)
        exact = sum(1 for line in got if line in wanted)
        source = "".join(lines)
        leaked = [word for word in FURNITURE if text.count(word) > source.count(word)]
        print(f"  {name:<12} {charset:<6} paragraphs exact {exact}/{len(lines)}  furniture leaked {len(leaked)} {leaked}  {seconds:.3f}s")


def main(paths: list[Path]) -> None:
    for path in paths:
        lines = body_of(path.read_text(encoding="utf-8"))
        print(f"{path.name}: {len(lines)} paragraphs, {sum(map(len, lines))} chars")
        score_pdf(lines, [("pypdfium2", pdf_pypdfium2), ("pypdf", pdf_pypdf), ("pdfminer.six", pdf_pdfminer), ("report-ner", pdf_report_ner)])
        for charset in ("utf-8", "gb2312"):
            score_html(lines, [("trafilatura", html_trafilatura), ("jusText", html_justext), ("lxml text", html_lxml)], charset)


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or DEFAULT)
