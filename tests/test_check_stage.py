"""The check stage end to end on small editions built in code, and through the command line."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.stages.check import run_check
from tests.conftest import make_id
from tests.photo_fixtures import make_id_photo, save_jpeg
from tests.roster_fixtures import row, write_csv, write_xlsx
from tests.test_checks import DEEDS, jpeg

HOSTILE = "{{ 7*7 }}<script>alert(1)</script>A&B"


@pytest.fixture(scope="module")
def good_photo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("photo") / "照片.jpg"
    return save_jpeg(make_id_photo(), path).read_bytes()


def add_nominee(edition_dir: Path, code: str, photo: bytes | None, *, deeds: bool = True) -> None:
    folder = edition_dir / "candidates" / code
    (folder / "evidence" / "资格证书").mkdir(parents=True)
    if photo is not None:
        (folder / "照片.jpg").write_bytes(photo)
    if deeds:
        (folder / "先进事迹.txt").write_text(DEEDS, encoding="utf-8")
    (folder / "evidence" / "资格证书" / "2015.06-高级技师证书.jpg").write_bytes(jpeg())


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def small_edition(tmp_edition: Path, good_photo: bytes) -> Path:
    rows = [
        row(编号="A01", 姓名="张三"),
        row(编号="A02", 姓名="李四", 身份证号码=make_id(seq="34"), 工作单位及职务=HOSTILE, 简要事迹=HOSTILE),
        row(编号="A03", 姓名="王五", 身份证号码=make_id(seq="56")[:17] + "0"
            if not make_id(seq="56").endswith("0") else make_id(seq="56")[:17] + "1"),
    ]
    write_csv(tmp_edition / "roster.csv", rows, encoding="gb18030")
    for r in rows:
        add_nominee(tmp_edition, r["编号"], good_photo)
    return tmp_edition


def test_check_stage_reports(small_edition: Path) -> None:
    before = snapshot(small_edition)
    ctx = RunContext(load_edition(small_edition), quiet=True)
    result = run_check(ctx)
    assert snapshot(small_edition) == before, "input must never be modified"
    assert [n.candidate.code for n in result.nominees] == ["A01", "A02", "A03"]
    assert [n.status for n in result.nominees] == ["ok", "ok", "error"]
    assert [f.code for f in result.nominees[2].findings] == ["ID_CHECKSUM"]
    assert result.nominees[0].photo is not None and result.nominees[0].photo.is_file()

    out = ctx.output / "check"
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1 and data["summary"]["with_errors"] == 1
    assert data["summary"]["by_code"] == {"ID_CHECKSUM": 1}
    finding = data["nominees"][2]["findings"][0]
    assert finding["candidate"] == {"编号": "A03", "姓名": "王五"}
    assert finding["field"] == "身份证号码" and finding["file"] == "roster.csv"

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "{{ 7*7 }}" in html and "&lt;script&gt;" in html
    assert "A&amp;B" in html and "49" not in html.split("李四")[1][:200]
    assert "校验位" in html and "处理办法" in html

    ws = load_workbook(out / "推荐人选汇总表.xlsx").active
    assert ws is not None
    names = [ws.cell(r, 3).value for r in range(3, 6)]
    assert names == ["张三", "李四", "王五"]
    assert ws.cell(5, 12).value == "不合格"
    assert ws.cell(4, 6).value == HOSTILE


def test_second_run_uses_the_cache_and_is_byte_identical(small_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = RunContext(load_edition(small_edition))
    run_check(ctx)
    first = snapshot(ctx.output / "check")
    capsys.readouterr()
    run_check(ctx)
    assert "需要检查" not in capsys.readouterr().err
    assert snapshot(ctx.output / "check") == first
    # a changed photo is inspected again, and only that file
    photo = small_edition / "candidates" / "A02" / "照片.jpg"
    photo.write_bytes(b"not a photo")
    result = run_check(ctx)
    assert "1 个需要检查" in capsys.readouterr().err
    assert [f.code for f in result.nominees[1].findings] == ["PHOTO_UNREADABLE"]


def test_a_later_stage_keeps_the_reports_and_a_touched_one_is_made_again(
        small_edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every later stage checks again in its own process: reports made from the same findings are kept
    as they are (not made again: that cost each stage seconds), and a report someone deleted or edited
    is made again."""
    from pipeline.stages import check as check_stage
    from pipeline.stages import check_report

    made: list[str] = []
    write_html, write_xlsx = check_report.write_html, check_report.write_summary_xlsx

    def html_spy(*args: object) -> None:
        made.append("html")
        write_html(*args)  # type: ignore[arg-type]

    def xlsx_spy(*args: object) -> None:
        made.append("xlsx")
        write_xlsx(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(check_report, "write_html", html_spy)
    monkeypatch.setattr(check_report, "write_summary_xlsx", xlsx_spy)
    ctx = RunContext(load_edition(small_edition), quiet=True)
    run_check(ctx)
    out = ctx.output / "check"
    assert made == ["html", "xlsx"] and (ctx.work / check_stage.REPORTS_STAMP).is_file()
    check_stage._MEMO.clear()  # as in a new process
    run_check(ctx)
    assert made == ["html", "xlsx"], "nothing made again"
    (out / "report.html").unlink()
    check_stage._MEMO.clear()
    run_check(ctx)
    assert made[2:] == ["html", "xlsx"] and "处理办法" in (out / "report.html").read_text(encoding="utf-8")
    (out / "推荐人选汇总表.xlsx").write_bytes(b"edited")
    check_stage._MEMO.clear()
    run_check(ctx)
    assert made[4:] == ["html", "xlsx"] and load_workbook(out / "推荐人选汇总表.xlsx").active is not None
    # a changed finding is a new report
    (small_edition / "candidates" / "A02" / "照片.jpg").write_bytes(b"not a photo")
    check_stage._MEMO.clear()
    run_check(ctx)
    assert len(made) == 8 and "PHOTO_UNREADABLE" in (out / "report.json").read_text(encoding="utf-8")


def test_cli_exit_codes(small_edition: Path, tmp_path: Path) -> None:
    assert main(["--edition", str(small_edition), "-q", "check"]) == 1
    (small_edition / "roster.csv").unlink()
    write_xlsx(small_edition / "roster.xlsx", [row(编号="A01", 姓名="张三")])
    assert main(["--edition", str(small_edition), "-q", "check"]) == 0
    (small_edition / "roster.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert main(["--edition", str(small_edition), "-q", "check"]) == 2
    data = json.loads((load_edition(small_edition).output / "check" / "report.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in data["roster_findings"]] == ["ROSTER_UNREADABLE"]
    assert main(["--edition", str(tmp_path / "nowhere"), "-q", "check"]) == 2


def test_cli_message_is_one_chinese_line(small_edition: Path) -> None:
    (small_edition / "roster.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--edition", str(small_edition), "-q", "check"],
                          capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert proc.returncode == 2
    assert proc.stderr.startswith("错误：") and "处理办法" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_photo_and_deeds(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [row()])
    add_nominee(tmp_edition, "T01", None, deeds=False)
    result = run_check(RunContext(load_edition(tmp_edition), quiet=True))
    assert sorted(f.code for f in result.nominees[0].findings) == ["DEEDS_MISSING", "PHOTO_MISSING"]
