"""Spreadsheets as they print: row heights, page set-up, printed type size, repeated header.

LibreOffice, WPS and Excel do not reliably fit row heights on open, so every row with text
must carry an explicit height at least as tall as its wrapped text needs. The text is
measured with the advance widths of the font the cell names (resolved through fontconfig
like LibreOffice does; CJK characters are one em), wrapped to the column width, and
multiplied by the font's line height.
"""

from __future__ import annotations

import functools
import math
import subprocess
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.preflight.findings import PreflightFinding
from pipeline.render.fonts import face_metrics

MIN_PRINTED_PT = 9.0
"""Nothing may print below 9 pt (issue 10 §3)."""
DEFAULT_FONT_PT = 11.0
"""Excel's default cell font size."""
MAX_DIGIT_PX = 7
"""Maximum digit width of the default font (Calibri 11) in pixels: the unit of column widths."""
CELL_PADDING_PT = 3.0
"""Left + right inner margin of a cell's text area."""
ROW_PADDING_PT = 1.0
"""Space a row needs beyond its lines of text."""
TOLERANCE_PT = 0.5
PAPER_MM = {9: (210.0, 297.0), 8: (297.0, 420.0), 11: (148.0, 210.0)}
"""openpyxl paperSize → (width, height) in mm, portrait; A4 when unknown."""
CJK_FALLBACK = "sans-serif:lang=zh-cn"


@dataclass(frozen=True)
class FontMetrics:
    """Advance widths and line height of one font face, in ems."""

    widths: dict[int, float]
    """Code point → advance width (em)."""
    line: float
    """Line height (ascent + descent + gap) in em."""

    def width(self, text: str) -> float:
        """Advance width of a text in em: CJK characters are one em."""
        total = 0.0
        for ch in text:
            if unicodedata.east_asian_width(ch) in ("W", "F"):
                total += 1.0
            else:
                total += self.widths.get(ord(ch), 0.55)
        return total


@functools.lru_cache(maxsize=32)
def _font_file(pattern: str) -> tuple[str, int]:
    """fontconfig's file and face index for a pattern."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern], check=True,
                             capture_output=True, text=True).stdout.split("\n")
        return out[0], int(out[1] or 0)
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return "", 0


@functools.lru_cache(maxsize=16)
def _metrics_of(path: str, index: int) -> FontMetrics:
    metrics = face_metrics(path, index)
    upem = metrics.units_per_em
    line = metrics.line
    if metrics.win is not None:
        line = max(line, sum(metrics.win) / upem)
    widths = {code: advance / upem for code, advance in metrics.advances.items()
              if code < 0x2E80}  # CJK is one em anyway; keep the table small
    return FontMetrics(widths, line)


def font_metrics(name: str | None, *, cjk: bool) -> FontMetrics:
    """Metrics of the face LibreOffice would use for a cell font name (CJK text: a CJK face)."""
    pattern = f"{name}:lang=zh-cn" if name else CJK_FALLBACK
    path, index = _font_file(pattern)
    if cjk and path and "CJK" not in path and "cjk" not in path.lower():
        path, index = _font_file(CJK_FALLBACK)
    if not path:
        return FontMetrics({}, 1.45 if cjk else 1.22)
    return _metrics_of(path, index)


def column_points(width: float | None) -> float:
    """A column width in characters (Excel's unit) → points."""
    if width is None:
        return 64 * 0.75  # the default column: 8 digits plus padding, 64 px
    w = float(width)
    pixels = math.trunc(((256 * w + math.trunc(128 / MAX_DIGIT_PX)) / 256) * MAX_DIGIT_PX)
    return pixels * 0.75


def wrapped_lines(text: str, metrics: FontMetrics, size: float, width_pt: float) -> int:
    """Lines a text takes when wrapped to width_pt (breaks allowed between any characters)."""
    available = max(width_pt - CELL_PADDING_PT, size)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for ch in paragraph:
            w = metrics.width(ch) * size
            if used + w > available + 0.01 and used > 0:
                lines += 1
                used = 0.0
            used += w
    return lines


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _cell_text(cell: Any) -> str:
    """What a cell prints, as far as it can be known without evaluating: nothing for a formula."""
    value = cell.value
    if value is None or cell.data_type == "f":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_cells(ws: Any) -> Iterator[tuple[Any, str]]:
    for row in ws.iter_rows():
        for cell in row:
            text = _cell_text(cell)
            if text.strip():
                yield cell, text


def _printed_columns(ws: Any) -> tuple[int, int]:
    """First and last printed column (print area or used range)."""
    from openpyxl.utils.cell import range_boundaries

    area = ws.print_area
    if area:
        first = area[0] if isinstance(area, list | tuple) else str(area).split(",")[0]
        ref = first.split("!")[-1].replace("$", "")
        try:
            min_col, _r, max_col, _r2 = range_boundaries(ref)
            if min_col and max_col:
                return int(min_col), int(max_col)
        except ValueError:
            pass
    return 1, ws.max_column


def sheet_findings(ws: Any, rel: str, unbreakable: Mapping[str, str] | None = None) -> list[PreflightFinding]:
    """Findings of one worksheet; `unbreakable` maps names and short field values to their label
    ('姓名', '技术等级' …): a cell holding one of them must fit it on one line."""
    from openpyxl.utils import get_column_letter

    findings: list[PreflightFinding] = []
    name = ws.title
    widths = {c: column_points(ws.column_dimensions[get_column_letter(c)].width
                               if get_column_letter(c) in ws.column_dimensions else None)
              for c in range(1, ws.max_column + 1)}
    merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))

    need: dict[int, tuple[float, str, str]] = {}
    smallest: tuple[float, str] | None = None
    for cell, text in _sheet_cells(ws):
        r, c = cell.row, cell.column
        if (r, c) in covered or ws.column_dimensions[get_column_letter(c)].hidden:
            continue
        size = float(cell.font.sz or DEFAULT_FONT_PT) if cell.font is not None else DEFAULT_FONT_PT
        if smallest is None or size < smallest[0]:
            smallest = (size, f"{get_column_letter(c)}{r}")
        r0, c0, r1, c1 = merged.get((r, c), (r, c, r, c))
        width = sum(widths.get(k, column_points(None)) for k in range(c0, c1 + 1))
        cjk = _has_cjk(text)
        metrics = font_metrics(cell.font.name if cell.font is not None else None, cjk=cjk)
        wrap = bool(cell.alignment is not None and cell.alignment.wrap_text)
        if wrap:
            lines = wrapped_lines(text, metrics, size, width)
            label = (unbreakable or {}).get("".join(text.split()))
            bracketed = "\n" in text and lines == text.count("\n") + 1 and all(
                part[:1] in "（(" for part in text.split("\n")[1:])  # a long value set before its bracket
            if label and lines > 1 and not (bracketed and label != "姓名"):
                code = "PF_NAME_BROKEN" if label == "姓名" else "PF_FIELD_BROKEN"
                findings.append(PreflightFinding(
                    code, rel, f"单元格 {get_column_letter(c)}{r} 的{label}“{text}”在 {width:.0f} 磅宽的栏里要折成 {lines} 行",
                    cell=f"{name}!{get_column_letter(c)}{r}",
                    fix="加宽该列（或缩小该列字号，不小于 9 磅），使其在一行内",
                    data={"field": label, "value": text, "lines": lines, "width_pt": round(width, 1)}))
        else:
            lines = 1
            longest = max(metrics.width(p) * size for p in text.split("\n"))
            neighbour = _cell_text(ws.cell(r, c1 + 1)) if c1 < ws.max_column else "edge"
            if longest > width - CELL_PADDING_PT + 0.5 and neighbour.strip():
                findings.append(PreflightFinding(
                    "PF_CELL_CLIPPED", rel,
                    f"单元格 {get_column_letter(c)}{r} 的文字（{text[:20]}）宽 {longest:.0f} 磅，"
                    f"超出列宽 {width - CELL_PADDING_PT:.0f} 磅且未设自动换行，打印时被截断",
                    cell=f"{name}!{get_column_letter(c)}{r}",
                    data={"text_pt": round(longest, 1), "width_pt": round(width, 1)}))
        if r1 > r0:
            continue  # a cell merged over several rows: its height is the sum of the rows
        needed = lines * size * metrics.line + ROW_PADDING_PT
        if needed > need.get(r, (0.0, "", ""))[0]:
            need[r] = (needed, f"{get_column_letter(c)}{r}", text)

    for r in sorted(need):
        needed, ref, text = need[r]
        height = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        sample = text.replace("\n", " ")[:24]
        if height is None:
            findings.append(PreflightFinding(
                "PF_ROW_HEIGHT", rel, f"第{r}行有文字（{ref}：{sample}）但没有设置行高，需要约 {needed:.0f} 磅",
                cell=f"{name}!{r}", data={"needed_pt": round(needed, 1)}))
        elif float(height) + TOLERANCE_PT < needed:
            findings.append(PreflightFinding(
                "PF_ROW_HEIGHT", rel,
                f"第{r}行行高 {float(height):.0f} 磅，但 {ref} 的文字（{sample}）需要约 {needed:.0f} 磅，打印时会与下一行重叠",
                cell=f"{name}!{r}", data={"height_pt": float(height), "needed_pt": round(needed, 1)}))

    findings += _page_findings(ws, rel, widths, smallest)
    return findings


def _page_findings(ws: Any, rel: str, widths: dict[int, float],
                   smallest: tuple[float, str] | None) -> list[PreflightFinding]:
    """PF_FIT_TO_HEIGHT, PF_FONT_TOO_SMALL, PF_HEADER_NOT_REPEATED of one worksheet."""
    findings: list[PreflightFinding] = []
    name = ws.title
    setup = ws.page_setup
    fit = bool(ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage)
    paper_w, paper_h = PAPER_MM.get(int(setup.paperSize or 9), PAPER_MM[9])
    if setup.orientation == "landscape":
        paper_w, paper_h = paper_h, paper_w
    margins = ws.page_margins
    printable_w = paper_w / 25.4 * 72 - (float(margins.left) + float(margins.right)) * 72
    printable_h = paper_h / 25.4 * 72 - (float(margins.top) + float(margins.bottom)) * 72
    first, last = _printed_columns(ws)
    total_w = sum(widths.get(c, column_points(None)) for c in range(first, last + 1)
                  if not ws.column_dimensions[_letter(c)].hidden)
    total_h = 0.0
    for r in range(1, ws.max_row + 1):
        h = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        total_h += float(h) if h is not None else 15.0
    if fit:
        to_width = setup.fitToWidth if setup.fitToWidth is not None else 1
        to_height = setup.fitToHeight if setup.fitToHeight is not None else 1
        scale = 1.0
        if int(to_width) > 0:
            scale = min(scale, int(to_width) * printable_w / max(total_w, 1.0))
        if int(to_height) > 0:
            scale = min(scale, int(to_height) * printable_h / max(total_h, 1.0))
            findings.append(PreflightFinding(
                "PF_FIT_TO_HEIGHT", rel,
                f"工作表“{name}”打印设置为缩放到 {int(to_height)} 页高（fitToHeight = {int(to_height)}），行多时字会被缩小",
                cell=f"{name}!A1", data={"fitToHeight": int(to_height)}))
    else:
        scale = float(setup.scale or 100) / 100
    if smallest is not None:
        printed = smallest[0] * scale
        if printed + 0.05 < MIN_PRINTED_PT:
            findings.append(PreflightFinding(
                "PF_FONT_TOO_SMALL", rel,
                f"工作表“{name}”按页宽缩放到 {scale:.0%} 后，最小的字（{smallest[1]}，{smallest[0]:g} 磅）"
                f"打印出来只有 {printed:.1f} 磅（表格宽 {total_w / 72 * 25.4:.0f} 毫米，可打印宽度 "
                f"{printable_w / 72 * 25.4:.0f} 毫米）",
                cell=f"{name}!{smallest[1]}",
                data={"scale": round(scale, 3), "printed_pt": round(printed, 2), "font_pt": smallest[0],
                      "table_mm": round(total_w / 72 * 25.4, 1), "printable_mm": round(printable_w / 72 * 25.4, 1)}))
    if total_h * scale > printable_h + 1 and not ws.print_title_rows:
        pages = math.ceil(total_h * scale / printable_h)
        findings.append(PreflightFinding(
            "PF_HEADER_NOT_REPEATED", rel, f"工作表“{name}”打印约 {pages} 页，但没有设置每页重复的表头行",
            cell=f"{name}!1", data={"pages": pages}))
    return findings


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(c))


def workbook_findings(path: Path, rel: str, unbreakable: Mapping[str, str] | None = None) -> list[PreflightFinding]:
    """Findings of every visible worksheet of an XLSX file."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about fixed document dates
        wb = load_workbook(path)
    findings: list[PreflightFinding] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        findings += sheet_findings(ws, rel, unbreakable)
    return findings
