"""打印清单.xlsx: every bound packet with its page count and copies, for the print room, and the file to
e-mail (the print master itself when it is within the e-mail budget)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.render import office

EMAIL_IS_MASTER = "同打印版（该文件即电子版）"
"""The 电子版 column when the print master is within the e-mail budget and no separate copy is written."""


@dataclass(frozen=True)
class PrintRow:
    """One packet on the print list."""

    code: str
    """编号."""
    name: str
    """姓名."""
    recommender: str
    """推荐单位."""
    file: str
    """File name of the print master."""
    pages: int
    """Pages of one copy."""
    copies: int
    """Copies to print (一式五份)."""
    email: str = ""
    """The separate e-mail copy (path under packets/), '' when the print master is the e-mail copy."""


def print_list_xlsx(rows: Sequence[PrintRow], title: str, when: dt.datetime) -> bytes:
    """Packets + sheet title + document date → 打印清单.xlsx bytes (deterministic)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "打印清单"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    headers = ("序号", "编号", "姓名", "推荐单位", "文件", "每份页数", "份数", "双面张数（每份）", "合计页数",
               "电子版（发送用）")
    widths = (6, 10, 10, 34, 40, 10, 6, 16, 10, 40)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    office.put(ws, 1, 1, title).font = Font(name="黑体", size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = office.put(ws, 2, col, text)
        cell.font = Font(name="黑体", size=11)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    total_pages = 0
    for i, row in enumerate(rows, start=1):
        sheets = (row.pages + 1) // 2
        values = (i, row.code, row.name, row.recommender, row.file, row.pages, row.copies, sheets,
                  row.pages * row.copies, row.email or EMAIL_IS_MASTER)
        total_pages += row.pages * row.copies
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, i + 2, col, value)
            cell.border = border
            cell.font = Font(name="仿宋", size=11)
            cell.alignment = Alignment(vertical="center", wrap_text=col in (4, 5, 10),
                                       horizontal="left" if col in (4, 5, 10) else "center")
    last = len(rows) + 3
    office.put(ws, last, 1, "合计").font = Font(name="黑体", size=11)
    office.put(ws, last, 3, f"{len(rows)} 人")
    office.put(ws, last, 9, total_pages)
    for col in range(1, len(headers) + 1):
        ws.cell(last, col).border = border
    office.print_setup(ws, title_rows="2:2", freeze="A3")
    naive = when.replace(tzinfo=None)
    wb.properties.creator = "xingan-nengshou"
    wb.properties.lastModifiedBy = "xingan-nengshou"
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.title = title
    out = io.BytesIO()
    # openpyxl's save() stamps the current time into docProps/core.xml; its writer does not.
    ExcelWriter(wb, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return office.fixed_zip(out.getvalue(), when)
