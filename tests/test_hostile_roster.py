"""Hostile and ambiguous rosters (issue 11, points 10–12), end to end through `python -m pipeline check`.

Each roster is built in code in a tmp edition; the assertions are what the office sees: the exit
status, the one-line message, and the codes in output/<edition>/check/report.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.rules.roster import COLUMNS, read_roster
from tests.conftest import make_id
from tests.roster_fixtures import HEADER, row, write_csv, write_xlsx

STRESS = PROJECT_ROOT / "input" / "examples" / "stress"


def two_rows(**first: Any) -> list[dict[str, Any]]:
    return [row(**first), row(编号="T02", 姓名="李四", 身份证号码=make_id(seq="34"))]


def check(edition: Path) -> tuple[int, dict[str, Any]]:
    """Run `check` in this process; the exit status and report.json."""
    status = main(["--edition", str(edition), "-q", "check"])
    report = load_edition(edition).output / "check" / "report.json"
    return status, json.loads(report.read_text(encoding="utf-8"))


def check_command(edition: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m pipeline check` as the Makefile does."""
    return subprocess.run([sys.executable, "-m", "pipeline", "--edition", str(edition), "-q", "check"],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)


def findings(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for n in data["nominees"] for f in n["findings"] if f["code"] == code]


# ---- point 10: ambiguity ---------------------------------------------------------------------

def test_two_columns_of_the_same_name_that_differ_stop_the_run(tmp_edition: Path) -> None:
    rows = [{**r, "姓 名": "张冠李戴"} for r in two_rows()]
    write_xlsx(tmp_edition / "roster.xlsx", rows, header=[*HEADER, "姓 名"])
    status, data = check(tmp_edition)
    assert status == 2
    [finding] = data["roster_findings"]
    assert finding["code"] == "ROSTER_DUPLICATE_COLUMN"
    assert "第B列" in finding["message"] and "第W列" in finding["message"] and "第2行" in finding["message"]


def test_an_exact_column_wins_over_an_alias_and_the_other_is_named(tmp_edition: Path) -> None:
    header = ["序号", *HEADER, "手机"]
    rows = [dict(r, 序号=i, 手机="13800000000") for i, r in enumerate(two_rows(), start=1)]
    write_xlsx(tmp_edition / "roster.xlsx", rows, header=header)
    status, data = check(tmp_edition)
    assert status == 1  # no photos: the nominees themselves have errors, the roster is read
    assert [n["编号"] for n in data["nominees"]] == ["T01", "T02"]  # 编号, not 序号 1, 2
    warned = data["roster_findings"]
    assert [(f["code"], f["severity"]) for f in warned] == [("ROSTER_DUPLICATE_COLUMN", "warning")] * 2
    assert "第A列“序号”" in warned[0]["message"] and "第X列“手机”" in warned[1]["message"]
    assert "13904570001" in str(read_roster(tmp_edition).candidates[0].phone)
    html = (load_edition(tmp_edition).output / "check" / "report.html").read_text(encoding="utf-8")
    assert "名册有重复的列" in html


def test_an_empty_roster_does_not_pass(tmp_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [])
    status, data = check(tmp_edition)
    assert status == 2
    assert [f["code"] for f in data["roster_findings"]] == ["ROSTER_EMPTY"]
    (tmp_edition / "roster.xlsx").unlink()
    (tmp_edition / "roster.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    capsys.readouterr()
    assert check(tmp_edition)[0] == 2
    err = capsys.readouterr().err
    assert "roster.csv" in err and "名册是空的" in err and "处理办法" in err


def test_roster_xlsx_and_roster_csv_together_are_refused(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", two_rows())
    write_csv(tmp_edition / "roster.csv", two_rows(姓名="王建军"))
    status, data = check(tmp_edition)
    assert status == 2
    [finding] = data["roster_findings"]
    assert finding["code"] == "ROSTER_AMBIGUOUS" and "roster.csv" in finding["message"]


def test_a_semicolon_separated_csv_is_read(tmp_edition: Path) -> None:
    write_csv(tmp_edition / "roster.csv", two_rows(工作单位及职务="塔河林业局, 电工班长"), delimiter=";")
    status, data = check(tmp_edition)
    assert status == 1 and data["roster_findings"] == []
    assert [(n["编号"], n["工作单位及职务"]) for n in data["nominees"]] == [
        ("T01", "塔河林业局, 电工班长"), ("T02", "塔河林业局 电工班长")]


def test_a_formula_without_a_saved_result_is_not_read_as_empty(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", two_rows(出生年月="=DATE(1980,1,15)"))  # openpyxl saves no result
    status, data = check(tmp_edition)
    assert status == 1
    first = data["nominees"][0]["findings"]
    assert [(f["code"], f["field"], f["row"]) for f in first if f["field"] == "出生年月"] == [
        ("FIELD_FORMULA", "出生年月", 2)]
    assert "保存" in next(f["hint"] for f in first if f["code"] == "FIELD_FORMULA")
    assert not findings(data, "FIELD_REQUIRED")


# ---- point 12: control characters ------------------------------------------------------------

def test_control_characters_are_removed_with_a_warning_naming_the_cell(tmp_edition: Path) -> None:
    write_csv(tmp_edition / "roster.csv", [
        row(姓名="王\x0b建国", 个人简历="1999.07—2005.03 塔河林业局 电工\u20282005.03—至今 塔河林业局 班长"),
        row(编号="T02", 姓名="李\x01四\x08", 身份证号码=make_id(seq="34"), 工作单位及职务="塔河林业局\x1b 电工\u202e班长"),
    ])
    proc = check_command(tmp_edition)
    assert proc.returncode == 1, proc.stderr  # the nominees have no photos; nothing crashed
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr
    data = json.loads((load_edition(tmp_edition).output / "check" / "report.json").read_text(encoding="utf-8"))
    warned = sorted((f["candidate"]["编号"], f["field"], f["severity"]) for f in findings(data, "FIELD_CONTROL_CHAR"))
    assert warned == [("T01", "个人简历", "warning"), ("T01", "姓名", "warning"),
                      ("T02", "姓名", "warning"), ("T02", "工作单位及职务", "warning")]
    assert "U+0001、U+0008" in next(f["message"] for f in findings(data, "FIELD_CONTROL_CHAR")
                                      if f["candidate"]["编号"] == "T02" and f["field"] == "姓名")
    assert [n["姓名"] for n in data["nominees"]] == ["王 建国", "李四"]
    ws = load_workbook(load_edition(tmp_edition).output / "check" / "推荐人选汇总表.xlsx").active
    # (the list may break a long cell before its last words, so no character prints alone on a line)
    assert ws is not None and str(ws.cell(4, 6).value).replace("\n", "") == "塔河林业局 电工班长"
    # no later stage can meet them: the candidates hold none
    for c in read_roster(tmp_edition).candidates:
        for attr in COLUMNS.values():
            text = str(getattr(c, attr))
            assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u202e"
                           for ch in text), (attr, text)
    assert read_roster(tmp_edition).candidates[0].resume.splitlines() == [
        "1999.07—2005.03 塔河林业局 电工", "2005.03—至今 塔河林业局 班长"]


def test_a_control_character_excel_saved_as_an_escape_is_removed_with_a_warning(tmp_edition: Path) -> None:
    # XML cannot hold U+0008, so Excel saves it as "_x0008_" (and a typed "_x0041_" as "_x005F_x0041_")
    write_xlsx(tmp_edition / "roster.xlsx", two_rows(工作单位及职务="塔河林业局_x0008_ 电工",
                                                     职称="_x005F_x0041_"))
    roster = read_roster(tmp_edition)
    assert [(f.code, f.severity.value, f.field) for f in roster.findings if f.candidate_code == "T01"] == [
        ("FIELD_CONTROL_CHAR", "warning", "工作单位及职务")]
    first = roster.candidates[0]
    assert (first.unit_and_post, first.professional_title) == ("塔河林业局 电工", "_x0041_")


# ---- point 11: field lengths (and point 15: the CSV module's field limit) ------------------

def test_a_ten_million_character_name_is_reported_and_its_row_skipped(
        tmp_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_csv(tmp_edition / "roster.csv", two_rows(姓名="王" * 10_000_000))
    capsys.readouterr()
    status = main(["--edition", str(tmp_edition), "check"])
    assert status == 1 and "内部错误" not in capsys.readouterr().err
    report = load_edition(tmp_edition).output / "check" / "report.json"
    assert report.stat().st_size < 200_000  # the name never reached the report
    data = json.loads(report.read_text(encoding="utf-8"))
    first, second = data["nominees"]
    assert [(f["code"], f["field"], f["severity"]) for f in first["findings"]] == [
        ("FIELD_TOO_LONG", "姓名", "error")]
    assert "10000000" in first["findings"][0]["message"] and "30" in first["findings"][0]["message"]
    assert first["status"] == "error" and len(first["姓名"]) <= 31
    assert second["姓名"] == "李四" and "PHOTO_MISSING" in {f["code"] for f in second["findings"]}


def test_limits_pass_real_values_and_stop_one_character_more(tmp_edition: Path) -> None:
    assert not [f for f in read_roster(STRESS).findings if f.code == "FIELD_TOO_LONG"]
    unit = "大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心 高级育婴员兼培训主管"
    resume = "\n".join(f"{2000 + i // 12}.{i % 12 + 1:02d}—至今 大兴安岭地区加格达奇区暖心家政服务有限公司 培训主管"
                       for i in range(60))
    write_xlsx(tmp_edition / "roster.xlsx", [
        row(姓名="A" * 30, 工作单位及职务=unit, 个人简历=resume),
        row(编号="T02", 姓名="B" * 31, 身份证号码=make_id(seq="34"), 性别="男" * 11),
        row(编号="T03", 身份证号码=make_id(seq="56"), 个人简历="x" * 200_000),
    ])
    status, data = check(tmp_edition)
    assert status == 1
    too_long = [(f["candidate"]["编号"], f["field"]) for f in findings(data, "FIELD_TOO_LONG")]
    assert sorted(too_long) == [("T02", "姓名"), ("T02", "性别"), ("T03", "个人简历")]
    assert data["nominees"][0]["姓名"] == "A" * 30
    assert {f["code"] for f in data["nominees"][2]["findings"]} == {"FIELD_TOO_LONG"}


def test_a_roster_xlsx_bomb_is_refused_before_openpyxl_inflates_it(tmp_edition: Path) -> None:
    """Point 11: roster.xlsx is a ZIP too; a part with a bomb's compression ratio stops the run
    with ROSTER_UNREADABLE before any part is inflated in memory."""
    import zipfile

    from pipeline.core import filelimits

    target = tmp_edition / "roster.xlsx"
    write_xlsx(target, two_rows())
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", bytes(2 * filelimits.MB))
    status, data = check(tmp_edition)
    assert status == 2
    [finding] = data["roster_findings"]
    assert finding["code"] == "ROSTER_UNREADABLE" and "压缩比" in finding["message"]
