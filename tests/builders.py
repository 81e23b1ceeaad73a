"""Documents as users have them, built from report text: PDF, Word, web pages, bad ones."""

from __future__ import annotations

import difflib
import html
import io
from array import array

FURNITURE_TOP = [
    "首页", "政务公开", "当前位置", "来源：日报", "时间：2026-02-10", "字号", "加大", "还原", "减小", "下载", "全屏", "收藏",
    "本报记者",
]
FURNITURE_END = ["扫一扫在手机打开当前页", "打印本页", "关闭窗口", "相关报道", "热议政府工作报告", "版权所有", "不要这段脚本"]


def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built in: no font file needed
    return "STSong-Light"


def pdf_bytes(paragraphs: list[str], *, page_break_before: tuple[int, ...] = (), password: str | None = None) -> bytes:
    """A report PDF: 12 pt STSong-Light in A4 column width, page numbers (— n —) in the footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    font = _cid_font()
    style = ParagraphStyle("zh", fontName=font, fontSize=12, leading=18, wordWrap="CJK", firstLineIndent=24)

    def footer(canvas, doc):
        canvas.setFont(font, 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")

    story = []
    for index, paragraph in enumerate(paragraphs):
        if index in page_break_before:
            story.append(PageBreak())
        story.append(Paragraph(html.escape(paragraph), style))
    out = io.BytesIO()
    encrypt = None
    if password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(password, ownerPassword="owner-" + password)
    SimpleDocTemplate(out, pagesize=A4, encrypt=encrypt).build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A page with only graphics, as a scanner gives it: no text layer."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    for row in range(20):
        page.rect(60, 760 - 30 * row, 400, 12, fill=1)
    page.showPage()
    page.save()
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, empty_every: int = 0, table: list[list[str]] | None = None) -> bytes:
    """A Word document, one paragraph each; an empty paragraph after every ``empty_every``-th."""
    import docx

    document = docx.Document()
    for index, paragraph in enumerate(paragraphs, 1):
        document.add_paragraph(paragraph)
        if empty_every and index % empty_every == 0:
            document.add_paragraph("")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_bytes(paragraphs: list[str], charset: str = "utf-8", *, title: str = "政府工作报告") -> bytes:
    """A government-site page: navigation, info bar, 【字号】 buttons, photo caption, the
    report with inline markup (<strong>, <span>, PM<sub>2.5</sub>), share bar, print/close
    buttons, related links, footer. GB2312 pages are written as GB18030 bytes, as sites do."""
    body = []
    for index, paragraph in enumerate(paragraphs):
        escaped = html.escape(paragraph).replace("PM2.5", "PM<sub>2.5</sub>")
        if index % 5 == 2 and len(paragraph) > 12:
            escaped = f"<strong>{escaped[:4]}</strong><span class='x'>{escaped[4:9]}</span>{escaped[9:]}"
        body.append(f"<p style='text-indent:2em'>{escaped}</p>")
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}_人民政府网</title><script>var a = "<p>不要这段脚本</p>";</script>
<style>.x {{ color: #333 }}</style></head><body>
<div class="nav"><a href="/">首页</a> <a href="#">政务公开</a> <a href="#">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="#">要闻</a></div>
<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">来源：日报 时间：2026-02-10 【字号：<a href="#">加大</a> <a href="#">还原</a> <a href="#">减小</a>】
<a href="#">下载</a> <a href="#">打印</a> <a href="#">全屏</a> <a href="#">收藏</a></div>
<div class="pic"><img src="a.jpg" alt=""><p class="caption">省长作政府工作报告。本报记者 摄</p></div>
<div class="content">
{chr(10).join(body)}
</div>
<div class="share">扫一扫在手机打开当前页</div><div class="tools">【<a href="#">打印本页</a>】【<a href="#">关闭窗口</a>】</div>
<div class="related"><h4>相关报道：</h4><ul><li><a href="#">干部群众热议政府工作报告</a></li></ul></div></div>
<div class="footer">主办单位：人民政府办公厅 版权所有 ICP备00000000号</div>
</body></html>"""
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)


def empty_page_bytes() -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>页面</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='#'>政务公开</a></div>"
        "<div class='footer'>版权所有 ICP备00000000号</div></body></html>"
    ).encode("utf-8")


def alignment(text: str, reference: str) -> array:
    """For each character of ``text``, its index in ``reference`` (-1 where it has none)."""
    mapping = array("q", [-1]) * len(text)
    matcher = difflib.SequenceMatcher(None, text, reference, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping
