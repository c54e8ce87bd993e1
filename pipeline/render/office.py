"""Office files: reproducible ZIPs, and spreadsheets that print right.

`write_zip` is the one ZIP writer (the 申报材料包, the media kits, every DOCX and XLSX through
`fixed_zip`): every entry dated at the run's source date and in a stable order, so the same input
gives byte-identical files (SPEC.md §9). `print_setup` gives every
printed list the same page set-up and, through `fit_sheet`, column widths and row heights
measured with the real fonts, so that rows never print on top of each other, names and
amounts never wrap, no line holds one character alone, and fit-to-width never shrinks the type
below 9 pt. `put` writes every value as data: text that starts with "=" stays text (no formula
injection).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import subprocess
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core import atomic
from pipeline.render.fonts import FaceMetrics, face_metrics

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Border
    from openpyxl.worksheet.worksheet import Worksheet


UTF8_FLAG = 0x800
"""General-purpose bit 11: the member's name is UTF-8 (Windows' compressed folders read it so)."""


def write_zip(members: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """The one ZIP writer of the pipeline: `members` (name, content) in the given order → ZIP bytes,
    every entry dated `when`, its name flagged UTF-8, deflated at level 6, rw-r--r-- from an MS-DOS
    host, so the same members give the same bytes on every machine (SPEC.md §9). repro-zipfile does
    the same for the system clock's SOURCE_DATE_EPOCH; ours takes the run's source date."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.flag_bits |= UTF8_FLAG
            info.create_system = 0
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content, compresslevel=6)
    return out.getvalue()


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same ZIP (a DOCX or XLSX a library wrote) rewritten by `write_zip`: its members in their
    order, fixed dates and attributes, docProps/core.xml's created/modified set to `when`."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return write_zip(((name, _fix_core_dates(content, when) if name == "docProps/core.xml" else content)
                      for name, content in members), when)


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fix_core_dates(xml: bytes, when: dt.datetime) -> bytes:
    """Set dcterms:created/modified in docProps/core.xml (writers stamp the current time)."""
    iso = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_DATE.sub(lambda m: m.group(1) + iso + m.group(2), xml)


FORMULA_START = ("=", "+", "-", "@")
"""First characters that make a spreadsheet read typed text as a formula."""


def put(ws: Worksheet, row: int, column: int, value: object) -> Any:
    """Write `value` into a cell as data and return the cell. Text is always a text cell, whatever
    it starts with: openpyxl would store "=1+1" as a live formula and "#N/A" as an error value, which
    LibreOffice, WPS and Excel then evaluate (formula injection). Text that a spreadsheet reads as a
    formula when it is typed in again also gets the quote prefix (Excel's '=1+1), so that editing the
    cell keeps it text. Every writer puts roster, edition and registry text through this; only our
    own formulas go in with `put_formula`."""
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def put_row(ws: Worksheet, row: int, values: Iterable[object], first_column: int = 1) -> list[Any]:
    """`put` each value into `row` from `first_column` on; the cells."""
    return [put(ws, row, col, value) for col, value in enumerate(values, start=first_column)]


def put_formula(ws: Worksheet, row: int, column: int, formula: str) -> Any:
    """Write one of the pipeline's own formulas ("=ROUND(…)", never built from input text)."""
    cell = ws.cell(row, column)
    cell.value = formula
    assert cell.data_type == "f", formula
    return cell


def save_workbook(wb: Workbook, target: Path, when: dt.datetime, *, private: bool = False) -> None:
    """Save an openpyxl workbook atomically and reproducibly (owner-only when private: full ID numbers)."""
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = "xingan-nengshou"
    wb.properties.lastModifiedBy = "xingan-nengshou"
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic.write_bytes(target, fixed_zip(buffer.getvalue(), when), private=private)


def print_setup(ws: Worksheet, *, title_rows: str, freeze: str | None = None,
                orientation: str = "landscape", keep_whole: Iterable[int] = ()) -> None:
    """Print set-up of a list: A4, one page wide and as many tall as needed, header rows repeated on
    every page, page numbers; then column widths and row heights fitted (`fit_sheet`).

    Call it last, when every cell is written. `keep_whole` names the columns (1-based) whose values
    must never wrap: names, dates, status words, amounts.
    """
    if freeze:
        ws.freeze_panes = freeze
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    body_row = int(title_rows.split(":")[-1]) + 1
    fit_sheet(ws, body_row=body_row, keep_whole=keep_whole)


def list_heading(ws: Worksheet, title: str, columns: Sequence[tuple[str, float]], *, note: str | None = None,
                 note_size: float = 11, note_height: float = 36, header_size: float = 11,
                 title_bold: bool = False) -> tuple[int, Border]:
    """A list's heading: merged title row, optional note row, grey header row with column widths.

    Returns the first data row and the thin border the data cells use.
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ncol = len(columns)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    put(ws, 1, 1, title).font = Font(name="黑体", size=16, bold=title_bold)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    header = 2
    if note is not None:
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        put(ws, 2, 1, note).font = Font(name="仿宋", size=note_size)
        ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[2].height = note_height
        header = 3
    for col, (name, width) in enumerate(columns, start=1):
        cell = put(ws, header, col, name)
        cell.font = Font(name="黑体", size=header_size, bold=title_bold)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = width
    return header + 1, border


# ---- measuring text for spreadsheets --------------------------------------------------------------
# openpyxl does not size rows, and Excel, WPS and LibreOffice do not reliably auto-fit on open: a
# wrapped cell keeps the default 13.5 pt row and prints on top of the next one. So every list sets
# explicit row heights from the text, measured with the advance widths of the font the receiver
# prints with (the named face when installed, else fontconfig's stand-in and CJK fallback; the
# widest of them, so the row is never too short).

PT_PER_WIDTH = 5.25
"""Points per unit of XLSX column width (Excel: 7 px of Calibri 11 per unit, at 96 dpi)."""
CELL_PAD_X = 4.0
"""Horizontal cell padding (both sides), points."""
CELL_PAD_Y = 4.0
"""Vertical cell padding (both sides), points."""
MIN_PRINT_PT = 9.0
"""The smallest type a printed list may show."""
PAPER_MM: dict[int, tuple[float, float]] = {9: (210.0, 297.0), 8: (297.0, 420.0)}
"""Portrait paper size (mm) of openpyxl paperSize codes (9 = A4, 8 = A3)."""

_OPEN = frozenset("（([{【《〈“‘「『")
_CLOSE = frozenset("，。、；：！？）)]}】》〉”’」』…—·,.;:!?%")


@functools.cache
def _face_files(family: str) -> tuple[tuple[str, int], ...]:
    """The faces fontconfig prints `family` with: its match for Latin and its match for Chinese."""
    out: list[tuple[str, int]] = []
    for pattern in (family, f"{family}:lang=zh-cn"):
        try:
            line = subprocess.run(["fc-match", "--format", "%{file}\t%{index}", pattern],
                                  capture_output=True, text=True, check=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        file, _, index = line.partition("\t")
        if file and (file, int(index or 0)) not in out:
            out.append((file, int(index or 0)))
    return tuple(out)


def _faces(family: str) -> tuple[FaceMetrics, ...]:
    return tuple(face_metrics(file, index) for file, index in _face_files(family))


class _Widest(dict[str, float]):
    """Character → its advance (em) in the widest of a family's faces that has it (1 em when none
    has it), looked up once per character."""

    def __init__(self, faces: tuple[FaceMetrics, ...]) -> None:
        super().__init__()
        self.faces = faces

    def __missing__(self, ch: str) -> float:
        cp = ord(ch)
        width = self[ch] = max((f.advances[cp] / f.units_per_em for f in self.faces if cp in f.advances), default=1.0)
        return width


@functools.cache
def _widest(family: str) -> _Widest:
    return _Widest(_faces(family))


def text_width(text: str, family: str, size: float) -> float:
    """Width in points of one line of `text` in `family` at `size` (widest face that has each glyph;
    1 em for a character none has)."""
    return sum(map(_widest(family).__getitem__, text)) * size


def line_height(family: str, size: float) -> float:
    """Line pitch in points of `family` at `size` (the tallest face's ascent + descent + gap)."""
    return max((f.line for f in _faces(family)), default=1.45) * size


def _tokens(line: str) -> list[str]:
    """A line cut where a line may break: between CJK characters and at spaces; Latin words and
    numbers stay whole, opening marks stay with what follows and closing marks with what precedes."""
    tokens: list[str] = []
    for ch in line:
        latin = ch.isascii() and (ch.isalnum() or ch in "-_./:@#%&+'\"")
        if tokens and (ch in _CLOSE or (latin and tokens[-1][-1].isascii() and tokens[-1][-1] != " ")
                       or tokens[-1][-1] in _OPEN):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def wrap(paragraph: str, family: str, size: float, width: float) -> list[str]:
    """The lines one paragraph takes in a wrapping cell `width` points wide (greedy, as Excel and
    LibreOffice do: a line breaks at a space or between CJK characters; a word wider than the cell
    is broken anywhere)."""
    lines = [""]
    used = 0.0
    for token in _tokens(paragraph):
        w = text_width(token, family, size)
        if used and used + w > width:
            token = token.lstrip()
            lines.append("")
            used, w = 0.0, text_width(token, family, size)
        if w <= width:
            lines[-1] += token
            used += w
            continue
        for ch in token:  # a word wider than the cell
            cw = text_width(ch, family, size)
            if used and used + cw > width:
                lines.append("")
                used = 0.0
            lines[-1] += ch
            used += cw
    return lines


def wrapped_lines(text: str, family: str, size: float, width: float) -> int:
    """How many lines `text` takes in a wrapping cell `width` points wide (`wrap`)."""
    return sum(len(wrap(paragraph, family, size, width)) for paragraph in text.split("\n"))


WIDTH_SPREAD = (1.0, 1.02, 1.04, 1.06, 1.08, 1.10)
"""The width a column may really print at, as factors of the width we measure: LibreOffice gives
about 5.54 pt per unit of column width where we count 5.25 (and then fits the sheet to the paper),
Excel adds 5 px to every column. Row heights use the narrowest (a row is never too short); the
check for a line of one character alone uses them all (`_room`)."""
RECEIVER_PAD_X = 2.0
"""Horizontal cell padding (both sides) LibreOffice prints with, points (we count `CELL_PAD_X`)."""


def _room(column: float) -> list[float]:
    """The widths a cell's text may wrap at in a column `column` points wide, narrowest first."""
    return sorted({column * f - pad for f in WIDTH_SPREAD for pad in (CELL_PAD_X, RECEIVER_PAD_X)})


def _orphaned(paragraph: str, family: str, size: float, column: float) -> bool:
    """True when the paragraph's last line may hold one character alone (at any width of `_room`)."""
    for width in _room(column):
        lines = wrap(paragraph, family, size, width)
        if len(lines) > 1 and sum(ch.isalnum() for ch in lines[-1]) <= 1:
            return True
    return False


def unorphaned(text: str, family: str, size: float, column: float) -> str:
    """`text` for a wrapping cell of a column `column` points wide in which no line holds one
    character alone, whichever program prints it (`_room`): a paragraph whose last line might gets
    a line break of its own before its last words, at a space or between words (jieba), so that its
    last line holds a whole word or more ("塔河林业局 电工班" / "长" becomes "塔河林业局" / "电工班长")."""
    out = []
    for paragraph in text.split("\n"):
        if _orphaned(paragraph, family, size, column):
            paragraph = _break_before_last_words(paragraph, family, size, column)
        out.append(paragraph)
    return "\n".join(out)


def _break_before_last_words(paragraph: str, family: str, size: float, column: float) -> str:
    """The paragraph with a line break before its last words: at the latest space, else at the
    latest word boundary, that leaves a last line of two or more characters fitting the cell and no
    orphan before it; unchanged when there is none."""
    from pipeline.render.wordbreak import runs

    groups = runs(paragraph)
    cuts = range(len(groups) - 1, 0, -1)
    for cut in [c for c in cuts if groups[c].isspace()] + [c for c in cuts if not groups[c].isspace()]:
        head, tail = "".join(groups[:cut]).rstrip(), "".join(groups[cut:]).strip()
        if text_width(tail, family, size) > column - CELL_PAD_X:
            continue  # the last line would wrap itself
        if head and sum(ch.isalnum() for ch in tail) >= 2 and not _orphaned(head, family, size, column):
            return f"{head}\n{tail}"
    return paragraph


def cell_text(cell: Any) -> str:
    """The text a cell prints (numbers with their number format; a formula as its widest result)."""
    value = cell.value
    if value is None:
        return ""
    fmt = str(cell.number_format or "General")
    if cell.data_type == "f":  # our own formulas: totals
        return "100.00"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        decimals = len(fmt.split(".", 1)[1].rstrip(";")) if "." in fmt else 0
        grouped = "," in fmt
        if isinstance(value, float) or decimals:
            return f"{value:{',' if grouped else ''}.{decimals}f}" if decimals or fmt != "General" else f"{value:g}"
        return f"{value:{',' if grouped else ''}d}"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _font(cell: Any) -> tuple[str, float]:
    font = cell.font
    return (font.name or "Calibri"), float(font.sz or 11)


def column_points(ws: Worksheet, column: int) -> float:
    """The width in points a column prints at scale 1."""
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions.get(get_column_letter(column))
    width = dim.width if dim is not None and dim.width else 8.43
    return float(width) * PT_PER_WIDTH


def printable_width(ws: Worksheet) -> float:
    """Points across the paper between the left and right margins, in the sheet's orientation."""
    short, long = PAPER_MM.get(int(ws.page_setup.paperSize or 9), PAPER_MM[9])
    across = long if ws.page_setup.orientation == "landscape" else short
    margins = float(ws.page_margins.left or 0.7) + float(ws.page_margins.right or 0.7)
    return across / 25.4 * 72 - margins * 72


def print_scale(ws: Worksheet) -> float:
    """The factor fit-to-width prints the sheet at (1 when it fits as it is)."""
    total = sum(column_points(ws, c) for c in range(1, ws.max_column + 1))
    return min(1.0, printable_width(ws) / total) if total else 1.0


def _spans(ws: Worksheet) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Top-left (row, column) of every merged range → (columns, rows) it spans; the hidden cells."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    hidden: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_col - rng.min_col + 1, rng.max_row - rng.min_row + 1)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    hidden.add((r, c))
    return spans, hidden


def needed_height(ws: Worksheet, row: int) -> float:
    """The row height in points that shows every line of every cell of `row`."""
    spans, hidden = _spans(ws)
    return _needed_height(ws, row, spans, hidden)


def _needed_height(ws: Worksheet, row: int, spans: dict[tuple[int, int], tuple[int, int]],
                   hidden: set[tuple[int, int]]) -> float:
    need = 0.0
    for cell in ws[row]:
        col = int(cell.column)
        if (row, col) in hidden:
            continue
        text = cell_text(cell)
        if not text:
            continue
        ncols, nrows = spans.get((row, col), (1, 1))
        if nrows > 1:
            continue
        family, size = _font(cell)
        if cell.alignment is not None and cell.alignment.wrap_text:
            width = sum(column_points(ws, c) for c in range(col, col + ncols)) - CELL_PAD_X
            lines = wrapped_lines(text, family, size, width)
        else:
            lines = text.count("\n") + 1
        need = max(need, lines * line_height(family, size) + CELL_PAD_Y)
    return need


KEEP_WHOLE_HEADERS = frozenset({
    "序号", "编号", "名次", "姓名", "性别", "出生年月", "民族", "政治面貌", "学历", "职称", "技术等级", "职业（工种）",
    "申报方式", "审查结果", "初审结果", "决定", "结果", "总分", "符合条件", "身份证号码", "联系电话", "证书编号",
    "每份页数", "份数", "合计页数", "双面张数（每份）",
})
"""Header texts of the columns whose values never wrap (names, short fields, status words, numbers)."""


def _keeps_whole(header: object) -> bool:
    text = str(header or "")
    return text.split("\n")[0] in KEEP_WHOLE_HEADERS or any(w in text for w in ("金额", "平均分", "加权合计"))


def _unbroken_width(ws: Worksheet, column: int, first_row: int, spans: dict[tuple[int, int], tuple[int, int]],
                    hidden: set[tuple[int, int]], keep_whole: bool) -> float:
    """Points a column needs: its longest line (`keep_whole`), or else its longest unbreakable word."""
    need = 0.0
    for row in range(first_row, table_end(ws, first_row) + 1):
        if (row, column) in hidden or spans.get((row, column), (1, 1))[0] > 1:
            continue
        cell = ws.cell(row, column)
        text = cell_text(cell)
        wraps = cell.alignment is not None and bool(cell.alignment.wrap_text)
        if not text or not (keep_whole or wraps):
            continue  # text that does not wrap may run on into empty cells (signature lines)
        family, size = _font(cell)
        pieces = text.split("\n") if keep_whole else [t for line in text.split("\n") for t in _tokens(line)]
        need = max(need, max(text_width(p, family, size) for p in pieces) + CELL_PAD_X)
    return need


def table_end(ws: Worksheet, body_row: int) -> int:
    """The last row of the table that starts at `body_row`: the row before the first empty one."""
    row = body_row
    while row < ws.max_row and any(c.value is not None for c in ws[row + 1]):
        row += 1
    return row


MODEST_WIDTH = 9.0
"""Width (characters) of a column the office fills in by hand (备注, 问题): room for a short note."""
NOTE_HEADERS = frozenset({"备注", "问题", "说明"})
"""Headers of the columns for a short note, empty when printed; signature and score columns keep their width."""
OUTLIER_EM = 10.0
"""A value of a keep-whole column longer than this many em may wrap before its opening bracket."""


def outlier_pieces(text: str, width_em: float) -> list[str]:
    """A value of a column that never wraps → the pieces a line may break between: the whole
    value; or, for an outlier wider than `OUTLIER_EM` em, the text before its last opening
    bracket and the bracketed rest ("桦树皮制作技艺", "（民间传统工艺）"). The XLSX lists
    (`fit_sheet`) and the 提名人选名单 PDF break the same values at the same place."""
    at = max(text.rfind("（"), text.rfind("("))
    return [text[:at], text[at:]] if width_em > OUTLIER_EM and at > 0 else [text]


def _break_outlier(text: str, family: str, size: float) -> str:
    """A keep-whole value too long to keep on one line, broken before its last opening bracket
    (`outlier_pieces`); any other value as it is."""
    if "\n" in text:
        return text
    return "\n".join(outlier_pieces(text, text_width(text, family, size) / size))


def _body_cells(ws: Worksheet, column: int, first_row: int, last_row: int,
                spans: dict[tuple[int, int], tuple[int, int]], hidden: set[tuple[int, int]]) -> list[Any]:
    """The single-column cells of `column` in the table body that print text."""
    return [ws.cell(row, column) for row in range(first_row, last_row + 1)
            if (row, column) not in hidden and spans.get((row, column), (1, 1))[0] == 1
            and cell_text(ws.cell(row, column))]


def _balance(ws: Worksheet, columns: list[int], budget: float, first_row: int, last_row: int,
             spans: dict[tuple[int, int], tuple[int, int]], hidden: set[tuple[int, int]]) -> None:
    """Share `budget` points among the wrapping `columns` (each already at its floor) so that the
    table's body is as short as it can be: each step widens the column that saves the most height
    per point, until no widening saves height or the budget is spent; then width moves from one
    column to another while that shortens the table."""
    from openpyxl.utils import get_column_letter

    step = PT_PER_WIDTH
    width = {c: column_points(ws, c) for c in columns}
    others = [c for c in range(1, ws.max_column + 1) if c not in width]
    fixed: dict[int, float] = {}
    cells: dict[int, list[tuple[int, str, str, float, float]]] = {c: [] for c in columns}
    for row in range(first_row, last_row + 1):
        need = 0.0
        for c in others:
            if (row, c) in hidden or spans.get((row, c), (1, 1)) != (1, 1):
                continue
            cell = ws.cell(row, c)
            text = cell_text(cell)
            if not text:
                continue
            family, size = _font(cell)
            lines = (wrapped_lines(text, family, size, column_points(ws, c) - CELL_PAD_X)
                     if cell.alignment is not None and cell.alignment.wrap_text else text.count("\n") + 1)
            need = max(need, lines * line_height(family, size))
        fixed[row] = need
        for c in columns:
            if (row, c) in hidden or spans.get((row, c), (1, 1)) != (1, 1):
                continue
            cell = ws.cell(row, c)
            text = cell_text(cell)
            if text:
                family, size = _font(cell)
                cells[c].append((row, text, family, size, line_height(family, size)))

    @functools.cache
    def lines_at(c: int, i: int, w: float) -> float:
        row, text, family, size, pitch = cells[c][i]
        return wrapped_lines(text, family, size, w - CELL_PAD_X) * pitch

    def total(trial: dict[int, float]) -> float:
        """The body's height, plus a tenth of every cell's own height: a row whose height two
        columns set together then gets shorter one widening after the other."""
        heights = dict(fixed)
        cells_total = 0.0
        for c, w in trial.items():
            for i, (row, *_rest) in enumerate(cells[c]):
                own = lines_at(c, i, w)
                heights[row] = max(heights[row], own)
                cells_total += own
        return sum(heights.values()) + 0.1 * cells_total

    current = total(width)
    while budget >= step:
        best: tuple[float, int, float] | None = None
        for c in columns:
            for k in range(1, int(budget // step) + 1):
                saved = current - total({**width, c: width[c] + k * step})
                if saved > 0.5:
                    if best is None or saved / k > best[0]:
                        best = (saved / k, c, k * step)
                    break
        if best is None:
            break
        _, c, extra = best
        width[c] += extra
        budget -= extra
        current = total(width)
    least = {c: column_points(ws, c) for c in columns}
    while True:  # then move width between the columns while that shortens the table
        moves = [{**width, a: width[a] - k * step, b: width[b] + k * step}
                 for a in columns for b in columns if a != b
                 for k in range(1, int((width[a] - least[a]) // step) + 1)]
        trial = min(moves, key=total, default=None)
        if trial is None or total(trial) > current - 0.5:
            break
        width, current = trial, total(trial)
    for c, points in width.items():
        ws.column_dimensions[get_column_letter(c)].width = round(points / PT_PER_WIDTH, 1)


def fit_sheet(ws: Worksheet, *, body_row: int, keep_whole: Iterable[int] = ()) -> None:
    """Choose column widths and row heights so the sheet prints at full size, as few pages tall as
    the paper allows, and nothing is cut.

    Columns in `keep_whole` (1-based) and those headed by a `KEEP_WHOLE_HEADERS` text (names,
    dates, status words, amounts) get the width of their longest value from `body_row` down, so it
    never wraps; only an outlier longer than `OUTLIER_EM` em wraps, before its opening bracket. An
    empty column (备注, 问题: the office writes in it) gets `MODEST_WIDTH`. The columns of long text
    (工作单位及职务) start at their longest unbreakable word and share the rest of the paper's width
    so that the rows are as short as they can be (`_balance`). When the columns are wider than the
    paper even so, the other columns give up width (never below their longest unbreakable word) so
    that fit-to-width need not shrink the type. Then a wrapping cell whose last line would hold one
    character alone, in our measure or in the wider columns LibreOffice and Excel print
    (`WIDTH_SPREAD`), breaks before its last words (`unorphaned`). Last, every row gets the height
    of its tallest cell.
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    spans, hidden = _spans(ws)
    ncol = ws.max_column
    last = table_end(ws, body_row)
    keep = set(keep_whole) | {c for c in range(1, ncol + 1)
                              if body_row > 1 and _keeps_whole(ws.cell(body_row - 1, c).value)}
    for col in keep:
        for cell in _body_cells(ws, col, body_row, last, spans, hidden):
            if isinstance(cell.value, str) and cell.data_type == "s":
                put(ws, cell.row, cell.column, _break_outlier(cell.value, *_font(cell)))
    floor: dict[int, float] = {}
    balanced: list[int] = []
    for col in range(1, ncol + 1):
        letter = get_column_letter(col)
        floor[col] = _unbroken_width(ws, col, body_row, spans, hidden, col in keep)
        body = _body_cells(ws, col, body_row, last, spans, hidden)
        if col in keep:
            for cell in body:
                if cell.alignment.wrap_text and "\n" not in str(cell.value):
                    cell.alignment = Alignment(horizontal=cell.alignment.horizontal,
                                               vertical=cell.alignment.vertical, wrap_text=False)
            if body and body_row > 1:  # as wide as the values, the header folding after 7 characters
                header = ws.cell(body_row - 1, col)
                family, size = _font(header)
                head = max(min(text_width(line, family, size), 7 * size) for line in cell_text(header).split("\n"))
                head += CELL_PAD_X
                ws.column_dimensions[letter].width = math.ceil(max(floor[col], head) / PT_PER_WIDTH * 10) / 10
                continue
        elif not body and last > body_row and body_row > 1 \
                and cell_text(ws.cell(body_row - 1, col)).split("\n")[0] in NOTE_HEADERS:
            header = ws.cell(body_row - 1, col)
            word = max((text_width(t, *_font(header)) for t in _tokens(cell_text(header))), default=0.0)
            modest = max(MODEST_WIDTH, math.ceil((word + CELL_PAD_X) / PT_PER_WIDTH * 10) / 10)
            ws.column_dimensions[letter].width = min(column_points(ws, col) / PT_PER_WIDTH, modest)
            continue
        elif any(cell.alignment is not None and cell.alignment.wrap_text for cell in body):
            balanced.append(col)  # from its longest word and one character of slack
            ws.column_dimensions[letter].width = math.ceil(floor[col] / PT_PER_WIDTH * 10) / 10 + 1
            continue
        if floor[col] > column_points(ws, col):
            ws.column_dimensions[letter].width = math.ceil(floor[col] / PT_PER_WIDTH * 10) / 10
    excess = sum(column_points(ws, c) for c in range(1, ncol + 1)) - printable_width(ws)
    if excess > 0:
        give = {c: column_points(ws, c) - floor[c] for c in range(1, ncol + 1) if c not in keep}
        spare = sum(max(0.0, g) for g in give.values())
        if spare > 0:
            share = min(1.0, excess / spare)
            for c, g in give.items():
                if g > 0:
                    points = column_points(ws, c) - g * share
                    ws.column_dimensions[get_column_letter(c)].width = math.floor(points / PT_PER_WIDTH * 10) / 10
    elif balanced:
        _balance(ws, balanced, -excess, max(1, body_row - 1), last, spans, hidden)
    for row in range(1, ws.max_row + 1):  # no line of one character alone in any wrapping cell
        for col in range(1, ncol + 1):
            cell = ws.cell(row, col)
            ncols, nrows = spans.get((row, col), (1, 1))
            if ((row, col) in hidden or nrows > 1 or (col in keep and body_row <= row <= last)
                    or cell.data_type != "s" or cell.alignment is None or not cell.alignment.wrap_text):
                continue
            points = sum(column_points(ws, c) for c in range(col, col + ncols))
            text = unorphaned(cell.value, *_font(cell), points)
            if text != cell.value:
                put(ws, row, col, text)
    for row in range(1, ws.max_row + 1):
        need = _needed_height(ws, row, spans, hidden)
        if need:
            dim = ws.row_dimensions[row]
            dim.height = max(float(dim.height or 0), math.ceil(need))
