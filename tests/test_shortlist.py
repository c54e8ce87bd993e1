"""初审 shortlist: the pre-filled 初审.xlsx, its limits (2:1, ≤ 40) and the 提名人选名单."""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.errors import ExitCode, StageError
from pipeline.review.problems import ReviewError
from pipeline.stages import shortlist as stage
from pipeline.stages.shortlist import build_shortlist, preliminary_path
from tests.review_fixtures import (
    check_result,
    context,
    fill_preliminary,
    make_edition,
    patch_check,
    shortlist_edition,
    skip_pdfs,
)

ARGS = argparse.Namespace()
RENDERS_PDF = {"test_shortlist_of_forty", "test_outputs_are_reproducible_and_incremental"}


@pytest.fixture(autouse=True)
def _fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Render PDFs only in the tests that look at them."""
    if request.node.name not in RENDERS_PDF:
        skip_pdfs(monkeypatch)


def codes_of(problems: tuple[object, ...]) -> list[str]:
    return [p.code for p in problems]  # type: ignore[attr-defined]


def test_writes_the_preliminary_sheet_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_edition(tmp_path)
    patch_check(monkeypatch, check_result(5, errors=[2]))
    ctx = context(folder)
    with pytest.raises(StageError) as err:
        build_shortlist(ctx)
    assert err.value.code == "PRELIMINARY_NEEDED" and "初审结果" in str(err.value)
    path = preliminary_path(ctx)
    ws = load_workbook(path).worksheets[0]
    assert [ws.cell(3, c).value for c in (2, 3, 7, 9)] == ["编号", "姓名", "审查结果", "初审结果"]
    assert [ws.cell(r, 2).value for r in range(4, 9)] == ["N01", "N02", "N03", "N04", "N05"]
    assert ws.cell(6, 7).value == "不合格" and "身份证" in ws.cell(6, 8).value
    assert ws.cell(4, 7).value == "合格" and ws.cell(4, 9).value in (None, "")
    assert ws.data_validations.dataValidation[0].formula1 == '"通过,不通过"'


def test_never_overwrites_a_filled_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_edition(tmp_path)
    patch_check(monkeypatch, check_result(3))
    ctx = context(folder)
    with pytest.raises(StageError):
        build_shortlist(ctx)
    path = preliminary_path(ctx)
    fill_preliminary(path, lambda code, status: "通过" if code == "N01" else None)
    before = path.read_bytes()
    with pytest.raises(ReviewError) as err:   # N02, N03 still empty
        build_shortlist(ctx)
    assert path.read_bytes() == before
    assert codes_of(err.value.problems) == ["PRELIMINARY_EMPTY", "PRELIMINARY_EMPTY"]
    assert "review/初审.xlsx，工作表“初审”，单元格 I5" in str(err.value)


def test_a_blank_sheet_is_refreshed_with_new_nominees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_edition(tmp_path)
    patch_check(monkeypatch, check_result(3))
    ctx = context(folder)
    with pytest.raises(StageError):
        build_shortlist(ctx)
    patch_check(monkeypatch, check_result(4))
    with pytest.raises(StageError, match="已更新"):
        build_shortlist(ctx)
    assert load_workbook(preliminary_path(ctx)).worksheets[0].cell(7, 2).value == "N04"


def test_shortlist_of_forty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 44, 40)
    assert stage.main(ctx, ARGS) == ExitCode.ok
    sl = build_shortlist(ctx)
    assert len(sl.nominees) == 40 and sl.limit == 40 and sl.select == 20
    assert len(sl.failed) == 4 and not sl.blocked
    data = json.loads((sl.folder / "shortlist.json").read_text(encoding="utf-8"))
    assert data["select"] == 20 and len(data["shortlist"]) == 40
    text = subprocess.run(["pdftotext", "-layout", str(sl.folder / "提名人选名单.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "提名人选名单" in text and sl.nominees[0].candidate.name in text and sl.nominees[-1].candidate.name in text
    ws = load_workbook(sl.folder / "提名人选名单.xlsx").worksheets[0]
    assert ws.cell(3, 2).value == "N01" and ws.max_row == 42
    assert ws.page_setup.orientation == "landscape"


def test_more_than_forty_is_refused_naming_the_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 44, 41)
    with pytest.raises(ReviewError) as err:
        build_shortlist(ctx)
    assert codes_of(err.value.problems) == ["SHORTLIST_TOO_LONG"]
    message = str(err.value)
    assert "初审通过 41 人，超过上限 40 人" in message and "20 人 × 2 = 40 人" in message
    assert "参选人数最多为 40 人" in message


def test_ratio_limit_with_a_smaller_quota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = {"quota = 20 ": "quota = 8 "}
    ctx = shortlist_edition(tmp_path, monkeypatch, 20, 17, changes)
    with pytest.raises(ReviewError, match="初审通过 17 人，超过上限 16 人") as err:
        build_shortlist(ctx)
    assert "8 人 × 2 = 16 人" in str(err.value)


def test_cap_wins_over_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = {"quota = 20 ": "quota = 25 "}
    ctx = shortlist_edition(tmp_path, monkeypatch, 44, 41, changes)
    with pytest.raises(ReviewError, match="超过上限 40 人"):
        build_shortlist(ctx)


def test_selection_follows_the_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 44, 31)
    sl = build_shortlist(ctx)
    assert len(sl.nominees) == 31 and sl.select == 15


def test_nominee_with_check_errors_cannot_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_edition(tmp_path)
    patch_check(monkeypatch, check_result(6, errors=[1]))
    ctx = context(folder)
    with pytest.raises(StageError):
        build_shortlist(ctx)
    fill_preliminary(preliminary_path(ctx), lambda code, status: "通过")
    with pytest.raises(ReviewError) as err:
        build_shortlist(ctx)
    assert codes_of(err.value.problems) == ["PRELIMINARY_BLOCKED"]
    assert "单元格 I5" in str(err.value) and "N02" in str(err.value) and "不通过" in str(err.value)


def test_blocked_nominees_are_skipped_and_exit_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 6, 4, errors=[0])
    assert stage.main(ctx, ARGS) == ExitCode.findings
    sl = build_shortlist(ctx)
    assert [n.candidate.code for n in sl.blocked] == ["N01"]
    assert "N01" not in sl.codes and len(sl.nominees) == 4


def test_what_people_do_in_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorted rows, a number for a 编号, full-width text and spaces are read; mistakes are named by cell."""
    folder = make_edition(tmp_path)
    patch_check(monkeypatch, check_result(4))
    ctx = context(folder)
    with pytest.raises(StageError):
        build_shortlist(ctx)
    path = preliminary_path(ctx)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws["I4"], ws["I5"], ws["I6"], ws["I7"] = " 通 过", "不通过", "同意", "通过"
    ws["B8"], ws["I8"] = "N99", "通过"
    ws["B9"], ws["I9"] = "N01", "通过"
    wb.save(path)
    with pytest.raises(ReviewError) as err:
        build_shortlist(ctx)
    problems = err.value.problems
    assert codes_of(problems) == ["PRELIMINARY_VALUE", "PRELIMINARY_UNKNOWN", "PRELIMINARY_DUPLICATE"]
    assert [p.cell for p in problems] == ["I6", "B8", "B9"]   # type: ignore[attr-defined]
    ws["I6"] = "通过"
    ws["B8"] = ws["I8"] = ws["B9"] = ws["I9"] = None
    wb.save(path)
    assert build_shortlist(ctx).codes == ("N01", "N03", "N04")


def test_missing_nominee_in_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 4, 2)
    patch_check(monkeypatch, check_result(5))
    with pytest.raises(ReviewError) as err:
        build_shortlist(ctx)
    assert codes_of(err.value.problems) == ["PRELIMINARY_MISSING"] and "N05" in str(err.value)


def test_unreadable_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 4, 2)
    preliminary_path(ctx).write_bytes(b"not a spreadsheet")
    with pytest.raises(ReviewError) as err:
        build_shortlist(ctx)
    assert codes_of(err.value.problems) == ["SHEET_UNREADABLE"] and ".xlsx" in str(err.value)


def test_outputs_are_reproducible_and_incremental(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = shortlist_edition(tmp_path, monkeypatch, 6, 4)
    folder = build_shortlist(ctx).folder
    files = [folder / "提名人选名单.pdf", folder / "提名人选名单.xlsx", folder / "shortlist.json"]
    first = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    mtimes = [p.stat().st_mtime_ns for p in files]
    build_shortlist(ctx)
    assert [p.stat().st_mtime_ns for p in files] == mtimes, "nothing changed: nothing rewritten"
    for p in files:
        p.unlink()
    (ctx.work / "review" / "shortlist.json").unlink()
    build_shortlist(ctx)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in files] == first
