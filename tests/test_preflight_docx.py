"""`make preflight` on Word files: each DOCX under output/<edition>/ is printed by LibreOffice
(one run for all of them) and the printed pages get the checks of their folder's PDFs.

Fixtures are made in code: DOCX files by python-docx (a name cell too narrow for the name, a
职业 cell too narrow for the occupation, a form longer than its packet's), packets by WeasyPrint
with a bookmark per part (the 申报审批表's page count comes from the outline).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.preflight import Expectations, NomineeText, PreflightReport, inspect
from pipeline.preflight import docx as docx_print
from tests.test_preflight import weasy_pdf

HAVE_LO = docx_print.libreoffice() is not None
LONG_NAME = "乌云其其格"
NATIVE = "内蒙古自治区呼伦贝尔市"
EXPECT = Expectations(nominees=(
    NomineeText("001", LONG_NAME, (("籍贯", NATIVE),), "加格达奇区人力资源和社会保障局",
                (("技术等级", "高级工"), ("职业", "养老护理员"))),
    NomineeText("002", "王志刚", (("籍贯", "山东莱阳"),), "大兴安岭林业集团公司",
                (("技术等级", "高级技师"), ("职业", "森林消防员"))),
    NomineeText("003", "丁一", (), "塔河县总工会", (("技术等级", "技师"), ("职业", "电工"))),
))
BAD_FORM = "packets/docx/001-乌云其其格-申报审批表.docx"
GOOD_FORM = "packets/docx/002-王志刚-申报审批表.docx"
LONG_FORM = "packets/docx/003-丁一-申报审批表.docx"
NOTICE = "publicity/公示.docx"


def table_docx(target: Path, rows: list[list[tuple[str, float]]], *, pages: int = 1) -> Path:
    """A DOCX of one table (each cell: text, width in mm; 16 pt) and `pages` − 1 more pages."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(30)
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.autofit = False
    for r, cells in enumerate(rows):
        for c, (text, width) in enumerate(cells):
            table.columns[c].width = Mm(width)
            cell = table.cell(r, c)
            cell.width = Mm(width)
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(16)
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    for n in range(2, pages + 1):
        doc.add_page_break()
        doc.add_paragraph(f"第{n}页")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def form_packet(target: Path, form_pages: int) -> Path:
    """A bound packet whose outline has 封面, 申报审批表 (form_pages pages) and 证明材料."""
    form = "".join(f'<p style="break-before: page">申报审批表第{n}页</p>' for n in range(2, form_pages + 1))
    return weasy_pdf(target, f"""<h1>封面</h1><h1 style="break-before: page">申报审批表</h1>{form}
        <h1 style="break-before: page">证明材料</h1>""")


@pytest.fixture(scope="module")
def docx_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preflight-docx") / "demo"
    # The name in a 12 mm cell, the 籍贯 in an 18 mm one: LibreOffice breaks both.
    table_docx(out / BAD_FORM, [[("姓名", 20), (LONG_NAME, 12), ("籍贯", 20), (NATIVE, 18)]])
    table_docx(out / GOOD_FORM, [[("姓名", 20), ("王志刚", 40), ("籍贯", 20), ("山东莱阳", 40)]])
    form_packet(out / "packets/002-王志刚-申报材料.pdf", 1)
    table_docx(out / LONG_FORM, [[("姓名", 20), ("丁一", 40)]], pages=3)  # the packet's form has 2 pages
    form_packet(out / "packets/003-丁一-申报材料.pdf", 2)
    table_docx(out / NOTICE, [[(LONG_NAME, 40), ("养老护理员", 12)]])
    return out


@pytest.fixture(scope="module")
def printed(docx_output: Path) -> tuple[PreflightReport, list[list[str]]]:
    """The preflight of the folder, with every LibreOffice command it ran."""
    commands: list[list[str]] = []
    real_popen = subprocess.Popen

    def popen(command: list[str], *args: Any, **kwargs: Any) -> Any:
        if command and command[0] == docx_print.libreoffice():
            commands.append(command)
        return real_popen(command, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(docx_print.subprocess, "Popen", popen)
        report = inspect(docx_output, EXPECT, cache_dir=docx_output / ".work/preflight", order_key=False)
    return report, commands


def found(report: PreflightReport, file: str) -> list[tuple[str, int]]:
    return [(f.code, f.page) for f in report.findings if f.file == file]


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_a_name_broken_by_a_narrow_cell_of_a_docx_is_found(printed: tuple[PreflightReport, Any]) -> None:
    report, _ = printed
    assert found(report, BAD_FORM) == [("PF_NAME_BROKEN", 1), ("PF_FIELD_BROKEN", 1)]
    name, field = (f for f in report.findings if f.file == BAD_FORM)
    assert "".join(name.data["lines"]) == LONG_NAME and len(name.data["lines"]) >= 2
    assert name.message.startswith("用 LibreOffice 打印时，第1页姓名“乌云其其格”被拆成两行")
    assert (field.data["field"], field.data["value"]) == ("籍贯", NATIVE)


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_a_docx_form_as_long_as_its_packets_form_is_clean(printed: tuple[PreflightReport, Any]) -> None:
    report, _ = printed
    assert found(report, GOOD_FORM) == []
    assert "PF_FONT_NOT_EMBEDDED" not in {f.code for f in report.findings}  # LibreOffice's stand-ins


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_a_docx_form_longer_than_its_packets_form_is_found(printed: tuple[PreflightReport, Any]) -> None:
    report, _ = printed
    [pages] = [f for f in report.findings if f.file == LONG_FORM]
    assert pages.code == "PF_DOCX_PAGES"
    assert pages.data == {"docx_pages": 3, "pdf_pages": 2, "pdf": "packets/003-丁一-申报材料.pdf"}
    assert "打印为 3 页" in pages.message and "申报审批表为 2 页" in pages.message


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_a_public_docx_gets_the_list_checks(printed: tuple[PreflightReport, Any]) -> None:
    report, _ = printed
    [occupation] = [f for f in report.findings if f.file == NOTICE]
    assert occupation.code == "PF_FIELD_BROKEN" and occupation.data["value"] == "养老护理员"


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_one_libreoffice_run_prints_them_all_and_the_next_run_uses_the_cache(
        docx_output: Path, printed: tuple[PreflightReport, list[list[str]]], monkeypatch: pytest.MonkeyPatch) -> None:
    report, commands = printed
    [command] = commands
    assert sum(arg.endswith(".docx") for arg in command) == 4
    assert len(list((docx_output / ".work/preflight/docx").glob("*.pdf"))) == 4
    monkeypatch.setattr(docx_print, "libreoffice", lambda: None)  # not needed again: nothing changed
    again = inspect(docx_output, EXPECT, cache_dir=docx_output / ".work/preflight", order_key=False)
    assert again.findings == report.findings and not again.notes


def test_without_libreoffice_docx_files_are_skipped_with_a_note(docx_output: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_print, "libreoffice", lambda: None)
    report = inspect(docx_output, EXPECT, cache_dir=tmp_path / "cache", order_key=False)
    assert [n for n in report.notes if "LibreOffice" in n] == [
        "未安装 LibreOffice，没有检查 Word 文件（4 个 .docx）的断行、页数和装订边：安装 libreoffice-writer"
        "（apt-get install libreoffice-writer）后重新运行 make preflight"]
    assert not [f for f in report.findings if f.file.endswith(".docx")]
    cached = json.loads((tmp_path / "cache/cache.json").read_text(encoding="utf-8"))
    assert not [key for key in cached if ".docx:" in key]  # checked as soon as LibreOffice is there
