"""Names and short fields unbroken: text with positions from poppler's pdftotext -bbox-layout.

Every character gets the box of its word (divided evenly along the word), so an occurrence
of a value can be followed glyph by glyph: it is *whole* when all its characters sit on one
visual line, *broken* when it continues on the next line of the same column.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Glyph:
    """One character on a page with its approximate box (points, origin top left)."""

    ch: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def page_glyphs(pdf: Path, first: int = 0, last: int = 0) -> dict[int, list[Glyph]]:
    """1-based page number → its characters in reading order (whitespace dropped)."""
    command = ["pdftotext", "-bbox-layout"]
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    out = subprocess.run([*command, str(pdf), "-"], check=True, capture_output=True).stdout
    root = ET.fromstring(out)
    pages: dict[int, list[Glyph]] = {}
    for index, page in enumerate(root.iter(f"{_NS}page")):
        number = (first or 1) + index
        glyphs: list[Glyph] = []
        for block in page.iter(f"{_NS}block"):
            for line in block.iter(f"{_NS}line"):
                for word in line.iter(f"{_NS}word"):
                    text = "".join((word.text or "").split())
                    if not text:
                        continue
                    x0, x1 = float(word.get("xMin", 0)), float(word.get("xMax", 0))
                    y0, y1 = float(word.get("yMin", 0)), float(word.get("yMax", 0))
                    step = (x1 - x0) / len(text)
                    for i, ch in enumerate(text):
                        glyphs.append(Glyph(ch, x0 + i * step, y0, x0 + (i + 1) * step, y1))
        pages[number] = glyphs
    return pages


def _same_line(a: Glyph, b: Glyph, gap: float = 4.0) -> bool:
    """b follows a on the same visual line within `gap` em (letter-spaced text included)."""
    h = max(a.height, b.height)
    return abs(a.cy - b.cy) < 0.5 * h and -0.5 * h < b.x0 - a.x1 < gap * h


def _next_line(a: Glyph, b: Glyph, line_start: Glyph) -> bool:
    """b starts the next line of the column in which a ends a line that began at line_start."""
    h = max(a.height, b.height)
    return 0.8 * h <= b.cy - a.cy < 1.8 * h and b.x0 < a.x1 and b.x1 > line_start.x0 - 3 * h


def _touches(glyphs: Sequence[Glyph], g: Glyph, *, right: bool) -> bool:
    """Another glyph sits right next to g on its line (to its right, or to its left)."""
    for other in glyphs:
        if other is g:
            continue
        if right and _same_line(g, other, 0.25) and other.x0 >= g.x1 - 0.1:
            return True
        if not right and _same_line(other, g, 0.25) and other.x1 <= g.x0 + 0.1:
            return True
    return False


@dataclass(frozen=True)
class Occurrence:
    """Where a value was found on a page."""

    page: int
    broken: bool
    """True when its characters run over two or more lines."""
    lines: tuple[str, ...]
    """The value's parts, one per line."""
    isolated: bool
    """Nothing else printed right before it or right after it on its lines: a cell, a caption
    or a line of its own, not a phrase inside running text."""


def _follow(glyphs: Sequence[Glyph], first: Glyph, target: str) -> list[list[Glyph]] | None:
    """The glyphs of `target` starting at `first`, read on by geometry, split into lines."""
    lines = [[first]]
    for ch in target[1:]:
        a, start = lines[-1][-1], lines[-1][0]
        same = [b for b in glyphs if b.ch == ch and b is not a and _same_line(a, b, 2.5)]
        if same:
            lines[-1].append(min(same, key=lambda b: b.x0 - a.x1))
            continue
        if _touches(glyphs, a, right=True):
            return None  # the text goes on after a on its line: not a line break
        below = [b for b in glyphs if b.ch == ch and _next_line(a, b, start) and not _touches(glyphs, b, right=False)]
        if not below:
            return None
        lines.append([min(below, key=lambda b: (round(b.cy - a.cy), abs(b.x0 - start.x0)))])
    return lines


def heading_at(glyphs: Sequence[Glyph], first: Glyph, target: str) -> bool | None:
    """None when `target` cannot be read from `first` on; else whether it stands alone (a heading)."""
    lines = _follow(glyphs, first, target)
    return None if lines is None else _alone(glyphs, lines)


def _alone(glyphs: Sequence[Glyph], lines: list[list[Glyph]]) -> bool:
    """No glyph touches the value on the left of its first line or the right of its last line."""
    return not _touches(glyphs, lines[0][0], right=False) and not _touches(glyphs, lines[-1][-1], right=True)


def occurrences(pages: dict[int, list[Glyph]], value: str) -> list[Occurrence]:
    """Every occurrence of `value` (whitespace ignored), followed glyph by glyph on the page.

    Reading order is not trusted (pdftotext joins the cells of a table row into one line):
    each next character is looked for right after the previous one on its line, or else at
    the start of the next line of the same column.
    """
    target = "".join(value.split())
    if not target:
        return []
    found: list[Occurrence] = []
    for number, glyphs in pages.items():
        for first in glyphs:
            if first.ch != target[0]:
                continue
            lines = _follow(glyphs, first, target)
            if lines is None:
                continue
            parts = tuple("".join(g.ch for g in line) for line in lines)
            found.append(Occurrence(number, len(parts) > 1, parts, _alone(glyphs, lines)))
    return found


def broken_values(pages: dict[int, list[Glyph]], values: Iterable[tuple[str, str]]) -> list[tuple[str, str, Occurrence]]:
    """(label, value, occurrence) for every broken occurrence of the labelled values that is
    printed on its own (a cell, a caption): running text may break between any two characters."""
    out = []
    for label, value in values:
        if len("".join(value.split())) < 2:
            continue
        for occ in occurrences(pages, value):
            if occ.broken and occ.isolated:
                out.append((label, value, occ))
    return out


def lines_text(pages: dict[int, list[Glyph]], page: int) -> Sequence[str]:
    """The visual lines of a page as text (tests and messages)."""
    lines: list[str] = []
    prev: Glyph | None = None
    for g in pages.get(page, []):
        if prev is not None and _same_line(prev, g):
            lines[-1] += g.ch
        else:
            lines.append(g.ch)
        prev = g
    return lines


def rows(glyphs: Sequence[Glyph]) -> list[str]:
    """The text rows of a page, top to bottom, whatever the reading order: glyphs whose centres
    lie within half a glyph height of each other make one row (left to right)."""
    out: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: g.cy):
        if out and abs(g.cy - out[-1][-1].cy) < 0.5 * max(g.height, out[-1][-1].height):
            out[-1].append(g)
        else:
            out.append([g])
    return ["".join(g.ch for g in sorted(row, key=lambda g: g.x0)) for row in out]
