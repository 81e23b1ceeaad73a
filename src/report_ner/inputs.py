"""Reading user inputs: files, folders, standard input; decoding; one-line errors."""

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


def read_path(path: Path) -> InputDoc:
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
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{source}: cannot read ({err.strerror})") from None
    return decode(data, source)


def expand(inputs: Iterable[str]) -> Iterator[str | Path]:
    """Files as given, folders as their sorted *.txt, '-' as standard input."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.txt"))
            if not found:
                yield InputError(f"{item}: folder has no .txt files")  # type: ignore[misc]
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
                yield decode(sys.stdin.buffer.read(), "<stdin>")
            else:
                yield read_path(item)
        except InputError as err:
            yield err
