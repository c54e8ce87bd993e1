"""Deterministic Office files: XLSX and DOCX are ZIPs whose entries carry timestamps.

`fixed_zip` rewrites a ZIP with every entry dated at the run's source date and in a stable
order, so the same input gives byte-identical files (SPEC.md §9).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import atomic

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Border
    from openpyxl.worksheet.worksheet import Worksheet


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same ZIP with fixed entry dates and attributes."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fix_core_dates(content, when)
            dst.writestr(entry, content)
    return out.getvalue()


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fix_core_dates(xml: bytes, when: dt.datetime) -> bytes:
    """Set dcterms:created/modified in docProps/core.xml (writers stamp the current time)."""
    iso = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_DATE.sub(lambda m: m.group(1) + iso + m.group(2), xml)


def save_workbook(wb: Workbook, target: Path, when: dt.datetime) -> None:
    """Save an openpyxl workbook atomically and reproducibly."""
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = "xingan-nengshou"
    wb.properties.lastModifiedBy = "xingan-nengshou"
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic.write_bytes(target, fixed_zip(buffer.getvalue(), when))


def print_setup(ws: Worksheet, *, title_rows: str, freeze: str | None = None,
                orientation: str = "landscape") -> None:
    """Print set-up of a list: A4, one page wide, header rows repeated on every page, page numbers."""
    if freeze:
        ws.freeze_panes = freeze
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


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
    ws.cell(1, 1, title).font = Font(name="黑体", size=16, bold=title_bold)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    header = 2
    if note is not None:
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        ws.cell(2, 1, note).font = Font(name="仿宋", size=note_size)
        ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[2].height = note_height
        header = 3
    for col, (name, width) in enumerate(columns, start=1):
        cell = ws.cell(header, col, name)
        cell.font = Font(name="黑体", size=header_size, bold=title_bold)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = width
    return header + 1, border
