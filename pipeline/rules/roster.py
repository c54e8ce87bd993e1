"""Reading the roster (roster.xlsx or roster.csv) into typed `Candidate`s.

Accepts what offices actually produce: a title row above the header, columns in any order,
extra columns, full-width characters, every usual date form, Excel date cells, CSV in UTF-8
(with or without BOM), GB18030/GBK or UTF-16 ("Unicode 文本"). Problems with a cell become
findings of that row; problems with the file itself raise RosterError (ROSTER_UNREADABLE,
ROSTER_MISSING_COLUMN, ROSTER_EMPTY, ROSTER_AMBIGUOUS, ROSTER_DUPLICATE_COLUMN) because then nothing
can be checked.

Hostile cells never get past this module: invisible control characters are removed
(FIELD_CONTROL_CHAR, warning), a cell longer than `MAX_CHARS` is not used and its row is not
checked further (FIELD_TOO_LONG, error), and an Excel formula without a saved result is not taken
for an empty cell (FIELD_FORMULA, error).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import RosterError
from pipeline.core.model import (
    NOMINATION_SELF,
    NOMINATION_UNIT,
    Candidate,
    Finding,
    Severity,
    YearMonth,
)
from pipeline.core.safepath import CODE_FORMAT, code_problem
from pipeline.rules import normalize
from pipeline.rules.idcard import IdProblem, parse_id

COLUMNS: dict[str, str] = {
    "编号": "code", "姓名": "name", "性别": "gender", "出生年月": "birth", "籍贯": "native_place",
    "民族": "ethnicity", "政治面貌": "political_status", "学历": "education",
    "参加工作时间": "work_start", "职称": "professional_title", "技术等级": "skill_level",
    "工作单位及职务": "unit_and_post", "职业（工种）": "occupation", "身份证号码": "id_number",
    "联系电话": "phone", "推荐单位": "recommender", "申报方式": "nomination",
    "退休年龄类别": "retirement_category", "符合条件": "conditions", "负面情形": "exclusion",
    "个人简历": "resume", "简要事迹": "summary",
}
"""Roster header (docs/input.md) → Candidate field."""

OPTIONAL_COLUMNS = frozenset({"退休年龄类别"})
"""Columns the roster may leave out altogether."""

OPTIONAL_VALUES = frozenset({"职称", "退休年龄类别", "负面情形", "符合条件"})
"""Columns whose cells may be empty (符合条件 empty is CONDITION_NONE, not FIELD_REQUIRED)."""

MULTILINE = frozenset({"个人简历", "简要事迹"})
"""Columns whose cells may hold several lines; elsewhere a line break is read as a space."""

MAX_CHARS: dict[str, int] = {
    "姓名": 30, "性别": 10, "出生年月": 20, "籍贯": 40, "民族": 20, "政治面貌": 30, "学历": 30,
    "参加工作时间": 20, "职称": 30, "技术等级": 30, "工作单位及职务": 60, "职业（工种）": 40,
    "身份证号码": 30, "联系电话": 40, "推荐单位": 60, "申报方式": 10, "退休年龄类别": 10, "符合条件": 40,
    "负面情形": 300, "个人简历": 6000, "简要事迹": 3000,
}
"""Longest value (characters after normalising) each column may hold; longer is FIELD_TOO_LONG.

About twice the longest real value (the stress edition: a 40-character 工作单位及职务, a 60-line
个人简历 of 3 000 characters); 简要事迹 has its own 300-character rule (SUMMARY_TOO_LONG) below this.
编号 is validated by its own rule."""

_ALIASES: dict[str, str] = {
    "序号": "编号", "出生日期": "出生年月", "工作单位和职务": "工作单位及职务", "单位及职务": "工作单位及职务",
    "职业(工种)": "职业（工种）", "职业": "职业（工种）", "工种": "职业（工种）", "身份证号": "身份证号码",
    "公民身份号码": "身份证号码", "电话": "联系电话", "手机": "联系电话", "手机号码": "联系电话",
    "推荐方式": "申报方式", "参工时间": "参加工作时间", "简历": "个人简历", "事迹简介": "简要事迹",
}
"""Header spellings people use for the same column."""

EXAMPLE_CODE = "示例"
"""编号 of the example row of the roster template (申报材料包/推荐人选名册.xlsx): a row with this
编号 is a filled-in example, not a nominee; it is skipped with a ROSTER_EXAMPLE_ROW warning."""

_NONE_WORDS = frozenset({"", "无", "否", "没有", "无此情形", "-", "—", "/", "无。"})


def _header_text(value: object) -> str:
    """A header cell as written, without spaces, control characters, '*' marks; full-width brackets."""
    key, _ = normalize.strip_controls(str(value or ""), multiline=False)
    key = re.sub(r"\s", "", unicodedata.normalize("NFKC", key))
    key = key.replace("(", "（").replace(")", "）")
    return key.replace("*", "").replace("＊", "")


def _header_key(value: object) -> str:
    key = _header_text(value)
    return _ALIASES.get(key, _ALIASES.get(key.replace("（", "(").replace("）", ")"), key))


@dataclass(frozen=True)
class Roster:
    """The roster as read: candidates and the findings made while reading."""

    file: Path
    """roster.xlsx or roster.csv."""
    candidates: tuple[Candidate, ...]
    """One per non-empty row, in roster order."""
    findings: tuple[Finding, ...]
    """FIELD_REQUIRED, FIELD_FORMAT, DUPLICATE_CANDIDATE, ID_* and other row findings."""
    file_findings: tuple[Finding, ...] = ()
    """Warnings about the file itself (ROSTER_DUPLICATE_COLUMN when a column is not read)."""
    skipped_rows: frozenset[int] = frozenset()
    """Rows not checked beyond FIELD_TOO_LONG: a cell was too long to be used."""


def find_roster(edition_path: Path) -> Path:
    """roster.xlsx or roster.csv; RosterError when neither exists, or both (ROSTER_AMBIGUOUS)."""
    found = [edition_path / name for name in ("roster.xlsx", "roster.csv") if (edition_path / name).is_file()]
    if len(found) > 1:
        raise RosterError(
            "届次文件夹中同时有 roster.xlsx 和 roster.csv 两份名册，无法确定以哪一份为准",
            hint="保留正在使用的那一份，把另一份删除或移出届次文件夹（或改名，如“roster-旧.csv”）",
            file="roster.xlsx、roster.csv",
            code="ROSTER_AMBIGUOUS",
        )
    if found:
        return found[0]
    raise RosterError(
        "找不到推荐人选名册 roster.xlsx（或 roster.csv）",
        hint="把名册另存为 roster.xlsx 放在届次文件夹中（列名见 README）",
        file=str(edition_path / "roster.xlsx"),
    )


def _unreadable(path: Path, why: str, hint: str) -> RosterError:
    return RosterError(f"名册无法读取：{why}", hint=hint, file=path.name, code="ROSTER_UNREADABLE")


def _rows_xlsx(path: Path) -> tuple[list[list[Any]], frozenset[tuple[int, int]]]:
    """The first worksheet's values, and (row, column) of every formula whose result was never saved."""
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable(path, "文件设置了打开密码，或是旧版 .xls 格式",
                          "在 Excel/WPS 中取消打开密码，并“另存为” Excel 工作簿（.xlsx）")
    if not head.startswith(b"PK"):
        raise _unreadable(path, "不是 Excel 工作簿（.xlsx）文件",
                          "在 Excel/WPS 中打开名册，“另存为” Excel 工作簿（.xlsx）")
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    from pipeline.core.filelimits import zip_problem

    refusal = zip_problem(path)  # a decompression bomb is refused before openpyxl inflates it
    if refusal is not None and refusal.code:
        raise _unreadable(path, refusal.message, "名册只需文字：删除其中的图片等大件内容，再另存为 .xlsx")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(path, f"文件已损坏（{type(exc).__name__}）", "重新从 Excel/WPS 另存一份 roster.xlsx") from exc
    try:
        # Excel stores a character XML cannot carry (a control character) as '_xHHHH_'; openpyxl
        # leaves that escape in the text, so it is decoded here and FIELD_CONTROL_CHAR sees it.
        rows = [[unescape(v) if isinstance(v, str) else v for v in row]
                for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    return rows, _unsaved_formulas(path, rows)


def _unsaved_formulas(path: Path, rows: list[list[Any]]) -> frozenset[tuple[int, int]]:
    """Cells holding a formula but no saved result (the file was written by a program, not by
    Excel/WPS): read with data_only they look empty, so they are found by a second, formula reading."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        return frozenset(
            (r, c)
            for r, formula_row in enumerate(wb.worksheets[0].iter_rows())
            for c, cell in enumerate(formula_row)
            if cell.data_type == "f" and (r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None)
        )
    finally:
        wb.close()


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOM first, then strict UTF-8, then GB18030 (a superset of GBK)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return raw.decode("gb18030"), "GB18030"


def _rows_csv(path: Path) -> list[list[Any]]:
    """The rows of a CSV file, separated by commas, tabs or semicolons (whichever finds the header)."""
    raw = path.read_bytes()
    if raw.startswith(b"PK") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable(path, "这是 Excel 文件，却以 .csv 命名", "把文件改名为 roster.xlsx")
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _unreadable(path, "文件含有二进制内容，不是文本 CSV", "在 Excel/WPS 中另存为 Excel 工作簿（.xlsx）")
    try:
        content, _encoding = _decode(raw)
    except UnicodeDecodeError as exc:
        raise _unreadable(path, "文字编码无法识别（应为 UTF-8 或 GB18030/GBK）",
                          "在 Excel/WPS 中“另存为” CSV UTF-8 或 Excel 工作簿（.xlsx）") from exc
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content[:4096]))
    limit = csv.field_size_limit()
    # The whole file is in memory already: a long cell is a FIELD_TOO_LONG of its row, not a crash.
    csv.field_size_limit(max(limit, len(content) + 1))
    try:
        return [list(r) for r in reader]
    except csv.Error as exc:
        raise _unreadable(path, f"第{reader.line_num}行不是有效的 CSV（{exc}）",
                          "在 Excel/WPS 中打开名册，“另存为” Excel 工作簿（.xlsx）") from exc
    finally:
        csv.field_size_limit(limit)


def _delimiter(sample: str) -> str:
    """',', tab or ';' (Excel in some locales): the one whose split of the top rows names most columns."""
    def named(delimiter: str) -> int:
        with contextlib.suppress(csv.Error):
            top = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))[:10]
            return max((len({_header_key(c) for c in r} & COLUMNS.keys()) for r in top), default=0)
        return 0

    return max((",", "\t", ";"), key=named)


def read_roster(edition_path: Path) -> Roster:
    """Read and normalise the roster of an edition."""
    path = find_roster(edition_path)
    if path.suffix.lower() == ".xlsx":
        rows, formulas = _rows_xlsx(path)
    else:
        rows, formulas = _rows_csv(path), frozenset()
    if all(_blank(v) for r in rows for v in r):
        raise RosterError("名册是空的：没有表头，也没有任何推荐人选", file=path.name, code="ROSTER_EMPTY",
                          hint="在名册第一行写列名（见 README），从第二行起每行填写一位推荐人选")
    header_index, places = _find_header(path, rows)
    columns, file_findings = _choose_columns(path, rows, header_index, places)
    reader = _RowReader(path.name)
    candidates: list[Candidate] = []
    examples: list[int] = []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {col: (row[i] if i < len(row) else None) for col, i in columns.items()}
        if all(_blank(v) for v in cells.values()) and not any((offset - 1, i) in formulas for i in columns.values()):
            continue
        if normalize.text(cells.get("编号")) == EXAMPLE_CODE:
            examples.append(offset)
            continue
        unsaved = frozenset(col for col, i in columns.items() if (offset - 1, i) in formulas)
        candidates.append(reader.candidate(cells, offset, unsaved))
    file_findings += [_example_note(path, row) for row in examples]
    if not candidates:
        raise RosterError(f"名册中没有推荐人选：表头（第{header_index + 1}行）下面没有填写任何一行"
                          + ("（编号为“示例”的填写示例行不算）" if examples else ""),
                          hint="从表头的下一行起，每行填写一位推荐人选；如名册在其他工作表，把它移到第一个工作表",
                          file=path.name, code="ROSTER_EMPTY")
    reader.duplicates(candidates)
    return Roster(path, tuple(candidates), tuple(reader.findings), tuple(file_findings),
                  frozenset(reader.skipped))


def _example_note(path: Path, row: int) -> Finding:
    """ROSTER_EXAMPLE_ROW: the template's example row (编号 “示例”) is not read as a nominee."""
    return Finding(
        "ROSTER_EXAMPLE_ROW", Severity.warning,
        f"名册第{row}行的编号是“{EXAMPLE_CODE}”：这是名册模板中的填写示例，不作为推荐人选读取",
        f"删除名册第{row}行；如这一行填的是真实的推荐人选，把编号“{EXAMPLE_CODE}”改为正式编号",
        field="编号", file=path.name, row=row)


def read_cells(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """A roster-shaped file (any name: a unit's 推荐人选名册.xlsx, or .csv) → (row number, raw cell
    per column) of every non-empty row under the header; the same header rules and RosterErrors as
    `read_roster`, nothing normalised or checked (pipeline.intake assembles the edition's roster)."""
    if path.suffix.lower() == ".csv":
        rows = _rows_csv(path)
    else:
        rows, _formulas = _rows_xlsx(path)
    if all(_blank(v) for r in rows for v in r):
        raise RosterError("名册是空的：没有表头，也没有任何推荐人选", file=path.name, code="ROSTER_EMPTY",
                          hint="在名册第一行写列名（见 README），从第二行起每行填写一位推荐人选")
    header_index, places = _find_header(path, rows)
    columns, _findings = _choose_columns(path, rows, header_index, places)
    found = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {col: (row[i] if i < len(row) else None) for col, i in columns.items()}
        if not all(_blank(v) for v in cells.values()):
            found.append((number, cells))
    return found


def _blank(value: object) -> bool:
    """True for a cell with nothing visible in it (cheap: no normalising of long text)."""
    if value is None:
        return True
    return isinstance(value, str) and not normalize.strip_controls(value, multiline=True)[0].strip()


def _find_header(path: Path, rows: list[list[Any]]) -> tuple[int, dict[str, list[int]]]:
    """The header row (the first of the top 10 rows naming at least half the columns) and the
    positions of every cell naming each column (more than one when a column is duplicated)."""
    best: tuple[int, dict[str, list[int]]] | None = None
    for index, row in enumerate(rows[:10]):
        columns: dict[str, list[int]] = {}
        for i, cell in enumerate(row):
            key = _header_key(cell)
            if key in COLUMNS:
                columns.setdefault(key, []).append(i)
        if len(columns) >= len(COLUMNS) // 2:
            best = (index, columns)
            break
    if best is None:
        raise _unreadable(path, "找不到表头行（应含“编号”“姓名”“身份证号码”等列名）",
                          "名册第一行（或标题下一行）写列名，列名见 README")
    missing = [c for c in COLUMNS if c not in best[1] and c not in OPTIONAL_COLUMNS]
    if missing:
        raise RosterError(
            f"名册缺少以下列：{'、'.join(missing)}",
            hint="在表头行补上这些列（列名须与 README 中的一致，顺序不限）",
            file=path.name,
            code="ROSTER_MISSING_COLUMN",
        )
    return best


def _choose_columns(path: Path, rows: list[list[Any]], header: int,
                    places: dict[str, list[int]]) -> tuple[dict[str, int], list[Finding]]:
    """One position per column. Where several header cells name the same column (two “姓名”, or
    “手机” next to “联系电话”) and their contents differ in some row: the one named exactly so is
    read, with a ROSTER_DUPLICATE_COLUMN warning; without such a single one, RosterError."""
    from openpyxl.utils import get_column_letter

    columns: dict[str, int] = {}
    findings: list[Finding] = []
    for key, where in places.items():
        columns[key] = where[0]
        if len(where) == 1:
            continue
        differ = [number for number, r in enumerate(rows[header + 1:], start=header + 2)
                  if len({normalize.cell(key, r[i] if i < len(r) else None) for i in where}) > 1]
        if not differ:
            continue  # the same content twice: nothing to choose
        named = "、".join(f"第{get_column_letter(i + 1)}列“{_header_text(rows[header][i])}”" for i in where)
        lines = "、".join(f"第{n}行" for n in differ[:5]) + ("等" if len(differ) > 5 else "")
        exact = [i for i in where if _header_text(rows[header][i]) == key]
        if len(exact) != 1:
            raise RosterError(
                f"名册中有{len(where)}列都是“{key}”：{named}，{lines}这几列的内容不同，无法确定以哪一列为准",
                hint=f"保留正确的一列“{key}”，把其余的列删除或改名（如“备用{key}”，多余的列不读）",
                file=path.name, code="ROSTER_DUPLICATE_COLUMN")
        columns[key] = exact[0]
        findings.append(Finding(
            "ROSTER_DUPLICATE_COLUMN", Severity.warning,
            f"名册中有{len(where)}列都表示“{key}”：{named}，{lines}的内容不同；"
            f"按第{get_column_letter(exact[0] + 1)}列“{key}”读取，其余的列不读",
            f"核对这几行的“{key}”：如另一列才是正确的，把它填入“{key}”列；再把多余的列删除或改名", file=path.name))
    return columns, findings


_FAR_OVER = 8
"""A text cell longer than this many times its limit (+64) is too long even before normalising,
which is not even attempted on it: a 10-million-character 姓名 costs nothing."""


def _screen(cells: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], dict[str, tuple[str, ...]], dict[str, int]]:
    """Cells without control characters, their normalised text, the controls removed per column,
    and the columns too long to use with their length. A too-long cell is read as empty, except
    姓名, shown cut to its limit with '…' so that the report still names the row."""
    clean: dict[str, Any] = {}
    text: dict[str, str] = {}
    controls: dict[str, tuple[str, ...]] = {}
    too_long: dict[str, int] = {}
    for col, value in cells.items():
        limit = MAX_CHARS.get(col)
        if isinstance(value, str):
            if limit is not None and len(value) > _FAR_OVER * limit + 64:
                too_long[col] = len(value)
                value = value[:_FAR_OVER * limit]
            value, found = normalize.strip_controls(value, multiline=col in MULTILINE)
            if found and col not in too_long:
                controls[col] = found
        shown = normalize.cell(col, value)
        if limit is not None and col not in too_long and len(shown) > limit:
            too_long[col] = len(shown)
        if limit is not None and col in too_long:
            shown = shown[:limit] + "…" if col == "姓名" else ""
            value = shown or None
        clean[col], text[col] = value, shown
    return clean, text, controls, too_long


GENDERS: tuple[str, ...] = ("男", "女")
"""The values of 性别 as the roster template offers them (other spellings below are read too)."""
NOMINATIONS: tuple[str, ...] = (NOMINATION_UNIT, NOMINATION_SELF)
"""The values of 申报方式."""

_GENDER = {"男": "男", "女": "女", "男性": "男", "女性": "女", "M": "男", "F": "女"}
_NOMINATION = {NOMINATION_UNIT: NOMINATION_UNIT, NOMINATION_SELF: NOMINATION_SELF, "单位": NOMINATION_UNIT,
               "推荐": NOMINATION_UNIT, "自荐": NOMINATION_SELF, "个人": NOMINATION_SELF,
               "个人申报": NOMINATION_SELF, "单位申报": NOMINATION_UNIT}
_CATEGORY = {"男60": "男60", "女55": "女55", "女50": "女50", "60": "男60", "55": "女55", "50": "女50",
             "男60岁": "男60", "女55岁": "女55", "女50岁": "女50"}


class _RowReader:
    """Turns one row of cells into a Candidate, collecting findings."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self.skipped: list[int] = []

    def _finding(self, code: str, message: str, hint: str, *, code_: str, name: str, field: str, row: int,
                 severity: Severity = Severity.error) -> None:
        self.findings.append(Finding(code, severity, message, hint, code_, name, field, self.file, row))

    def candidate(self, cells: dict[str, Any], row: int, unsaved: frozenset[str] = frozenset()) -> Candidate:
        """The row's Candidate; `unsaved` names the columns whose cell is a formula without a saved result."""
        cells, t, controls, too_long = _screen(cells)
        code, name = t.get("编号", ""), t.get("姓名", "")
        if not code:
            code = f"第{row}行"

        def note(c: str, field: str, message: str, hint: str, severity: Severity = Severity.error) -> None:
            self._finding(c, message, hint, code_=code, name=name, field=field, row=row, severity=severity)

        def report(c: str, field: str, message: str, hint: str, severity: Severity = Severity.error) -> None:
            if not too_long:  # a row with a cell too long to use is not checked further
                note(c, field, message, hint, severity)

        self._screened(note, row, controls, too_long, unsaved)
        if problem := code_problem(code):
            note(CODE_FORMAT, "编号", *problem)

        for col in COLUMNS:
            if col in cells and col not in OPTIONAL_VALUES and col not in unsaved and not t.get(col):
                report("FIELD_REQUIRED", col, f"“{col}”未填写（名册第{row}行）", f"在名册第{row}行填写“{col}”")

        gender = _GENDER.get(t.get("性别", "").upper() if t.get("性别", "") in ("m", "f") else t.get("性别", ""))
        if t.get("性别") and gender is None:
            report("FIELD_FORMAT", "性别", f"性别“{t['性别']}”无法识别", "性别填写“男”或“女”")

        id_number = normalize.id_number(cells.get("身份证号码"))
        id_birth = None
        if id_number:
            with contextlib.suppress(IdProblem):
                id_birth = parse_id(id_number).birth

        birth = self._year_month(cells.get("出生年月"), t.get("出生年月", ""), "出生年月", report,
                                 prefer=YearMonth(id_birth.year, id_birth.month) if id_birth else None)
        work_start = self._year_month(cells.get("参加工作时间"), t.get("参加工作时间", ""), "参加工作时间", report)

        nomination = _NOMINATION.get(t.get("申报方式", ""), "")
        if t.get("申报方式") and not nomination:
            report("FIELD_FORMAT", "申报方式", f"申报方式“{t['申报方式']}”无法识别",
                   f"填写“{NOMINATION_UNIT}”或“{NOMINATION_SELF}”")

        category = None
        raw_category = re.sub(r"\s", "", t.get("退休年龄类别", ""))
        if raw_category:
            category = _CATEGORY.get(raw_category)
            if category is None:
                report("FIELD_FORMAT", "退休年龄类别", f"退休年龄类别“{raw_category}”无法识别",
                       "填写“男60”“女55”或“女50”（女职工按原法定退休年龄，由单位确认）")
            elif gender and category[0] != gender:
                report("FIELD_FORMAT", "退休年龄类别", f"退休年龄类别“{category}”与性别“{gender}”不符",
                       "男职工填“男60”；女职工填“女55”或“女50”")
                category = None

        conditions, bad = normalize.conditions(cells.get("符合条件"))
        if bad:
            report("FIELD_FORMAT", "符合条件", f"符合条件中的“{'、'.join(bad)}”不是条件1至8之一",
                   "填写所符合的选拔条件序号（1至8），多个用逗号分隔，如“1,5”")

        exclusion = t.get("负面情形", "")
        if exclusion in _NONE_WORDS:
            exclusion = ""

        return Candidate(
            code=code, name=name, gender=gender, birth=birth,
            native_place=t.get("籍贯", ""), ethnicity=t.get("民族", ""),
            political_status=t.get("政治面貌", ""), education=t.get("学历", ""), work_start=work_start,
            professional_title=t.get("职称", ""), skill_level=t.get("技术等级", ""),
            unit_and_post=t.get("工作单位及职务", ""), occupation=t.get("职业（工种）", ""),
            id_number=id_number, phone=normalize.phone(cells.get("联系电话")),
            recommender=t.get("推荐单位", ""), nomination=nomination, retirement_category=category,
            conditions=conditions, exclusion=exclusion, resume=t.get("个人简历", ""),
            summary=t.get("简要事迹", ""), row=row,
        )

    def _screened(self, note: Callable[..., None], row: int, controls: dict[str, tuple[str, ...]], too_long: dict[str, int],
                  unsaved: frozenset[str]) -> None:
        """FIELD_TOO_LONG, FIELD_CONTROL_CHAR and FIELD_FORMULA of one row."""
        for col, length in too_long.items():
            limit = MAX_CHARS[col]
            note("FIELD_TOO_LONG", col, f"名册第{row}行的“{col}”有{length}个字符，超过{limit}个字符的上限，"
                 "无法使用；该行其余各项暂不审查",
                 f"核对名册第{row}行的“{col}”（是否误粘贴了大段内容？），改为不超过{limit}个字符")
        if too_long:
            self.skipped.append(row)
        for col, found in controls.items():
            note("FIELD_CONTROL_CHAR", col, f"名册第{row}行的“{col}”中有不可见的控制字符（{'、'.join(found)}），已自动删除",
                 f"核对名册第{row}行“{col}”的内容是否完整正确；从其他系统复制来的内容，可在 Excel/WPS 中重新输入该格",
                 Severity.warning)
        for col in (c for c in COLUMNS if c in unsaved):
            note("FIELD_FORMULA", col, f"名册第{row}行的“{col}”是公式，但文件中没有保存它的计算结果，读出来是空的",
                 "在 Excel/WPS 中打开 roster.xlsx 并保存一次（会保存计算结果）；或把公式换成数值"
                 "（复制该列，再“选择性粘贴→数值”）")

    @staticmethod
    def _year_month(value: Any, shown: str, field: str, report: Any, prefer: YearMonth | None = None) -> YearMonth | None:
        if not shown:
            return None
        options = normalize.year_month_options(value)
        if not options:
            report("FIELD_FORMAT", field, f"“{field}”的值“{shown}”不是可识别的年月",
                   f"按“1978.05”或“1978年5月”的形式填写{field}")
            return None
        if prefer in options:
            return prefer
        return options[0]

    def duplicates(self, candidates: list[Candidate]) -> None:
        """DUPLICATE_CANDIDATE on every row sharing an ID number or a 编号 with another row."""
        for attr, label in (("id_number", "身份证号码"), ("code", "编号")):
            groups: dict[str, list[Candidate]] = {}
            for c in candidates:
                value = getattr(c, attr)
                if value and not value.startswith("第"):
                    groups.setdefault(value, []).append(c)
            for value, group in groups.items():
                if len(group) < 2:
                    continue
                rows = "、".join(f"第{c.row}行（{c.code} {c.name}）" for c in group)
                for c in group:
                    self._finding("DUPLICATE_CANDIDATE", f"{label}“{value}”在名册中重复出现：{rows}",
                                  "同一人只能申报一次：删除重复的行，或改正填错的" + label,
                                  code_=c.code, name=c.name, field=label, row=c.row)
