"""`make intake`: the units' submissions/ → roster.xlsx and candidates/, safely, and again after edits.

The demo's submissions/ copy (tools/make_submissions.py: one unit as a Windows GBK-named ZIP, one
as a ZIP per nominee, one with “01-姓名” folders and full-width names) is built once per module;
tests that change an edition work on a copy of a four-person edition made the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import ExitCode
from pipeline.intake.names import clean_name, member_name
from pipeline.render import office
from pipeline.rules.roster import COLUMNS, read_cells, read_roster
from pipeline.stages import check, intake
from tests.conftest import DEMO
from tools.make_submissions import ROSTER_NAME, make_submissions

ARGS = argparse.Namespace()
MINI_UNITS = ("呼玛县人力资源和社会保障局", "塔河县总工会", "新林区总工会")
"""The four-person edition: a unit of two (sent as a GBK ZIP) and two units of one."""


def run_intake(edition: Path) -> ExitCode:
    return intake.main(RunContext(load_edition(edition), quiet=True), ARGS)


def people(edition: Path) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """身份证号码 → (the row as read, without 编号 and row number; {file under the folder: sha256})."""
    found = {}
    for c in read_roster(edition).candidates:
        folder = edition / "candidates" / c.code
        files = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(folder.rglob("*")) if p.is_file()}
        row = {k: v for k, v in vars(c).items() if k not in ("code", "row")}
        found[c.id_number] = (row, files)
    return found


def codes(edition: Path) -> dict[str, str]:
    """身份证号码 → 编号."""
    return {c.id_number: c.code for c in read_roster(edition).candidates}


def report_rows(output: Path, sheet: str) -> list[tuple[Any, ...]]:
    """The data rows of a sheet of 汇总报告.xlsx."""
    wb = load_workbook(output / "intake" / "汇总报告.xlsx")
    return [r for r in wb[sheet].iter_rows(min_row=3, values_only=True) if any(r)]


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo's submissions/ copy after `make intake` and `make check`, and `make check` on the demo."""
    root = tmp_path_factory.mktemp("round")
    edition = root / "round"
    make_submissions(DEMO, edition)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        code = run_intake(edition)
        demo_ctx = RunContext(load_edition(DEMO), quiet=True, jobs=2)
        demo_exit = check.main(demo_ctx, ARGS)
        # the check's file cache is keyed by content: the same files need not be inspected twice
        shutil.copytree(root / "output" / "demo" / ".work", root / "output" / "round" / ".work", dirs_exist_ok=True)
        round_exit = check.main(RunContext(load_edition(edition), quiet=True, jobs=2), ARGS)
    yield {"edition": edition, "output": root / "output" / "round", "exit": code, "demo_exit": demo_exit,
           "round_exit": round_exit, "reports": root / "output"}


def test_intake_on_the_demo_copy_gives_the_demo_people_and_files(demo_round: dict[str, Any]) -> None:
    assert demo_round["exit"] == ExitCode.ok
    assembled, demo = people(demo_round["edition"]), people(DEMO)
    assert assembled.keys() == demo.keys() and len(assembled) == 44
    for id_number, (row, files) in demo.items():
        assert assembled[id_number][0] == row, id_number
        assert assembled[id_number][1] == files, id_number
    assert sorted(codes(demo_round["edition"]).values()) == [f"{n:03d}" for n in range(1, 45)]
    assert not any(n["编号"] == "示例" or "示例" in str(n.get("姓名")) for _r, n in read_cells(demo_round["edition"] / "roster.xlsx"))


def test_check_on_the_assembled_edition_finds_what_it_finds_on_the_demo(demo_round: dict[str, Any]) -> None:
    def summary(name: str) -> dict[str, Any]:
        data = json.loads((demo_round["reports"] / name / "check" / "report.json").read_text(encoding="utf-8"))
        return {k: data["summary"][k] for k in ("nominees", "by_code", "with_errors")}

    assert demo_round["round_exit"] == demo_round["demo_exit"]
    assert summary("round") == summary("demo")


def test_gbk_names_in_a_windows_zip_are_decoded(demo_round: dict[str, Any]) -> None:
    unit = "大兴安岭林业集团公司"
    archive = demo_round["edition"] / "submissions" / unit / f"{unit}.zip"
    with zipfile.ZipFile(archive) as z:
        infos = z.infolist()
    assert all(not i.flag_bits & 0x800 for i in infos)  # no UTF-8 flag: the names are GBK bytes
    assert unit not in infos[0].filename and member_name(infos[0]) == f"{unit}/"
    received = {r[0]: r for r in report_rows(demo_round["output"], "各单位")}
    assert received[unit][1] == f"{unit}.zip" and received[unit][2] == 15
    forestry = [c for c in read_roster(demo_round["edition"]).candidates if c.recommender == unit]
    assert len(forestry) == 15
    names = {p.name for c in forestry for p in (demo_round["edition"] / "candidates" / c.code).rglob("*")}
    assert "资格证书" in names and "先进事迹.docx" in names


def test_the_report_lists_every_unit(demo_round: dict[str, Any]) -> None:
    units = report_rows(demo_round["output"], "各单位")
    assert len(units) == 15 and sum(r[2] for r in units) == 44
    assert report_rows(demo_round["output"], "问题") == []
    html = (demo_round["output"] / "intake" / "汇总报告.html").read_text(encoding="utf-8")
    assert "大兴安岭林业集团公司" in html and "没有发现问题" in html and "新增人选" in html


def test_names_are_cleaned() -> None:
    assert clean_name("２０２５．０３ - 职业资格证书（技师） .JPG") == "2025.03-职业资格证书（技师）.jpg"
    assert clean_name("  照片 .jpeg") == "照片.jpeg"
    assert clean_name('a:b?"c.pdf') == "a_b__c.pdf"
    info = zipfile.ZipInfo("王志刚/照片.jpg".encode("gbk").decode("cp437"))
    assert member_name(info) == "王志刚/照片.jpg"


def test_no_submissions_folder_changes_nothing(tmp_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(tmp_edition.rglob("*"))
    assert intake.main(RunContext(load_edition(tmp_edition)), ARGS) == ExitCode.ok
    assert "名册由办公室直接提供" in capsys.readouterr().err
    assert sorted(tmp_edition.rglob("*")) == before
    assert not load_edition(tmp_edition).output.exists()


# ---- a small edition to change --------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A four-person edition (rows and files of the demo) made into submissions/ once."""
    source = tmp_path_factory.mktemp("mini") / "source"
    source.mkdir()
    shutil.copyfile(DEMO / "edition.toml", source / "edition.toml")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    office.put_row(ws, 1, list(COLUMNS))
    r = 2
    for _n, cells in read_cells(DEMO / "roster.xlsx"):
        if cells["推荐单位"] in MINI_UNITS:
            office.put_row(ws, r, [cells.get(c) for c in COLUMNS])
            shutil.copytree(DEMO / "candidates" / str(cells["编号"]), source / "candidates" / str(cells["编号"]))
            r += 1
    wb.save(source / "roster.xlsx")
    dest = source.parent / "round"
    make_submissions(source, dest)
    return dest


@pytest.fixture
def mini(mini_source: Path, tmp_path: Path) -> Path:
    edition = tmp_path / "mini"
    shutil.copytree(mini_source, edition)
    return edition


def unit_folder(edition: Path, unit: str) -> Path:
    return edition / "submissions" / unit


def edit_unit_roster(edition: Path, unit: str, change: dict[str, object], *, name: str | None = None,
                     append: Sequence[object] | None = None) -> None:
    """Change cells of the row of `name` (the first person when None) in a unit's 名册, or add a row."""
    path = unit_folder(edition, unit) / ROSTER_NAME
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    if append is not None:
        office.put_row(ws, ws.max_row + 1, append)
    for row in ws.iter_rows(min_row=3):
        if name is None or row[header.index("姓名")].value == name:
            for column, value in change.items():
                office.put(ws, row[0].row, header.index(column) + 1, value)
            break
    wb.save(path)


def test_unsafe_zips_are_refused_naming_unit_and_file(mini: Path) -> None:
    folder = unit_folder(mini, "塔河县总工会")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../逃逸.txt", "x")
        link = zipfile.ZipInfo("链接.jpg")
        link.external_attr = (0o120777 << 16)
        z.writestr(link, "/etc/passwd")
        z.writestr("附件/说明.txt", "ok")
    (folder / "附件.zip").write_bytes(buffer.getvalue())
    with zipfile.ZipFile(unit_folder(mini, "新林区总工会") / "炸弹.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("照片.jpg", b"\0" * (3 << 20))
    secret = io.BytesIO()
    with zipfile.ZipFile(secret, "w") as z:
        z.writestr("先进事迹.docx", b"PK")
    data = bytearray(secret.getvalue())  # set the “encrypted” flag as a password-protected ZIP has it
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1
    data[central + 8] |= 0x1
    (unit_folder(mini, "新林区总工会") / "加密.zip").write_bytes(bytes(data))

    assert run_intake(mini) == ExitCode.findings
    problems = {(r[0], r[6]): r for r in report_rows(load_edition(mini).output, "问题")}
    slip = problems[("塔河县总工会", "INTAKE_ZIP_UNSAFE_PATH")]
    assert "附件.zip" in slip[2] and "../../逃逸.txt" in slip[4] and "届次文件夹以外" in slip[4] and slip[5]
    assert "链接" in problems[("塔河县总工会", "INTAKE_SYMLINK")][4]
    bomb = problems[("新林区总工会", "INTAKE_ZIP_TOO_LARGE")]
    assert "炸弹.zip" in bomb[2] and "压缩比" in bomb[4] and "重新打包" in bomb[5]
    assert "加密.zip" in problems[("新林区总工会", "INTAKE_ZIP_ENCRYPTED")][2]
    assert not list(mini.parent.rglob("逃逸.txt"))
    assert len(codes(mini)) == 4  # every unit is still assembled
    assert (unit_folder(mini, "塔河县总工会") / "附件.zip").read_bytes() == buffer.getvalue()


def test_the_same_person_from_two_units_is_kept_once(mini: Path) -> None:
    wb = load_workbook(unit_folder(mini, "新林区总工会") / ROSTER_NAME)
    person = [c.value for c in wb.worksheets[0][3]]
    person[list(COLUMNS).index("推荐单位")] = "塔河县总工会"
    edit_unit_roster(mini, "塔河县总工会", {}, append=person)
    shutil.copytree(next(p for p in unit_folder(mini, "新林区总工会").iterdir() if p.is_dir()),
                    unit_folder(mini, "塔河县总工会") / str(person[1]))

    assert run_intake(mini) == ExitCode.findings
    rows = read_roster(mini).candidates
    assert len(rows) == 4 and [c.recommender for c in rows if c.name == person[1]] == ["塔河县总工会"]
    dup = [r for r in report_rows(load_edition(mini).output, "问题") if r[6] == "INTAKE_DUPLICATE_PERSON"]
    assert len(dup) == 1
    assert "塔河县总工会" in dup[0][4] and "新林区总工会" in dup[0][4] and str(person[1]) in dup[0][4]


def test_a_rerun_keeps_the_office_edits_and_reports_the_conflict(mini: Path) -> None:
    assert run_intake(mini) == ExitCode.ok
    before = codes(mini)
    unit = "新林区总工会"
    person = next(c for c in read_roster(mini).candidates if c.recommender == unit)
    code, name = person.code, person.name
    wb = load_workbook(mini / "roster.xlsx")
    ws = wb.worksheets[0]
    office.put(ws, person.row, list(COLUMNS).index("联系电话") + 1, "13900000001")
    wb.save(mini / "roster.xlsx")
    deeds = next((mini / "candidates" / code).glob("先进事迹.*"))
    deeds.write_bytes(deeds.read_bytes() + b"\0")  # the office's own version of the file
    edit_unit_roster(mini, unit, {"联系电话": "13900000002"}, name=name)
    folder = next(p for p in unit_folder(mini, unit).iterdir() if p.is_dir())
    sent = next(folder.glob("*事迹*"))
    sent.write_bytes(sent.read_bytes() + b"\1")  # and the unit sends a new version of it

    run_intake(mini)
    after = {c.code: c for c in read_roster(mini).candidates}
    assert after[code].phone == "13900000001" and codes(mini) == before
    assert deeds.read_bytes().endswith(b"\0")
    kept = [r for r in report_rows(load_edition(mini).output, "问题") if r[6] == "INTAKE_HAND_EDIT_KEPT"]
    assert kept and f"{code} {name}" in kept[0][1] and "联系电话" in kept[0][4] and "保留办公室" in kept[0][4]
    changes = report_rows(load_edition(mini).output, "变动")
    assert any(r[2] == "保留办公室修改" and deeds.name in r[3] for r in changes)


def test_a_corrected_resubmission_is_reported_as_changed(mini: Path) -> None:
    assert run_intake(mini) == ExitCode.ok
    before = codes(mini)
    unit = "新林区总工会"
    edit_unit_roster(mini, unit, {"简要事迹": "改正后的简要事迹。"})
    person = next(p for p in unit_folder(mini, unit).iterdir() if p.is_dir())
    scan = next(p for p in person.rglob("*.jpg") if p.name != "照片.jpg")
    scan.write_bytes(scan.read_bytes() + b"\0")

    assert run_intake(mini) == ExitCode.ok
    assert codes(mini) == before
    changed = next(c for c in read_roster(mini).candidates if c.recommender == unit)
    assert changed.summary == "改正后的简要事迹。"
    changes = report_rows(load_edition(mini).output, "变动")
    who = f"{changed.code} {changed.name}"
    assert (unit, who, "名册行已更新", "简要事迹") in changes
    assert any(r[:3] == (unit, who, "文件已更新") and clean_name(scan.name) in r[3] for r in changes)
    assert run_intake(mini) == ExitCode.ok and report_rows(load_edition(mini).output, "变动") == []


def test_a_withdrawn_nominee_leaves_and_their_number_is_not_reused(mini: Path) -> None:
    assert run_intake(mini) == ExitCode.ok
    unit = "新林区总工会"
    gone = next(c for c in read_roster(mini).candidates if c.recommender == unit)
    folder = unit_folder(mini, unit)
    wb = load_workbook(folder / ROSTER_NAME)
    wb.worksheets[0].delete_rows(3)
    wb.save(folder / ROSTER_NAME)
    for person in [p for p in folder.iterdir() if p.is_dir()]:
        shutil.rmtree(person)

    assert run_intake(mini) == ExitCode.ok
    assert gone.code not in {c.code for c in read_roster(mini).candidates}
    assert not (mini / "candidates" / gone.code).exists()
    assert (unit, f"{gone.code} {gone.name}", "撤回", "该单位新报送的名册中已没有此人") in report_rows(load_edition(mini).output, "变动")
    newcomer = ["", "新人", *[None] * (len(COLUMNS) - 2)]
    newcomer[list(COLUMNS).index("身份证号码")] = "232701199001011234"
    edit_unit_roster(mini, "塔河县总工会", {}, append=newcomer)
    run_intake(mini)
    assert {c.name: c.code for c in read_roster(mini).candidates}["新人"] == "005"


def test_the_same_file_sent_twice_is_kept_once_and_reported_once(mini: Path) -> None:
    unit = "新林区总工会"
    person = next(p for p in unit_folder(mini, unit).iterdir() if p.is_dir())
    scan = next(p for p in person.rglob("*.jpg") if p.name != "照片.jpg")
    (person / "其他").mkdir(exist_ok=True)
    shutil.copyfile(scan, person / "其他" / "副本.jpg")
    shutil.copyfile(scan, person / "其他" / "副本2.jpg")

    assert run_intake(mini) == ExitCode.ok
    code = next(c.code for c in read_roster(mini).candidates if c.recommender == unit)
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    copies = [p for p in (mini / "candidates" / code).rglob("*") if p.is_file()
              and hashlib.sha256(p.read_bytes()).hexdigest() == digest]
    assert len(copies) == 1 and copies[0].name == clean_name(scan.name)  # the copy in its own category is kept
    dup = [r for r in report_rows(load_edition(mini).output, "问题") if r[6] == "INTAKE_DUPLICATE_FILE"]
    assert len(dup) == 1 and "3次" in dup[0][4] and "副本.jpg" in dup[0][4]
