"""Expert score sheets: generation, round trip, every bad-sheet case, aggregation, ties, results."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pipeline.core.context import RunContext
from pipeline.review.problems import Problem, ReviewError, TieError
from pipeline.review.scoring import aggregate, find_tie, ranked, select
from pipeline.review.sheets import (
    FIRST_ROW,
    SheetRow,
    SheetSpec,
    one_line,
    read_score_sheet,
    write_score_sheet,
)
from pipeline.stages.awardees import awardees_path
from pipeline.stages.results import build_results, read_returned
from pipeline.stages.scoresheets import build_scoresheets
from pipeline.stages.shortlist import build_shortlist, preliminary_path
from tests.review_fixtures import (
    context,
    fill_preliminary,
    fill_sheet,
    return_sheets,
    shortlist_edition,
    skip_pdfs,
)

EXPERTS = ("王立军", "陈淑华", "刘振东", "赵国庆", "孙海燕")


def distinct(expert: str, code: str, j: int) -> int:
    """Scores giving every nominee a distinct total: N01 best, then N02 …"""
    return 95 - 3 * int(code[1:]) + EXPERTS.index(expert) - j


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunContext:
    """10 nominees, all on the shortlist (so 5 are selected), 5 experts; no PDF rendering (fast)."""
    skip_pdfs(monkeypatch)
    return shortlist_edition(tmp_path, monkeypatch, 10, 10)


@pytest.fixture
def ctx_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunContext:
    """The same edition, rendering the PDFs."""
    return shortlist_edition(tmp_path, monkeypatch, 10, 10)


_RETURNED: dict[str, dict[str, bytes]] = {}


def returned(ctx: RunContext, scores: Callable[[str, str, int], object]) -> None:
    """return_sheets(), with the filled files cached per scoring function (openpyxl is slow)."""
    key = getattr(scores, "__name__", repr(scores))
    if key not in _RETURNED:
        _RETURNED[key] = {p.name: p.read_bytes() for p in return_sheets(ctx, scores)}
        return
    folder = scores_folder(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in _RETURNED[key].items():
        (folder / name).write_bytes(data)


def scores_folder(ctx: RunContext) -> Path:
    return ctx.edition.review_dir / "scores"


def sheet_of(ctx: RunContext, expert: str) -> Path:
    return scores_folder(ctx) / f"评分表-{expert}.xlsx"


def problems(ctx: RunContext) -> list[Problem]:
    return read_returned(ctx, build_shortlist(ctx))[1]


def edit(path: Path, unprotect: bool = False, **cells: object) -> None:
    wb = load_workbook(path)
    ws = wb["评分表"]
    if unprotect:
        ws.protection.sheet = False
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


# ---- the blank sheet -------------------------------------------------------------------------

def test_blank_sheet_layout_protection_validation_print(ctx: RunContext) -> None:
    paths = build_scoresheets(ctx)
    assert [p.name for p in paths] == [f"评分表-{e}.xlsx" for e in EXPERTS]
    wb = load_workbook(paths[0])
    assert wb.sheetnames == ["评分表", "_meta"] and wb["_meta"].sheet_state == "veryHidden"
    assert wb.security is not None and wb.security.lockStructure
    ws = wb["评分表"]
    assert ws["A2"].value == "评审专家：王立军"
    header = [ws.cell(4, c).value for c in range(1, 11)]
    assert header[:6] == ["序号", "编号", "姓名", "工作单位及职务", "职业（工种）", "事迹摘要"]
    assert header[6].startswith("技能水平") and "满分100" in header[6] and "40%" in header[6]
    assert header[7].startswith("业绩") and header[8].startswith("贡献") and header[9] == "加权合计"
    assert [ws.cell(r, 2).value for r in range(5, 15)] == [f"N{i:02d}" for i in range(1, 11)]
    assert ws["F5"].value == one_line(build_shortlist(ctx).nominees[0].candidate.summary)
    assert ws["J5"].value == '=IF(COUNT(G5:I5)=3,ROUND(G5*0.4+H5*0.3+I5*0.3,2),"")'
    # Protected except the score cells.
    assert ws.protection.sheet
    assert not ws["G5"].protection.locked and not ws["I14"].protection.locked
    assert ws["B5"].protection.locked and ws["C5"].protection.locked and ws["J5"].protection.locked
    # Validation on the score range.
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(rules) == {"G5:G14", "H5:H14", "I5:I14"}
    assert all(dv.type == "decimal" and dv.operator == "between" and dv.formula1 == "0" and dv.formula2 == "100"
               for dv in rules.values())
    # Print set-up: landscape, one page wide, header with round and expert, signature line.
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "2027" in ws.oddHeader.left.text and "王立军" in ws.oddHeader.right.text
    assert ws.print_title_rows == "$4:$4"
    assert ws["A16"].value == "评审专家（签名）：" and "日期" in ws["F16"].value


def test_blank_sheets_are_reproducible(ctx: RunContext) -> None:
    first = [p.read_bytes() for p in build_scoresheets(ctx)]
    for p in build_scoresheets(ctx):
        p.unlink()
    shutil.rmtree(ctx.work / "review")
    assert [p.read_bytes() for p in build_scoresheets(ctx)] == first


def test_criteria_from_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml_tail = '[[review.criteria]]\nname = "技能水平"\nweight = 0.4\nmax = 100\n'
    changes = {toml_tail: '[[review.criteria]]\nname = "技能水平"\nweight = 0.4\nmax = 50\n',
               'experts = ["王立军", "陈淑华", "刘振东", "赵国庆", "孙海燕"]': 'experts = ["甲", "乙"]'}
    skip_pdfs(monkeypatch)
    c = shortlist_edition(tmp_path, monkeypatch, 4, 4, changes)
    paths = build_scoresheets(c)
    assert [p.name for p in paths] == ["评分表-甲.xlsx", "评分表-乙.xlsx"]
    ws = load_workbook(paths[0])["评分表"]
    assert "满分50" in ws["G4"].value
    assert {dv.formula2 for dv in ws.data_validations.dataValidation} == {"50", "100"}


# ---- round trip ---------------------------------------------------------------------------------

def test_round_trip(ctx: RunContext) -> None:
    def score(expert: str, code: str, j: int) -> object:
        return [80, 85.5, "９０"][j] if code == "N03" else distinct(expert, code, j)

    returned(ctx, score)
    sheets, found = read_returned(ctx, build_shortlist(ctx))
    assert found == []
    assert [s.expert for s in sheets] == list(EXPERTS)
    assert sheets[0].file == "review/scores/评分表-王立军.xlsx"
    assert sheets[2].scores["N03"] == (Fraction(80), Fraction(171, 2), Fraction(90))
    assert sheets[1].scores["N07"] == (Fraction(distinct("陈淑华", "N07", 0)),
                                       Fraction(distinct("陈淑华", "N07", 1)), Fraction(distinct("陈淑华", "N07", 2)))


def test_results_end_to_end(ctx_pdf: RunContext) -> None:
    ctx = ctx_pdf
    returned(ctx, distinct)
    results = build_results(ctx)
    assert [s.code for s in results.selected] == ["N01", "N02", "N03", "N04", "N05"]
    data = json.loads(awardees_path(ctx).read_text(encoding="utf-8"))
    assert [a["编号"] for a in data["awardees"]] == ["N01", "N02", "N03", "N04", "N05"]
    assert [a["rank"] for a in data["awardees"]] == [1, 2, 3, 4, 5]
    # N01: experts' totals 95-3+e-1.0 (weights 0.4/0.3/0.3 → −0.9); drop 王 (lowest) and 孙 (highest).
    s = results.scored["N01"]
    assert s.kept == (False, True, True, True, False)
    assert s.total == Fraction(92) + 2 - Fraction(9, 10)
    text = "".join(subprocess.run(["pdftotext", str(results.folder / "评审结果.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    assert "专家评审结果" in text and "未入选" in text and "去掉一个最高分和一个最低分" in text
    ws = load_workbook(results.folder / "评审结果.xlsx")["评审结果"]
    assert ws["B4"].value == "N01" and ws["N4"].value == "入选" and ws["N9"].value == "未入选"
    assert ws["H4"].font.strike and not ws["I4"].font.strike   # 王立军 dropped, 陈淑华 kept
    assert ws["M4"].value == pytest.approx(float(s.total))


# ---- every bad sheet, named by file, sheet and cell ---------------------------------------------

def test_score_out_of_range_empty_and_not_a_number(ctx: RunContext) -> None:
    returned(ctx, distinct)
    edit(sheet_of(ctx, "陈淑华"), G6=101, H7=None, I8="八十", G9=-1)
    found = problems(ctx)
    assert [(p.code, p.cell) for p in found] == [
        ("SCORE_OUT_OF_RANGE", "G6"), ("SCORE_EMPTY", "H7"), ("SCORE_NOT_A_NUMBER", "I8"), ("SCORE_OUT_OF_RANGE", "G9")]
    first = str(found[0])
    assert first.startswith("文件 review/scores/评分表-陈淑华.xlsx，工作表“评分表”，单元格 G6：")
    assert "101" in first and "0–100" in first and "N02" in first and "处理办法" in first
    with pytest.raises(ReviewError) as err:
        build_results(ctx)
    assert "4 处问题" in str(err.value) and "单元格 H7" in str(err.value)


def test_a_failed_run_removes_the_stale_awardee_list(ctx: RunContext) -> None:
    returned(ctx, distinct)
    build_results(ctx)
    assert awardees_path(ctx).is_file()
    edit(sheet_of(ctx, "王立军"), G5=150)
    with pytest.raises(ReviewError):
        build_results(ctx)
    assert not awardees_path(ctx).exists()


def test_nominee_missing_and_not_on_shortlist(ctx: RunContext) -> None:
    returned(ctx, distinct)
    # The office changes the 初审 after the sheets went out: N10 out, and the roster's N01 … stays.
    fill_preliminary(preliminary_path(ctx), lambda code, status: "不通过" if code == "N10" else None)
    found = problems(ctx)
    assert {(p.code, p.cell) for p in found} == {("SHEET_NOT_ON_SHORTLIST", "B14")}
    assert len(found) == 5   # once per expert
    fill_preliminary(preliminary_path(ctx), lambda code, status: "通过")
    edit(sheet_of(ctx, "刘振东"), unprotect=True, B9=None, C9=None, D9=None, E9=None)
    found = [p for p in problems(ctx) if not p.warning]
    assert ("SHEET_NOMINEE_MISSING", "B5:B16") in [(p.code, p.cell) for p in found]
    assert any("N05" in p.message for p in found if p.code == "SHEET_NOMINEE_MISSING")


def test_sheet_from_an_unknown_expert(ctx: RunContext) -> None:
    returned(ctx, distinct)
    sl = build_shortlist(ctx)
    rows = tuple(SheetRow(n.candidate.code, n.candidate.name, n.candidate.unit_and_post, n.candidate.occupation, "")
                 for n in sl.nominees)
    spec = SheetSpec(ctx.edition.round.title, 2027, "demo", "路人甲", ctx.edition.review.criteria, rows, "")
    stranger = scores_folder(ctx) / "评分表-路人甲.xlsx"
    write_score_sheet(spec, stranger, ctx.source_date)
    fill_sheet(stranger, lambda code, j: 80)
    found = problems(ctx)
    assert [(p.code, p.file, p.cell) for p in found] == [
        ("SHEET_UNKNOWN_EXPERT", "review/scores/评分表-路人甲.xlsx", "A2")]
    assert "路人甲" in found[0].message and "experts" in found[0].hint


def test_the_same_expert_twice(ctx: RunContext) -> None:
    returned(ctx, distinct)
    shutil.copy(sheet_of(ctx, "赵国庆"), scores_folder(ctx) / "赵国庆-修改稿.xlsx")
    found = problems(ctx)
    assert [p.code for p in found] == ["SHEET_DUPLICATE_EXPERT"]
    assert "评分表-赵国庆.xlsx" in found[0].message and "赵国庆-修改稿.xlsx" in found[0].message


def test_unprotected_and_retyped(ctx: RunContext) -> None:
    returned(ctx, distinct)
    edit(sheet_of(ctx, "孙海燕"), unprotect=True, C6="张冠李戴", G4="技能")
    found = problems(ctx)
    assert [(p.code, p.cell, p.warning) for p in found] == [
        ("SHEET_UNPROTECTED", "", True), ("SHEET_RETYPED", "G4", False), ("SHEET_RETYPED", "C6", False),
        ("SHEET_NAME_CHANGED", "C6", True)]
    assert "张冠李戴" in found[2].message and "原为" in found[2].message
    assert "工作表“评分表”" in str(found[2])


def test_unprotected_but_intact_is_only_a_warning(ctx: RunContext) -> None:
    returned(ctx, distinct)
    edit(sheet_of(ctx, "孙海燕"), unprotect=True)
    results = build_results(ctx)
    assert [w.code for w in results.warnings] == ["SHEET_UNPROTECTED"]


def test_a_name_corrected_in_the_roster_is_a_warning(ctx: RunContext, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from pipeline.core.model import CheckResult
    from tests.review_fixtures import check_result, patch_check

    returned(ctx, distinct)
    nominees = list(check_result(10).nominees)
    nominees[2] = dataclasses.replace(nominees[2], candidate=dataclasses.replace(nominees[2].candidate, name="张志刚"))
    patch_check(monkeypatch, CheckResult(tuple(nominees), (), Path("report.json")))
    results = build_results(ctx)
    assert [(w.code, w.cell) for w in results.warnings] == [("SHEET_NAME_CHANGED", "C7")] * 5
    assert "张志刚" in results.warnings[0].message


def test_retyped_into_a_new_workbook(ctx: RunContext) -> None:
    returned(ctx, distinct)
    path = sheet_of(ctx, "王立军")
    original = load_workbook(path)["评分表"]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "评分表"
    for row in original.iter_rows():
        for cell in row:
            if cell.value is not None and cell.coordinate not in original.merged_cells:
                ws[cell.coordinate] = cell.value
    wb.save(path)
    found = problems(ctx)
    assert [(p.code, p.file) for p in found] == [
        ("SHEET_NOT_ISSUED", "review/scores/评分表-王立军.xlsx"), ("SHEET_EXPERT_MISSING", "review/scores/评分表-王立军.xlsx")]
    assert "原评分表" in found[0].hint


def test_tampered_issue_record(ctx: RunContext) -> None:
    returned(ctx, distinct)
    path = sheet_of(ctx, "王立军")
    wb = load_workbook(path)
    wb["_meta"]["A2"] = str(wb["_meta"]["A2"].value).replace("王立军", "陈淑华")
    wb.save(path)
    assert [p.code for p in problems(ctx)][0] == "SHEET_META_CHANGED"


def test_criteria_changed_after_issuing(ctx: RunContext) -> None:
    returned(ctx, distinct)
    toml = ctx.edition.path / "edition.toml"
    text = toml.read_text(encoding="utf-8").replace("weight = 0.4", "weight = 0.5", 1).replace(
        "weight = 0.3", "weight = 0.2", 1)
    toml.write_text(text, encoding="utf-8")
    found = problems(context(ctx.edition.path))
    assert {p.code for p in found} == {"SHEET_CRITERIA_CHANGED"} and found[0].cell == "G4:I4"


def test_missing_expert_and_old_formats(ctx: RunContext) -> None:
    returned(ctx, distinct)
    sheet_of(ctx, "刘振东").unlink()
    (scores_folder(ctx) / "评分表-刘振东.xls").write_bytes(b"old")
    (scores_folder(ctx) / "~$评分表-王立军.xlsx").write_bytes(b"lock file")
    (scores_folder(ctx) / "签字扫描件.pdf").write_bytes(b"%PDF-1.4")
    found = problems(ctx)
    assert [(p.code, p.file) for p in found] == [
        ("SHEET_FORMAT", "review/scores/评分表-刘振东.xls"),
        ("SHEET_EXPERT_MISSING", "review/scores/评分表-刘振东.xlsx")]


def test_unreadable_sheet(ctx: RunContext) -> None:
    returned(ctx, distinct)
    sheet_of(ctx, "王立军").write_bytes(b"PK\x03\x04 broken")
    found = problems(ctx)
    assert found[0].code == "SHEET_UNREADABLE" and found[0].file.endswith("评分表-王立军.xlsx")


def test_blank_sheet_reads_as_all_empty(ctx: RunContext) -> None:
    """A sheet returned without any score: every score cell is named."""
    paths = build_scoresheets(ctx)
    read = read_score_sheet(paths[0], "x.xlsx", year=2027, experts=EXPERTS,
                            criteria=ctx.edition.review.criteria, shortlist=build_shortlist(ctx).names)
    assert read.expert == "王立军" and read.sheet is not None and read.sheet.scores == {}
    assert {p.code for p in read.problems} == {"SCORE_EMPTY"} and len(read.problems) == 30


# ---- aggregation and ties ----------------------------------------------------------------------

W = [Fraction(2, 5), Fraction(3, 10), Fraction(3, 10)]


def f(*values: float) -> list[Fraction]:
    return [Fraction(repr(v)) for v in values]


def test_drop_extremes_with_five_experts() -> None:
    rows = [f(90, 90, 90), f(80, 80, 80), f(70, 70, 70), f(60, 60, 60), f(100, 50, 50)]
    s = aggregate("A", rows, W, drop_extremes=True)
    # totals 90, 80, 70, 60, 70 → drop 90 (highest) and 60 (lowest)
    assert s.expert_totals == (90, 80, 70, 60, 70)
    assert s.kept == (False, True, True, False, True)
    assert s.means == (Fraction(250, 3), Fraction(200, 3), Fraction(200, 3))
    assert s.total == Fraction(220, 3)


def test_no_drop_below_five_experts_or_when_off() -> None:
    rows = [f(90, 90, 90), f(80, 80, 80), f(70, 70, 70), f(60, 60, 60)]
    assert aggregate("A", rows, W, drop_extremes=True).kept == (True,) * 4
    assert aggregate("A", rows + [f(50, 50, 50)], W, drop_extremes=False).total == 70


def test_equal_extremes_drop_exactly_one_each() -> None:
    rows = [f(80, 80, 80)] * 5
    s = aggregate("A", rows, W, drop_extremes=True)
    assert s.kept.count(False) == 2 and s.total == 80


def test_exact_arithmetic_no_float_ties() -> None:
    a = aggregate("A", [f(85.5, 70, 90)], W, drop_extremes=False)
    b = aggregate("B", [f(85.5, 70, 90)], W, drop_extremes=False)
    assert a.total == b.total == Fraction(411, 5)


def test_tie_detection() -> None:
    def one(code: str, total: int) -> list[list[Fraction]]:
        return [f(total, total, total)]

    items = ranked([aggregate(c, one(c, t), W, False) for c, t in
                    [("A", 90), ("B", 85), ("C", 85), ("D", 85), ("E", 70)]], ["A", "B", "C", "D", "E"])
    assert find_tie(items, 1) is None and find_tie(items, 4) is None and find_tie(items, 5) is None
    tie = find_tie(items, 2)
    assert tie is not None and tie.codes == ("B", "C", "D") and tie.slots == 1 and tie.above == 1
    outcome = select(items, 2, ("D",), tie)
    assert [s.code for s in outcome.order] == ["A", "D", "B", "C", "E"]
    assert outcome.selected == {"A", "D"} and outcome.decided == {"B", "C", "D"}
    assert outcome.places == (1, 2, 2, 2, 5)


def tied(expert: str, code: str, j: int) -> int:
    """N05 and N06 tie for the fifth place (the cut-off with 10 on the shortlist)."""
    return 80 if code in ("N05", "N06") else distinct(expert, code, j)


def test_tie_at_the_cut_off_asks_for_a_decision(ctx: RunContext) -> None:
    returned(ctx, tied)
    with pytest.raises(TieError) as err:
        build_results(ctx)
    message = str(err.value)
    assert err.value.codes == ("N05", "N06")
    assert "N05" in message and "N06" in message and "80.00" in message and "只剩 1 个名额" in message
    assert "决定.xlsx" in message and "不能按名单顺序或随机决定" in message
    assert not awardees_path(ctx).exists()
    path = ctx.edition.review_dir / "决定.xlsx"
    ws = load_workbook(path).worksheets[0]
    assert [ws.cell(r, 2).value for r in (4, 5)] == ["N05", "N06"] and ws["E4"].value == "80.00"

    # The leading group decides: N06.
    wb = load_workbook(path)
    wb.worksheets[0]["F4"], wb.worksheets[0]["F5"] = "不入选", "入选"
    wb.worksheets[0]["G5"] = "领导小组会议研究决定"
    wb.save(path)
    results = build_results(ctx)
    assert [s.code for s in results.selected] == ["N01", "N02", "N03", "N04", "N06"]
    data = json.loads(awardees_path(ctx).read_text(encoding="utf-8"))
    assert data["awardees"][-1]["编号"] == "N06"
    ws = load_workbook(results.folder / "评审结果.xlsx")["评审结果"]
    assert ws["B8"].value == "N06" and ws["N8"].value == "入选（领导小组决定）"
    assert ws["B9"].value == "N05" and ws["A8"].value == ws["A9"].value == 5


def test_wrong_or_stale_decisions(ctx: RunContext) -> None:
    returned(ctx, tied)
    with pytest.raises(TieError):
        build_results(ctx)
    path = ctx.edition.review_dir / "决定.xlsx"
    wb = load_workbook(path)
    wb.worksheets[0]["F4"], wb.worksheets[0]["F5"] = "入选", "入选"
    wb.save(path)
    with pytest.raises(ReviewError) as err:
        build_results(ctx)
    assert [p.code for p in err.value.problems] == ["DECISION_COUNT"]
    wb.worksheets[0]["F5"] = "不入选"
    wb.save(path)
    build_results(ctx)
    # Scores change afterwards: N06 drops to 70 and N07 rises to 80, so N05 now ties with N07.
    for expert in EXPERTS:
        edit(sheet_of(ctx, expert), **{f"{c}{FIRST_ROW + 5}": 70 for c in "GHI"},
             **{f"{c}{FIRST_ROW + 6}": 80 for c in "GHI"})
    with pytest.raises(ReviewError) as err:
        build_results(ctx)
    found = {p.code: p for p in err.value.problems}
    assert set(found) == {"DECISION_MISSING", "DECISION_NOT_TIED"}
    assert "N07" in found["DECISION_MISSING"].message and found["DECISION_NOT_TIED"].cell == "F5"
