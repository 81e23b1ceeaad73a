"""Reports as users have them: PDF, Word (.docx) and web pages, read into plain text.

Each reader takes the file's bytes and gives an :class:`InputDoc` whose ``text`` is exactly
what ``report-ner text`` prints and what the other commands tag: every entity's
``start``/``end`` index it. What each format keeps:

- PDF (pypdfium2): the text layer of every page, page-number lines at a page's top or
  bottom dropped, lines re-flowed into paragraphs by the same CJK-aware ``normalize`` as
  OCR text (a name broken at a line end becomes one). ``unit`` is ``"page"``: the 1-based
  page of each offset.
- Word (python-docx): the body's paragraphs in order, table cells included, one a line;
  empty paragraphs skipped; lines broken at a column width (pasted OCR) re-flowed too. ``unit`` is ``"paragraph"``: the 1-based number of the
  document's paragraph (empty ones and table-cell ones counted) that holds an offset.
- Web pages (trafilatura over lxml): the main content, one block a line, without the
  page's navigation, buttons, share bars, related links and footer; the page's title
  first when the content does not begin with it. Charset from a byte-order mark or the
  page's own ``<meta>``; GB2312 and GBK are read as their superset GB18030.

Every format's text is already normalized (``normalize`` leaves it as it is), so an
entity's ``text[start:end]`` is its surface exactly. A document that cannot be read raises ``InputError`` with one line naming the file and
the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from bisect import bisect_right

from .inputs import InputDoc, InputError
from .text import SENTENCE_ENDS, WHITESPACE, normalize

EXTENSIONS = {".txt": "txt", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
SNIFF_BYTES = 4096
MIN_BODY_LINE = 12

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
# Chinese charsets as pages declare them, read by the superset that decodes them all.
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "euc-cn": "gb18030", "gb18030": "gb18030",
    "utf8": "utf-8", "utf-8": "utf-8", "big5": "big5hkscs", "big5-hkscs": "big5hkscs",
}
# A page number standing alone on a page's first or last line: 3, - 3 -, — 3 —, 第3页, 3/14.
_PAGE_NUMBER = re.compile(r"[-—–－\s]*(?:第\s*)?[0-9０-９]+\s*(?:页|/\s*[0-9]+)?[-—–－\s]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def sniff(data: bytes) -> str | None:
    """The format a file's content shows: 'pdf', 'docx', 'html', or None (text or unknown).

    Old binary Word files give 'doc' and other zip archives 'zip', so that they get a
    clear error instead of being read as text.
    """
    head = data[:SNIFF_BYTES]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError):
            return "docx" if b"word/" in data else "zip"
        return "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if _HTML_START.match(head):
        return "html"
    return None


def format_of(name: str, data: bytes) -> str:
    """The reader for a file: a .txt file is text as always; others go by content, then name."""
    suffix = name[name.rfind(".") :].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if suffix == ".txt":
        return "txt"
    found = sniff(data)
    if found == "zip" and suffix == ".docx":
        return "docx"  # a damaged .docx: python-docx names what is wrong
    if found is not None:
        return found
    return EXTENSIONS.get(suffix, "txt")


def read_document(data: bytes, source: str, fmt: str) -> InputDoc:
    """The InputDoc of a PDF, Word or HTML file (``fmt`` from :func:`format_of`)."""
    if fmt == "pdf":
        return read_pdf(data, source)
    if fmt == "docx":
        return read_docx(data, source)
    if fmt == "html":
        return read_html(data, source)
    if fmt == "doc":
        raise InputError(f"{source}: old binary Word (.doc) format, not supported: save it as .docx")
    if fmt == "zip":
        raise InputError(f"{source}: a zip archive that is not a Word .docx document")
    raise ValueError(f"no reader for format {fmt!r}")


def _first_line(err: BaseException) -> str:
    message = str(err).strip().splitlines()
    return message[0] if message else type(err).__name__


# ----------------------------------------------------------------------------- PDF


def read_pdf(data: bytes, source: str) -> InputDoc:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise InputError(f"{source}: encrypted PDF (it needs a password), cannot read its text") from None
        raise InputError(f"{source}: corrupt or unreadable PDF ({_first_line(err)})") from None
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(_indent_marked(textpage))
            textpage.close()
            page.close()
    except pdfium.PdfiumError as err:
        raise InputError(f"{source}: corrupt or unreadable PDF ({_first_line(err)})") from None
    finally:
        pdf.close()
    if not pages:
        raise InputError(f"{source}: PDF without pages")
    raw_pages = [_page_lines(page) for page in pages]
    if not any(text.strip(WHITESPACE + "\n") for text in raw_pages):
        raise InputError(f"{source}: scanned PDF with no text layer, run OCR first")
    starts, cursor = [], 0
    for text in raw_pages:
        starts.append(cursor)
        cursor += len(text) + 1
    normalized = normalize("\n".join(raw_pages))
    text = normalized.text
    units = _units([(normalized.normalized_offset(start), number) for number, start in enumerate(starts, 1)])
    return InputDoc(source, text, "unicode", format="pdf", unit="page", unit_starts=units)


INDENT_MARK = "\u3000\u3000"  # dropped again by normalize, which reads it as a paragraph start


def _indent_marked(textpage) -> str:
    """A page's text, each line that starts right of the page's text margin (a paragraph's
    first-line indent, a centred heading) marked with two ideographic spaces.

    PDF text has no indent characters; the character boxes show it. Where the text and
    the character index disagree the page is left unmarked.
    """
    text = textpage.get_text_range()
    if textpage.count_chars() != len(text):
        return text
    lines = text.split("\r\n")
    lefts, widths, cursor = [], [], 0
    for line in lines:
        stripped = len(line) - len(line.lstrip(WHITESPACE))
        if stripped < len(line):
            left, _, right, _ = textpage.get_charbox(cursor + stripped)
            lefts.append(left)
            widths.append(right - left)
        else:
            lefts.append(None)
        cursor += len(line) + 2
    known = [left for left in lefts if left is not None]
    if len(known) < 3:
        return text
    margin = min(known)
    em = sorted(widths)[len(widths) // 2]
    if em <= 0:
        return text
    marked = [
        INDENT_MARK + line if left is not None and left - margin >= 1.5 * em else line
        for line, left in zip(lines, lefts)
    ]
    return "\n".join(marked)


def _page_lines(page: str) -> str:
    """One page's text lines, without control characters and a lone page number at either end."""
    lines = _CONTROL.sub("", page.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    while lines and not lines[0].strip(WHITESPACE):
        lines.pop(0)
    while lines and not lines[-1].strip(WHITESPACE):
        lines.pop()
    if lines and _PAGE_NUMBER.fullmatch(lines[0].strip(WHITESPACE)):
        lines.pop(0)
    if lines and _PAGE_NUMBER.fullmatch(lines[-1].strip(WHITESPACE)):
        lines.pop()
    return "\n".join(lines)


def _units(starts: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """(offset, number) pairs in offset order, keeping the last unit that starts at an offset."""
    kept: dict[int, int] = {}
    for offset, number in starts:
        kept[offset] = number
    return tuple(sorted(kept.items()))


# ---------------------------------------------------------------------------- Word


def read_docx(data: bytes, source: str) -> InputDoc:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_docx_paragraphs(document))
    except Exception as err:  # python-docx raises zip, XML, key and value errors alike
        raise InputError(f"{source}: broken Word document ({_first_line(err)})") from None
    lines: list[str] = []
    starts: list[tuple[int, int]] = []
    cursor = 0
    for number, paragraph in enumerate(paragraphs, 1):
        for piece in paragraph.split("\n"):
            piece = piece.strip(WHITESPACE)
            if not piece:
                continue
            starts.append((cursor, number))
            lines.append(piece)
            cursor += len(piece) + 1
    if not lines:
        raise InputError(f"{source}: Word document with no text")
    normalized = normalize("\n".join(lines))
    units = _units([(normalized.normalized_offset(offset), number) for offset, number in starts])
    return InputDoc(source, normalized.text, "utf-8", format="docx", unit="paragraph", unit_starts=units)


def _docx_paragraphs(document):
    """The text of every body paragraph in document order, table cells' paragraphs included."""
    from docx.table import Table

    def walk(container):
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                seen = set()  # holds the cell elements themselves, so identities stay unique
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen:  # a merged cell repeats in each row/column it spans
                            continue
                        seen.add(cell._tc)
                        yield from walk(cell)
            else:
                yield block.text

    yield from walk(document)


# ---------------------------------------------------------------------------- HTML


def decode_html(data: bytes, source: str) -> tuple[str, str]:
    """The page's text and the charset used: BOM, then <meta charset>, then UTF-8, GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    tried = []
    declared = _META_CHARSET.search(data[:SNIFF_BYTES * 4])
    if declared:
        name = declared.group(1).decode("ascii", errors="replace").lower()
        tried.append(_CHARSET_ALIASES.get(name, name))
    tried += ["utf-8", "gb18030"]
    for charset in tried:
        try:
            return data.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(f"{source}: cannot decode the page as {' or '.join(dict.fromkeys(tried))}")


def read_html(data: bytes, source: str) -> InputDoc:
    import trafilatura

    page, charset = decode_html(data, source)
    try:
        extracted = trafilatura.bare_extraction(
            page, include_comments=False, include_tables=True, include_images=False, with_metadata=True
        )
    except Exception as err:  # a page lxml cannot parse at all
        raise InputError(f"{source}: unreadable HTML ({_first_line(err)})") from None
    body = (extracted.text if extracted is not None else None) or ""
    lines = [line.strip(WHITESPACE) for line in body.split("\n")]
    lines = [line for line in lines if line]
    # With no article on the page the extractor falls back to link labels (首页, 政务公开):
    # a page whose every line is that short and ends no sentence has no body text.
    if not any(len(line) >= MIN_BODY_LINE or any(mark in line for mark in SENTENCE_ENDS) for line in lines):
        raise InputError(f"{source}: HTML page with no body text")
    title = ((extracted.title if extracted is not None else None) or "").strip(WHITESPACE)
    if title and "\n" not in title and not lines[0].startswith(title) and title not in lines[:5]:
        lines.insert(0, title)
    return InputDoc(source, normalize("\n".join(lines)).text, charset, format="html")


def unit_at(starts: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The number of the unit (page, paragraph) whose text holds ``offset``."""
    index = bisect_right(starts, (offset, float("inf"))) - 1
    return starts[index][1] if index >= 0 else (starts[0][1] if starts else None)
