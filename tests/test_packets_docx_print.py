"""The editable 申报审批表 (DOCX) as Word, WPS and LibreOffice print it: document language,
fonts with their fallbacks, cell padding, page numbers; and, printed through LibreOffice,
names and short fields on one line (type stepped down, then columns rebalanced), 工作单位
broken between words, the photo inside its cell, and as many pages as the PDF's form.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.context import RunContext
from pipeline.edition import PROJECT_ROOT, load_edition
from pipeline.packets.docx_form import (
    DOCX_MIN_PT,
    DocxLayout,
    docx_layout,
    docx_measure,
    fitted_size,
)
from pipeline.packets.form import form_fields
from pipeline.stages.packets import PacketInfo, run_packets
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition

MM = 72 / 25.4
LONG_NAME = "阿依古丽·买买提"
"""An 8-character name: at 12 pt it would break in its 24 mm cell."""
LONG_PLACE = "内蒙古自治区呼伦贝尔市"
LONG_UNIT = "大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心 高级育婴员兼培训主管"
RESUME_60 = "\n".join(f"{2000 + i // 12}.{i % 12 + 1:02d} 大兴安岭地区加格达奇区某某公司第{i + 1}项工作经历记录"
                      for i in range(60))
SHORT_KEYS = ("name", "gender", "birth", "native_place", "ethnicity", "political_status", "education",
              "work_start", "professional_title", "skill_level", "id_number", "phone")
HAVE_LO = shutil.which("libreoffice") is not None


@dataclass(frozen=True)
class Printed:
    """One nominee's packet, its DOCX form as LibreOffice prints it, and the layout it was given."""

    packet: PacketInfo
    pdf: Path
    """The DOCX printed by LibreOffice."""
    layout: DocxLayout
    fields: dict[str, object]


NOMINEES = {
    "demo": make_candidate("D001", "王磊"),
    "long": make_candidate("S001", LONG_NAME, row=3, native_place=LONG_PLACE, ethnicity="维吾尔族",
                           political_status="中共预备党员", unit_and_post=LONG_UNIT, occupation="中式面点师",
                           phone="0457-8505835"),
    "resume60": make_candidate("S002", "乌云其其格", row=4, resume=RESUME_60),
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Printed]]:
    """Packets for a demo-like nominee, one with the longest short fields, one with a 60-line 简历,
    their DOCX forms printed by LibreOffice in one run."""
    root = tmp_path_factory.mktemp("docx-print")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        edition = write_edition(root)
        for c in NOMINEES.values():
            add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),), deeds_paragraphs=2)
        loaded = load_edition(edition)
        check = FakeCheck(tuple(nominee_for(edition, c) for c in NOMINEES.values()))
        result = run_packets(RunContext(loaded, quiet=True, jobs=1), check)
        assert not result.failures
        by_code = {p.code: p for p in result.built}
        out = root / "lo"
        if HAVE_LO:
            subprocess.run(["libreoffice", f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(out), *(str(p.docx) for p in result.built)],
                           check=True, capture_output=True, timeout=300)
        measure = docx_measure(loaded.fonts)
        yield {key: Printed(by_code[c.code], out / by_code[c.code].docx.with_suffix(".pdf").name,
                            docx_layout(form_fields(c), measure), form_fields(c))
               for key, c in NOMINEES.items()}


def _part(docx: Path, name: str) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read(name).decode("utf-8")


def _lines(pdf: Path, page: int | None = None) -> list[str]:
    """Text lines of a PDF (or one page, 1-based) as pdftotext -layout sets them, spaces removed."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return ["".join(line.split()) for line in text.splitlines()]


def test_document_language_is_zh_cn(printed: dict[str, Printed]) -> None:
    docx = printed["demo"].packet.docx
    assert re.search(r'<w:lang [^>]*w:eastAsia="zh-CN"', _part(docx, "word/styles.xml"))
    assert 'w:eastAsia="zh-CN"' in _part(docx, "word/settings.xml")


def test_every_official_font_names_its_free_fallback(printed: dict[str, Printed]) -> None:
    table = _part(printed["demo"].packet.docx, "word/fontTable.xml")
    for official, free in (("方正小标宋简体", "Noto Serif CJK SC"), ("仿宋_GB2312", "Noto Serif CJK SC"),
                           ("黑体", "Noto Sans CJK SC"), ("楷体_GB2312", "AR PL UKai CN")):
        entry = re.search(rf'<w:font w:name="{official}">(.*?)</w:font>', table)
        assert entry, official
        alt = re.search(r'<w:altName w:val="([^"]+)"', entry.group(1))
        assert alt and free in alt.group(1).split(","), (official, alt)


def test_tables_have_cell_padding_and_pages_have_numbers(printed: dict[str, Printed]) -> None:
    docx = printed["demo"].packet.docx
    doc = _part(docx, "word/document.xml")
    assert doc.count("<w:tblCellMar>") >= 3
    assert re.search(r'<w:left w:w="(\d+)" w:type="dxa"/>', doc)
    footers = [_part(docx, n) for n in zipfile.ZipFile(docx).namelist() if n.startswith("word/footer")]
    assert any("PAGE" in f for f in footers)
    assert "<w:titlePg/>" in doc  # no number on the title page


def test_every_run_is_well_formed(printed: dict[str, Printed]) -> None:
    """A field is a run of its own, never a run inside a text node (Word refuses such a file)."""
    for p in printed.values():
        xml = _part(p.packet.docx, "word/document.xml")
        assert not re.search(r"<w:t(?: [^>]*)?>[^<]*<w:r[ >]", xml)


def test_short_fields_step_down_then_the_columns_rebalance(printed: dict[str, Printed]) -> None:
    measure = docx_measure(load_edition(PROJECT_ROOT / "input" / "demo").fonts)
    assert fitted_size("王磊", 24, measure) == 12
    assert DOCX_MIN_PT <= fitted_size("孟克吉日嘎拉", 24, measure) < 12
    assert fitted_size(LONG_NAME, 24, measure) == DOCX_MIN_PT  # never below the floor
    long = printed["long"].layout
    assert not long.overflow
    assert sum(long.widths) == pytest.approx(170, abs=0.05)
    assert long.widths[1] > 24  # the name/籍贯 column took width from columns with room to spare
    assert min(long.sizes.values()) >= DOCX_MIN_PT
    grid = re.findall(r'<w:gridCol w:w="(\d+)"/>', _part(printed["long"].packet.docx, "word/document.xml"))
    assert [round(int(w) / 56.7, 1) for w in grid[:7]] == pytest.approx(long.widths, abs=0.1)


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
@pytest.mark.parametrize("key", ["demo", "long"])
def test_libreoffice_prints_names_and_short_fields_on_one_line(printed: dict[str, Printed], key: str) -> None:
    p = printed[key]
    lines = _lines(p.pdf, 3)
    for field in SHORT_KEYS:
        value = "".join(str(p.fields[field]).split())
        assert any(value in line for line in lines), f"{field} {value} is broken across lines"
    title_page = _lines(p.pdf, 1)
    assert any(str(p.fields["name"]) in line for line in title_page), "姓名 missing from the title page"
    sizes = subprocess.run(["pdftotext", "-bbox", "-f", "3", "-l", "3", str(p.pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', sizes)]
    assert heights and min(heights) >= DOCX_MIN_PT


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_long_unit_breaks_between_words(printed: dict[str, Printed]) -> None:
    p = printed["long"]
    assert len(p.layout.unit_lines) == 2
    lines = _lines(p.pdf, 3)
    for line in p.layout.unit_lines:
        assert all(len(part) > 1 for part in line.split())
        assert any("".join(line.split()) in printed_line for printed_line in lines), line
    assert "培训中心" in "".join(p.layout.unit_lines[0].split())[-4:]  # the break falls after a word


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_photo_sits_inside_its_cell(printed: dict[str, Printed]) -> None:
    import pdfplumber

    for p in printed.values():
        with pdfplumber.open(p.pdf) as doc:
            page = doc.pages[2]
            [image] = page.images
            vertical = sorted({round(line["x0"], 1) for line in page.lines if abs(line["x0"] - line["x1"]) < 0.5})
            horizontal = sorted({round(line["top"], 1) for line in page.lines if abs(line["top"] - line["bottom"]) < 0.5})
        assert (image["x1"] - image["x0"]) / MM == pytest.approx(35, abs=0.3)
        assert (image["bottom"] - image["top"]) / MM == pytest.approx(49, abs=0.3)
        left, right = vertical[-2], vertical[-1]  # the photo column's rules
        assert left + MM * 0.5 <= image["x0"] and image["x1"] <= right - MM * 0.5
        top, below = horizontal[0], horizontal[3]  # the table's top rule and the rule under the photo rows
        assert top + MM * 0.5 <= image["top"] and image["bottom"] <= below - MM * 0.5


def _form_pages(pdf: Path) -> int:
    """Pages of the packet's 申报审批表 part (its bookmark to the next one), blank pages not counted."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    starts = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline
              if not isinstance(item, list)]
    index = next(i for i, (title, _) in enumerate(starts) if "申报审批表" in title)
    first, end = starts[index][1], starts[index + 1][1]
    return sum(1 for n in range(first, end) if (reader.pages[n].extract_text() or "").strip())


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
@pytest.mark.parametrize("key", ["demo", "resume60"])
def test_same_page_count_as_the_pdf_form(printed: dict[str, Printed], key: str) -> None:
    from pypdf import PdfReader

    p = printed[key]
    pages = _form_pages(p.packet.print_pdf)
    assert len(PdfReader(p.pdf).pages) == pages
    if key == "resume60":
        assert p.layout.annex and pages >= 6
        assert any("个人简历（续）" in line for line in _lines(p.pdf, 6))


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_every_box_that_asks_for_a_seal_has_room_for_one(printed: dict[str, Printed]) -> None:
    """Each opinion box signed '（公章）' holds a 45 mm seal (a round 公章 is 40–42 mm)."""
    import pdfplumber

    boxes = 0
    with pdfplumber.open(printed["demo"].pdf) as doc:
        for page in doc.pages[3:5]:
            rules = sorted({round(e["top"], 1) for e in page.lines if abs(e["top"] - e["bottom"]) < 0.5})
            columns = sorted({round(e["x0"], 1) for e in page.lines if abs(e["x0"] - e["x1"]) < 0.5})
            for word in page.extract_words():
                if "公章" not in word["text"]:
                    continue
                top = max(r for r in rules if r <= word["top"])
                bottom = min(r for r in rules if r >= word["bottom"])
                assert (bottom - top) / MM >= 45, word["text"]
                assert (columns[-1] - columns[-2]) / MM >= 45
                boxes += 1
    assert boxes == 6  # 自荐人 signs without a seal
