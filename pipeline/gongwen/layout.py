"""GB/T 9704-2012 layout rules shared by every official document (公示, 公告, 函, 请示, 决定).

The 版心 is 156 mm × 225 mm with 22 lines of 28 characters of 3号 (16 pt); a title is set in
2号 (22 pt), 20 characters a line. Everything here is pure arithmetic on text widths
(`char_width`: CJK 1, ASCII ½), so the PDF (WeasyPrint) and the DOCX (python-docx) renderers
place the same things at the same places: the title's lines, a table's column widths, the 署名
and 成文日期 with a seal (7.3.5.1, one organ or several) or without (7.3.5.2).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.render.wordbreak import char_width

TITLE_LINE_CHARS = 20
"""Full-width characters of 2号 (22 pt) that fit in the 156 mm 版心 line."""
LINE_CHARS = 28
"""Characters per body line (3号)."""
GRID_PITCH_TWIPS = 579
"""Line pitch of the 22-line grid in twentieths of a point (225 mm / 22 = 28.95 pt)."""
CHAR_SPACING_TWIPS = -6
"""Character spacing of body text: 16 pt − 0.3 pt = 15.7 pt a character, 28 in the 156 mm line.

The section declares the 28 × 22 grid (w:docGrid linesAndChars, GRID_CHAR_SPACE) for Word and WPS:
page set-up shows 每行 28 字、每页 22 行 and text the editor adds in the Normal style snaps to it.
Every paragraph written here opts out of the grid (w:snapToGrid 0) and gets its 28 characters
from this spacing and its 22 lines from an exact 28.95 pt pitch, because LibreOffice (7.4) gives
a CJK character wider than the grid cell two cells (a 16 pt character on the 15.79 pt grid: 14
a line, measured) and, with a character grid, narrows the line to 28 whole cells (441 pt): 15.7 pt
characters fit there, and in Word and WPS too."""
CHAR_TWIPS = 315
"""One body character (15.75 pt) in twips."""
GRID_CHAR_SPACE = -849
"""w:docGrid w:charSpace: Word's character pitch is the Normal size plus charSpace / 4096 pt,
16 − 849 / 4096 = 15.79 pt, 28 characters in the 156 mm line."""


def title_lines(title: str, width: float = TITLE_LINE_CHARS) -> tuple[str, ...]:
    """Break a title for 2号 type (GB/T 9704 7.3.1: meaning kept whole, lines balanced).

    One line when it fits; else two lines broken before its quoted name (“兴安技术能手”) when both
    halves fit; else the fewest lines that fit, broken only between words
    (pipeline.render.wordbreak.tokens) and as even in length as possible.
    """
    if title_width(title) <= width:
        return (title,)
    cut = title.find("“")
    if cut > 0 and title_width(title[:cut]) <= width and title_width(title[cut:]) <= width:
        return (title[:cut], title[cut:])
    from pipeline.render.wordbreak import tokens

    return balanced_lines(tokens(title), width, title_width)


def title_width(text: str) -> float:
    """Width of a title in full-width characters, Latin letters and digits counted 0.6: the 小标宋
    stand-in (Noto Serif CJK bold) has proportional digits wider than half a character, so a title
    of exactly 20 counted characters with a year in it (“……2027年度“兴安技术能手”名单”) did not fit
    its line and left one character alone on the next."""
    return char_width(text) + 0.1 * sum(ch.isascii() and ch.isalnum() for ch in text)


def balanced_lines(pieces: Sequence[str], width: float,
                   measure: Callable[[str], float] = char_width) -> tuple[str, ...]:
    """Pieces → the fewest lines no wider than `width` (as `measure` counts), then the most even
    ones (a piece wider than a line stands alone)."""
    n = len(pieces)
    widths = [measure(x) for x in pieces]
    best: dict[int, tuple[int, float, tuple[int, ...]]] = {n: (0, 0.0, ())}
    for i in range(n - 1, -1, -1):
        options = []
        run = 0.0
        for j in range(i + 1, n + 1):
            run += widths[j - 1]
            if run > width and j > i + 1:
                break
            count, cost, cuts = best[j]
            options.append((count + 1, cost + run * run, (j, *cuts)))
        best[i] = min(options)
    cuts = best[0][2]
    lines, start = [], 0
    for cut in cuts:
        lines.append("".join(pieces[start:cut]))
        start = cut
    return tuple(lines)


# ---- tables --------------------------------------------------------------------------------------

TABLE_WIDTH_MM = 156.0
"""The table spans the 版心."""
TABLE_SIZES_PT = (14.0, 12.0, 10.5, 9.0)
"""Type sizes tried for the table, largest first: 4号, 小4号, 5号, the 9 pt floor."""
CELL_PAD_MM = 1.2
"""Left and right padding of a table cell."""
UNIT_MIN_CHARS = 9
"""The 工作单位及职务 column keeps at least this many characters a line."""


@dataclass(frozen=True)
class TableLayout:
    """Type size and column widths of the awardee table, fitted to its contents."""

    size_pt: float
    """Type size of heads and cells."""
    widths_mm: tuple[float, ...]
    """Column widths in TABLE_HEADERS order (sum = TABLE_WIDTH_MM)."""

    @property
    def line_mm(self) -> float:
        """Height of one table text line (line-height 1.35)."""
        return self.size_pt * 1.35 / 72 * 25.4




def fit_table(columns: Sequence[Sequence[str]], keep: Sequence[bool], *,
              width_mm: float = TABLE_WIDTH_MM, min_chars: float = UNIT_MIN_CHARS) -> TableLayout:
    """Column widths and type size of a table fitted to its contents.

    `columns`: each column's head and values. Columns marked `keep` are as wide as their longest
    value (they never wrap); the other columns share the rest in proportion to their longest
    value. The largest of TABLE_SIZES_PT at which every wrapping column keeps `min_chars`
    characters a line wins; the floor is 9 pt.
    """
    chars = [max((char_width(v) for v in col), default=1.0) + 0.25 for col in columns]  # glyph slack
    wrap = [i for i, k in enumerate(keep) if not k]
    layout = TableLayout(TABLE_SIZES_PT[-1], ())
    for size in TABLE_SIZES_PT:
        em = size / 72 * 25.4
        widths = [round(c * em + 2 * CELL_PAD_MM + 0.3, 1) for c in chars]
        if not wrap:
            layout = TableLayout(size, tuple(widths))
            if sum(widths) <= width_mm or size == TABLE_SIZES_PT[-1]:
                spare = (width_mm - sum(widths)) / len(widths)
                layout = TableLayout(size, tuple(round(w + spare, 1) for w in widths))
                break
            continue
        rest = width_mm - sum(w for i, w in enumerate(widths) if i not in wrap)
        want = [chars[i] for i in wrap]
        for n, i in enumerate(wrap):
            widths[i] = round(rest * want[n] / sum(want), 1) if n < len(wrap) - 1 else 0.0
        widths[wrap[-1]] = round(width_mm - sum(w for i, w in enumerate(widths) if i != wrap[-1]), 1)
        layout = TableLayout(size, tuple(widths))
        if all(widths[i] >= min_chars * em + 2 * CELL_PAD_MM for i in wrap):
            break
    return layout


# ---- 署名 and 成文日期 --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignLayout:
    """Where the 署名 and 成文日期 go (GB/T 9704 7.3.5.2, a document without a seal)."""

    date_indent: float
    """Left indent of the 成文日期 in body characters."""
    organ_fits: bool
    """True when the 署名 fits on one line with two characters right space."""


def signature_layout(organ: str, date: str) -> SignLayout:
    """署名 right-aligned two characters in; the date's first character two characters right of the 署名's.

    When the date would then end closer than two characters to the margin, it is right-aligned two
    characters in instead (and the 署名 stays where it is).
    """
    organ_chars, date_chars = char_width(organ), char_width(date)
    fits = organ_chars <= LINE_CHARS - 2
    start = (LINE_CHARS - 2 - organ_chars if fits else 0) + 2
    start = min(start, LINE_CHARS - 2 - date_chars)
    return SignLayout(max(0.0, start), fits)


SEAL_SPACE_MM = 45.0
"""Diameter of the seal space (a round 公章 is 40–42 mm)."""
PITCH_MM = 225 / 22
"""Body line pitch."""
CHAR_MM = 156 / 28
"""Body character width."""
_ORGAN_BREAK_AFTER = "”）区市县旗局委会部厅处组司院"
"""Characters after which a long 署名 may be broken (never inside quotes or brackets)."""


@dataclass(frozen=True)
class SealedLayout:
    """Where the 署名, 成文日期 and seal go (GB/T 9704 7.3.5.1, a sealed document, one organ).

    Positions are in body characters from the left edge of the 版心 and in body lines.
    """

    organ_lines: tuple[str, ...]
    """The 署名, on two lines when it does not fit centred over the date."""
    organ_indents: tuple[float, ...]
    """Left indent of each 署名 line (centred over the date)."""
    date_indent: float
    """Left indent of the 成文日期 (right-aligned four characters in)."""
    centre: float
    """Seal centre, horizontally: the centre of the date."""
    gap_lines: int
    """Empty lines between the last body line and the 署名 (the seal's top within one line of the text)."""
    centre_lines: float
    """Seal centre, vertically: lines below the top of the 署名's first line."""
    tail_mm: float
    """How far the seal reaches below the date line."""


def _split_organ(organ: str, room: float) -> tuple[str, ...]:
    """A 署名 as one line when it fits `room` characters, else two lines broken after a word."""
    if char_width(organ) <= room:
        return (organ,)
    depth, best, fallback = 0, None, None
    for i, ch in enumerate(organ[:-1], start=1):
        depth += (ch in "“（《") - (ch in "”）》")
        head, tail = organ[:i], organ[i:]
        if depth or char_width(head) > room or char_width(tail) > room:
            continue
        score = abs(char_width(head) - char_width(tail))
        if ch in _ORGAN_BREAK_AFTER and (best is None or score < best[0]):
            best = (score, (head, tail))
        if fallback is None or score < fallback[0]:
            fallback = (score, (head, tail))
    chosen = best or fallback
    return chosen[1] if chosen else (organ,)


def sealed_layout(organ: str, date: str) -> SealedLayout:
    """成文日期 right-aligned four characters in; the 署名 centred over it; the seal presses both.

    The seal's centre sits half a line above the middle of the 署名 and date block (so they are
    "居印章中心偏下"), its top within one line of the text above.
    """
    date_chars = char_width(date)
    date_indent = LINE_CHARS - 4 - date_chars
    centre = date_indent + date_chars / 2
    room = 2 * min(centre, LINE_CHARS - centre)
    lines = _split_organ(organ, room)
    indents = tuple(max(0.0, min(centre - char_width(x) / 2, LINE_CHARS - char_width(x))) for x in lines)
    block = len(lines) + 1
    centre_lines = (block - 1) / 2
    radius = SEAL_SPACE_MM / 2 / PITCH_MM
    gap = max(1, math.ceil(radius - centre_lines - 1e-9))
    tail = max(0.0, (centre_lines + radius - block) * PITCH_MM)
    return SealedLayout(lines, indents, date_indent, centre, gap, centre_lines, round(tail, 2))


SLOT_MM = 50.0
"""Width of one organ's place in a row of joint seals: a 45 mm seal and 5 mm between seals."""


@dataclass(frozen=True)
class JointLayout:
    """署名 of several organs, each with its seal (GB/T 9704 7.3.5.1, 联合行文): the 署名 side by
    side, up to three a row (three 45 mm seals fill the 156 mm 版心), rows stacked, the main organ
    first; every seal centred on its 署名, the last one also pressing the 成文日期, which is
    right-aligned four characters in under the last 署名.

    Positions are in body characters from the left edge of the 版心 and in body lines.
    """

    rows: tuple[tuple[tuple[str, ...], ...], ...]
    """Rows of organs, each organ as its lines (a long name on two lines within its seal)."""
    centres: tuple[tuple[float, ...], ...]
    """Centre of each organ's place, row by row (the last row's last = the date's centre)."""
    starts: tuple[tuple[tuple[float, ...], ...], ...]
    """Left indent of each line of each organ: centred on its place, kept inside the 版心."""
    date_indent: float
    """Left indent of the 成文日期."""
    gap_lines: int
    """Empty lines between the last text line and the first row (a seal's top within one line)."""
    row_gap_lines: int
    """Empty lines between two rows (seals of neighbouring rows never touch)."""
    tail_mm: float
    """How far the last seals reach below the date line."""


def joint_layout(organs: Sequence[str], date: str) -> JointLayout:
    """Rows of 署名 in reading order (the main organ first), as many a row as SLOT_MM-wide seals
    fit left of the date's centre (two on A4, since the date is right-aligned four characters in
    and no seal may cross the 版心's edge); every row right-aligned like the last, so the columns
    line up, and the organs spread as far apart as the 版心 allows so long names stay on one line."""
    single = sealed_layout(organs[-1], date)
    seal = SEAL_SPACE_MM / CHAR_MM
    slot = SLOT_MM / CHAR_MM
    per_row = max(1, min(3, len(organs), 1 + math.floor((single.centre - seal / 2) / slot + 1e-9)))
    widest = max(char_width(o) for o in organs)
    spread = single.centre - seal / 2
    step = max(slot, min(widest + 1, spread / (per_row - 1))) if per_row > 1 else slot
    rows = tuple(tuple(_split_organ(o, step - 1) for o in organs[i:i + per_row])
                 for i in range(0, len(organs), per_row))
    centres = tuple(tuple(single.centre - (len(row) - 1 - k) * step for k in range(len(row))) for row in rows)
    radius = SEAL_SPACE_MM / 2 / PITCH_MM
    heights = [max(len(x) for x in row) for row in rows]
    gap = max(1, math.ceil(radius - heights[0] / 2 - 1e-9))
    row_gap = 0
    for i in range(len(rows) - 1):
        below = heights[i + 1] + (1 if i + 1 == len(rows) - 1 else 0)   # the last seals press the date too
        row_gap = max(row_gap, math.ceil(2 * radius + 0.2 - heights[i] / 2 - below / 2 - 1e-9))
    last = heights[-1] + 1
    tail = max(0.0, (last / 2 + radius - last) * PITCH_MM)
    starts = tuple(tuple(tuple(max(0.0, min(c - char_width(x) / 2, LINE_CHARS - char_width(x))) for x in organ)
                         for organ, c in zip(row, row_centres, strict=True))
                   for row, row_centres in zip(rows, centres, strict=True))
    return JointLayout(rows, centres, starts, single.date_indent, gap, row_gap, round(tail, 2))


def unsealed_joint_indent(organs: Sequence[str], date: str) -> float:
    """Without seals (7.3.5.2), several organs stack one a line, right-aligned two characters in;
    the 成文日期's first character two characters right of the widest 署名's first character."""
    return signature_layout(max(organs, key=char_width), date).date_indent


@dataclass(frozen=True)
class NoteLine:
    """One line of the 附件说明 (GB/T 9704 7.3.4)."""

    text: str
    """“附件：1.名称” on the first, “2.名称” on the next ones."""
    left: float
    """Left indent in body characters of the wrapped lines (under the name's first character)."""
    first: float
    """First-line indent relative to `left` (negative: the first line starts further left)."""


def attachment_notes(names: Sequence[str]) -> tuple[NoteLine, ...]:
    """“附件：” two characters in, then the names, numbered “1.” “2.” when more than one, no
    punctuation after them; a wrapped name aligned under its first character."""
    out = []
    for i, name in enumerate(names, start=1):
        number = f"{i}." if len(names) > 1 else ""
        left = 2 + 3 + char_width(number)
        start = 2.0 if i == 1 else 5.0
        out.append(NoteLine(("附件：" if i == 1 else "") + number + name.rstrip("。；;，,"), left, start - left))
    return tuple(out)


MARK_MAX_PT = 42.0
"""Type size of the 发文机关标志 (小标宋, about 15 mm high)."""
MARK_WIDTH_MM = 150.0
"""The 发文机关标志 never spans more than this; a longer one is set narrower (horizontal scale)."""


@dataclass(frozen=True)
class MarkLayout:
    """The 发文机关标志 (红头, GB/T 9704 7.2.2)."""

    size_pt: float
    """Type size."""
    scale: float
    """Horizontal scale (1 = normal width, less for a long organ name)."""
    width_mm: float
    """Unscaled width of the text."""
    top_mm: float
    """Distance of its top from the page top: 35 mm, 80 mm for an 上行文 (with a 签发人)."""


def mark_layout(mark: str, *, upward: bool) -> MarkLayout:
    """Size and horizontal scale of the 发文机关标志: MARK_MAX_PT, narrowed to fit MARK_WIDTH_MM."""
    width = char_width(mark) * MARK_MAX_PT / 72 * 25.4
    scale = min(1.0, MARK_WIDTH_MM / width) if width else 1.0
    return MarkLayout(MARK_MAX_PT, round(scale, 3), round(width, 2), 80.0 if upward else 35.0)
