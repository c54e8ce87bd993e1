"""Feedback letters to the 推荐单位 after `make check` (check/反馈/), asserted on the PDF and DOCX text."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import EditionConfigError
from pipeline.core.model import Finding, Materials, Nominee, Severity
from pipeline.rules.roster import read_roster
from pipeline.stages.check import run_check
from pipeline.stages.check_feedback import feedback_settings, group_units, write_feedback
from tests.conftest import DEMO, MISTAKES, expected_codes, make_id
from tests.packet_fixtures import make_candidate

DEADLINE = "2027年4月11日"
"""The demo's default resubmission deadline: the end of [phases] recommend."""


def pdf_text(path: Path) -> str:
    """Text of a PDF, white space and page numbers removed (lines and pages break anywhere in Chinese)."""
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", re.sub(r"^\s*—\d+—\s*$", "", out, flags=re.M))


def docx_text(path: Path) -> str:
    doc = Docx(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return re.sub(r"\s+", "", "".join(parts))


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`make check` of the mistakes edition: (check/反馈/, report.json)."""
    root = tmp_path_factory.mktemp("mistakes")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XN_OUTPUT", "XN_STATE", "XN_KEYS"):
            mp.setenv(var, str(root / var))
        ctx = RunContext(load_edition(MISTAKES), quiet=True)
        result = run_check(ctx)
        report = json.loads(result.report.read_text(encoding="utf-8"))
        return result.report.parent / "反馈", report


def letter_of(folder: Path, unit: str) -> Path:
    return folder / f"{unit}-审核意见反馈单.pdf"


def test_mistakes_letters_list_every_problem_with_its_fix_and_the_deadline(mistakes: tuple[Path, dict[str, Any]]) -> None:
    folder, report = mistakes
    units: dict[str, list[dict[str, Any]]] = {}
    for n in report["nominees"]:
        units.setdefault(n["推荐单位"], []).append(n)
    letters = sorted(p.name for p in folder.glob("*.pdf") if p.name != "反馈汇总.pdf")
    assert letters == sorted(f"{u}-审核意见反馈单.pdf" for u in units)
    assert sorted(p.name for p in folder.glob("*.docx")) == sorted(f"{u}-审核意见反馈单.docx" for u in units)
    listed: set[str] = set()
    for unit, members in units.items():
        text = pdf_text(letter_of(folder, unit))
        assert f"{unit}：" in text and "大兴安岭地区“兴安技术能手”选树工作领导小组办公室" in text
        assert "马卉" in text and "0457-2756328" in text
        findings = [f for n in members for f in n["findings"]]
        if not findings:
            continue
        assert f"于{DEADLINE}前" in text, unit
        for n in members:
            if n["findings"]:
                assert f"{n['编号']}{n['姓名'][:1]}" in text, (unit, n["编号"])
        for f in findings:
            assert f["code"] in text, (unit, f["code"])
            hint = re.sub(r"\s+", "", f["hint"])[:20]
            assert f"改正方法：{hint}" in text, (unit, f["code"])
            listed.add(f["code"])
    assert listed == set(report["summary"]["by_code"])
    # every mistake the edition is known for (expected.json) is in the letter to that nominee's unit
    expected = expected_codes(json.loads((MISTAKES / "expected.json").read_text(encoding="utf-8")))
    unit_of = {n["编号"]: n["推荐单位"] for n in report["nominees"]}
    for code, codes in expected.items():
        text = pdf_text(letter_of(folder, unit_of[code]))
        assert all(c in text for c in codes), (code, codes)
    # a character no font can draw (GLYPH_MISSING) is spelt out, so the letter still names the nominee
    assert "M26张〔U+2B81D〕" in pdf_text(letter_of(folder, "漠河市人力资源和社会保障局"))
    # the DOCX says the same
    docx = docx_text(folder / "加格达奇区人力资源和社会保障局-审核意见反馈单.docx")
    assert "ID_CHECKSUM" in docx and "PHOTO_MISSING" in docx and DEADLINE in docx


def test_a_clean_unit_gets_a_confirmation_of_receipt(mistakes: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = mistakes
    text = pdf_text(letter_of(folder, "大兴安岭地区卫生健康委员会"))
    assert "收到1名人选的申报材料（M01林雪晴），经审核未发现问题" in text
    assert "改正方法" not in text and "重新报送要求" not in text


def test_letters_mask_id_numbers(mistakes: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = mistakes
    roster = read_roster(MISTAKES)
    ids = {c.id_number for c in roster.candidates if len(c.id_number) >= 15}
    texts = [pdf_text(p) for p in folder.glob("*.pdf")] + [docx_text(p) for p in folder.glob("*.docx")]
    wb = load_workbook(folder / "反馈汇总.xlsx")
    texts += [re.sub(r"\s+", "", "".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v))
              for ws in wb.worksheets]
    for text in texts:
        assert not any(i in text for i in ids)
    m07 = pdf_text(letter_of(folder, "加格达奇区人力资源和社会保障局"))
    assert "身份证号码“232*************23”的校验位应为“0”，实为“3”" in m07  # M07 蒋丽, masked


def test_overview_lists_the_units_to_fix(mistakes: tuple[Path, dict[str, Any]]) -> None:
    folder, report = mistakes
    text = pdf_text(folder / "反馈汇总.pdf")
    to_fix = {n["推荐单位"] for n in report["nominees"] if n["status"] == "error"}
    assert f"{len(to_fix)}个单位的" in text and f"应于{DEADLINE}前重新报送" in text
    for unit in to_fix:
        assert f"{unit}" in text
    wb = load_workbook(folder / "反馈汇总.xlsx")
    rows = [r for r in wb["反馈汇总"].iter_rows(min_row=3, values_only=True) if r[1]]
    verdicts = {r[1]: r[6] for r in rows}
    assert {u for u, v in verdicts.items() if v == "须改正后重新报送"} == to_fix
    assert verdicts["大兴安岭地区卫生健康委员会"] == "未发现问题"
    assert all(r[7] == DEADLINE for r in rows if r[1] in to_fix)
    detail = [r for r in wb["问题明细"].iter_rows(min_row=3, values_only=True)]
    assert {r[4] for r in detail} == set(report["summary"]["by_code"])
    assert sum(report["summary"][k] for k in ("errors", "warnings")) == len(detail)


# ---- small editions built in code ----------------------------------------------------------


def _nominee(code: str, name: str, unit: str, *findings: Finding) -> Nominee:
    c = make_candidate(code, name, recommender=unit, id_number=make_id(seq=code[-2:]))
    return Nominee(c, Materials(Path("candidates"), None, None, ()), tuple(findings), None)


@pytest.fixture
def ctx(tmp_edition: Path) -> RunContext:
    return RunContext(load_edition(tmp_edition), quiet=True, jobs=1)


def test_hostile_unit_names_stay_inside_the_folder_and_spellings_are_one_unit(ctx: RunContext) -> None:
    ident = make_id(seq="02")
    bad = Finding("ID_CHECKSUM", Severity.error, f"身份证号码“{ident}”的校验位应为“0”", "核对身份证原件", "N02", "李四",
                  "身份证号码", "roster.xlsx", 3)
    nominees = [
        _nominee("N01", "张三", "../../逃逸/单位"),
        _nominee("N02", "李四", "漠河市 总工会", bad),
        _nominee("N03", "王五", "漠河市总工会\u3000"),
        _nominee("N04", "赵六", "ＡＢＣ公司"),
        _nominee("N05", "钱七", "ABC公司"),
        _nominee("N06", "孙八", ".."),
    ]
    folder = write_feedback(ctx, nominees, ())
    assert folder == ctx.output / "check" / "反馈"
    everything = sorted(p.relative_to(ctx.output).as_posix() for p in ctx.output.rglob("*") if p.is_file()
                        and ".work" not in p.parts)
    assert all(p.startswith("check/反馈/") and p.count("/") == 2 for p in everything), everything
    letters = sorted(p.name for p in folder.glob("*-审核意见反馈单.pdf"))
    assert len(letters) == 4, letters  # 逃逸/单位, 漠河市总工会 (2 spellings), ABC公司 (2 widths), ..
    assert "漠河市总工会-审核意见反馈单.pdf" in letters
    text = pdf_text(folder / "漠河市总工会-审核意见反馈单.pdf")
    assert "N02李四" in text and "改正方法：核对身份证原件" in text and ident not in text
    assert ident[:3] + "*" * 13 + ident[-2:] in text
    assert "1名人选的材料有须改正的错误（共1处）" in text and "N03王五共1名人选未发现问题" in text
    abc = next(p for p in folder.glob("*ＡＢＣ公司-*.pdf"))
    assert "收到2名人选的申报材料（N04赵六、N05钱七），经审核未发现问题" in pdf_text(abc)


def test_letters_are_rebuilt_only_when_their_findings_change_and_stale_ones_go(ctx: RunContext) -> None:
    a = [_nominee("N01", "张三", "甲单位"), _nominee("N02", "李四", "乙单位")]
    folder = write_feedback(ctx, a, ())
    first = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    write_feedback(ctx, a, ())
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == first
    warn = Finding("PHONE_FORMAT", Severity.warning, "联系电话“12345”不像手机号码", "填写11位手机号码", "N01", "张三")
    write_feedback(ctx, [_nominee("N01", "张三", "甲单位", warn)], ())
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert "乙单位-审核意见反馈单.pdf" not in after and "乙单位-审核意见反馈单.docx" not in after
    assert after["甲单位-审核意见反馈单.pdf"] != first["甲单位-审核意见反馈单.pdf"]
    text = pdf_text(folder / "甲单位-审核意见反馈单.pdf")
    assert "PHONE_FORMAT" in text and "改正方法：填写11位手机号码。" in text and "提示" in text


def test_an_unreadable_roster_leaves_no_letters_and_the_overview_says_why(ctx: RunContext) -> None:
    folder = write_feedback(ctx, [_nominee("N01", "张三", "甲单位")], ())
    assert (folder / "甲单位-审核意见反馈单.pdf").is_file()
    broken = Finding("ROSTER_UNREADABLE", Severity.error, "名册无法读取：文件已损坏", "用 Excel 另存为 .xlsx", file="roster.xlsx")
    write_feedback(ctx, [], (broken,))
    assert sorted(p.name for p in folder.iterdir()) == ["反馈汇总.pdf", "反馈汇总.xlsx"]
    text = pdf_text(folder / "反馈汇总.pdf")
    assert "名册无法读取：文件已损坏" in text and "没有可以审核的推荐人选，未发出反馈单" in text


def test_a_wrong_feedback_date_stops_make_check_before_anything_is_written(tmp_edition: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[feedback]\n", "[feedback]\ndate = 2027-05-01\n"),
                    encoding="utf-8")
    assert main(["--edition", str(tmp_edition), "-q", "check"]) == 2
    assert not load_edition(tmp_edition).output.exists()
    assert "[feedback]" in capsys.readouterr().err


def test_nominees_without_a_unit_are_named_in_the_overview() -> None:
    units, orphans = group_units([_nominee("N01", "张三", " "), _nominee("N02", "李四", "甲")])
    assert [u.name for u in units] == ["甲"] and [n.candidate.code for n in orphans] == ["N01"]


# ---- settings ------------------------------------------------------------------------------


def test_default_dates_follow_the_phases() -> None:
    s = feedback_settings(load_edition(DEMO))
    assert s.resubmit_by == dt.date(2027, 4, 11)  # end of 择优推荐
    assert s.date == dt.date(2027, 3, 22)  # first working day after 申报 ended (Friday 2027-03-19)


@pytest.mark.parametrize(("table", "words"), [
    ("resubmit_by = \"下周\"", "resubmit_by"),
    ("resubmit_by = 2031-01-01", "2026年至2028年"),
    ("date = 2027-05-01", "晚于重新报送截止日"),
])
def test_wrong_feedback_settings_are_refused_naming_the_key(tmp_edition: Path, table: str, words: str) -> None:
    toml = tmp_edition / "edition.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[feedback]\n", f"[feedback]\n{table}\n"), encoding="utf-8")
    with pytest.raises(EditionConfigError) as caught:
        feedback_settings(load_edition(tmp_edition))
    assert words in str(caught.value) and "[feedback]" in str(caught.value)

