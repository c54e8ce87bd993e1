"""Fitting text to the printed page: widths measured with the font the PDF uses.

* `Measure` — the advance widths (fontTools) of the face that plays a role, with the
  fallback faces for characters it lacks, as Pango picks them: a width in points for a
  text at a size, never guessed from a character count.
* `fit_grid()` — the short fields of the 申报审批表 (姓名, 性别, 出生年月, 籍贯, 民族, …):
  each stays on one line. Its type steps down from the base size in half points to the
  9 pt floor; a field that still does not fit takes the width it needs from columns that
  have room to spare (labels, the photo column keep theirs), then every field grows back to
  the largest size its final width allows.

Where lines break (words, numbers, punctuation, no character alone) is `pipeline.render.wordbreak`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.render.fonts import Face, face_metrics
from pipeline.render.wordbreak import PT_PER_MM

__all__ = ["FLOOR_PT", "PT_PER_MM", "GridCell", "GridFit", "Measure", "fit_grid", "fit_size", "wrapped_lines"]

FLOOR_PT = 9.0
"""No field is printed smaller than this."""
LABEL_FLOOR_PT = 10.5
"""Labels (姓名, 政治面貌 …) step down to 五号 only when the fields cannot fit otherwise, and to
the 9 pt floor only when even that is not enough (a 16-character 籍贯)."""
STEP_PT = 0.5
SAFETY = 1.02
"""Measured widths are taken 2 % wider: Pango's shaping and rounding never make a line overflow."""


class Measure:
    """Text widths in one font role (its face, then the fallback faces)."""

    def __init__(self, faces: Sequence[Face]) -> None:
        """Faces in the order the CSS font-family stack names them."""
        self.faces = tuple(faces)
        self._ems: dict[str, float] = {}

    def em(self, ch: str) -> float:
        """Advance of one character in ems (looked up once per character and Measure)."""
        found = self._ems.get(ch)
        if found is None:
            found = self._ems[ch] = self.face_em(ch)
        return found

    def face_em(self, ch: str) -> float:
        """Advance of one character in ems in the first face that has it (1 em for a character no
        face has: Pango's box)."""
        for face in self.faces:
            metrics = face_metrics(face.file, face.index)
            width = metrics.advances.get(ord(ch))
            if width is not None:
                return width / metrics.units_per_em
        return 1.0

    def advance(self, text: str, size: float) -> float:
        """The advances of `text` at `size` points added up, in points, without the safety margin of width()."""
        return sum(self.em(ch) for ch in text) * size

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
