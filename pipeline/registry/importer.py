"""The office's spreadsheets for the 兴安技术能手数据库 (§四(五)2): templates and strict readers.

    往届名单模板.xlsx        an earlier round's awardees (the 2024 round was before this program)
    传帮带活动登记模板.xlsx   the yearly 传帮带 record: who taught whom, what, how many hours, results

Both templates come with data validation, input messages, an instructions sheet and one example row
whose 序号 is “示例” (never imported). The readers check every cell as strictly as the roster is
checked (pipeline.rules.roster's file reading, pipeline.rules.idcard, pipeline.rules.normalize, the size limits of
pipeline.core.filelimits) and collect every problem with row, column, value and fix; pipeline.registry.store
then writes the rows in one transaction, or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import RosterError
from pipeline.registry.store import ActivityRow, IssueEntry, PastAward, Problem, RegistryError
from pipeline.rules import normalize
from pipeline.rules.idcard import IdProblem, check_character, parse_id
from pipeline.rules.roster import MAX_CHARS as ROSTER_MAX_CHARS

EXAMPLE = "示例"
"""序号 of the templates' example row: such a row is never imported."""

MAX_ROWS = 2000
"""Most rows an import file may hold (a round has at most 20 awardees; 传帮带 a few hundred a year)."""


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    name: str
    """Header."""
    width: float
    """Column width in the template."""
    required: bool
    """Whether every row must fill it."""
    prompt: str
    """The input message Excel/WPS shows on the cell."""
    example: object
    """The example row's value."""
    limit: int = 60
    """Most characters."""


def _id(body: str) -> str:
    return body + check_character(body)


PAST_COLUMNS: tuple[Column, ...] = (
    Column("序号", 6, False, "可不填。示例行的序号是“示例”，导入时跳过", EXAMPLE, 10),
    Column("姓名", 10, True, "与身份证一致", "王示例", ROSTER_MAX_CHARS["姓名"]),
    Column("性别", 6, True, "从下拉列表选择：男 或 女（须与身份证号码一致）", "男", ROSTER_MAX_CHARS["性别"]),
    Column("身份证号码", 22, True, "18位；最后一位可为X。请以文本格式输入，勿让 Excel 变成科学计数",
           _id("23270019800115123"), ROSTER_MAX_CHARS["身份证号码"]),
    Column("工作单位及职务", 30, True, "获评时的工作单位及职务", "大兴安岭示例公司 技师",
           ROSTER_MAX_CHARS["工作单位及职务"]),
    Column("职业（工种）", 14, True, "如：电工、焊工", "电工", ROSTER_MAX_CHARS["职业（工种）"]),
    Column("推荐单位", 24, True, "推荐该人选的单位", "大兴安岭示例局", ROSTER_MAX_CHARS["推荐单位"]),
    Column("表彰文号", 20, True, "表彰决定的发文字号，如：兴人才〔2024〕5号", "兴人才〔2024〕5号", 60),
    Column("表彰日期", 13, True, "表彰决定的成文日期，如 2024-05-20；任期三年从这一天起算", dt.date(2024, 5, 20), 20),
    Column("证书编号", 18, False, "证书上的编号；没有编号或不清楚时留空，由程序编号", "XATN-2024-001", 40),
)
"""Columns of 往届名单模板.xlsx."""

ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("序号", 6, False, "可不填。示例行的序号是“示例”，导入时跳过", EXAMPLE, 10),
    Column("证书编号", 18, True, "师傅（兴安技术能手）的证书编号，如 XATN-2027-001", "XATN-2024-001", 40),
    Column("姓名", 10, True, "师傅的姓名，须与证书编号对应", "王示例", ROSTER_MAX_CHARS["姓名"]),
    Column("日期", 13, True, "活动日期，如 2025-03-15；多日的培训填开始日期", dt.date(2025, 3, 15), 20),
    Column("活动内容（课程/培训）", 30, True, "带徒项目、授课或培训的名称", "高压带电作业实训", 300),
    Column("带徒人数", 9, False, "整数 0–500；填了徒弟姓名时须与姓名个数相同；不填则按姓名个数计", 2, 10),
    Column("徒弟（学员）姓名", 24, False, "多个姓名用顿号或逗号分隔", "李示例、赵示例", 600),
    Column("学时", 7, False, "本次活动的学时，0–2000，可有小数", 8, 10),
    Column("成果", 30, False, "如：徒弟取得高级工证书、获技能竞赛名次、解决的技术难题", "1人取得高级工证书", 500),
)
"""Columns of 传帮带活动登记模板.xlsx."""

_ALIASES: dict[str, str] = {
    "工作单位": "工作单位及职务", "工作单位和职务": "工作单位及职务", "单位": "工作单位及职务",
    "职业(工种)": "职业（工种）", "职业": "职业（工种）", "工种": "职业（工种）",
    "身份证号": "身份证号码", "公民身份号码": "身份证号码", "文号": "表彰文号", "表彰决定文号": "表彰文号",
    "发文字号": "表彰文号", "表彰时间": "表彰日期", "表彰决定日期": "表彰日期", "证书号": "证书编号",
    "证书号码": "证书编号", "活动日期": "日期", "课程/培训": "活动内容（课程/培训）", "课程培训": "活动内容（课程/培训）",
    "活动内容": "活动内容（课程/培训）", "带徒/培训人数": "带徒人数", "培训人数": "带徒人数",
    "徒弟姓名": "徒弟（学员）姓名", "学员姓名": "徒弟（学员）姓名", "徒弟": "徒弟（学员）姓名",
    "师傅姓名": "姓名", "编号": "序号",
}
"""Header spellings people use for the same column."""


# ---- templates ------------------------------------------------------------------------------------


def write_template(target: Path, title: str, columns: Sequence[Column], instructions: Sequence[str],
                   when: dt.datetime) -> None:
    """An import template: the sheet with data validation and input messages, one example row, an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from pipeline.render.office import put, put_row, save_workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for cell in put_row(ws, 1, [c.name for c in columns]):
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    ws.row_dimensions[1].height = 30
    example = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = ws.cell(1, index).column_letter
        ws.column_dimensions[letter].width = column.width
        cell = put(ws, 2, index, column.example)
        cell.fill = example
        cell.font = Font(name="仿宋", size=11, italic=True, color="7F6000")
        area = f"{letter}2:{letter}{MAX_ROWS + 1}"
        rule = _validation(column)
        rule.promptTitle = (column.name + ("（必填）" if column.required else "（选填）"))[:32]
        rule.prompt = column.prompt[:255]
        rule.showInputMessage = True
        rule.error = f"“{column.name}”：{column.prompt}"[:255]
        rule.errorTitle = "填写有误"
        rule.showErrorMessage = rule.type is not None
        rule.add(area)
        ws.add_data_validation(rule)
        if column.name in ("身份证号码", "证书编号", "序号"):
            for row in range(2, 202):
                ws.cell(row, index).number_format = "@"
        if isinstance(column.example, dt.date):
            for row in range(2, 202):
                ws.cell(row, index).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    put(notes, 1, 1, f"{title}：填写说明").font = Font(name="黑体", size=14)
    for row, line in enumerate([*instructions, "",
                                "各列：" + "；".join(f"{c.name}{'（必填）' if c.required else '（选填）'}：{c.prompt}"
                                                    for c in columns)], start=3):
        put(notes, row, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    save_workbook(wb, target, when)


def _validation(column: Column) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.name == "性别":
        return DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    if column.name == "身份证号码":
        return DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
    if isinstance(column.example, dt.date):
        return DataValidation(type="date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
    if column.name == "带徒人数":
        return DataValidation(type="whole", operator="between", formula1="0", formula2="500", allow_blank=True)
    if column.name == "学时":
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="2000", allow_blank=True)
    return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(column.limit), allow_blank=True)


PAST_INSTRUCTIONS = (
    "本表用于把本程序启用前的往届“兴安技术能手”（如2024年度）登记进兴安技术能手数据库，每行一人。",
    "第2行（序号为“示例”的黄色行）是示例，导入时跳过；可以删除，也可以保留。",
    "导入命令：make registry ARGS=\"import 2024 文件路径.xlsx\"（路径含空格时，把路径再用单引号括起来）。",
    "导入前逐格检查：有任何问题时整份文件都不导入，并列出每一处问题（行号、列名、填写的值、改法）；改正后重新导入即可。",
    "同一份文件重复导入不会重复登记；已登记的人会列出“未改动”。",
    "任期三年，从“表彰日期”（表彰决定的成文日期）起算。",
)

ACTIVITY_INSTRUCTIONS = (
    "本表用于每年登记兴安技术能手的传帮带活动（带徒、授课、培训等），每行一次活动。",
    "第2行（序号为“示例”的黄色行）是示例，导入时跳过；可以删除，也可以保留。",
    "证书编号和姓名须属于同一位兴安技术能手；往届获评者须先导入往届名单。",
    "带徒人数、徒弟（学员）姓名、学时三项至少填一项。",
    "导入命令：make registry ARGS=\"import-activities 文件路径.xlsx\"。有任何问题时整份文件都不导入，并列出每一处问题；"
    "同一份文件重复导入不会重复登记。",
)


# ---- reading ----------------------------------------------------------------------------------------


def parse_day(value: object) -> dt.date | None:
    """A date cell or text ('2024-05-20', '2024.5.20', '2024/5/20', '2024年5月20日', '20240520', full-width
    digits, an Excel serial number) → the date; None when it cannot be read."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if 20_000 <= value < 80_000:  # an unformatted Excel serial date
            return normalize.excel_day(int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?", text) \
        or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Sheet:
    """The rows of an import file as text and raw values, with the problems found reading them."""

    rows: list[tuple[int, dict[str, str], dict[str, Any]]]
    problems: list[Problem]


def _read(path: Path, columns: Sequence[Column], what: str) -> _Sheet:
    """An import file → its non-empty, non-example rows (text and raw value per column); RegistryError
    when the file itself cannot be used (missing, not XLSX, too large, no header, a column missing)."""
    from pipeline.rules.roster import _header_text, _rows_xlsx

    if not path.is_file():
        raise RegistryError(f"找不到{what} {path}", file=str(path),
                            hint="核对文件路径；路径含空格时写成 make registry ARGS='… \"路径\"'")
    if path.suffix.lower() != ".xlsx":
        raise RegistryError(f"{what}须是 Excel 工作簿（.xlsx）", file=str(path),
                            hint="在 Excel/WPS 中打开它，“另存为” Excel 工作簿（.xlsx）")
    try:
        raw_rows, formulas = _rows_xlsx(path)
    except RosterError as exc:
        raise RegistryError(exc.message.replace("名册", what), hint=exc.hint.replace("roster.xlsx", path.name),
                            file=str(path)) from None
    names = {c.name for c in columns}
    header, places = -1, {}
    for index, row in enumerate(raw_rows[:10]):
        found = {}
        for i, cell in enumerate(row):
            key = _header_text(cell)
            key = _ALIASES.get(key, key)
            if key in names and key not in found:
                found[key] = i
        if len(found) >= 3:
            header, places = index, found
            break
    if header < 0:
        raise RegistryError(f"{what}中找不到表头行（应含 {'、'.join(c.name for c in columns[1:4])} 等列名）",
                            file=str(path), hint="用 make registry 生成的模板填写，第一行是列名")
    missing = [c.name for c in columns if c.required and c.name not in places]
    if missing:
        raise RegistryError(f"{what}缺少以下列：{'、'.join(missing)}", file=str(path),
                            hint="在表头行补上这些列（列名与模板一致，顺序不限）")
    body = raw_rows[header + 1:]
    if len(body) > MAX_ROWS:
        raise RegistryError(f"{what}有 {len(body)} 行，超过 {MAX_ROWS} 行的上限", file=str(path),
                            hint="分成几份文件分别导入")
    out: list[tuple[int, dict[str, str], dict[str, Any]]] = []
    problems: list[Problem] = []
    for number, row in enumerate(body, start=header + 2):
        raw = {c: (row[i] if i < len(row) else None) for c, i in places.items()}
        unsaved = [c for c, i in places.items() if (number - 1, i) in formulas]
        text: dict[str, str] = {}
        for column in columns:
            value = raw.get(column.name)
            if isinstance(value, str):
                value = normalize.strip_controls(value, multiline=False)[0]
            shown = normalize.cell(column.name, value)
            if len(shown) > column.limit:
                problems.append(Problem(number, column.name, shown[:20] + "…",
                                        f"有 {len(shown)} 个字符，超过 {column.limit} 个字符的上限",
                                        f"改为不超过 {column.limit} 个字符"))
                shown = ""
            text[column.name] = shown
        if not any(text.values()) and not unsaved:
            continue
        if text.get("序号") == EXAMPLE:
            continue
        for name in unsaved:
            problems.append(Problem(number, name, "", "是公式，但文件中没有保存计算结果，读出来是空的",
                                    "在 Excel/WPS 中打开并保存一次；或把公式换成数值"))
        for column in columns:
            if column.required and not text[column.name] and column.name not in unsaved:
                problems.append(Problem(number, column.name, "", "未填写", f"填写“{column.name}”（{column.prompt}）"))
        out.append((number, text, raw))
    if not out and not problems:
        raise RegistryError(f"{what}中没有可导入的行（示例行不算）", file=str(path),
                            hint="从表头下一行起，每行填写一条")
    return _Sheet(out, problems)


def _day(problems: list[Problem], row: int, column: str, shown: str, raw: object, today: dt.date) -> dt.date | None:
    if not shown:
        return None
    day = parse_day(raw)
    if day is None:
        problems.append(Problem(row, column, shown, "不是可识别的日期", "按 2024-05-20 的形式填写"))
        return None
    if day > today:
        problems.append(Problem(row, column, shown, f"晚于今天（{today}）", "核对日期"))
        return None
    if day.year < 2000:
        problems.append(Problem(row, column, shown, "早于2000年，不合理", "核对日期"))
        return None
    return day


_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]*")


def read_past(path: Path, year: int, today: dt.date) -> tuple[list[PastAward], list[Problem]]:
    """An earlier round's list → one PastAward per sound row, and the problems of the others (the
    registry adds its own and writes nothing unless there are none)."""
    sheet = _read(path, PAST_COLUMNS, "往届名单")
    problems = list(sheet.problems)
    awards: list[PastAward] = []
    ids: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for index, (row, t, raw) in enumerate(sheet.rows, start=1):
        before = len(problems)
        id_number = normalize.id_number(raw.get("身份证号码")) if t["身份证号码"] else ""
        info = None
        if id_number:
            try:
                info = parse_id(id_number)
            except IdProblem as exc:
                problems.append(Problem(row, "身份证号码", t["身份证号码"], exc.message.split("”", 1)[-1].lstrip("的"),
                                        "核对身份证号码（18位，最后一位校验位可为X）"))
            if id_number in ids:
                problems.append(Problem(row, "身份证号码", t["身份证号码"], f"与第{ids[id_number]}行重复",
                                        "同一人在一届中只登记一次：删除重复的行，或改正填错的身份证号码"))
            ids.setdefault(id_number, row)
        gender = {"男": "男", "女": "女", "男性": "男", "女性": "女"}.get(t["性别"], "")
        if t["性别"] and not gender:
            problems.append(Problem(row, "性别", t["性别"], "无法识别", "填写“男”或“女”"))
        elif gender and info is not None and info.gender != gender:
            problems.append(Problem(row, "性别", t["性别"], f"与身份证号码（第17位表示{info.gender}性）不符",
                                    "核对性别和身份证号码"))
        decided = _day(problems, row, "表彰日期", t["表彰日期"], raw.get("表彰日期"), today)
        if decided is not None and decided.year not in (year, year + 1):
            problems.append(Problem(row, "表彰日期", t["表彰日期"], f"不在 {year} 年度表彰的时间内（应为 {year} 年或 {year + 1} 年）",
                                    f"核对表彰日期；或核对命令中的年度（现为 {year}）"))
            decided = None
        number = unicodedata.normalize("NFKC", t["证书编号"]).replace(" ", "")
        if number and not _NUMBER.fullmatch(number):
            problems.append(Problem(row, "证书编号", t["证书编号"], "只能由字母、数字和“-”组成",
                                    "照证书上的编号填写，如 XATN-2024-001；不清楚时留空"))
        elif number:
            if number in numbers:
                problems.append(Problem(row, "证书编号", number, f"与第{numbers[number]}行重复",
                                        "每张证书的编号唯一：核对证书编号，不清楚时留空"))
            numbers.setdefault(number, row)
        if len(problems) > before or not (t["姓名"] and gender and id_number and decided):
            continue
        entry = IssueEntry(id_number, t["姓名"], gender, t["序号"] or f"{index:03d}", t["工作单位及职务"],
                           t["职业（工种）"], 0, t["推荐单位"])
        awards.append(PastAward(row, entry, t["表彰文号"], decided, number))
    return awards, _named(problems, sheet)


def read_activities(path: Path, today: dt.date) -> tuple[list[ActivityRow], list[Problem]]:
    """The yearly 传帮带 sheet → one ActivityRow per sound row, and the problems of the others."""
    sheet = _read(path, ACTIVITY_COLUMNS, "传帮带活动表")
    problems = list(sheet.problems)
    rows: list[ActivityRow] = []
    for row, t, raw in sheet.rows:
        before = len(problems)
        day = _day(problems, row, "日期", t["日期"], raw.get("日期"), today)
        names = tuple(n for n in re.split(r"[,，、;；\s]+", t["徒弟（学员）姓名"]) if n)
        count = len(names)
        if t["带徒人数"]:
            value = normalize.text(raw.get("带徒人数"))
            if not value.isdigit() or int(value) > 500:
                problems.append(Problem(row, "带徒人数", t["带徒人数"], "须是 0 到 500 的整数", "填写人数，如 2"))
            elif names and int(value) != len(names):
                problems.append(Problem(row, "带徒人数", t["带徒人数"],
                                        f"与所列徒弟（学员）姓名的个数（{len(names)}人）不符",
                                        "人数与姓名个数须一致；学员较多、不列姓名时，姓名一栏留空"))
            else:
                count = int(value)
        hours = 0.0
        if t["学时"]:
            try:
                hours = float(normalize.text(raw.get("学时")))
            except ValueError:
                hours = -1.0
            if not 0 < hours <= 2000:
                problems.append(Problem(row, "学时", t["学时"], "须是大于 0、不超过 2000 的数", "填写学时，如 8 或 1.5"))
        if not (t["带徒人数"] or names or t["学时"]):
            problems.append(Problem(row, "带徒人数", "", "带徒人数、徒弟（学员）姓名、学时都未填写",
                                    "至少填写其中一项"))
        number = unicodedata.normalize("NFKC", t["证书编号"]).replace(" ", "")
        if len(problems) > before or day is None or not (number and t["姓名"] and t["活动内容（课程/培训）"]):
            continue
        rows.append(ActivityRow(row, number, t["姓名"], day, t["活动内容（课程/培训）"], names, count,
                                round(hours, 2), t["成果"]))
    return rows, _named(problems, sheet)


def _named(problems: list[Problem], sheet: _Sheet) -> list[Problem]:
    """The problems, each naming its row's 姓名 (when filled in)."""
    names = {row: t["姓名"] for row, t, _ in sheet.rows if t.get("姓名")}
    return [dataclasses.replace(p, who=names[p.row]) if p.row in names and not p.who else p for p in problems]
