"""Reading the roster (roster.xlsx or roster.csv) into typed `Candidate`s.

Accepts what offices actually produce: a title row above the header, columns in any order,
extra columns, full-width characters, every usual date form, Excel date cells, CSV in UTF-8
(with or without BOM), GB18030/GBK or UTF-16 ("Unicode 文本"). Problems with a cell become
findings of that row; problems with the file itself raise RosterError (ROSTER_UNREADABLE /
ROSTER_MISSING_COLUMN) because then nothing can be checked.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import normalize
from pipeline.errors import RosterError
from pipeline.idcard import IdProblem, parse_id
from pipeline.model import NOMINATION_SELF, NOMINATION_UNIT, Candidate, Finding, Severity, YearMonth
from pipeline.safepath import CODE_FORMAT, code_problem

COLUMNS: dict[str, str] = {
    "编号": "code", "姓名": "name", "性别": "gender", "出生年月": "birth", "籍贯": "native_place",
    "民族": "ethnicity", "政治面貌": "political_status", "学历": "education",
    "参加工作时间": "work_start", "职称": "professional_title", "技术等级": "skill_level",
    "工作单位及职务": "unit_and_post", "职业（工种）": "occupation", "身份证号码": "id_number",
    "联系电话": "phone", "推荐单位": "recommender", "申报方式": "nomination",
    "退休年龄类别": "retirement_category", "符合条件": "conditions", "负面情形": "exclusion",
    "个人简历": "resume", "简要事迹": "summary",
}
"""Roster header (SPEC.md §3) → Candidate field."""

OPTIONAL_COLUMNS = frozenset({"退休年龄类别"})
"""Columns the roster may leave out altogether."""

OPTIONAL_VALUES = frozenset({"职称", "退休年龄类别", "负面情形", "符合条件"})
"""Columns whose cells may be empty (符合条件 empty is CONDITION_NONE, not FIELD_REQUIRED)."""

_ALIASES: dict[str, str] = {
    "序号": "编号", "出生日期": "出生年月", "工作单位和职务": "工作单位及职务", "单位及职务": "工作单位及职务",
    "职业(工种)": "职业（工种）", "职业": "职业（工种）", "工种": "职业（工种）", "身份证号": "身份证号码",
    "公民身份号码": "身份证号码", "电话": "联系电话", "手机": "联系电话", "手机号码": "联系电话",
    "推荐方式": "申报方式", "参工时间": "参加工作时间", "简历": "个人简历", "事迹简介": "简要事迹",
}
"""Header spellings people use for the same column."""

_NONE_WORDS = frozenset({"", "无", "否", "没有", "无此情形", "-", "—", "/", "无。"})


def _header_key(value: object) -> str:
    key = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))
    key = key.replace("(", "（").replace(")", "）")
    key = key.replace("*", "").replace("＊", "")
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


def find_roster(edition_path: Path) -> Path:
    """roster.xlsx (preferred) or roster.csv; RosterError when neither exists."""
    for name in ("roster.xlsx", "roster.csv"):
        if (edition_path / name).is_file():
            return edition_path / name
    raise RosterError(
        "找不到推荐人选名册 roster.xlsx（或 roster.csv）",
        hint="把名册另存为 roster.xlsx 放在届次文件夹中（列名见 README）",
        file=str(edition_path / "roster.xlsx"),
    )


def _unreadable(path: Path, why: str, hint: str) -> RosterError:
    return RosterError(f"名册无法读取：{why}", hint=hint, file=path.name, code="ROSTER_UNREADABLE")


def _rows_xlsx(path: Path) -> list[list[Any]]:
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable(path, "文件设置了打开密码，或是旧版 .xls 格式",
                          "在 Excel/WPS 中取消打开密码，并“另存为” Excel 工作簿（.xlsx）")
    if not head.startswith(b"PK"):
        raise _unreadable(path, "不是 Excel 工作簿（.xlsx）文件",
                          "在 Excel/WPS 中打开名册，“另存为” Excel 工作簿（.xlsx）")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(path, f"文件已损坏（{type(exc).__name__}）", "重新从 Excel/WPS 另存一份 roster.xlsx") from exc
    try:
        ws = wb.worksheets[0]
        return [list(row) for row in ws.iter_rows(values_only=True)]
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
    sample = content[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]


def read_roster(edition_path: Path) -> Roster:
    """Read and normalise the roster of an edition."""
    path = find_roster(edition_path)
    rows = _rows_xlsx(path) if path.suffix.lower() == ".xlsx" else _rows_csv(path)
    header_index, columns = _find_header(path, rows)
    reader = _RowReader(path.name)
    candidates: list[Candidate] = []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {col: (row[i] if i < len(row) else None) for col, i in columns.items()}
        if all(normalize.text(v) == "" for v in cells.values()):
            continue
        candidates.append(reader.candidate(cells, offset))
    reader.duplicates(candidates)
    return Roster(path, tuple(candidates), tuple(reader.findings))


def _find_header(path: Path, rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The header row (the first of the top 10 rows naming at least half the columns) and positions."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row):
            key = _header_key(cell)
            if key in COLUMNS and key not in columns:
                columns[key] = i
        if len(columns) >= len(COLUMNS) // 2 and (best is None or len(columns) > len(best[1])):
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

    def _finding(self, code: str, message: str, hint: str, *, code_: str, name: str, field: str, row: int,
                 severity: Severity = Severity.error) -> None:
        self.findings.append(Finding(code, severity, message, hint, code_, name, field, self.file, row))

    def candidate(self, cells: dict[str, Any], row: int) -> Candidate:
        t = {col: normalize.cell(col, v) for col, v in cells.items()}
        code, name = t.get("编号", ""), t.get("姓名", "")
        if not code:
            code = f"第{row}行"

        def report(c: str, field: str, message: str, hint: str, severity: Severity = Severity.error) -> None:
            self._finding(c, message, hint, code_=code, name=name, field=field, row=row, severity=severity)

        if problem := code_problem(code):
            report(CODE_FORMAT, "编号", *problem)

        for col in COLUMNS:
            if col in cells and col not in OPTIONAL_VALUES and not t.get(col):
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
