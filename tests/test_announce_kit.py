"""The 申报材料包 (issue 12, point 1) as units and applicants receive it: the ZIP's members and
names, 说明.txt, the roster template's validations and input messages, its example row skipped
by the roster reader, a round trip of the demo roster through the template, the blank 申报审批表
(no template code left, printed by LibreOffice on the same pages as a filled packet form), the
guides' text, and the photo examples judged by the photo check as the PDF says.

One kit is built for the module (about 10 s) and LibreOffice runs once.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipeline.announce.choices import choices
from pipeline.announce.kit import BLANK_FORM, MEMBERS, README, ROSTER, ZIP_NAME, build_kit
from pipeline.announce.photo_examples import judged
from pipeline.announce.roster_template import FIRST_ROW, SHEET, conditions_formula
from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import RosterError
from pipeline.packets.docx_form import DOCX_TEMPLATE, render_form_docx
from pipeline.packets.job import PacketJob, packet_paths
from pipeline.render import office
from pipeline.rules.roster import COLUMNS, EXAMPLE_CODE, read_roster
from tests.conftest import DEMO

HAVE_LO = shutil.which("libreoffice") is not None
UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Kit:
    """The kit built for the demo edition."""

    root: Path
    folder: Path
    """output/demo/announce/."""
    files: tuple[Path, ...]
    """What build_kit returned."""
    ctx: RunContext


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    root = tmp_path_factory.mktemp("kit")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        ctx = RunContext(load_edition(DEMO), quiet=True, jobs=1)
        folder = ctx.output / "announce"
        files = build_kit(ctx, folder)
        yield Kit(root, folder, files, ctx)


def _member(kit: Kit, name: str) -> bytes:
    with zipfile.ZipFile(kit.folder / ZIP_NAME) as z:
        return z.read(name)


def test_zip_holds_the_five_files_with_utf8_names_and_fixed_dates(kit: Kit) -> None:
    with zipfile.ZipFile(kit.folder / ZIP_NAME) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["说明.txt", "申报审批表（空白）.docx", "推荐人选名册.xlsx",
                                           "材料清单与目录结构.pdf", "照片要求.pdf"]
    assert all(i.flag_bits & UTF8_FLAG for i in infos)
    stamp = kit.ctx.source_date
    assert {i.date_time for i in infos} == {(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)}
    assert kit.files[0] == kit.folder / ZIP_NAME
    for name in MEMBERS:  # the parts beside the ZIP are the same files
        assert (kit.folder / "申报材料包" / name).read_bytes() == _member(kit, name)


def test_a_rebuild_gives_the_same_bytes_and_nothing_changed_does_no_work(kit: Kit) -> None:
    first = (kit.folder / ZIP_NAME).read_bytes()
    (kit.folder / ZIP_NAME).unlink()  # a missing output: built again
    build_kit(kit.ctx, kit.folder)
    assert (kit.folder / ZIP_NAME).read_bytes() == first
    made = (kit.folder / ZIP_NAME).stat().st_mtime_ns
    build_kit(kit.ctx, kit.folder)
    assert (kit.folder / ZIP_NAME).stat().st_mtime_ns == made


def test_kit_holds_no_id_or_mobile_number(kit: Kit) -> None:
    """The kit is public (sent to every unit): the example row's numbers are masked."""
    from pipeline.rules.privacy import scan_tree

    assert scan_tree(kit.folder) == {}


def test_readme_is_for_notepad_and_says_what_where_and_by_when(kit: Kit) -> None:
    raw = _member(kit, README)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    for name in MEMBERS[1:]:
        assert name in text
    edition = kit.ctx.edition
    end = edition.phases["recommend"].end
    assert f"{end.year}年{end.month}月{end.day}日（含）前" in text
    assert edition.office.contact in text and edition.office.phone in text and edition.office.name in text
    assert "candidates/" in text and "2012.06-高级技师职业资格证书.jpg" in text
    assert f"编号“{EXAMPLE_CODE}”" in text


# ---- the roster template ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(kit: Kit) -> Path:
    path = kit.root / "template.xlsx"
    path.write_bytes(_member(kit, ROSTER))
    return path


@functools.cache
def _workbook(path: Path) -> Any:
    return load_workbook(path)


def _validations(path: Path) -> dict[str, object]:
    """Header of the column → its DataValidation."""
    ws = _workbook(path)[SHEET]
    header = {ws.cell(1, c).column_letter: ws.cell(1, c).value for c in range(1, ws.max_column + 1)}
    out: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[str(header[letter])] = dv
    return out


def _list_values(path: Path, formula: str) -> list[str]:
    """The values a list validation offers (a range on another sheet)."""
    sheet, cells = formula.split("!")
    ws = _workbook(path)[sheet.strip("'")]
    return [str(c.value) for row in ws[cells.replace("$", "")] for c in row]


def test_template_has_the_input_contract_columns_a_frozen_header_and_instructions(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[0] == SHEET and "填写说明" in wb.sheetnames
    ws = wb[SHEET]
    assert [ws.cell(1, c).value for c in range(1, ws.max_column + 1)] == list(COLUMNS)
    assert ws.freeze_panes == "C2"
    help_text = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    for column in COLUMNS:
        assert column in help_text
    assert ws.cell(FIRST_ROW, 1).value == EXAMPLE_CODE
    assert all(ws.cell(FIRST_ROW, c).font.i and ws.cell(FIRST_ROW, c).font.color.rgb.endswith("808080")
               for c in range(1, ws.max_column + 1))


def test_template_drop_downs_offer_the_readers_values(template: Path) -> None:
    dvs = _validations(template)
    for column, values in choices().items():
        dv = dvs[column]
        assert dv.type == "list", column  # type: ignore[attr-defined]
        assert _list_values(template, dv.formula1) == list(values), column  # type: ignore[attr-defined]
    assert len(set(_list_values(template, dvs["民族"].formula1))) == 56  # type: ignore[attr-defined]
    assert _list_values(template, dvs["性别"].formula1) == ["男", "女"]  # type: ignore[attr-defined]
    assert _list_values(template, dvs["申报方式"].formula1) == ["单位推荐", "个人自荐"]  # type: ignore[attr-defined]
    assert _list_values(template, dvs["退休年龄类别"].formula1) == ["男60", "女55", "女50"]  # type: ignore[attr-defined]
    assert dvs["性别"].errorStyle == "stop"  # type: ignore[attr-defined]


def test_template_checks_id_length_conditions_and_every_column_has_a_message(template: Path) -> None:
    dvs = _validations(template)
    assert set(dvs) == set(COLUMNS)
    for column, dv in dvs.items():
        assert dv.showInputMessage and dv.promptTitle.startswith(column) and dv.prompt, column  # type: ignore[attr-defined]
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32, column  # type: ignore[attr-defined]
    id_dv = dvs["身份证号码"]
    assert (id_dv.type, id_dv.operator, id_dv.formula1) == ("textLength", "equal", "18")  # type: ignore[attr-defined]
    assert dvs["符合条件"].type == "custom"  # type: ignore[attr-defined]
    assert "1978.05" in dvs["出生年月"].prompt or "1980.01" in dvs["出生年月"].prompt  # type: ignore[attr-defined]
    ws = load_workbook(template)[SHEET]
    id_col = list(COLUMNS).index("身份证号码") + 1
    assert ws.cell(FIRST_ROW + 1, id_col).number_format == "@"  # Excel keeps all 18 digits


def _conditions_ok(value: str) -> bool:
    """The 符合条件 validation formula evaluated as Excel would (nested SUBSTITUTE, LEN)."""
    formula = conditions_formula("X")
    text = value
    for ch in re.findall(r',"(.)",""\)', formula):
        text = text.replace(ch, "")
    return len(text) == 0


@pytest.mark.parametrize(("value", "ok"), [("1", True), ("1,5", True), ("2、3、4", True), ("1，8", True),
                                           ("9", False), ("0", False), ("1-5", False), ("条件1", False)])
def test_conditions_rule_takes_one_or_several_of_1_to_8(value: str, ok: bool) -> None:
    assert _conditions_ok(value) is ok


def _edition_with(kit: Kit, name: str, roster: Path) -> Path:
    folder = kit.root / name
    folder.mkdir()
    shutil.copy(DEMO / "edition.toml", folder / "edition.toml")
    shutil.copy(roster, folder / "roster.xlsx")
    return folder


def test_the_example_row_is_not_a_nominee(kit: Kit, template: Path) -> None:
    with pytest.raises(RosterError) as caught:
        read_roster(_edition_with(kit, "only-example", template))
    assert caught.value.code == "ROSTER_EMPTY" and "示例" in str(caught.value)


def test_round_trip_demo_roster_through_the_template(kit: Kit, template: Path) -> None:
    demo = load_workbook(DEMO / "roster.xlsx", read_only=True)
    rows = list(demo.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    wb = load_workbook(template)
    ws = wb[SHEET]
    for r, row in enumerate(rows[1:], start=FIRST_ROW + 1):
        for c, column in enumerate(COLUMNS, start=1):
            office.put(ws, r, c, row[header.index(column)])
    filled = kit.root / "filled.xlsx"
    wb.save(filled)
    expected = read_roster(DEMO)
    got = read_roster(_edition_with(kit, "filled", filled))
    assert [dataclasses.replace(c, row=0) for c in got.candidates] == \
        [dataclasses.replace(c, row=0) for c in expected.candidates]
    assert [(f.code, f.candidate_code) for f in got.findings] == [(f.code, f.candidate_code) for f in expected.findings]
    notes = [f for f in got.file_findings if f.code == "ROSTER_EXAMPLE_ROW"]
    assert len(notes) == 1 and notes[0].row == FIRST_ROW and "示例" in notes[0].message


# ---- the blank 申报审批表 ---------------------------------------------------------------------------


def test_blank_form_has_no_template_code_and_no_values(kit: Kit) -> None:
    with zipfile.ZipFile(kit.folder / "申报材料包" / BLANK_FORM) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", "", xml)
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert "正面免冠彩色近照（2寸）" in text and "地区人才工作小组审核意见" in text
    assert "姓　　名：" in text
    assert kit.ctx.edition.office.bureau in text


@pytest.fixture(scope="module")
def printed(kit: Kit) -> dict[str, Path]:
    """The blank form and demo nominee 001's filled form (same template), printed by LibreOffice in one run."""
    if not HAVE_LO:
        pytest.skip("LibreOffice is not installed")
    work = kit.root / "lo"
    work.mkdir()
    blank = work / "blank.docx"
    blank.write_bytes(_member(kit, BLANK_FORM))
    candidate = read_roster(DEMO).candidates[0]
    edition = kit.ctx.edition
    job = PacketJob(candidate, None, None, (), edition, kit.ctx.source_date, packet_paths(work, candidate), "")
    filled = work / "filled.docx"
    filled.write_bytes(render_form_docx(job, DOCX_TEMPLATE.read_bytes(), None))
    subprocess.run(["libreoffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(blank), str(filled)],
                   check=True, capture_output=True, timeout=300)
    return {"blank": work / "blank.pdf", "filled": work / "filled.pdf"}


def _pages_of(pdf: Path, words: tuple[str, ...]) -> dict[str, int]:
    pages = ["".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]
    return {w: next(i for i, text in enumerate(pages) if w in text) for w in words}


LANDMARKS = ("注意事项", "身份证号码", "个人简历", "简要事迹", "推荐单位或基层行业协会意见", "专家评审意见", "地区人才工作小组审核意见")


def test_libreoffice_prints_the_blank_form_on_the_same_pages_as_a_filled_one(printed: dict[str, Path]) -> None:
    blank, filled = PdfReader(printed["blank"]), PdfReader(printed["filled"])
    assert len(blank.pages) == len(filled.pages)
    assert _pages_of(printed["blank"], LANDMARKS) == _pages_of(printed["filled"], LANDMARKS)
    text = "".join(p.extract_text() or "" for p in blank.pages)
    assert "{{" not in text and "{%" not in text


# ---- the guides -------------------------------------------------------------------------------


def _pdf_text(kit: Kit, name: str) -> str:
    return "".join("".join((p.extract_text() or "").split()) for p in PdfReader(kit.folder / "申报材料包" / name).pages)


def test_materials_guide_lists_the_materials_folders_and_names_as_the_reader_reads_them(kit: Kit) -> None:
    text = _pdf_text(kit, "材料清单与目录结构.pdf")
    for word in ("申报审批表", "先进事迹材料", "领先水平", "照片.jpg", "先进事迹.docx", "evidence/资格证书/",
                 "candidates/", "领先水平证明/", "一式5份"):
        assert word in text, word
    assert "2023.06-龙江技术能手荣誉证书.jpg" in text and "2023年6月·龙江技术能手荣誉证书" in text
    assert "2025-06-01-技术革新成果证书.pdf" in text and "不要这样写" in text  # a day would end up in the title
    end = kit.ctx.edition.phases["recommend"].end
    assert f"{end.year}年{end.month}月{end.day}日（含）前" in text


def test_photo_examples_are_judged_by_the_check_as_the_pdf_says(kit: Kit) -> None:
    text = _pdf_text(kit, "照片要求.pdf")
    examples = judged(kit.ctx.edition.photo)
    assert [j.example.title for j in examples][0] == "正确示例"
    for j in examples:
        assert j.codes == j.example.expected, (j.example.title, j.codes, j.messages)
        assert j.example.title in text
        for message in j.messages:
            assert "".join(message.split()) in text, message
    assert sum(1 for j in examples if not j.codes) == 1
    from pipeline.rules import photo

    low, high = photo.FACE_WIDTH_RANGE
    assert f"{low:.0%}–{high:.0%}" in text
    assert f"{photo.RED_HUE_RANGE[0]:g}°–{photo.RED_HUE_RANGE[1]:g}°" in text


def test_kit_passes_the_preflight_checks_of_sheets_and_pdf_fonts(kit: Kit) -> None:
    """Rows high enough, nothing clipped (the example row's values measured), fonts embedded."""
    import pikepdf

    from pipeline.preflight.pdf import font_findings
    from pipeline.preflight.xlsx import workbook_findings

    parts = kit.folder / "申报材料包"
    assert workbook_findings(parts / ROSTER, f"announce/申报材料包/{ROSTER}") == []
    for name in ("材料清单与目录结构.pdf", "照片要求.pdf"):
        with pikepdf.open(parts / name) as pdf:
            assert font_findings(pdf, name) == []
