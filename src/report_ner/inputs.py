"""Reading user inputs: files, folders, standard input; decoding; one-line errors.

Plain text is decoded here; PDF, Word and HTML files are read by ``documents``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

MAX_INPUT_BYTES = 200 * 1024 * 1024
CONTROL_ALLOWED = set("\t\n\r\f\v")


class InputError(Exception):
    """A problem with one input, worded as a single line naming the input."""


@dataclass(frozen=True)
class InputDoc:
    source: str
    text: str
    encoding: str
    format: str = "txt"  # txt | pdf | docx | html
    # What the positions of ``text`` are located by for the user: "page" (PDF) or
    # "paragraph" (Word), with the (text offset, number) where each one begins.
    unit: str | None = None
    unit_starts: tuple[tuple[int, int], ...] = ()

    def unit_at(self, offset: int) -> int | None:
        """The page or paragraph number of a ``text`` offset (None when the format has none)."""
        if self.unit is None:
            return None
        from .documents import unit_at

        return unit_at(self.unit_starts, offset)


def decode(data: bytes, source: str) -> InputDoc:
    """UTF-8 (BOM optional), then GB18030; UTF-16 only with a BOM. The BOM is dropped."""
    if not data.strip():
        raise InputError(f"{source}: empty input")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(InputDoc(source, data.decode("utf-16"), "utf-16"))
        except UnicodeDecodeError:
            raise InputError(f"{source}: not valid UTF-16 despite its byte-order mark") from None
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    if b"\x00" in data:
        raise InputError(f"{source}: binary file (contains NUL bytes), expected text")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _checked(InputDoc(source, text, "utf-8" if encoding == "utf-8-sig" else encoding))
    raise InputError(f"{source}: cannot decode as UTF-8 or GB18030")


def _checked(doc: InputDoc) -> InputDoc:
    if not doc.text.strip():
        raise InputError(f"{doc.source}: empty input")
    controls = sum(1 for c in doc.text if ord(c) < 32 and c not in CONTROL_ALLOWED)
    if controls > max(2, len(doc.text) // 100):
        raise InputError(f"{doc.source}: looks binary ({controls} control characters), expected text")
    return doc


def read_bytes(data: bytes, source: str, name: str = "") -> InputDoc:
    """Any supported input's bytes: text decoded, PDF/Word/HTML read by their format."""
    from .documents import format_of, read_document

    fmt = format_of(name or source, data)
    if fmt == "txt":
        return decode(data, source)
    if not data.strip():
        raise InputError(f"{source}: empty input")
    return read_document(data, source, fmt)


def file_bytes(path: Path) -> bytes:
    """A file's bytes, or the one-line error that stops it (missing, unreadable, too large)."""
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{source}: no such file or folder") from None
    except OSError as err:
        raise InputError(f"{source}: cannot read ({err.strerror})") from None
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{source}: too large ({size} bytes; the limit is {MAX_INPUT_BYTES})")
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{source}: cannot read ({err.strerror})") from None


def read_path(path: Path) -> InputDoc:
    return read_bytes(file_bytes(path), str(path), path.name)


def _listed(path: Path) -> bool:
    """Is a file in a folder an input: a supported extension, or PDF/Word/HTML content?"""
    from .documents import EXTENSIONS, SNIFF_BYTES, sniff

    if not path.is_file() or path.name.startswith((".", "~$")):
        return False
    if path.suffix.lower() in EXTENSIONS:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return sniff(head) in ("pdf", "docx", "html")


def expand(inputs: Iterable[str]) -> Iterator[str | Path]:
    """Files as given, folders as their sorted reports, '-' as standard input.

    A folder's reports are its .txt, .pdf, .docx, .html and .htm files, and the files of
    another name whose content is PDF, Word or HTML.
    """
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(child for child in path.iterdir() if _listed(child))
            if not found:
                yield InputError(f"{item}: folder has no .txt, .pdf, .docx or .html files")  # type: ignore[misc]
            yield from found
        else:
            yield path


def iter_inputs(inputs: Iterable[str]) -> Iterator[InputDoc | InputError]:
    """Each input decoded, or the error that stops it; one bad input never stops the rest."""
    for item in expand(inputs):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            if item == "-":
                yield read_bytes(sys.stdin.buffer.read(), "<stdin>")
            else:
                yield read_path(item)
        except InputError as err:
            yield err
