"""Deterministic Office files: XLSX and DOCX are ZIPs whose entries carry timestamps.

`fixed_zip` rewrites a ZIP with every entry dated at the run's source date and in a stable
order, so the same input gives byte-identical files (SPEC.md §9).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import atomic

if TYPE_CHECKING:
    from openpyxl import Workbook
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
