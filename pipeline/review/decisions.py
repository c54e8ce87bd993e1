"""The office's decision sheets: `<edition>/review/初审.xlsx` and `<edition>/review/决定.xlsx`.

初审.xlsx   every nominee with the check status; the office writes 通过 / 不通过 and a remark.
决定.xlsx   written only when a tie crosses the cut-off: the tied nominees; the leading group
            writes 入选 / 不入选.

Both are written pre-filled when missing (or still blank) and never overwritten once someone
has filled in a decision. Reading tolerates what people do in Excel: re-sorted rows, blank
rows, a number typed for a 编号 ('1' for '001'), full-width characters and stray spaces.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.render import office
from pipeline.review.problems import Problem

PRELIMINARY_FILE = "初审.xlsx"
PRELIMINARY_SHEET = "初审"
PASS, FAIL = "通过", "不通过"
DECISION_FILE = "决定.xlsx"
DECISION_SHEET = "决定"
IN, OUT = "入选", "不入选"
HEADER_SCAN_ROWS = 10


def clean(value: Any) -> str:
    """A cell value as normalised text: NFKC, no spaces; '' for empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


@dataclass(frozen=True)
class Row:
    """One nominee row of a decision sheet as written."""

    code: str
    """编号."""
    values: tuple[Any, ...]
    """Cell values in column order."""


def _styled_sheet(ws: Any, title: str, note: str, header: Sequence[tuple[str, float]],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Title, note, header and rows with borders, fonts and A4 landscape print set-up."""
    from openpyxl.styles import Alignment, Font

    _, border = office.list_heading(ws, title, header, note=note)
    for r, values in enumerate(rows, start=4):
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.font = Font(name="仿宋", size=11)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cell.border = border
    office.print_setup(ws, title_rows="3:3", freeze="A4")


def _choice(ws: Any, column: str, first: int, last: int, choices: Sequence[str], prompt: str) -> None:
    """A drop-down list on column rows first..last, highlighted as the cells to fill."""
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                        showErrorMessage=True, showInputMessage=True,
                        errorTitle="请从列表中选择", error=f"只能填写：{'、'.join(choices)}",
                        promptTitle="请选择", prompt=prompt)
    ws.add_data_validation(dv)
    if last >= first:
        dv.add(f"{column}{first}:{column}{last}")
    for r in range(first, last + 1):
        ws[f"{column}{r}"].fill = PatternFill("solid", fgColor="FFF2CC")


# ---- 初审.xlsx -----------------------------------------------------------------------------

PRELIMINARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("编号", 8), ("姓名", 10), ("工作单位及职务", 34), ("职业（工种）", 14), ("申报方式", 10),
    ("审查结果", 12), ("审查问题", 40), ("初审结果", 10), ("备注", 24),
)


def write_preliminary(target: Path, title: str, limit: int, rows: Sequence[Sequence[Any]],
                      when: dt.datetime) -> None:
    """初审.xlsx pre-filled: rows are (序号, 编号, 姓名, 单位, 职业, 申报方式, 审查结果, 审查问题)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = PRELIMINARY_SHEET
    note = (f"请在“初审结果”列填写“{PASS}”或“{FAIL}”（黄色单元格）。审查结果为“不合格”的人选不能通过；"
            f"通过人数最多 {limit} 人（候选人数与选拔人数按2：1比例确定，参选人数最多为40人）。填好后保存，"
            "再运行 make shortlist。")
    _styled_sheet(ws, f"{title}初审结果", note, PRELIMINARY_COLUMNS, [list(r) + ["", ""] for r in rows])
    _choice(ws, "I", 4, 3 + len(rows), (PASS, FAIL), f"填写“{PASS}”或“{FAIL}”")
    office.save_workbook(wb, target, when)


@dataclass(frozen=True)
class SheetTable:
    """A decision sheet read back: header columns and data rows by 编号."""

    sheet: str
    """Worksheet name."""
    columns: dict[str, int]
    """Header text → column number (1-based)."""
    rows: tuple[tuple[int, dict[str, Any]], ...]
    """(row number, {header: value}) for every non-empty data row."""


def read_table(path: Path, rel: str, want: Sequence[str], sheet_name: str
               ) -> tuple[SheetTable | None, list[Problem]]:
    """Read the first sheet (or `sheet_name`) with a header row holding every column of `want`."""
    from openpyxl import load_workbook

    from pipeline.core.filelimits import zip_problem

    refusal = zip_problem(path)  # a decompression bomb is refused before openpyxl inflates it
    if refusal is not None and refusal.code:
        return None, [Problem("SHEET_UNREADABLE", rel, "", "", refusal.message,
                              "只保留表格内容（删除图片等大件内容），另存为 .xlsx")]
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken or non-XLSX file
        return None, [Problem("SHEET_UNREADABLE", rel, "", "", f"无法打开：{type(exc).__name__}: {exc}",
                              "用 Excel 或 WPS 另存为 .xlsx 格式（不要加密码）")]
    ws = wb[sheet_name] if sheet_name in wb.sheetnames else wb.worksheets[0]
    header_row, columns = 0, {}
    for r in range(1, HEADER_SCAN_ROWS + 1):
        found = {clean(ws.cell(r, c).value): c for c in range(1, ws.max_column + 1)}
        found = {k.replace("(", "（").replace(")", "）"): v for k, v in found.items() if k}
        if all(w in found for w in want):
            header_row, columns = r, found
            break
    if not header_row:
        return None, [Problem("SHEET_HEADER_MISSING", rel, ws.title, f"A1:J{HEADER_SCAN_ROWS}",
                              f"找不到表头（需要列：{'、'.join(want)}）",
                              "恢复表头行，或删除该文件后重新运行以重新生成")]
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        values = {name: ws.cell(r, c).value for name, c in columns.items()}
        if any(clean(v) for v in values.values()):
            rows.append((r, values))
    return SheetTable(ws.title, columns, tuple(rows)), []


def match_code(value: Any, codes: Sequence[str]) -> str | None:
    """The roster 编号 a cell means: exact text, or the same number ('1' for '001')."""
    text = clean(value)
    if text in codes:
        return text
    if text.isdigit():
        same = [c for c in codes if c.isdigit() and int(c) == int(text)]
        if len(same) == 1:
            return same[0]
    return None


def is_filled(path: Path, column: str, extra: str = "") -> bool:
    """True when any data cell of `column` (or of `extra`) holds something."""
    table, problems = read_table(path, path.name, ("编号", column), "")
    if table is None:
        return True  # unreadable: never overwrite it
    return any(clean(values.get(column)) or (extra and clean(values.get(extra)))
               for _, values in table.rows)


@dataclass(frozen=True)
class Preliminary:
    """The office's 初审 decisions as read from 初审.xlsx."""

    passed: tuple[str, ...]
    """编号 of the nominees marked 通过, in roster order."""
    failed: dict[str, str]
    """编号 → 备注 of the nominees marked 不通过."""
    remarks: dict[str, str]
    """编号 → 备注 of every nominee with a remark."""


def read_preliminary(path: Path, rel: str, codes: Sequence[str], names: dict[str, str],
                     blocked: dict[str, str], limit: int, limit_text: str) -> tuple[Preliminary, list[Problem]]:
    """初审.xlsx → Preliminary and every problem (unknown, duplicate or missing 编号, bad value, too many)."""
    table, problems = read_table(path, rel, ("编号", "初审结果"), PRELIMINARY_SHEET)
    empty = Preliminary((), {}, {})
    if table is None:
        return empty, problems
    sheet = table.sheet
    code_col = _letter(table.columns["编号"])
    result_col = _letter(table.columns["初审结果"])
    seen: dict[str, int] = {}
    passed: set[str] = set()
    failed: dict[str, str] = {}
    remarks: dict[str, str] = {}
    for r, values in table.rows:
        code = match_code(values.get("编号"), codes)
        if code is None:
            problems.append(Problem(
                "PRELIMINARY_UNKNOWN", rel, sheet, f"{code_col}{r}",
                f"编号“{clean(values.get('编号'))}”不在名册中",
                "改正编号，或删除这一行"))
            continue
        if code in seen:
            problems.append(Problem(
                "PRELIMINARY_DUPLICATE", rel, sheet, f"{code_col}{r}",
                f"编号 {code}（{names[code]}）出现了两次（另一次在第 {seen[code]} 行）",
                "删除重复的一行"))
            continue
        seen[code] = r
        decision = clean(values.get("初审结果"))
        remark = str(values.get("备注") or "").strip()
        if remark:
            remarks[code] = remark
        if decision == PASS:
            if code in blocked:
                problems.append(Problem(
                    "PRELIMINARY_BLOCKED", rel, sheet, f"{result_col}{r}",
                    f"{code} {names[code]} 的审查结果有错误（{blocked[code]}），不能通过初审",
                    f"先按审查报告改正材料并重新运行 make check，或改填“{FAIL}”"))
            else:
                passed.add(code)
        elif decision == FAIL:
            failed[code] = remark
        elif not decision:
            problems.append(Problem(
                "PRELIMINARY_EMPTY", rel, sheet, f"{result_col}{r}",
                f"{code} {names[code]} 的初审结果未填写",
                f"填写“{PASS}”或“{FAIL}”"))
        else:
            problems.append(Problem(
                "PRELIMINARY_VALUE", rel, sheet, f"{result_col}{r}",
                f"{code} {names[code]} 的初审结果“{decision}”无法识别",
                f"只能填写“{PASS}”或“{FAIL}”"))
    missing = [c for c in codes if c not in seen]
    if missing:
        problems.append(Problem(
            "PRELIMINARY_MISSING", rel, sheet, f"{code_col}:{code_col}",
            f"名册中的 {len(missing)} 人没有出现在初审表中：{'、'.join(f'{c} {names[c]}' for c in missing)}",
            "为他们各补一行并填写初审结果（或删除该文件，重新运行 make shortlist 生成新表）"))
    if len(passed) > limit:
        problems.append(Problem(
            "SHORTLIST_TOO_LONG", rel, sheet, f"{result_col}:{result_col}",
            f"初审通过 {len(passed)} 人，超过上限 {limit} 人（{limit_text}）",
            f"只保留 {limit} 人为“{PASS}”，其余改为“{FAIL}”"))
    ordered = tuple(c for c in codes if c in passed)
    return Preliminary(ordered, failed, remarks), problems


def _letter(column: int) -> str:
    """Column number → letter (1 → 'A')."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


# ---- 决定.xlsx -----------------------------------------------------------------------------

DECISION_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("编号", 8), ("姓名", 10), ("工作单位及职务", 36), ("总分", 10), ("决定", 10), ("说明", 30),
)


def write_decision(target: Path, title: str, slots: int, rows: Sequence[Sequence[Any]],
                   when: dt.datetime) -> None:
    """决定.xlsx listing the tied nominees: rows are (序号, 编号, 姓名, 单位, 总分 text)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DECISION_SHEET
    note = (f"以下 {len(rows)} 名候选人总分相同，并列在入选线上，只剩 {slots} 个名额。请领导小组研究决定："
            f"在“决定”列填写“{IN}”（共 {slots} 人）或“{OUT}”，在“说明”列写明依据，保存后重新运行 make results。")
    _styled_sheet(ws, f"{title}专家评审并列人选决定", note, DECISION_COLUMNS, [list(r) + ["", ""] for r in rows])
    _choice(ws, "F", 4, 3 + len(rows), (IN, OUT), f"填写“{IN}”或“{OUT}”")
    office.save_workbook(wb, target, when)


@dataclass(frozen=True)
class Decision:
    """The leading group's decision on one tied nominee."""

    code: str
    """编号."""
    selected: bool
    """入选 or not."""
    total: str
    """The 总分 as written in the sheet (to notice scores that changed since)."""
    reason: str
    """说明."""
    cell: str
    """The 决定 cell, for messages."""


def read_decision(path: Path, rel: str, codes: Sequence[str]) -> tuple[dict[str, Decision], list[Problem]]:
    """决定.xlsx → decisions by 编号, and every problem (unknown 编号, bad or empty value)."""
    table, problems = read_table(path, rel, ("编号", "总分", "决定"), DECISION_SHEET)
    if table is None:
        return {}, problems
    decisions: dict[str, Decision] = {}
    decision_col = _letter(table.columns["决定"])
    code_col = _letter(table.columns["编号"])
    for r, values in table.rows:
        code = match_code(values.get("编号"), codes)
        if code is None:
            problems.append(Problem("DECISION_UNKNOWN", rel, table.sheet, f"{code_col}{r}",
                                    f"编号“{clean(values.get('编号'))}”不在提名人选名单中", "改正编号，或删除这一行"))
            continue
        value = clean(values.get("决定"))
        if value not in (IN, OUT):
            problems.append(Problem(
                "DECISION_VALUE", rel, table.sheet, f"{decision_col}{r}",
                f"{code} 的决定{'未填写' if not value else f'“{value}”无法识别'}", f"填写“{IN}”或“{OUT}”"))
            continue
        total = values.get("总分")
        total_text = f"{total:.2f}" if isinstance(total, int | float) else clean(total)
        decisions[code] = Decision(code, value == IN, total_text, str(values.get("说明") or "").strip(),
                                   f"{decision_col}{r}")
    return decisions, problems
