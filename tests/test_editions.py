"""The shipped editions through the Make targets: the demo is clean, each mistake is caught."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.edition import PROJECT_ROOT
from tests.conftest import DEMO, MISTAKES, READ_CODES, expected_codes, make_command, reading_env

pytestmark = pytest.mark.slow


def make(target: str, edition: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a Make target on an edition with output going to the test's XN_OUTPUT."""
    return subprocess.run(make_command(target, f"EDITION={edition}"),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, env=env or os.environ.copy())


def report(edition: Path) -> dict[str, object]:
    path = Path(os.environ["XN_OUTPUT"]) / edition.name / "check" / "report.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_demo_edition_is_clean() -> None:
    proc = make("check", DEMO)
    assert proc.returncode == 0, proc.stderr
    data = report(DEMO)
    # 011's 优秀高技能人才 certificate has no date in its file name: the printed one is read (info only)
    reading = os.environ.get("XN_READ_EVIDENCE", "1") != "0"
    assert data["summary"] == {"nominees": 44, "ok": 44, "with_warnings": 0, "with_errors": 0,
                               "errors": 0, "warnings": 0, "infos": 1 if reading else 0,
                               "by_code": {"EVIDENCE_DATE_READ": 1} if reading else {}}
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    assert all(n["photo"] for n in nominees)


HARDENING_CASES: dict[str, tuple[str, str, str]] = {
    "../../M28": ("CODE_FORMAT", "error", "编号"),
    "M29": ("FILE_OUTSIDE_EDITION", "error", "candidates/M29/先进事迹.txt"),
    "M30": ("FILE_TOO_LARGE", "error", "candidates/M30/先进事迹.docx"),
    "M31": ("FIELD_TOO_LONG", "error", "姓名"),
    "M32": ("FIELD_CONTROL_CHAR", "warning", "工作单位及职务"),
    "M33": ("FIELD_FORMULA", "error", "出生年月"),
}
"""The mistakes nominees of issue 11's checks: 编号 → (code, severity, field or file of the finding)."""


def test_mistakes_edition_catches_each_mistake() -> None:
    expected: dict[str, list[str]] = expected_codes(json.loads((MISTAKES / "expected.json").read_text(encoding="utf-8")))
    link = MISTAKES / "candidates" / "M29" / "先进事迹.txt"
    assert link.is_symlink() and not link.resolve().is_relative_to(MISTAKES.resolve()), "checkout without symlinks"
    assert not (MISTAKES.parent / "M28").exists()  # the unsafe 编号 has no folder, inside or out
    proc = make("check", MISTAKES)
    assert proc.returncode == 0, proc.stderr  # make: the check ran to its end; the last line says what it found
    assert "有错误" in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1].startswith(f"审查完成：{len(expected)} 人中 ")
    data = report(MISTAKES)
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    got = {n["编号"]: sorted({f["code"] for f in n["findings"]}) for n in nominees}
    assert got == {code: sorted(codes) for code, codes in expected.items()}
    for n in nominees:
        for f in n["findings"]:
            assert f["message"] and f["hint"], f
            assert f["candidate"]["编号"] == n["编号"]
            assert f["field"] or f["file"], f
    by_code = {n["编号"]: n for n in nominees}
    for code, (finding, severity, where) in HARDENING_CASES.items():
        assert expected[code] == [finding]
        assert [(f["code"], f["severity"], f["field"] or f["file"]) for f in by_code[code]["findings"]] == [
            (finding, severity, where)], code
    assert by_code["M32"]["status"] == "warning"  # 合格（有提示）: the control character is removed
    assert by_code["M32"]["工作单位及职务"] == "大兴安岭公路事业发展中心呼中分中心 养护班长"
    assert by_code["M02"]["findings"] == [] and by_code["M02"]["工作单位及职务"].startswith("=1+1")
    html = (Path(os.environ["XN_OUTPUT"]) / "mistakes" / "check" / "report.html").read_text(encoding="utf-8")
    assert "A&amp;B食品有限公司{{ 7*7 }}车间" in html  # M02's hostile unit name, shown as text


# ---- reading the evidence (OCR on) ----------------------------------------------------------------
# The only make checks of the suite that read the evidence: ~130 files of the mistakes edition cost
# minutes of OCR. What they read is kept in the session's OCR cache (XN_OCR_CACHE, tests/conftest.py),
# which every other reading test shares.


def test_mistakes_edition_read_by_ocr_gives_exactly_the_expected_codes() -> None:
    expected: dict[str, list[str]] = json.loads((MISTAKES / "expected.json").read_text(encoding="utf-8"))
    reading_only = {code: sorted(set(codes) & READ_CODES) for code, codes in expected.items()}
    assert {code for code, codes in reading_only.items() if codes} == {f"M{n}" for n in range(34, 42)}
    env = reading_env()
    proc = make("check", MISTAKES, env)
    assert proc.returncode == 0, proc.stderr  # make: the check ran to its end (the findings are in the report)
    assert proc.stderr.rstrip().splitlines()[-1].startswith(f"审查完成：{len(expected)} 人中 ")
    data = report(MISTAKES)
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    got = {n["编号"]: sorted({f["code"] for f in n["findings"]}) for n in nominees}
    assert got == {code: sorted(codes) for code, codes in expected.items()}  # not filtered: M34–M41 too
    by_code = {n["编号"]: n for n in nominees}

    def read(code: str, finding: str) -> dict[str, object]:
        (f,) = [f for f in by_code[code]["findings"] if f["code"] == finding]
        assert f["file"] and f["file"].startswith(f"candidates/{code}/evidence/"), f
        assert code in f["message"] and f["hint"], f
        return dict(f)

    holder = read("M34", "EVIDENCE_HOLDER_MISMATCH")  # 王立峰's certificate: his ID number (masked) or name
    assert holder["file"].endswith("资格证书/2009.12-职业资格证书（技师）.jpg")
    assert "王立峰" in holder["message"]  # the spaced label “姓　　名：” read as two boxes on one row
    assert "2024年5月" in read("M35", "EVIDENCE_DATE_MISMATCH")["message"]
    assert read("M36", "EVIDENCE_DATE_READ")["file"].endswith("荣誉证书/大兴安岭地区五一劳动奖章荣誉证书.jpg")
    assert read("M37", "EVIDENCE_KIND_MISMATCH")["file"].endswith("荣誉证书/2025.09-职业资格证书（技师）.jpg")
    for one, other in (("M38", "M39"), ("M39", "M38")):
        dup = read(one, "EVIDENCE_DUPLICATE")
        assert dup["file"].endswith("2025.04-大兴安岭地区工人先锋号荣誉证书.jpg") and other in dup["message"]
    assert read("M40", "EVIDENCE_NO_TEXT")["severity"] == "warning"
    assert read("M41", "EVIDENCE_GRADE_MISMATCH")["severity"] == "warning"
    assert _cached(env) >= 120  # the session's cache now holds what was read, for any later reading test


def _cached(env: dict[str, str]) -> int:
    folder = Path(env["XN_OCR_CACHE"])
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


DEMO_READ = ("011", "031", "040", "044")
"""Demo nominees read in the suite: 011's undated certificate (EVIDENCE_DATE_READ, info) and scanned
PDFs that look alike to a perceptual hash but are different certificates (031 and 044's 技术能手 PDFs,
040's 技师 JPEG and 高级技师 PDF): no EVIDENCE_DUPLICATE."""


def test_demo_nominees_read_by_ocr_give_only_the_undated_certificate_info(tmp_path: Path) -> None:
    edition = tmp_path / "demo"
    shutil.copytree(DEMO, edition, ignore=lambda folder, names: [
        n for n in names if Path(folder) == DEMO / "candidates" and n not in DEMO_READ])
    book = openpyxl.load_workbook(edition / "roster.xlsx")
    sheet = book.active
    assert sheet is not None
    for row in range(sheet.max_row, 1, -1):
        if str(sheet.cell(row, 1).value) not in DEMO_READ:
            sheet.delete_rows(row)
    book.save(edition / "roster.xlsx")
    proc = make("check", edition, reading_env())
    assert proc.returncode == 0, proc.stderr
    data = report(edition)
    assert data["summary"] == {"nominees": 4, "ok": 4, "with_warnings": 0, "with_errors": 0,
                               "errors": 0, "warnings": 0, "infos": 1, "by_code": {"EVIDENCE_DATE_READ": 1}}
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    (info,) = [f for n in nominees for f in n["findings"]]
    assert (info["code"], info["severity"], info["file"]) == (
        "EVIDENCE_DATE_READ", "info", "candidates/011/evidence/荣誉证书/大兴安岭地区优秀高技能人才荣誉证书.jpg")
