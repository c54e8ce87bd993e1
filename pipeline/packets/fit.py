"""Fitting text to the printed page: widths measured with the font the PDF uses.

* `Measure` — the advance widths (fontTools) of the face that plays a role, with the
  fallback faces for characters it lacks, as Pango picks them: a width in points for a
  text at a size, never guessed from a character count.
* `fit_grid()` — the short fields of the 申报审批表 (姓名, 性别, 出生年月, 籍贯, 民族, …):
  each stays on one line. Its type steps down from the base size in half points to the
  9 pt floor; a field that still does not fit takes the width it needs from columns that
  have room to spare (labels, the photo column keep theirs), then every field grows back to
  the largest size its final width allows.
* `break_words()` — a long 工作单位 breaks only between words (jieba segmentation) and never
  leaves one character alone on a line; the caller prints the lines it returns as they are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.fonts import Face

PT_PER_MM = 72 / 25.4
FLOOR_PT = 9.0
"""No field is printed smaller than this."""
LABEL_FLOOR_PT = 10.5
"""Labels (姓名, 政治面貌 …) step down to 五号 only when the fields cannot fit otherwise, and to
the 9 pt floor only when even that is not enough (a 16-character 籍贯)."""
STEP_PT = 0.5
SAFETY = 1.02
"""Measured widths are taken 2 % wider: Pango's shaping and rounding never make a line overflow."""


@functools.cache
def _metrics(file: Path, index: int) -> tuple[dict[int, int], float]:
    """Font face → (code point → advance in font units, units per em)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(file), fontNumber=index, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        metrics = font["hmtx"].metrics
        upem = float(font["head"].unitsPerEm)
        return {cp: metrics[name][0] for cp, name in cmap.items() if name in metrics}, upem
    finally:
        font.close()


class Measure:
    """Text widths in one font role (its face, then the fallback faces)."""

    def __init__(self, faces: Sequence[Face]) -> None:
        """Faces in the order the CSS font-family stack names them."""
        self.faces = tuple(faces)

    def em(self, ch: str) -> float:
        """Advance of one character in ems (1 em for a character no face has: Pango's box)."""
        for face in self.faces:
            advances, upem = _metrics(face.file, face.index)
            width = advances.get(ord(ch))
            if width is not None:
                return width / upem
        return 1.0

    def width(self, text: str, size: float, tracking: float = 0.0) -> float:
        """Width in points of `text` at `size` points, with `tracking` points between letters."""
        return sum(self.em(ch) * size + tracking for ch in text) * SAFETY


@dataclass(frozen=True)
class GridCell:
    """One cell of a table with fixed columns."""

    key: str
    """Name of the field (or label) the cell holds."""
    cols: tuple[int, ...]
    """Indices of the columns it spans."""
    text: str
    """Its text (one line)."""
    fixed: bool = False
    """A label or the photo: its size never changes, it only limits how narrow columns can get."""
    tracking: float = 0.0
    """Letter spacing in points (the ID number is spaced)."""
    min_mm: float = 0.0
    """A width the cell needs whatever its text (the photo)."""


@dataclass(frozen=True)
class GridFit:
    """Column widths and the type size of every field."""

    widths: tuple[float, ...]
    """Column widths in mm (their sum is unchanged)."""
    sizes: dict[str, float]
    """Field key → type size in points."""
    overflow: tuple[str, ...]
    """Fields that do not fit even at 9 pt in the widest columns possible (printed wrapped)."""


def fit_grid(cells: Sequence[GridCell], widths: Sequence[float], measure: Measure, *,
             base: float, pad_mm: float, label_pad_mm: float) -> GridFit:
    """Cells + default column widths → widths and sizes that keep every field on one line."""
    cols = list(widths)

    def span(cell: GridCell) -> float:
        return sum(cols[i] for i in cell.cols)

    def need(cell: GridCell, size: float) -> float:
        """Width in mm the cell needs at a size."""
        if not cell.text:
            return cell.min_mm
        pad = label_pad_mm if cell.fixed else pad_mm
        return max(cell.min_mm, measure.width(cell.text, size, cell.tracking) / PT_PER_MM + pad)

    def largest(cell: GridCell) -> float | None:
        """The largest size from base down to the floor at which the cell fits, None if none."""
        size = base
        while size >= FLOOR_PT - 1e-9:
            if need(cell, size) <= span(cell) + 1e-6:
                return size
            size -= STEP_PT
        return None

    sizes: dict[str, float] = {}
    short: list[GridCell] = []
    for cell in cells:
        if cell.fixed:
            sizes[cell.key] = base
            continue
        size = largest(cell)
        sizes[cell.key] = FLOOR_PT if size is None else size
        if size is None:
            short.append(cell)

    def slack(i: int) -> float:
        """How much column i can give without any cell that spans it stopping to fit (a field
        that does not fit yet gives nothing: its columns are not taken from)."""
        room = cols[i]
        for cell in cells:
            if i in cell.cols:
                room = min(room, span(cell) - need(cell, sizes[cell.key]))
        return max(0.0, room)

    def rebalance(cell: GridCell) -> float:
        """Give the cell the width it needs at the floor from the roomiest other columns → deficit left."""
        deficit = need(cell, FLOOR_PT) - span(cell)
        grow = cell.cols[0]
        while deficit > 1e-6:
            donors = [(slack(i), i) for i in range(len(cols)) if i not in cell.cols]
            room, donor = max(donors, default=(0.0, -1))
            if room <= 1e-6:
                break
            take = min(room, deficit)
            cols[donor] -= take
            cols[grow] += take
            deficit -= take
        return deficit

    pending = sorted(short, key=lambda c: need(c, FLOOR_PT) - span(c), reverse=True)
    for cell in list(pending):
        if rebalance(cell) <= 1e-6:
            pending.remove(cell)
    for label_pt in (LABEL_FLOOR_PT, FLOOR_PT):  # last resort: labels step down to make room
        if not pending:
            break
        for cell in cells:
            if cell.fixed and cell.text:
                sizes[cell.key] = label_pt
        pending = [cell for cell in pending if rebalance(cell) > 1e-6]
    if pending:  # then the other fields give what they hold above the floor (grown back below)
        for cell in cells:
            if not cell.fixed and cell.text and cell not in pending:
                sizes[cell.key] = FLOOR_PT
        pending = [cell for cell in pending if rebalance(cell) > 1e-6]
    for cell in cells:  # grow back: the final widths may allow a larger size
        if cell.text:
            size = largest(cell)
            if size is not None:
                sizes[cell.key] = size
    overflow = [cell.key for cell in pending]
    return GridFit(tuple(round(w, 2) for w in cols), sizes, tuple(overflow))


def fit_size(text: str, width_mm: float, measure: Measure, *, base: float, pad_mm: float = 0.0,
             floor: float = FLOOR_PT) -> float:
    """The largest size from base down to the floor (9 pt) at which text fits the width (the floor if none)."""
    size = base
    while size > floor and measure.width(text, size) / PT_PER_MM + pad_mm > width_mm:
        size -= STEP_PT
    return max(size, floor)


@functools.cache
def _segmenter() -> object:
    """jieba's default tokenizer, loaded once per process (quietly)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str) -> list[str]:
    """Text → words (jieba, dictionary only: the same text always gives the same words)."""
    tokenizer = _segmenter()
    return [w for w in tokenizer.cut(text, HMM=False) if w]  # type: ignore[attr-defined]


_CLOSING = frozenset({"Pe", "Pf", "Po"})
"""Unicode categories of punctuation that never starts a line (）” ， 。 、 ： · …)."""
_OPENING = frozenset({"Ps", "Pi"})
"""Unicode categories of punctuation that never ends a line (（ “ 《)."""


def _closes(token: str) -> bool:
    """The token begins with punctuation that must stay at the end of the previous word."""
    return bool(token) and (unicodedata.category(token[0]) in _CLOSING or token[0] in "—–-~～")


def _opens(token: str) -> bool:
    """The token ends with punctuation that must stay with the next word (or a dash of a range)."""
    return bool(token) and (unicodedata.category(token[-1]) in _OPENING or token[-1] in "—–-~～·")


def _ascii_run(a: str, b: str) -> bool:
    """a and b touch inside one run of Latin letters, digits and ASCII signs ('2010' '.' '03')."""
    return bool(a) and bool(b) and a[-1].isascii() and b[0].isascii() and not a[-1].isspace() \
        and not b[0].isspace()


_UNBROKEN = re.compile(
    r"第?[0-9０-９]+(?:[.．,:：/\-—–~～][0-9０-９]+)*[余多]?[万亿]?(?:人次|车间|[期届次批名个项年月日号级等位元人件台套天岁%％])?"
    r"|第[〇零一二两三四五六七八九十百千]+[期届次批名个项]"
    r"|[A-Za-z][A-Za-z0-9'’&\-]*")
"""What a line never breaks inside: a number, date or range with its ordinal 第 and its counter
('第01车间', '2010.03—2018.01', '2019年', '300余万元'), 第 + Chinese numeral + counter, a Latin word."""


def tokens(text: str) -> list[str]:
    """Text → the pieces a line may break between: jieba's words, with punctuation glued to the
    word it belongs to (no line starts with '）' or '，' nor ends with '（'), and a number,
    date or range kept whole with its 第 and counter ('2010.03—2018.01', '第01车间')."""
    raw: list[str] = []
    pos = 0
    for match in _UNBROKEN.finditer(text):
        raw += words(text[pos:match.start()]) if match.start() > pos else []
        raw.append(match.group())
        pos = match.end()
    raw += words(text[pos:]) if pos < len(text) else []
    out: list[str] = []
    for word in raw:
        if out and (_opens(out[-1]) or _closes(word) or _ascii_run(out[-1], word)) \
                and not out[-1].isspace() and not word.isspace():
            out[-1] += word
        else:
            out.append(word)
    return out


def weight(line: str) -> int:
    """Characters of a line that count as text (punctuation and spaces do not)."""
    return sum(1 for ch in line if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def break_words(text: str, width_mm: float, size: float, measure: Measure, *,
                at_spaces: bool = True) -> list[str]:
    """Text → lines no wider than width_mm at `size`, broken only between words (a space is a
    word of its own and never starts or ends a line; punctuation stays with its word), no line
    of a single character. With at_spaces, text whose space-separated phrases each fit a line
    ('单位 职务') breaks at its spaces only."""
    if measure.width(text, size) / PT_PER_MM <= width_mm:
        return [text]
    limit = width_mm * PT_PER_MM
    phrases = text.split()
    if at_spaces and len(phrases) > 1 and all(measure.width(p, size) <= limit for p in phrases):
        return _fill(phrases, " ", limit, size, measure)  # '单位 职务': break at the spaces
    lines: list[list[str]] = [[]]
    for word in tokens(text):
        line = lines[-1]
        trial = "".join(line) + word
        if line and measure.width(trial.rstrip(), size) > limit and word.strip():
            lines.append([word])
        elif line or word.strip():
            line.append(word)
    out = ["".join(line).strip() for line in lines if "".join(line).strip()]
    # A word longer than the line is cut where it must be (anything else would overflow).
    fitted: list[str] = []
    for text_line in out:
        while measure.width(text_line, size) > limit and len(text_line) > 1:
            cut = len(text_line)
            while cut > 1 and measure.width(text_line[:cut], size) > limit:
                cut -= 1
            fitted.append(text_line[:cut])
            text_line = text_line[cut:]
        fitted.append(text_line)
    # Orphan control: a line of one character ('会）' counts as one) takes the previous line's
    # last word.
    for i in range(len(fitted) - 1, 0, -1):
        if weight(fitted[i]) < 2:
            prev = tokens(fitted[i - 1])
            if len(prev) > 1:
                fitted[i] = prev[-1].strip() + fitted[i]
                fitted[i - 1] = "".join(prev[:-1]).strip()
            elif len(fitted[i - 1]) > 2:
                fitted[i] = fitted[i - 1][-1] + fitted[i]
                fitted[i - 1] = fitted[i - 1][:-1]
    return [line for line in fitted if line]


def well_broken(lines: Sequence[str], text: str) -> bool:
    """The lines end only between tokens() of the text and none is a single character."""
    ends, at = set(), 0
    for token in tokens(text):
        at += len(token.replace(" ", ""))
        ends.add(at)
    at = 0
    for line in lines:
        at += len(line.replace(" ", ""))
        if at not in ends or weight(line) < 2:
            return False
    return True


def _fill(phrases: Sequence[str], joiner: str, limit: float, size: float, measure: Measure) -> list[str]:
    """Phrases that each fit → lines filled greedily (a phrase is never split)."""
    lines: list[str] = []
    for phrase in phrases:
        if lines and measure.width(lines[-1] + joiner + phrase, size) <= limit:
            lines[-1] += joiner + phrase
        else:
            lines.append(phrase)
    return lines


def wrapped_lines(text: str, width_mm: float, size: float, measure: Measure, indent_em: float = 0.0) -> int:
    """How many lines a paragraph takes when wrapped at any character (CJK text), counted
    with the real advances; a little pessimistic, never optimistic."""
    limit = width_mm * PT_PER_MM
    lines, used = 1, indent_em * size
    for ch in text:
        w = measure.width(ch, size)
        if used + w > limit:
            lines, used = lines + 1, 0.0
        used += w
    return lines
