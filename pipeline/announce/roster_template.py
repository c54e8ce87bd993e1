"""The roster template of the 申报材料包: `推荐人选名册.xlsx` (edition → XLSX bytes).

Sheet 1 "推荐人选名册" has exactly the columns the roster reader reads (`roster.COLUMNS`, in
that order), one example row (编号 “示例”, grey italic; the reader skips it with
ROSTER_EXAMPLE_ROW) and, for the rows units fill in, what Excel/WPS can check while they type:

* drop-down lists (`choices.choices()`): 性别, 民族 (the 56), 政治面貌, 学历, 申报方式,
  退休年龄类别 — strict where the reader accepts nothing else (`choices.STRICT`);
* 符合条件: condition numbers 1–8, one or several ("1" or "1,5"), no other characters;
* 身份证号码: exactly 18 characters, a text cell (Excel would round 18 digits to 15);
* the roster reader's own length limits (`roster.MAX_CHARS`, 编号 `safepath.CODE_MAX_CHARS`,
  简要事迹 the edition's [checks] summary_max_chars);
* an input message on every column (what to write, with an example), text format on the
  columns whose digits matter (编号, dates, ID, phone), a frozen header.

Sheet 2 "填写说明" says the same per column for printing; a hidden sheet "选项" holds the lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.announce.choices import STRICT, choices
from pipeline.core.edition import Edition
from pipeline.core.safepath import CODE_HINT, CODE_MAX_CHARS
from pipeline.render import office
from pipeline.rules.roster import COLUMNS, EXAMPLE_CODE, MAX_CHARS, OPTIONAL_VALUES

SHEET = "推荐人选名册"
HELP_SHEET = "填写说明"
LIST_SHEET = "选项"
FIRST_ROW = 2
"""The example row; the rows to fill follow it."""
LAST_ROW = 501
"""Validations reach this row (500 rows: more than any unit sends)."""
TEXT_COLUMNS = frozenset({"编号", "出生年月", "参加工作时间", "身份证号码", "联系电话", "符合条件"})
"""Columns formatted as text, so Excel keeps what is typed: leading zeros (001), all 18 digits of
an ID number, "1978.10" (a number would lose its trailing zero), "1,5" (not a thousands number)."""
CONDITION_SEPARATORS = (",", "，", "、")
"""What may stand between condition numbers in 符合条件 (the reader accepts these and more)."""
EXAMPLE_GREY = "808080"
REQUIRED = frozenset(COLUMNS) - (OPTIONAL_VALUES - {"符合条件"})
"""Columns marked 必填 (red bold header): all but those the reader lets stay empty; 符合条件 is
among those only because an empty one is its own error (CONDITION_NONE), so it is required too."""


@dataclass(frozen=True)
class ColumnHelp:
    """What the template says about one column."""

    prompt: str
    """Input message shown when a cell of the column is selected (at most 255 characters)."""
    example: str
    """The example row's value."""
    width: float
    """Column width (characters)."""


EXAMPLE_ID = "23270119800115××××"
"""The example row's 身份证号码: 18 characters (it passes the length check) whose last four are
masked, so no one takes it for a real number and the public-file scan (pipeline.rules.privacy) finds no
ID number in the kit."""
EXAMPLE_PHONE = "139××××××××"
"""The example row's 联系电话, masked for the same reason."""


def column_help(edition: Edition) -> dict[str, ColumnHelp]:
    """Roster column → its input message, example value and width (`roster.COLUMNS` order)."""
    summary_max = edition.checks.summary_max_chars
    helps = {
        "编号": ColumnHelp(f"本单位推荐人选的序号，如 001、002，与材料文件夹 candidates/编号/ 同名。{CODE_HINT}。",
                         EXAMPLE_CODE, 8),
        "姓名": ColumnHelp("与身份证一致。", "王某某", 10),
        "性别": ColumnHelp("从下拉列表选择：男 或 女。", "女", 6),
        "出生年月": ColumnHelp("年.月，如 1980.01（也可写 1980年1月）；应与身份证号码一致。", "1980.01", 10),
        "籍贯": ColumnHelp("省、市、县，如 山东莱阳、黑龙江呼玛。", "黑龙江塔河", 12),
        "民族": ColumnHelp("从下拉列表选择（56个民族），如 汉族。", "满族", 8),
        "政治面貌": ColumnHelp("从下拉列表选择，如 中共党员、群众。", "中共党员", 10),
        "学历": ColumnHelp("最高学历，从下拉列表选择，如 大专、中专、技校。", "大专", 8),
        "参加工作时间": ColumnHelp("年.月，如 1998.07（也可写 1998年7月）。", "1998.07", 10),
        "职称": ColumnHelp("专业技术职称，如 助理工程师；没有的填“无”或留空。", "助理工程师", 10),
        "技术等级": ColumnHelp("职业资格或职业技能等级，如 高级技师、技师、高级工。", "高级技师", 10),
        "工作单位及职务": ColumnHelp("单位全称和职务，中间空一格，如“塔河林业局机修厂 钳工班长”；"
                                f"不超过{MAX_CHARS['工作单位及职务']}字。", "塔河林业局机修厂 钳工班长", 28),
        "职业（工种）": ColumnHelp("所从事的职业（工种），如 钳工、森林消防员。", "钳工", 12),
        "身份证号码": ColumnHelp("18位居民身份证号码；末位的X大小写均可。本列是文本格式，直接输入即可，"
                            "不会变成科学计数法。", EXAMPLE_ID, 21),
        "联系电话": ColumnHelp("本人手机（11位）或固定电话（如 0457-2756328）。", EXAMPLE_PHONE, 14),
        "推荐单位": ColumnHelp("推荐单位全称：县（市、区）人社局、工会或行业协会等。", "塔河县人力资源和社会保障局", 24),
        "申报方式": ColumnHelp("从下拉列表选择：单位推荐 或 个人自荐（个人自荐须另附在本行业处于领先水平的证明材料）。",
                           "单位推荐", 10),
        "退休年龄类别": ColumnHelp("原法定退休年龄：男职工可留空（按男60）；女职工由单位确认后选“女55”（干部、管理岗位等）"
                             "或“女50”（工人岗位等）。", "女50", 10),
        "符合条件": ColumnHelp("所符合的选拔条件序号（通知第四部分（二）条件1至8），多个用逗号分隔，如 1,5。",
                           "1,4", 10),
        "负面情形": ColumnHelp("没有则留空。有受到刑事处罚、侵犯知识产权或其他严重违法违纪情形之一的，写明情形"
                           "（有此情形者不得参评）。", "", 10),
        "个人简历": ColumnHelp("每段经历一行（单元格内按 Alt+Enter 换行），如“2003.04—至今 ××单位 班长”；"
                           "写明县级及以上奖励：何时、何地、受何种奖励。", "1998.07—2010.03 塔河林业局机修厂 钳工\n"
                           "2010.03—至今 塔河林业局机修厂 钳工班长\n2024.05 获“大兴安岭地区技术能手”称号（地区人社局）", 40),
        "简要事迹": ColumnHelp(f"{summary_max}字以内，概括主要技能、成果和贡献（另交约2000字的先进事迹材料）。",
                           "（示例）扎根机修一线二十余年，……", 40),
    }
    assert list(helps) == list(COLUMNS), "the template's columns are the roster reader's"
    return helps


def _list_formula(column: int, count: int) -> str:
    """Reference to a list on the hidden 选项 sheet (column `column`, rows 2…)."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    return f"'{LIST_SHEET}'!${letter}$2:${letter}${count + 1}"


def conditions_formula(cell: str) -> str:
    """The custom validation of 符合条件: after removing the digits 1–8 and the separators
    (`CONDITION_SEPARATORS`), nothing may remain ("1", "1,5", "2、3、4" pass; "9", "1-5", "条件1" do not)."""
    inner = cell
    for ch in (*"12345678", *CONDITION_SEPARATORS):
        inner = f'SUBSTITUTE({inner},"{ch}","")'
    return f"LEN({inner})=0"


def write_roster_template(edition: Edition, target: Path, when: dt.datetime) -> None:
    """The roster template written to `target` (atomic, reproducible: fixed dates and ZIP entries)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    helps = column_help(edition)
    lists = choices()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    options = wb.create_sheet(LIST_SHEET)
    options.sheet_state = "hidden"
    for col, (name, values) in enumerate(lists.items(), start=1):
        office.put(options, 1, col, name)
        for row, value in enumerate(values, start=2):
            office.put(options, row, col, value)

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    example_font = Font(name="宋体", size=11, italic=True, color=EXAMPLE_GREY)
    for col, (name, help_) in enumerate(helps.items(), start=1):
        letter = get_column_letter(col)
        cell = office.put(ws, 1, col, name)
        required = name in REQUIRED
        cell.font = Font(name="黑体", size=11, bold=required, color="C00000" if required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = help_.width
        example = office.put(ws, FIRST_ROW, col, help_.example or None)
        example.font = example_font
        example.alignment = Alignment(vertical="top", wrap_text=name in ("个人简历", "简要事迹", "工作单位及职务"))
        if name in TEXT_COLUMNS:
            for row in range(FIRST_ROW, LAST_ROW + 1):
                ws.cell(row, col).number_format = "@"
        rng = f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"
        title = f"{name}（{'必填' if required else '可留空'}）"
        if name in lists:
            strict = name in STRICT
            dv = DataValidation(type="list", formula1=_list_formula(list(lists).index(name) + 1, len(lists[name])),
                                allow_blank=True, errorStyle="stop" if strict else "warning",
                                errorTitle=f"{name}不在列表中",
                                error=(f"请从下拉列表中选择{name}。" if strict else
                                       f"列表中没有这个{name}。如确实如此，点“是”保留；否则点“否”重新选择。"))
        elif name == "符合条件":
            dv = DataValidation(type="custom", formula1=conditions_formula(f"{letter}{FIRST_ROW}"), allow_blank=True,
                                errorStyle="stop", errorTitle="符合条件填写有误",
                                error="只填条件序号1至8，多个用逗号分隔，如 1,5。")
        elif name == "身份证号码":
            dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True,
                                errorStyle="stop", errorTitle="身份证号码应为18位",
                                error="居民身份证号码是18位（17位数字加1位数字或X），请核对。")
        else:
            limit = (CODE_MAX_CHARS if name == "编号" else
                     edition.checks.summary_max_chars if name == "简要事迹" else MAX_CHARS[name])
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit),
                                allow_blank=True, errorStyle="stop", errorTitle=f"{name}太长",
                                error=f"{name}不能超过{limit}个字。")
        dv.promptTitle = title
        dv.prompt = help_.prompt
        dv.showInputMessage = True
        dv.showErrorMessage = True
        dv.add(rng)
        ws.add_data_validation(dv)
    _fit(ws, example_font)
    ws.freeze_panes = "C2"
    ws.sheet_view.zoomScale = 100
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"  # printed at full size across pages (22 columns do not fit one)

    _help_sheet(wb.create_sheet(HELP_SHEET, 1), edition, helps)
    office.save_workbook(wb, target, when)


def _fit(ws: Any, font: Any) -> None:
    """Columns as wide as the example's unwrapped values (and at least their set width), rows as
    high as their text, measured with the real fonts (pipeline.render.office), so nothing prints clipped."""
    import math

    for cell in ws[FIRST_ROW]:
        if cell.value is None or cell.alignment.wrap_text:
            continue
        need = office.text_width(str(cell.value), font.name, float(font.sz)) + office.CELL_PAD_X
        letter = cell.column_letter
        width = float(ws.column_dimensions[letter].width or 8)
        ws.column_dimensions[letter].width = max(width, math.ceil(need / office.PT_PER_WIDTH) + 1)
    for row in (1, FIRST_ROW):
        ws.row_dimensions[row].height = math.ceil(max(20.0, office.needed_height(ws, row)))


def instructions(edition: Edition) -> list[str]:
    """The general rules at the top of the 填写说明 sheet (also in 说明.txt)."""
    return [
        f"1. 每行填写一位推荐人选；第{FIRST_ROW}行（编号“{EXAMPLE_CODE}”、灰色斜体）是填写示例，可以保留，"
        "读取名册时自动跳过，填写时从它的下一行开始。",
        "2. 不要改动第1行的列名，不要增删列；红色粗体的列必须填写。",
        "3. 选中单元格会显示该列的填写提示；性别、民族、政治面貌、学历、申报方式、退休年龄类别从下拉列表选择。",
        "4. 编号、出生年月、参加工作时间、身份证号码、联系电话、符合条件各列已设为文本格式，照原样输入即可。",
        "5. 个人简历可写多行：在单元格内按 Alt+Enter 换行（WPS 相同）。",
        "6. 每位推荐人选的照片、先进事迹材料和证明材料按编号放在各自的文件夹中，见“材料清单与目录结构.pdf”。",
        f"7. 名册请保存为 Excel 工作簿（.xlsx），不要设置打开密码。联系人：{edition.office.contact}，"
        f"电话：{edition.office.phone}。",
    ]


def _help_sheet(ws: Any, edition: Edition, helps: dict[str, ColumnHelp]) -> None:
    """The 填写说明 sheet: the general rules, then one row per column (必填, what to write, example)."""
    from openpyxl.styles import Alignment, Font

    columns = [("列名", 16.0), ("是否必填", 10.0), ("填写要求", 60.0), ("示例", 30.0)]
    note = "\n".join(instructions(edition))
    first, border = office.list_heading(ws, f"{edition.round.title}推荐人选名册填写说明", columns, note=note,
                                        note_height=150)
    for row, (name, help_) in enumerate(helps.items(), start=first):
        values = [name, "必填" if name in REQUIRED else "可留空", help_.prompt,
                  help_.example if name != "编号" else EXAMPLE_CODE]
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, row, col, value)
            cell.font = Font(name="宋体", size=11)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    office.print_setup(ws, title_rows=f"{first - 1}:{first - 1}", orientation="portrait")
