"""Writing rosters for tests: xlsx (openpyxl) or csv in a chosen encoding."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from pipeline.rules.roster import COLUMNS
from tests.conftest import make_id

HEADER = list(COLUMNS)


def row(**overrides: Any) -> dict[str, Any]:
    """A clean roster row (keys are the Chinese column names)."""
    base: dict[str, Any] = {
        "编号": "T01", "姓名": "王建国", "性别": "男", "出生年月": "1980.01", "籍贯": "黑龙江塔河",
        "民族": "汉族", "政治面貌": "中共党员", "学历": "大专", "参加工作时间": "1999.07", "职称": "无",
        "技术等级": "高级技师", "工作单位及职务": "塔河林业局 电工班长", "职业（工种）": "电工",
        "身份证号码": make_id("19800115"), "联系电话": "13904570001", "推荐单位": "塔河林业局",
        "申报方式": "单位推荐", "退休年龄类别": "", "符合条件": "1,5", "负面情形": "",
        "个人简历": "1999.07—至今 塔河林业局 电工", "简要事迹": "长期扎根一线。",
    }
    base.update(overrides)
    return base


def write_xlsx(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None,
               title_row: str | None = None) -> Path:
    """roster.xlsx with an optional title row above the header."""
    header = header or HEADER
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title_row:
        ws.append([title_row])
    ws.append(header)
    for r in rows:
        ws.append([r.get(col) for col in header])
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8", bom: bool = False,
              delimiter: str = ",") -> Path:
    """roster.csv in the given encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow(["" if r.get(col) is None else r.get(col) for col in HEADER])
    data = buffer.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path
