"""Formula injection (issue 11, point 2): roster text that looks like a formula — "=1+1",
"=HYPERLINK(…)", "+1", "@SUM(A1)", a tab before "=", "-2+3" — stays text in every spreadsheet
a round writes, prints as written when LibreOffice opens the file, and reads back unchanged
when a sheet we issued comes back saved by LibreOffice.

One small round (six nominees, each with a hostile 姓名, 工作单位及职务 and 推荐单位) goes from a
CSV roster through check, 初审, shortlist, score sheets, results, certificates and the registry
export; no PDF is rendered (they are not what is tested here).
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.core.errors import StageError
from pipeline.core.model import CheckResult
from pipeline.packets.printlist import PrintRow, print_list_xlsx
from pipeline.review.decisions import read_table
from pipeline.review.problems import ReviewError
from pipeline.review.sheets import sheet_filename
from pipeline.stages.check import run_check
from pipeline.stages.results import build_results
from pipeline.stages.scoresheets import build_scoresheets
from pipeline.stages.shortlist import build_shortlist, preliminary_path
from tests.conftest import make_id
from tests.review_fixtures import (
    context,
    copy_demo_calendar,
    fill_preliminary,
    fill_sheet,
    make_edition,
    patch_check,
    skip_pdfs,
)
from tests.roster_fixtures import row, write_csv

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")

HOSTILE = ("=1+1", '=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\t=1+1", "-2+3")
"""What a careless or hostile roster holds: formulas, formula prefixes, a tab before "="."""
WRITTEN = tuple(dict.fromkeys(h.strip() for h in HOSTILE))
"""The same as the pipeline reads it (intake strips the tab)."""
EXPERTS = ("王立军", "陈淑华", "刘振东", "赵国庆", "孙海燕")
LO_SAVED = "王立军"
"""The expert who opens the score sheet in LibreOffice and saves it there."""


@dataclass(frozen=True)
class Round:
    """The round's spreadsheets, and what became of the one an expert saved in LibreOffice."""

    files: dict[str, Path]
    """Document → the XLSX the round wrote."""
    problems: tuple[str, ...]
    """What `make results` said about the returned score sheets (nothing: all were accepted)."""
    work: Path
    """A scratch folder of the round."""


def _hostile_rows() -> list[dict[str, object]]:
    n = len(HOSTILE)
    return [row(编号=f"N{i + 1:02d}", 姓名=HOSTILE[i], 工作单位及职务=HOSTILE[(i + 1) % n],
                推荐单位=HOSTILE[(i + 2) % n], 身份证号码=make_id("19800115", seq=f"{i + 10:02d}"),
                联系电话=f"1390457{i:04d}")
            for i in range(n)]


def _libreoffice(args: list[str], folder: Path) -> None:
    assert LIBREOFFICE is not None
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless",
                    *args], check=True, capture_output=True, timeout=180)


def _scores(expert: str, code: str, j: int) -> int:
    return 95 - 3 * int(code[1:]) + EXPERTS.index(expert) - j


@pytest.fixture(scope="module")
def hostile_round(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Round]:
    if LIBREOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.certificates import issue_certificates

    root = tmp_path_factory.mktemp("formula")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("output", "state", "keys"):
            mp.setenv(f"XN_{name.upper()}", str(root / name))
        folder = make_edition(root)
        copy_demo_calendar(folder)
        write_csv(folder / "roster.csv", _hostile_rows())
        ctx = context(folder)
        checked = run_check(ctx)  # no photos or scans: errors, but 推荐人选汇总表 lists everyone
        files = {"推荐人选汇总表": ctx.output / "check" / "推荐人选汇总表.xlsx"}

        # From here on, as if everyone's materials were complete.
        clean = CheckResult(tuple(dataclasses.replace(n, findings=()) for n in checked.nominees), (),
                            checked.report)
        patch_check(mp, clean)
        skip_pdfs(mp)
        mp.setattr("pipeline.stages.shortlist.pdf_size", lambda html_at: 10.5)
        mp.setattr("pipeline.stages.certificates._render_all", lambda *args: None)
        mp.setattr("pipeline.rules.privacy.guard", lambda *args, **kwargs: None)  # stub PDFs: nothing to read back
        mp.setattr("pipeline.stages.certificates.subsidy_pdf", lambda *args: b"%PDF-1.4\n")
        with pytest.raises(StageError, match="初审表"):
            build_shortlist(ctx)  # writes review/初审.xlsx into the edition and asks for the decisions
        files["初审"] = preliminary_path(ctx)
        fill_preliminary(files["初审"], lambda code, status: "通过")
        shortlist = build_shortlist(ctx)
        files["提名人选名单"] = shortlist.folder / "提名人选名单.xlsx"

        work = root / "work"
        blanks = build_scoresheets(ctx, shortlist)
        files.update({f"评分表-{p.stem.removeprefix('评分表-')}": p for p in blanks})
        lo_blank = next(p for p in blanks if LO_SAVED in p.name)
        _libreoffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(work / "lo"), str(lo_blank)],
                     work)
        for blank in blanks:
            expert = blank.stem.removeprefix("评分表-")
            source = work / "lo" / blank.name if expert == LO_SAVED else blank
            fill_sheet(source, lambda code, j, e=expert: _scores(e, code, j),
                       ctx.edition.review_dir / "scores" / sheet_filename(expert))
        files["评审结果"] = ctx.output / "results" / "评审结果.xlsx"
        files["颁奖及补贴发放表"] = ctx.output / "certificates" / "颁奖及补贴发放表.xlsx"
        files["兴安技术能手数据库"] = ctx.output / "registry" / "兴安技术能手数据库.xlsx"
        problems: tuple[str, ...] = ()
        try:
            build_results(ctx)
        except ReviewError as exc:  # what the office would be told; the later files are then missing
            problems = tuple(f"{p.code} {p}" for p in exc.problems)
        else:
            issue_certificates(ctx, load_awardees(ctx, clean).public)
            assert main(["--edition", str(folder), "-q", "registry", "export"]) == 0

        files["打印清单"] = work / "打印清单.xlsx"  # the packets stage's list, from the same rows
        files["打印清单"].write_bytes(print_list_xlsx(
            [PrintRow(n.candidate.code, n.candidate.name, n.candidate.recommender,
                      f"{n.candidate.code}-申报材料（打印版）.pdf", 40, 5) for n in clean.nominees],
            "申报材料打印清单", ctx.source_date))
        yield Round(files, problems, work)


def _cells(path: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, cell, value, data type) of every cell of every sheet."""
    wb = load_workbook(path)
    return [(ws.title, cell.coordinate, cell.value, cell.data_type)
            for ws in wb.worksheets for r in ws.iter_rows() for cell in r if cell.value is not None]


DOCUMENTS = ("推荐人选汇总表", "初审", "提名人选名单", "评审结果", "颁奖及补贴发放表", "兴安技术能手数据库", "打印清单",
             *(f"评分表-{e}" for e in EXPERTS))


AWARDEES_ONLY = frozenset({"颁奖及补贴发放表", "兴安技术能手数据库"})
"""Lists of the three awardees only, not of every nominee."""


@pytest.mark.parametrize("document", DOCUMENTS)
def test_roster_text_is_never_a_formula(hostile_round: Round, document: str) -> None:
    path = hostile_round.files[document]
    assert path.is_file(), f"{document} was not written"
    cells = _cells(path)
    shown = {"".join(str(v).split()) for *_, v, t in cells if t == "s"}
    wanted = {"".join(text.split()) for text in WRITTEN}
    if document in AWARDEES_ONLY:
        assert len(wanted & shown) >= 2, f"{document}: the awardees' text is not in the sheet as text"
    else:
        assert wanted <= shown, f"{document}: {sorted(wanted - shown)} not in the sheet as text"
    live = [(s, ref, v) for s, ref, v, t in cells if t in ("f", "e") and any(
        "".join(h.split()) in "".join(str(v).split()) for h in WRITTEN)]
    assert not live, f"{document}: roster text written as a formula: {live}"


def test_the_only_formulas_are_our_own_totals(hostile_round: Round) -> None:
    """The score sheet's 加权合计 is a formula the pipeline writes itself: still one."""
    cells = _cells(hostile_round.files[f"评分表-{EXPERTS[1]}"])
    totals = [v for *_, v, t in cells if t == "f"]
    assert totals and all(str(v).startswith("=IF(COUNT(") for v in totals)


def test_libreoffice_prints_the_text_not_its_value(hostile_round: Round) -> None:
    """The shortlist as LibreOffice shows it (converted to CSV): "=1+1", never 2; no link."""
    out = hostile_round.work / "csv"
    _libreoffice(["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out),
                  str(hostile_round.files["提名人选名单"])], hostile_round.work)
    with (out / "提名人选名单.csv").open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    header = next(r for r in table if "姓名" in r)
    body = [dict(zip(header, r, strict=False)) for r in table[table.index(header) + 1:] if r and r[0].isdigit()]
    names = sorted("".join(r["姓名"].split()) for r in body)
    assert names == sorted("".join(h.split()) for h in HOSTILE)
    units = [r["工作单位及职务"] for r in body]
    assert units.count("=1+1") == 2 and '=HYPERLINK("http://x","y")' in units and "-2+3" in units
    assert not {"2", "y", "1", "5"} & {*units, *names}, "LibreOffice evaluated roster text"


def test_score_sheets_read_back_unchanged_also_when_saved_by_libreoffice(hostile_round: Round) -> None:
    """Every returned score sheet is accepted — the one an expert saved in LibreOffice too: its
    locked 姓名 and 单位 still read as issued (no SHEET_RETYPED)."""
    assert hostile_round.problems == ()


def test_preliminary_sheet_reads_back_as_written(hostile_round: Round) -> None:
    """初审.xlsx, written into the edition folder, keeps the names and units as text."""
    table, problems = read_table(hostile_round.files["初审"], "review/初审.xlsx", ("编号", "姓名", "工作单位及职务"), "初审")
    assert table is not None and not problems
    assert sorted("".join(str(v["姓名"]).split()) for _, v in table.rows) == sorted(
        "".join(h.split()) for h in HOSTILE)
    assert sorted(str(v["工作单位及职务"]) for _, v in table.rows) == sorted(h.strip() for h in HOSTILE)
