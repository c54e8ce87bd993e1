"""Fixtures for the review stages, made in code: checked nominees without files, filled sheets.

The review stages need the check result, not the nominees' photos and scans, so tests build
`Nominee`s directly (fictional names and units, valid ID numbers and mobile numbers so the
privacy scan has something to miss) and replace `run_check` in pipeline.stages.shortlist.
Score sheets are filled with openpyxl exactly as an expert's Excel would leave them.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.model import (
    Candidate,
    CheckResult,
    Finding,
    Materials,
    Nominee,
    Severity,
    YearMonth,
)
from pipeline.review.sheets import FIRST_ROW, FIRST_SCORE_COL
from pipeline.stages.publicity import NoticeFiles
from tests.conftest import make_id

DEMO = PROJECT_ROOT / "input" / "demo"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ("建国", "秀兰", "志强", "海燕", "立军", "春梅", "国庆", "丽娜", "永利", "淑英", "德明", "晓燕")
UNITS = ("塔河林业局专业森林消防大队 中队长", "国网大兴安岭供电公司输电运检中心 班长",
         "大兴安岭地区人民医院后勤保障科 电工班长", "漠河市极地蓝莓电子商务有限公司 直播运营主管",
         "加格达奇区供热公司第三热源厂 运行班长")
TRADES = ("森林消防员", "电力线路工", "电工", "电子商务师", "锅炉运行值班员")


def nominee(i: int, *, ok: bool = True, code: str | None = None) -> Nominee:
    """The i-th fictional nominee (0-based): 编号 'N01' …, clean unless ok=False."""
    code = code or f"N{i + 1:02d}"
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
    male = i % 3 != 1
    birth = f"19{75 + i % 15}{1 + i % 12:02d}{10 + i % 18:02d}"
    candidate = Candidate(
        code=code, name=name, gender="男" if male else "女", birth=YearMonth(int(birth[:4]), int(birth[4:6])),
        native_place="黑龙江塔河", ethnicity="汉族", political_status="群众", education="大专",
        work_start=YearMonth(2000, 7), professional_title="无", skill_level="技师",
        unit_and_post=UNITS[i % len(UNITS)], occupation=TRADES[i % len(TRADES)],
        id_number=make_id(birth, male=male, seq=f"{i % 100:02d}"), phone=f"139{i:04d}{i * 7 % 10000:04d}",
        recommender="大兴安岭林业集团公司", nomination="单位推荐", retirement_category=None,
        conditions=(1, 5), exclusion="", resume="2000.07—至今 一线工作",
        summary=f"{name}同志扎根一线二十年，练就过硬本领。总结出先进操作法，在全区推广应用。", row=i + 2)
    findings: tuple[Finding, ...] = ()
    if not ok:
        findings = (Finding("ID_CHECKSUM", Severity.error, "身份证号码校验位错误", "核对身份证号码",
                            candidate_code=code, candidate_name=name, field="身份证号码"),)
    return Nominee(candidate, Materials(Path("/nonexistent") / code, None, None, ()), findings, None)


def check_result(count: int, errors: Sequence[int] = ()) -> CheckResult:
    """A check result of `count` nominees; the 0-based indexes in `errors` have an error finding."""
    return CheckResult(tuple(nominee(i, ok=i not in errors) for i in range(count)), (), Path("report.json"))


def make_edition(tmp_path: Path, toml_changes: Mapping[str, str] | None = None) -> Path:
    """A tmp edition with the demo's edition.toml (text replacements applied), no roster."""
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    text = (DEMO / "edition.toml").read_text(encoding="utf-8")
    for old, new in (toml_changes or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "edition.toml").write_text(text, encoding="utf-8")
    return folder


def context(folder: Path) -> RunContext:
    """A quiet run context on an edition folder."""
    return RunContext(load_edition(folder), quiet=True)


def patch_check(monkeypatch: pytest.MonkeyPatch, result: CheckResult) -> None:
    """Make every review stage see `result` instead of running the check stage."""
    monkeypatch.setattr("pipeline.stages.shortlist.run_check", lambda ctx: result)


def blank_pdf(html: str, target: Path, **kwargs: object) -> int:
    """Stands in for html_to_pdf: one blank A4 page (a real PDF, so it can be read back)."""
    from pypdf import PdfWriter

    target.parent.mkdir(parents=True, exist_ok=True)
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with target.open("wb") as fh:
        writer.write(fh)
    return 1


def skip_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write a blank page instead of rendering PDFs in the review stages (tests that do not look at them)."""
    for module in ("shortlist", "results", "publicity"):
        monkeypatch.setattr(f"pipeline.stages.{module}.html_to_pdf", blank_pdf)


def fill_preliminary(path: Path, decide: Callable[[str, str], str | None]) -> None:
    """Fill 初审结果 of a written 初审.xlsx: decide(编号, 审查结果) → 通过 / 不通过 / None (leave empty)."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for r in range(4, ws.max_row + 1):
        code, status = ws.cell(r, 2).value, ws.cell(r, 7).value
        if code:
            value = decide(str(code), str(status))
            if value is not None:
                ws.cell(r, 9).value = value
    wb.save(path)


def pass_first(n: int) -> Callable[[str, str], str]:
    """A decide() passing the first n clean nominees."""
    passed: list[str] = []

    def decide(code: str, status: str) -> str:
        if status != "不合格" and len(passed) < n:
            passed.append(code)
            return "通过"
        return "不通过"

    return decide


def shortlist_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, passed: int,
                      toml_changes: Mapping[str, str] | None = None, errors: Sequence[int] = ()) -> RunContext:
    """An edition with `count` nominees of whom the first `passed` clean ones pass the 初审."""
    from pipeline.stages.shortlist import preliminary_path, write_preliminary_sheet

    folder = make_edition(tmp_path, toml_changes)
    result = check_result(count, errors)
    patch_check(monkeypatch, result)
    ctx = context(folder)
    path = preliminary_path(ctx)
    write_preliminary_sheet(ctx, result, path)
    fill_preliminary(path, pass_first(passed))
    return ctx


def fill_sheet(path: Path, scores: Callable[[str, int], object], target: Path | None = None) -> Path:
    """Fill a blank score sheet: scores(编号, criterion index) → the cell value; saved at target."""
    wb = load_workbook(path)
    ws = wb["评分表"]
    width = 0
    while ws.cell(4, FIRST_SCORE_COL + width).value not in (None, "加权合计"):
        width += 1
    r = FIRST_ROW
    while ws.cell(r, 2).value:
        for j in range(width):
            ws.cell(r, FIRST_SCORE_COL + j).value = scores(str(ws.cell(r, 2).value), j)
        r += 1
    target = target or path
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def return_sheets(ctx: RunContext, scores: Callable[[str, str, int], object]) -> list[Path]:
    """Generate the blank sheets and return them filled: scores(expert, 编号, criterion index)."""
    from pipeline.review.sheets import sheet_filename
    from pipeline.stages.scoresheets import build_scoresheets

    out = []
    for blank in build_scoresheets(ctx):
        expert = blank.stem.removeprefix("评分表-")
        target = ctx.edition.review_dir / "scores" / sheet_filename(expert)
        out.append(fill_sheet(blank, lambda code, j, e=expert: scores(e, code, j), target))
    return out


def copy_demo_calendar(folder: Path) -> None:
    """Copy the demo's calendar.toml (2027) when it exists."""
    if (DEMO / "calendar.toml").is_file():
        shutil.copy(DEMO / "calendar.toml", folder / "calendar.toml")


CAL_2027 = """\
[2027]
holidays = [2027-01-01, 2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11,
            2027-02-12, 2027-04-05, 2027-05-01, 2027-05-02, 2027-05-03, 2027-05-04, 2027-05-05,
            2027-06-09, 2027-09-15, 2027-10-01, 2027-10-02, 2027-10-03, 2027-10-04, 2027-10-05,
            2027-10-06, 2027-10-07]
workdays = [2027-02-20, 2027-05-08, 2027-10-09]
"""
"""A fictional 2027 calendar for tests (the real one is published by the State Council)."""



HOSTILE = "<script>alert(1)</script>{{ 7*7 }} A&B"
"""Text that must stay text in every document."""


def round_scores(expert: str, code: str, j: int) -> int:
    """Distinct totals for up to 40 nominees: N01 best."""
    experts = ("王立军", "陈淑华", "刘振东", "赵国庆", "孙海燕")
    return 95 - int(code[1:]) + experts.index(expert) - j


@dataclass(frozen=True)
class Round:
    """A whole review round built once per test session (44 nominees, 40 shortlisted, 20 selected)."""

    edition: Path
    """The edition folder."""
    output: Path
    """Its output folder."""
    check: CheckResult
    """The (fake) check result."""
    notice: NoticeFiles
    """The 公示 files."""
    selected: tuple[str, ...]
    """编号 of the awardees in rank order."""


_ROUNDS: dict[str, Round] = {}


def whole_round(factory: pytest.TempPathFactory) -> Round:
    """Build (once per process) a full round through shortlist, score sheets, results and the 公示."""
    if "round" in _ROUNDS:
        return _ROUNDS["round"]
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.publicity import build_publicity_notice
    from pipeline.stages.results import build_results

    base = factory.mktemp("round")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(base / "output"))
        nominees = list(check_result(44).nominees)
        first = nominees[0]
        nominees[0] = dataclasses.replace(
            first, candidate=dataclasses.replace(first.candidate, unit_and_post="塔河林业局" + HOSTILE))
        result = CheckResult(tuple(nominees), (), Path("report.json"))
        patch_check(mp, result)
        folder = make_edition(base)
        (folder / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
        ctx = context(folder)
        from pipeline.stages.shortlist import preliminary_path, write_preliminary_sheet

        write_preliminary_sheet(ctx, result, preliminary_path(ctx))
        fill_preliminary(preliminary_path(ctx), pass_first(40))
        return_sheets(ctx, round_scores)
        results = build_results(ctx)
        awardees = load_awardees(ctx, results.check)
        files = build_publicity_notice(ctx, results, awardees)
        built = Round(folder, ctx.output, result, files, tuple(s.code for s in results.selected))
    _ROUNDS["round"] = built
    return built
