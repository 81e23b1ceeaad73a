"""Name lexicons (laws, institutions) and a longest-match scanner over text."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Collection, Iterable, Iterator, Optional

from .text import PRC

LAW_PREFIX = PRC
# The labels a name lexicon can give (packaged ones and users' own).
LEXICON_LABELS = ("LAW", "ORG")


def read_lexicon_lines(lines: Iterable[str]) -> list[str]:
    """Names from a lexicon file's lines: '#' comments and blank lines are skipped."""
    names = []
    for raw in lines:
        name = raw.split("#", 1)[0].strip().strip("《》")
        if len(name) >= 2:
            names.append(name)
    return names


def packaged_lexicon(name: str) -> list[str]:
    """A lexicon shipped in ``report_ner/data`` (``laws`` or ``orgs``)."""
    path = resources.files("report_ner").joinpath("data", f"{name}.txt")
    if not path.is_file():
        return []
    return read_lexicon_lines(path.read_text(encoding="utf-8").splitlines())


def surname_starts() -> dict[str, str]:
    """Common Chinese surnames from the packaged list: 'N1' single, 'N2' compound."""
    path = resources.files("report_ner").joinpath("data", "surnames.txt")
    if not path.is_file():
        return {}
    names = [
        token
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for token in line.split()
    ]
    return {name: "N2" if len(name) == 2 else "N1" for name in names}


@dataclass
class Lexicon:
    """Names by category, matched longest-first at every position of a text."""

    entries: dict[str, str] = field(default_factory=dict)  # name -> category
    _lengths: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_names(cls, names_by_category: dict[str, Iterable[str]]) -> "Lexicon":
        lexicon = cls()
        for category, names in names_by_category.items():
            for name in names:
                lexicon.add(name, category)
                if category == "LAW" and not name.startswith(LAW_PREFIX):
                    lexicon.add(LAW_PREFIX + name, category)
        return lexicon

    @classmethod
    def packaged(cls) -> "Lexicon":
        return cls.from_names({"LAW": packaged_lexicon("laws"), "ORG": packaged_lexicon("orgs")})

    def add(self, name: str, category: str) -> None:
        self.entries.setdefault(name, category)
        lengths = self._lengths.setdefault(name[:2], [])
        if len(name) not in lengths:
            lengths.append(len(name))
            lengths.sort(reverse=True)

    def __len__(self) -> int:
        return len(self.entries)

    def merged(self, preferred: "Lexicon") -> "Lexicon":
        """This lexicon and ``preferred``'s names in one; ``preferred`` decides a name's category."""
        both = Lexicon()
        for lexicon in (preferred, self):
            for name, category in lexicon.entries.items():
                both.add(name, category)
        return both

    def matches(
        self, text: str, word_ends: set[int] | None = None, checked: Collection[str] | None = None
    ) -> Iterator[tuple[int, int, str]]:
        """Non-overlapping (start, end, category) matches, longest first, left to right.

        With ``word_ends`` (the end offsets of a word segmentation), a match of a category in
        ``checked`` (all when None) must end where a word ends: 劳动法 in 劳动法律 or 公司法 in
        公司法定代表人 is a substring, not a name.
        """
        position = 0
        end_of_text = len(text)
        while position < end_of_text - 1:
            for length in self._lengths.get(text[position : position + 2], ()):
                if position + length > end_of_text:
                    continue
                candidate = text[position : position + length]
                category = self.entries.get(candidate)
                if category is not None and word_ends is not None and position + length not in word_ends:
                    if checked is None or category in checked:
                        continue
                if category is not None:
                    yield position, position + length, category
                    position += length
                    break
            else:
                position += 1

    def to_lines(self) -> list[str]:
        return [f"{name}\t{category}" for name, category in sorted(self.entries.items())]

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "Lexicon":
        lexicon = cls()
        for line in lines:
            if "\t" in line:
                name, category = line.rstrip("\n").split("\t", 1)
                lexicon.add(name, category)
        return lexicon


LEXICON_FILES = (("LAW", "laws"), ("ORG", "orgs"))


def load_lexicon_dir(lexicon_dir: Path | None) -> Lexicon:
    """The packaged law and institution lexicons, or ``laws.txt`` / ``orgs.txt`` in a folder."""
    if lexicon_dir is None:
        return Lexicon.packaged()
    folder = Path(lexicon_dir)
    missing = [str(folder / f"{stem}.txt") for _, stem in LEXICON_FILES if not (folder / f"{stem}.txt").is_file()]
    if missing:
        raise FileNotFoundError(f"lexicon folder {folder}: missing {', '.join(missing)}")
    return Lexicon.from_names(
        {label: read_lexicon_lines((folder / f"{stem}.txt").read_text(encoding="utf-8").splitlines()) for label, stem in LEXICON_FILES}
    )


class LexiconStore:
    """A component's ``lexicon``: loaded at initialize, it travels with the pipeline."""

    lexicon: Lexicon
    use_lexicon: bool = True
    FILE_NAME = "lexicon.tsv"

    def initialize(self, get_examples=lambda: [], *, nlp=None, lexicon_dir: Optional[str] = None) -> None:
        """Load the law and institution lexicons (the packaged ones unless a folder is given)."""
        if self.use_lexicon:
            self.lexicon = load_lexicon_dir(Path(lexicon_dir) if lexicon_dir else None)

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return ("\n".join(self.lexicon.to_lines()) + "\n").encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        self.lexicon = Lexicon.from_lines(data.decode("utf-8").splitlines())
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.FILE_NAME).write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=tuple()):
        lexicon_file = Path(path) / self.FILE_NAME
        if not lexicon_file.is_file():
            raise FileNotFoundError(f"{lexicon_file}: the component's lexicon is missing from the pipeline folder")
        return self.from_bytes(lexicon_file.read_bytes())
