"""The editable 申报审批表 (DOCX) as Word, WPS and LibreOffice print it: document language,
fonts with their fallbacks, cell padding, page numbers; and, printed through LibreOffice,
names and short fields on one line (type stepped down, then columns rebalanced), 工作单位
broken between words, the photo inside its cell, as many pages as the PDF's form, nothing
within 25 mm of the bound edge (mirrored margins, duplex long edge), folios on the outer side,
and résumé numbers ("第41期", "2009.03—2009.09") never broken across lines.
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
from PIL import Image

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.packets.docx_form import (
    DOCX_INSIDE_MM,
    DOCX_MIN_PT,
    DOCX_TEXT_MM,
    DocxLayout,
    docx_layout,
    docx_measure,
    fitted_size,
)
from pipeline.packets.form import form_fields
from pipeline.render import raster
from pipeline.render.wordbreak import break_lines
from pipeline.stages.packets import PacketInfo, run_packets
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition

MM = 72 / 25.4
LONG_NAME = "阿依古丽·买买提"
"""An 8-character name: at 12 pt it would break in its 24 mm cell."""
LONG_PLACE = "内蒙古自治区呼伦贝尔市"
LONG_UNIT = "大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心 高级育婴员兼培训主管"
ACTIVITIES = ("技术培训", "技术攻关", "岗位练兵", "技能比武集训", "跟班学习", "带徒传技")


def _period(i: int) -> str:
    return f"{2002 + (i + 1) // 2}.{'03' if i % 2 else '09'}"


RESUME_60 = "\n".join(f"{_period(i)}—{_period(i + 1)} 国网大兴安岭供电公司塔河供电分公司配电运检班 "
                      f"{ACTIVITIES[i % len(ACTIVITIES)]}（第{i + 1}期）" for i in range(60))
"""A 60-line 简历 as the stress edition's 010 has it: each entry a little longer than its cell,
each ending in a number that LibreOffice broke ("（第4" / "1期）") before the DOCX broke the lines."""
SUMMARY_NUMBERS = "".join(f"第{n}期培训班培训职工{n * 37}人次、节约{n * 1234.5:,.2f}元，" for n in range(1, 9))
"""A 简要事迹 dense with numbers, some of which fall at the end of a line."""
BINDING_MM = 25.0
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
    "resume60": make_candidate("S002", "乌云其其格", row=4, resume=RESUME_60, summary=SUMMARY_NUMBERS),
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


# ---- binding margin: mirrored margins, nothing within 25 mm of the bound edge ----------------

def _render(pdf: Path, dpi: int = 50) -> list[Image.Image]:
    """Every page of a PDF rendered (pipeline.render.raster), in grey."""
    return list(raster.pages(pdf, dpi=dpi, grey=True))


def _ink_mm(img: Image.Image, dpi: int = 50, threshold: int = 250) -> tuple[float, float]:
    """(left, right) distance in mm from the page edges to the first pixel darker than threshold."""
    box = img.point(lambda v: 255 if v < threshold else 0).getbbox()
    assert box, "blank page"
    return box[0] * 25.4 / dpi, (img.width - box[2]) * 25.4 / dpi


def test_the_template_mirrors_its_margins_with_the_inside_one_wide_enough() -> None:
    docx = PROJECT_ROOT / "templates" / "packet" / "申报审批表.docx"
    assert "<w:mirrorMargins/>" in _part(docx, "word/settings.xml")
    margins = re.search(r'<w:pgMar [^>]*w:right="(\d+)"[^>]*w:left="(\d+)"', _part(docx, "word/document.xml"))
    assert margins
    outside, inside = (int(v) / 56.7 for v in margins.groups())
    assert inside == pytest.approx(DOCX_INSIDE_MM, abs=0.1) and inside >= 28 - 0.05  # 1587 twips
    assert 210 - inside - outside == pytest.approx(DOCX_TEXT_MM, abs=0.1) == pytest.approx(170, abs=0.1)


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_libreoffice_prints_nothing_within_25mm_of_the_bound_edge(printed: dict[str, Printed]) -> None:
    """Bound on the left edge, duplex long edge: the bound edge is the left of odd pages and the
    right of even pages; the tables sit the inside margin (28 mm) away from it on every page."""
    for key, p in printed.items():
        pages = _render(p.pdf)
        assert len(pages) >= 5
        for number, img in enumerate(pages, start=1):
            left, right = _ink_mm(img)
            bound, outer = (left, right) if number % 2 else (right, left)
            assert bound >= BINDING_MM, f"{key} page {number}: ink {bound:.1f} mm from the bound edge"
            if number > 2:  # the form's tables: inside margin on the bound side, outside on the other
                assert bound == pytest.approx(DOCX_INSIDE_MM, abs=1.0), (key, number)
                assert outer < BINDING_MM, (key, number)


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_folios_sit_on_the_outer_side(printed: dict[str, Printed]) -> None:
    import pdfplumber

    with pdfplumber.open(printed["resume60"].pdf) as doc:
        seen = 0
        for number, page in enumerate(doc.pages, start=1):
            words = [w for w in page.extract_words() if w["top"] > page.height - 30 * MM]
            folio = [w for w in words if w["text"].strip("—") == str(number)]
            if number == 1:
                assert not folio  # no number on the title page
                continue
            assert folio, f"page {number} has no folio"
            x0, x1 = min(w["x0"] for w in words), max(w["x1"] for w in words)
            assert (x0 > page.width / 2) if number % 2 else (x1 < page.width / 2), number
            seen += 1
    assert seen >= 5


# ---- numbers never broken across lines ------------------------------------------------------

def test_break_lines_keeps_numbers_dates_and_counters_whole() -> None:
    measure = docx_measure(load_edition(PROJECT_ROOT / "input" / "demo").fonts)
    text = "2017.09—2018.03 国网大兴安岭供电公司塔河供电分公司配电运检班 技能比武集训（第41期），节约100,000.00元，第十三期"
    for width in range(40, 140, 3):  # from the narrowest line that holds the date range
        lines = break_lines(text, width, 12, measure, at_spaces=False)
        assert "".join("".join(lines).split()) == "".join(text.split()), width
        for whole in ("2017.09—2018.03", "（第41期），", "100,000.00元，", "第十三期"):
            assert any(whole in line for line in lines), (width, whole, lines)
        assert all(measure.width(line, 12) <= width * MM for line in lines), width
        assert all(line[0] not in "）)，。、" and line[-1] not in "（(“" for line in lines), lines
        assert all(len(line.strip("（）“”，。")) > 1 for line in lines), lines


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_libreoffice_never_breaks_a_resume_number_across_lines(printed: dict[str, Printed]) -> None:
    """The 60-entry 简历 of stress 010 in its cell (page 3) and on the 附页: every "（第N期）" and
    every date range whole on one printed line, and no printed line ends in a digit whose next
    line starts with one."""
    p = printed["resume60"]
    assert p.layout.annex
    lines = [line for line in _lines(p.pdf) if line]
    text = "\n".join(lines)
    for i in range(60):
        assert f"（第{i + 1}期）" in text, f"第{i + 1}期 is broken across lines"
        assert f"{_period(i)}—{_period(i + 1)}" in text, f"{_period(i)} is broken across lines"
    for a, b in zip(lines, lines[1:], strict=False):
        assert not (a[-1:].isdigit() and b[:1].isdigit()), (a, b)
        assert not re.search(r"第\d*$", a), a


@pytest.mark.skipif(not HAVE_LO, reason="LibreOffice is not installed")
def test_libreoffice_never_breaks_a_number_of_the_summary(printed: dict[str, Printed]) -> None:
    """简要事迹 is prose: it breaks between any two characters, but never inside "第3期",
    "111人次" or "3,703.50元"."""
    p = printed["resume60"]
    assert len(p.layout.summary[0].split("\n")) >= 4
    text = "\n".join(_lines(p.pdf, 4))
    for n in range(1, 9):
        for whole in (f"第{n}期", f"{n * 37}人次", f"{n * 1234.5:,.2f}元"):
            assert whole in text, f"{whole} is broken across lines"
