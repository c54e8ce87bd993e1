"""Expert score sheets: `SheetSpec` → a protected XLSX, and a returned XLSX → `ExpertSheet` + problems.

Layout of the one visible worksheet “评分表” (row numbers are fixed; tests and the reader rely on them):

    1   title                                   (merged)
    2   评审专家：<name>          评审时间：…
    3   评分说明: criteria, maximums, weights
    4   序号 编号 姓名 工作单位及职务 职业（工种） 事迹摘要 <criterion …> 加权合计
    5…  one row per shortlisted nominee; the criterion cells are the only unlocked cells,
        with data validation 0…max; 加权合计 is a formula
    …   评审专家（签名）and 日期 lines

A very hidden sheet “_meta” records what was issued (round, expert, criteria, the rows) with a
digest, so the reader can tell a sheet from an unknown expert, the same expert twice, a sheet
someone unprotected and retyped, and a sheet that was never issued by the pipeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.core.edition import Criterion
from pipeline.core.safepath import safe_name
from pipeline.render import office
from pipeline.review.decisions import clean
from pipeline.review.problems import Problem

SHEET = "评分表"
META = "_meta"
META_MARK = "xingan-nengshou score sheet"
SCHEMA = 1
TITLE_ROW, EXPERT_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4, 5
FIXED_HEADERS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("编号", 8), ("姓名", 10), ("工作单位及职务", 30), ("职业（工种）", 14), ("事迹摘要", 44),
)
FIRST_SCORE_COL = len(FIXED_HEADERS) + 1
SUMMARY_CHARS = 45
SPREADSHEET_SUFFIXES = frozenset({".xls", ".et", ".ods", ".xlsm", ".csv", ".numbers"})


@dataclass(frozen=True)
class SheetRow:
    """One nominee on a score sheet (locked cells)."""

    code: str
    """编号."""
    name: str
    """姓名."""
    unit: str
    """工作单位及职务."""
    occupation: str
    """职业（工种）."""
    summary: str
    """One-line summary of the 简要事迹."""


@dataclass(frozen=True)
class SheetSpec:
    """Everything one expert's blank score sheet is made from."""

    title: str
    """The round's title, e.g. 大兴安岭地区2027年度“兴安技术能手”选树."""
    year: int
    """The round's year."""
    edition: str
    """Edition name."""
    expert: str
    """The expert's name."""
    criteria: tuple[Criterion, ...]
    """Scoring criteria with weights and maximums."""
    rows: tuple[SheetRow, ...]
    """The shortlisted nominees, in shortlist order."""
    period: str
    """评审时间 text, '' when the edition has no expert_review phase."""


def one_line(summary: str, limit: int = SUMMARY_CHARS) -> str:
    """简要事迹 → its first sentence, at most `limit` characters (with … when cut).

    Narrative text keeps its Chinese punctuation: no NFKC here (it would print “22年,熟练”).
    """
    text = " ".join(summary.split())
    first = re.split(r"(?<=[。！？；!?;])", text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def sheet_filename(expert: str) -> str:
    """'评分表-王立军.xlsx' (characters Windows forbids in names become '_')."""
    return f"评分表-{safe_name(expert[:40])}.xlsx"


def _letter(column: int) -> str:
    """Column number → letter (1 → 'A')."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _percent(weight: float) -> str:
    """Weight → '40%'."""
    return f"{weight * 100:g}%"


def _max_text(value: float) -> str:
    """Maximum score → '100' (no trailing .0)."""
    return f"{value:g}"


def criterion_header(c: Criterion) -> str:
    """'技能水平\\n（满分100，占40%）'."""
    return f"{c.name}\n（满分{_max_text(c.max)}，占{_percent(c.weight)}）"


def total_column(spec_criteria: tuple[Criterion, ...]) -> int:
    """Column number of 加权合计."""
    return FIRST_SCORE_COL + len(spec_criteria)


def _meta_blob(spec: SheetSpec) -> str:
    """SheetSpec → the canonical JSON record of what was issued."""
    data = {
        "schema": SCHEMA,
        "edition": spec.edition,
        "round": spec.year,
        "expert": spec.expert,
        "criteria": [[c.name, c.weight, c.max] for c in spec.criteria],
        "rows": [[r.code, r.name, r.unit, r.occupation, r.summary] for r in spec.rows],
        "first_row": FIRST_ROW,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(blob: str) -> str:
    """Issue record → its digest (detects an edited record)."""
    return hashlib.sha256((META_MARK + blob).encode("utf-8")).hexdigest()


def expert_cell_text(expert: str) -> str:
    """The text of cell A2."""
    return f"评审专家：{expert}"


def build_workbook(spec: SheetSpec) -> Any:
    """The blank score sheet as an openpyxl Workbook (protected, validated, print-ready)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="仿宋", size=11)
    criteria = spec.criteria
    tcol = total_column(criteria)
    last_col = tcol
    last_letter = _letter(last_col)

    ws.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    office.put(ws, TITLE_ROW, 1, f"{spec.title}专家评分表")
    ws[f"A{TITLE_ROW}"].font = Font(name="黑体", size=16)
    ws[f"A{TITLE_ROW}"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 32

    ws.merge_cells(f"A{EXPERT_ROW}:D{EXPERT_ROW}")
    office.put(ws, EXPERT_ROW, 1, expert_cell_text(spec.expert))
    ws[f"A{EXPERT_ROW}"].font = Font(name="黑体", size=12)
    ws.merge_cells(f"E{EXPERT_ROW}:{last_letter}{EXPERT_ROW}")
    office.put(ws, EXPERT_ROW, 5, f"评审时间：{spec.period}" if spec.period else "")
    ws[f"E{EXPERT_ROW}"].font = Font(name="仿宋", size=12)
    ws[f"E{EXPERT_ROW}"].alignment = Alignment(horizontal="right")
    ws.row_dimensions[EXPERT_ROW].height = 22

    rules = "；".join(f"{c.name}（满分{_max_text(c.max)}分，占{_percent(c.weight)}）" for c in criteria)
    ws.merge_cells(f"A{NOTE_ROW}:{last_letter}{NOTE_ROW}")
    office.put(ws, NOTE_ROW, 1, f"评分说明：对候选人的技能水平、业绩和贡献进行评审。{rules}。"
               "请在黄色单元格内填写 0 至满分之间的分数（可保留一位小数），每格必填；“加权合计”自动计算，不必填写。"
               "表格其余部分已锁定，请勿改动。")
    ws[f"A{NOTE_ROW}"].font = Font(name="仿宋", size=10.5)
    ws[f"A{NOTE_ROW}"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[NOTE_ROW].height = 34

    headers = [*FIXED_HEADERS, *((criterion_header(c), 13) for c in criteria), ("加权合计", 10)]
    for col, (text, width) in enumerate(headers, start=1):
        cell = office.put(ws, HEADER_ROW, col, text)
        cell.font = Font(name="黑体", size=11)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = border
        ws.column_dimensions[_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 36

    fill = PatternFill("solid", fgColor="FFF2CC")
    last_row = FIRST_ROW + len(spec.rows) - 1
    first_score, last_score = _letter(FIRST_SCORE_COL), _letter(tcol - 1)
    for i, row in enumerate(spec.rows):
        r = FIRST_ROW + i
        values = [i + 1, row.code, row.name, row.unit, row.occupation, row.summary]
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.font = body
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="center" if col in (1, 2, 3) else "left")
        for j in range(len(criteria)):
            cell = ws.cell(r, FIRST_SCORE_COL + j)
            cell.protection = Protection(locked=False)
            cell.fill = fill
            cell.border = border
            cell.font = Font(name="Times New Roman", size=12)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.number_format = "0.0"
        terms = "+".join(f"{_letter(FIRST_SCORE_COL + j)}{r}*{c.weight:g}" for j, c in enumerate(criteria))
        total = office.put_formula(ws, r, tcol, f'=IF(COUNT({first_score}{r}:{last_score}{r})={len(criteria)},'
                                 f'ROUND({terms},2),"")')
        total.font = Font(name="Times New Roman", size=12)
        total.border = border
        total.alignment = Alignment(horizontal="center", vertical="center")
        total.number_format = "0.00"
        ws.row_dimensions[r].height = 30

    for k, c in enumerate(criteria):
        letter = _letter(FIRST_SCORE_COL + k)
        dv = DataValidation(
            type="decimal", operator="between", formula1="0", formula2=_max_text(c.max), allow_blank=True,
            showErrorMessage=True, showInputMessage=True, errorStyle="stop",
            errorTitle="分数超出范围", error=f"“{c.name}”请填写 0 至 {_max_text(c.max)} 之间的数字",
            promptTitle=c.name, prompt=f"0 至 {_max_text(c.max)} 分，占{_percent(c.weight)}")
        ws.add_data_validation(dv)
        if spec.rows:
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")

    sign = last_row + 2
    ws.merge_cells(f"A{sign}:E{sign}")
    office.put(ws, sign, 1, "评审专家（签名）：")
    ws.merge_cells(f"F{sign}:{last_letter}{sign}")
    office.put(ws, sign, 6, "日期：        年    月    日")
    for ref in (f"A{sign}", f"F{sign}"):
        ws[ref].font = Font(name="仿宋", size=14)
        ws[ref].alignment = Alignment(vertical="bottom")
    ws.row_dimensions[sign].height = 40

    ws.print_area = f"A1:{last_letter}{sign}"
    office.print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", freeze=f"{_letter(FIRST_SCORE_COL)}{FIRST_ROW}")
    ws.oddHeader.left.text = f"{spec.year}年度“兴安技术能手”专家评审"
    ws.oddHeader.right.text = f"评审专家：{spec.expert}"
    ws.oddFooter.left.text = "评审专家签名："
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"

    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False

    meta = wb.create_sheet(META)
    blob = _meta_blob(spec)
    office.put_row(meta, 1, [META_MARK])
    office.put_row(meta, 2, [blob])
    office.put_row(meta, 3, [_digest(blob)])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def write_score_sheet(spec: SheetSpec, target: Path, when: dt.datetime) -> None:
    """Write one expert's blank score sheet, reproducibly and atomically."""
    office.save_workbook(build_workbook(spec), target, when)


# ---- reading returned sheets ------------------------------------------------------------------

@dataclass(frozen=True)
class SheetRead:
    """What reading one returned file gave."""

    expert: str | None
    """The expert the file was issued to, None when that cannot be told."""
    sheet: ExpertSheet | None
    """The verified scores, None when the file cannot be used."""
    problems: tuple[Problem, ...]
    """Every problem, by file, sheet and cell."""


@dataclass(frozen=True)
class ExpertSheet:
    """One expert's returned score sheet, verified."""

    expert: str
    """The expert, as issued."""
    file: str
    """The file, relative to the edition folder."""
    scores: dict[str, tuple[Fraction, ...]]
    """编号 → one score per criterion (edition order)."""


def _number(value: Any) -> Fraction | None:
    """A cell value → exact score, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(round(value, 6)))
    text = clean(value).replace("分", "")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return Fraction(text)
    return None


def score_text(value: Fraction) -> str:
    """A score for messages: '85', '85.5'."""
    return f"{float(value):g}"


@dataclass(frozen=True)
class _Issued:
    expert: str
    year: int
    criteria: tuple[tuple[str, float, float], ...]
    rows: tuple[tuple[str, str, str, str, str], ...]


def _read_meta(wb: Any) -> _Issued | None | str:
    """The issue record; None when there is none, 'changed' when it was tampered with."""
    if META not in wb.sheetnames:
        return None
    meta = wb[META]
    blob, digest = meta["A2"].value, meta["A3"].value
    if meta["A1"].value != META_MARK or not isinstance(blob, str) or _digest(blob) != digest:
        return "changed"
    try:
        data = json.loads(blob)
        return _Issued(str(data["expert"]), int(data["round"]),
                       tuple((str(n), float(w), float(m)) for n, w, m in data["criteria"]),
                       tuple(tuple(str(x) for x in r) for r in data["rows"]))  # type: ignore[misc]
    except (ValueError, KeyError, TypeError):
        return "changed"


def read_score_sheet(path: Path, rel: str, *, year: int, experts: tuple[str, ...],
                     criteria: tuple[Criterion, ...], shortlist: dict[str, str]) -> SheetRead:
    """A returned score sheet → its expert, verified scores (None when unusable) and every problem, by cell.

    `shortlist` maps 编号 → 姓名 of the current shortlist, in order.
    """
    expert, sheet, problems = _read(path, rel, year, experts, criteria, shortlist)
    return SheetRead(expert, sheet, tuple(problems))


def _read(path: Path, rel: str, year: int, experts: tuple[str, ...], criteria: tuple[Criterion, ...],
          shortlist: dict[str, str]) -> tuple[str | None, ExpertSheet | None, list[Problem]]:
    """A returned file → (expert, verified scores, problems); see read_score_sheet."""
    from openpyxl import load_workbook

    from pipeline.core.filelimits import zip_problem

    problems: list[Problem] = []
    refusal = zip_problem(path)  # a decompression bomb is refused before openpyxl inflates it
    if refusal is not None and refusal.code:
        return None, None, [Problem("SHEET_UNREADABLE", rel, "", "", refusal.message,
                                    "重新发放评分表，请专家只在评分表中填写分数")]
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a broken, encrypted or non-XLSX file: openpyxl raises many types
        return None, None, [Problem("SHEET_UNREADABLE", rel, "", "", f"评分表无法打开（{type(exc).__name__}）",
                              "用 Excel 或 WPS 另存为 .xlsx（不要设置打开密码），或重新发放评分表")]
    issued = _read_meta(wb)
    visible = wb[SHEET] if SHEET in wb.sheetnames else None
    sheet_name = visible.title if visible is not None else (wb.sheetnames[0] if wb.sheetnames else "")
    if issued is None or issued == "changed":
        what = ("不是本系统发出的评分表（缺少隐藏的发放记录），可能是重新录入、复制到新文件或另存为其他格式"
                if issued is None else "评分表的隐藏发放记录被改动过")
        return None, None, [Problem("SHEET_NOT_ISSUED" if issued is None else "SHEET_META_CHANGED", rel,
                              sheet_name, "", what,
                              "请专家在发给他的原评分表（output/<届次>/scoresheets/）上填写分数后交回")]
    assert isinstance(issued, _Issued)
    expert = issued.expert
    if visible is None:
        return expert, None, [Problem("SHEET_MISSING", rel, "", "", f"找不到工作表“{SHEET}”",
                              "不要改动工作表名称；请在原评分表上填写分数")]
    ws = visible
    if issued.year != year:
        return None, None, [Problem("SHEET_WRONG_ROUND", rel, SHEET, "", f"这是 {issued.year} 年度的评分表，不是本届（{year} 年度）的",
                              "把它移出 review/scores/")]
    if expert not in experts:
        return None, None, [Problem("SHEET_UNKNOWN_EXPERT", rel, SHEET, f"A{EXPERT_ROW}",
                              f"评审专家“{expert}”不在本届专家名单中（{'、'.join(experts)}）",
                              "把它移出 review/scores/，或在 edition.toml 的 [review] experts 中加上该专家并重新发放评分表")]
    if not ws.protection.sheet:
        problems.append(Problem("SHEET_UNPROTECTED", rel, SHEET, "",
                                "工作表保护已被取消（锁定的内容已逐格核对）",
                                "核对无误后可在 Excel/WPS 中“审阅→保护工作表”重新保护", warning=True))
    wanted = tuple((c.name, c.weight, c.max) for c in criteria)
    if issued.criteria != wanted:
        first, last = _letter(FIRST_SCORE_COL), _letter(FIRST_SCORE_COL + len(issued.criteria) - 1)
        problems.append(Problem(
            "SHEET_CRITERIA_CHANGED", rel, SHEET, f"{first}{HEADER_ROW}:{last}{HEADER_ROW}",
            "评分表发出后，edition.toml 中的评分标准（项目、权重或满分）已改变",
            "运行 make scoresheets 重新生成评分表，请专家按新标准重新评分"))
        return expert, None, problems

    # Locked cells as issued: a difference means the sheet was unprotected and retyped.
    expected: list[tuple[str, str]] = [(f"A{EXPERT_ROW}", expert_cell_text(expert))]
    headers = [h for h, _ in FIXED_HEADERS] + [criterion_header(c) for c in criteria]
    expected += [(f"{_letter(col)}{HEADER_ROW}", h) for col, h in enumerate(headers, start=1)]
    for i, row in enumerate(issued.rows):
        r = FIRST_ROW + i
        expected += [(f"B{r}", row[0]), (f"C{r}", row[1]), (f"D{r}", row[2]), (f"E{r}", row[3])]
    retyped = []
    for ref, want in expected:
        got = ws[ref].value
        if clean(got) != clean(want):
            retyped.append((ref, want, got))
    for ref, want, got in retyped[:6]:
        problems.append(Problem(
            "SHEET_RETYPED", rel, SHEET, ref,
            f"锁定的内容与发出时不同：原为“{want}”，现为“{'' if got is None else got}”（工作表被取消保护后改动过）",
            "请在原评分表上填写分数后交回；或恢复原内容后重新保护工作表"))
    if len(retyped) > 6:
        problems.append(Problem("SHEET_RETYPED", rel, SHEET, "",
                                f"另有 {len(retyped) - 6} 个锁定单元格与发出时不同", "同上"))

    # The scores, found by 编号 (so a sorted sheet still reads correctly).
    codes = list(shortlist)
    seen: dict[str, int] = {}
    scores: dict[str, tuple[Fraction, ...]] = {}
    for r in range(FIRST_ROW, ws.max_row + 1):
        raw = ws[f"B{r}"].value
        label = clean(ws[f"A{r}"].value)
        if raw is None or clean(raw) == "" or label.startswith("评审专家"):
            continue
        code = clean(raw)
        if code not in shortlist:
            problems.append(Problem(
                "SHEET_NOT_ON_SHORTLIST", rel, SHEET, f"B{r}",
                f"编号 {code}（{clean(ws[f'C{r}'].value)}）不在本届提名人选名单中",
                "评分表可能是按旧名单发出的：运行 make scoresheets 重新生成并发放；或删除这一行"))
            continue
        if code in seen:
            problems.append(Problem("SHEET_DUPLICATE_ROW", rel, SHEET, f"B{r}",
                                    f"编号 {code}（{shortlist[code]}）出现了两次（另一次在第 {seen[code]} 行）",
                                    "删除重复的一行"))
            continue
        seen[code] = r
        on_sheet = clean(ws[f"C{r}"].value)
        if on_sheet != clean(shortlist[code]):
            problems.append(Problem(
                "SHEET_NAME_CHANGED", rel, SHEET, f"C{r}",
                f"编号 {code} 在评分表中是“{on_sheet}”，名册中现为“{shortlist[code]}”（分数按编号计入）",
                "如果名册只是更正了姓名，可不处理；如果编号对应的人变了，请重新生成并发放评分表", warning=True))
        values: list[Fraction] = []
        for j, c in enumerate(criteria):
            ref = f"{_letter(FIRST_SCORE_COL + j)}{r}"
            value = ws[ref].value
            number = _number(value)
            who = f"{code} {shortlist[code]} 的“{c.name}”"
            if value is None or clean(value) == "":
                problems.append(Problem("SCORE_EMPTY", rel, SHEET, ref, f"{who}分数未填写",
                                        f"请专家填写 0 至 {_max_text(c.max)} 之间的分数"))
            elif number is None:
                problems.append(Problem("SCORE_NOT_A_NUMBER", rel, SHEET, ref, f"{who}分数“{value}”不是数字",
                                        f"改为 0 至 {_max_text(c.max)} 之间的数字"))
            elif not 0 <= number <= Fraction(repr(c.max)):
                problems.append(Problem("SCORE_OUT_OF_RANGE", rel, SHEET, ref,
                                        f"{who}分数 {score_text(number)} 超出范围 0–{_max_text(c.max)}",
                                        f"请专家改为 0 至 {_max_text(c.max)} 之间的分数"))
            else:
                values.append(number)
        if len(values) == len(criteria):
            scores[code] = tuple(values)
    missing = [c for c in codes if c not in seen]
    if missing:
        span = f"B{FIRST_ROW}:B{max(FIRST_ROW, ws.max_row)}"
        problems.append(Problem(
            "SHEET_NOMINEE_MISSING", rel, SHEET, span,
            f"缺少 {len(missing)} 名提名人选：{'、'.join(f'{c} {shortlist[c]}' for c in missing)}",
            "评分表可能是按旧名单发出的或被删除了行：运行 make scoresheets 重新生成并发放"))
    return expert, ExpertSheet(expert, rel, scores), problems


def list_returned(folder: Path) -> tuple[list[Path], list[Path]]:
    """(the .xlsx files, other spreadsheet files) in review/scores/, ignoring Office lock files."""
    if not folder.is_dir():
        return [], []
    xlsx, other = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            xlsx.append(path)
        elif suffix in SPREADSHEET_SUFFIXES:
            other.append(path)
    return xlsx, other
