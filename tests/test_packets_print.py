"""The bound packet as a printer and a binder see it (issue 10 §2), on the stress nominee.

Asserted on the printed result: text lines and their boxes (`pdftotext -bbox-layout`), page
boxes, rasterised pixels of the binding strip and the seal space, outline titles, the fonts
of the 事迹 headings (pdfplumber), and the console notice about stand-in fonts.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.packets.fit import Measure, fit_grid
from pipeline.packets.form import (
    ANNEX_NOTE,
    FORM_COLUMNS_MM,
    FORM_SIZE_PT,
    LABEL_PAD_MM,
    VALUE_PAD_MM,
    form_fields,
    grid_cells,
)
from pipeline.render import raster
from pipeline.render.fonts import FontSet, resolve_fonts
from pipeline.render.wordbreak import break_lines, words
from pipeline.stages.packets import PacketInfo, PacketsResult, run_packets
from tests.packet_fixtures import (
    STRESS_RECOMMENDER,
    STRESS_RESUME,
    STRESS_UNIT,
    FakeCheck,
    add_nominee,
    add_stress_nominee,
    make_candidate,
    nominee_for,
    stress_candidate,
    write_edition,
)

MM = 72 / 25.4
A4 = (595.28, 841.89)
BINDING_MM = 25.0
SEAL_MM = 45.0


# ---- helpers -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Line:
    """One text line as poppler lays it out (points, origin top-left)."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def text_lines(pdf: Path) -> list[Line]:
    """Every text line of every page, words joined without spaces."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))
    lines = []
    for number, page in enumerate(root.iter("page"), start=1):
        for line in page.iter("line"):
            text = "".join(w.text or "" for w in line.iter("word"))
            lines.append(Line(number, text, *(float(line.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax"))))
    return lines


def render(pdf: Path, dpi: int = 50) -> list[Image.Image]:
    """Every page rendered (pipeline.render.raster), in grey."""
    return list(raster.pages(pdf, dpi=dpi, grey=True))


def dark_pixels(img: Image.Image, box_mm: tuple[float, float, float, float], dpi: int = 50,
                threshold: int = 235) -> int:
    """Pixels darker than `threshold` inside (left, top, right, bottom) mm of a rendered page."""
    px = dpi / 25.4
    left, top, right, bottom = (round(v * px) for v in box_mm)
    region = img.crop((left, top, right, bottom))
    histogram = region.histogram()
    return sum(histogram[:threshold])


def outline_titles(pdf: Path) -> list[tuple[int, str]]:
    """(level, title) of every bookmark."""
    out: list[tuple[int, str]] = []
    with pikepdf.open(pdf) as doc, doc.open_outline() as tree:
        def walk(items: list[pikepdf.OutlineItem], level: int) -> None:
            for item in items:
                out.append((level, item.title))
                walk(item.children, level + 1)
        walk(tree.root, 1)
    return out


def contents(lines: list[Line]) -> dict[str, int]:
    """Contents entries (label → page) from page 2."""
    entries = {}
    for line in lines:
        if line.page == 2:
            m = re.match(r"^(.+?)\.{3,}(\d+)$", line.text)
            if m:
                entries[m.group(1)] = int(m.group(2))
    return entries


@dataclasses.dataclass(frozen=True)
class Built:
    """The stress packets."""

    edition: Path
    result: PacketsResult
    stress: PacketInfo
    short: PacketInfo
    fonts: FontSet


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Two packets: the stress nominee and a short one (乌云其其格, a 欧阳 recommender's head)."""
    root = tmp_path_factory.mktemp("print")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        mp.setenv("SOURCE_DATE_EPOCH", "1798761600")
        edition = write_edition(root)
        stress = stress_candidate()
        short = make_candidate("S002", "乌云其其格", row=3, gender="女", ethnicity="蒙古族")
        add_stress_nominee(edition, stress)
        add_nominee(edition, short, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
        check = FakeCheck((nominee_for(edition, stress), nominee_for(edition, short)))
        loaded = load_edition(edition)
        result = run_packets(RunContext(loaded, quiet=True, jobs=1), check)
        assert not result.failures, result.failures
        by_code = {p.code: p for p in result.packets}
        yield Built(edition, result, by_code["S001"], by_code["S002"], resolve_fonts(loaded.fonts))


@pytest.fixture(scope="module")
def lines(built: Built) -> list[Line]:
    return text_lines(built.stress.print_pdf)


@pytest.fixture(scope="module")
def pages(built: Built) -> list[Image.Image]:
    return render(built.stress.print_pdf)


# ---- 1. names and short fields never broken ---------------------------------------------------

def test_names_and_short_fields_are_each_on_one_line(built: Built, lines: list[Line]) -> None:
    fields = form_fields(stress_candidate())
    entries = contents(lines)
    form = entries["一、申报审批表"]
    table = [ln.text for ln in lines if ln.page == form + 2]
    for key in ("name", "gender", "birth", "native_place", "ethnicity", "political_status", "education",
                "work_start", "professional_title", "skill_level", "id_number", "phone"):
        value = str(fields[key]).replace(" ", "")
        assert any(value in text for text in table), (key, value, table[:20])
    cover = [ln.text for ln in lines if ln.page == 1]
    assert any(STRESS_RECOMMENDER in text for text in cover), cover
    assert any("阿依古丽·买买提" in text for text in cover)
    title_page = [ln.text for ln in lines if ln.page == form]
    assert any("阿依古丽·买买提" in text for text in title_page)


def test_short_fields_step_down_no_lower_than_9pt_then_take_width_from_roomy_columns(built: Built) -> None:
    fonts = built.fonts
    body = Measure([fonts.roles["body"].face, *(f.face for f in fonts.fallback)])
    fields = form_fields(stress_candidate(political_status="中国共产党党员"))
    grid = fit_grid(grid_cells(fields), FORM_COLUMNS_MM, body, base=FORM_SIZE_PT,
                    pad_mm=VALUE_PAD_MM, label_pad_mm=LABEL_PAD_MM)
    assert not grid.overflow
    assert min(grid.sizes.values()) >= 9
    assert sum(grid.widths) == pytest.approx(sum(FORM_COLUMNS_MM), abs=0.05)
    assert grid.widths[1] > FORM_COLUMNS_MM[1], "籍贯 needs more than the default column"
    assert grid.widths[6] >= 36.5, "the photo column keeps room for the 35 mm photo"
    plain = fit_grid(grid_cells(form_fields(make_candidate("X", "张三", native_place="黑龙江呼玛"))),
                     FORM_COLUMNS_MM, body,
                     base=FORM_SIZE_PT, pad_mm=VALUE_PAD_MM, label_pad_mm=LABEL_PAD_MM)
    assert plain.widths == FORM_COLUMNS_MM and set(plain.sizes.values()) == {12.0}


def test_a_16_character_native_place_fits_on_one_line_and_a_longer_one_wraps_between_words(built: Built) -> None:
    """内蒙古自治区兴安盟科尔沁右翼前旗 fits once the labels step down to 9 pt too (it used to cross
    the 民族 cell's rule); a 23-character 籍贯 that cannot fit is broken between words, inside its cell."""
    fonts = built.fonts
    body = Measure([fonts.roles["body"].face, *(f.face for f in fonts.fallback)])
    fields = form_fields(stress_candidate(native_place="内蒙古自治区兴安盟科尔沁右翼前旗"))
    grid = fit_grid(grid_cells(fields), FORM_COLUMNS_MM, body, base=FORM_SIZE_PT,
                    pad_mm=VALUE_PAD_MM, label_pad_mm=LABEL_PAD_MM)
    assert not grid.overflow and grid.sizes["native_place"] >= 9
    assert min(grid.sizes.values()) >= 9
    too_long = "新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县"
    grid = fit_grid(grid_cells(form_fields(stress_candidate(native_place=too_long))), FORM_COLUMNS_MM, body,
                    base=FORM_SIZE_PT, pad_mm=VALUE_PAD_MM, label_pad_mm=LABEL_PAD_MM)
    assert grid.overflow == ("native_place",)
    lines = break_lines(too_long, grid.widths[1] - VALUE_PAD_MM, grid.sizes["native_place"], body)
    assert "".join(lines) == too_long and len(lines) == 2 and all(len(line) >= 2 for line in lines)
    assert lines[0].endswith(("州", "区")), lines


def test_work_unit_breaks_only_between_words_and_leaves_no_single_character(
        built: Built, lines: list[Line]) -> None:
    form = contents(lines)["一、申报审批表"]
    table = [ln.text for ln in lines if ln.page == form + 2]
    compact = STRESS_UNIT.replace(" ", "")
    start = next(i for i, t in enumerate(table) if compact.startswith(t) and len(t) > 4)
    parts, joined = [], ""
    for text in table[start:]:
        if not compact.startswith(joined + text):
            break
        parts.append(text)
        joined += text
    assert joined == compact and len(parts) >= 2, parts
    assert all(len(p) >= 2 for p in parts)
    boundaries, at = set(), 0
    for word in words(compact):
        at += len(word)
        boundaries.add(at)
    at = 0
    for part in parts[:-1]:
        at += len(part)
        assert at in boundaries, f"line break inside a word after {compact[:at]!r}"


def test_orphan_control_moves_a_word_down_rather_than_leave_one_character(built: Built) -> None:
    fonts = built.fonts
    body = Measure([fonts.roles["body"].face])
    text = "大兴安岭地区加格达奇区人力资源和社会保障局"
    for width in range(40, 120, 3):
        broken = break_lines(text, float(width), 12, body)
        assert "".join(broken) == text
        assert all(len(line) >= 2 for line in broken), (width, broken)


# ---- 2, 3. portrait throughout, binding strip, folios ---------------------------------------------

def test_every_page_is_portrait_a4(built: Built) -> None:
    for info in (built.stress, built.short):
        with pikepdf.open(info.print_pdf) as pdf:
            for page in pdf.pages:
                box = [float(v) for v in page.mediabox]
                assert (round(box[2] - box[0]), round(box[3] - box[1])) == (595, 842)
                assert int(page.obj.get("/Rotate", 0)) == 0


def test_landscape_scans_are_turned_with_their_top_to_the_left_on_odd_and_even_pages(
        built: Built, lines: list[Line], pages: list[Image.Image]) -> None:
    turned = sorted({ln.page for ln in lines if "横版" in ln.text and ln.page > 3})
    assert len(turned) == 3 and {p % 2 for p in turned} == {0, 1}, turned
    for number in turned[:2]:  # the two JPEG certificates: their blue marker is in the upright top-left
        rgb = render_rgb(built.stress.print_pdf, number)
        blue = [(x, y) for x in range(0, rgb.width, 2) for y in range(0, rgb.height, 2)
                if _is_blue(rgb.getpixel((x, y)))]
        assert blue, number
        xs, ys = [x for x, _ in blue], [y for _, y in blue]
        scan_left, scan_right = _ink_columns(pages[number - 1])
        assert max(xs) < scan_left + (scan_right - scan_left) / 2, "the top (marker side) is on the left"
        assert min(ys) > rgb.height * 0.45, "the upright top-left corner ends at the bottom left"


def render_rgb(pdf: Path, number: int, dpi: int = 50) -> Image.Image:
    return raster.page(pdf, number, dpi=dpi)


def _is_blue(px: object) -> bool:
    r, g, b = px  # type: ignore[misc]
    return bool(b > 150 and r < 80)


def _ink_columns(img: Image.Image) -> tuple[int, int]:
    cols = [x for x in range(img.width) if any(img.getpixel((x, y)) < 200 for y in range(0, img.height // 2, 3))]
    return min(cols), max(cols)


def test_nothing_but_white_within_25mm_of_the_bound_edge(built: Built, pages: list[Image.Image]) -> None:
    for info, images in ((built.stress, pages), (built.short, render(built.short.print_pdf))):
        for number, img in enumerate(images, start=1):
            strip = (0, 0, BINDING_MM, 297) if number % 2 else (210 - BINDING_MM, 0, 210, 297)
            assert dark_pixels(img, strip, threshold=250) == 0, f"{info.print_pdf.name} page {number}"


def test_folios_sit_on_the_outer_side(lines: list[Line]) -> None:
    folios = [ln for ln in lines if re.fullmatch(r"—\d+—", ln.text)]
    assert len(folios) >= 10
    for ln in folios:
        number = int(ln.text.strip("—"))
        assert number == ln.page
        assert (ln.x0 > A4[0] / 2) if number % 2 else (ln.x1 < A4[0] / 2), ln


# ---- 4. the seal space ----------------------------------------------------------------------------

def test_imprint_leaves_a_45mm_seal_space_free_of_scan_and_text(
        lines: list[Line], pages: list[Image.Image]) -> None:
    sheets = sorted({ln.page for ln in lines if ln.text == "经核对与原件一致"})
    assert len(sheets) == 4
    for number in sheets:
        # The seal space: the bottom corner of the content box on the cut side (packet.css: .imprint-stamp).
        right = 210 - (10 if number % 2 else 28)
        bottom = 297 - 16
        square = (right - 47, bottom - 47, right - 2, bottom - 2)
        assert dark_pixels(pages[number - 1], square) == 0, f"page {number}"
        left_pt, top_pt, right_pt, bottom_pt = (v * MM for v in square)
        for ln in lines:
            if ln.page == number:
                assert ln.x1 <= left_pt or ln.x0 >= right_pt or ln.y1 <= top_pt or ln.y0 >= bottom_pt, ln


# ---- 5. odd-page start of the 事迹, the form's pages together ---------------------------------------

def test_deeds_start_on_an_odd_page_and_the_blank_page_is_counted(built: Built) -> None:
    for info in (built.stress, built.short):
        found = text_lines(info.print_pdf)
        entries = contents(found)
        deeds = entries["二、先进事迹材料"]
        assert deeds % 2 == 1 and entries["一、申报审批表"] % 2 == 1
        with pikepdf.open(info.print_pdf) as pdf:
            assert info.pages == len(pdf.pages)
        form_range = range(entries["一、申报审批表"], deeds)
        texts = {n: "".join(ln.text for ln in found if ln.page == n) for n in form_range}
        for n, text in texts.items():
            assert "经核对与原件一致" not in text and "先进事迹材料" not in text, n
        blank = [n for n, text in texts.items() if not text]
        assert blank in ([], [deeds - 1]), "only a blank page before the 事迹, and it has no folio"
    from openpyxl import load_workbook

    sheet = load_workbook(built.result.print_list).active  # type: ignore[union-attr]
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(built.stress.pages in row and "S001" in row for row in values)


# ---- 6. the long 简历 ------------------------------------------------------------------------------

def test_long_resume_fills_its_cell_then_continues_on_an_annex_headed_continued(
        lines: list[Line], pages: list[Image.Image]) -> None:
    entries = contents(lines)
    form, deeds = entries["一、申报审批表"], entries["二、先进事迹材料"]
    form_lines = [ln for ln in lines if form <= ln.page < deeds]
    joined = "".join(ln.text for ln in form_lines)
    for entry in STRESS_RESUME.splitlines():
        assert joined.count(entry.replace(" ", "")) == 1, entry
    table = form + 2
    assert ANNEX_NOTE in "".join(ln.text for ln in lines if ln.page == table)
    annex = [ln.page for ln in form_lines if ln.text == "个人简历（续）"]
    assert annex and annex[0] > table + 2, "the 附页 follows the form's last table page"
    last_resume_page = max(ln.page for ln in form_lines if "钳工" in ln.text)
    for number in range(form + 2, last_resume_page):
        img = pages[number - 1]
        rows = [y for y in range(0, img.height - round(30 / 25.4 * 50), 2)
                if img.crop((0, y, img.width, y + 1)).getextrema()[0] < 200]
        assert max(rows) > img.height * 0.6, f"page {number} is two-thirds blank"


# ---- 7. titles ------------------------------------------------------------------------------------

def test_titles_keep_the_file_names_full_width_punctuation_in_contents_bookmarks_and_heads(
        built: Built, lines: list[Line]) -> None:
    titles = outline_titles(built.stress.print_pdf)
    level2 = [t for level, t in titles if level == 2]
    assert "1．高级技师（技师）职业资格证书（2019年6月）" in level2
    assert not any("(" in t or ")" in t for _, t in titles)
    toc = [label for label in contents(lines) if "．" in label]
    assert toc == level2, "the contents and the bookmarks number and word evidence alike"
    heads = [ln.text for ln in lines if "职业资格证书（2019年6月）" in ln.text and ln.page > 3]
    assert any("（技师）" in text for text in heads)


def test_contents_numbers_stand_flush_right_after_their_dots(built: Built, lines: list[Line]) -> None:
    """The leader's dots are counted in advance (pipeline.packets.form.toc_lines): every entry still reads
    label … number on one line, with its number at the right margin (page 2 is a left-hand page: 28 mm)
    and its page the page its target starts on. Within 1.5 pt: HarfBuzz may set a Latin pair a hair wider
    than the advances add up to (0.5 mm into a 28 mm margin)."""
    entries = [ln for ln in lines if ln.page == 2 and re.match(r"^(.*?)\.{3,}(\d+)$", ln.text)]
    assert len(entries) == len(contents(lines)) >= 8
    right = (210 - 28) * 72 / 25.4
    for ln in entries:
        assert right - 1.5 <= ln.x1 <= right + 1.5, (ln.text, ln.x1, right)
    numbers = contents(lines)
    assert numbers["一、申报审批表"] == 3
    deeds = numbers["二、先进事迹材料"]
    assert any(ln.page == deeds and "先进事迹材料" in ln.text for ln in lines)


# ---- 8. 事迹 headings ------------------------------------------------------------------------------

def test_deeds_headings_are_set_in_hei_and_kai(built: Built, lines: list[Line]) -> None:
    import pdfplumber

    deeds = contents(lines)["二、先进事迹材料"]
    wanted = {"立足岗位": built.fonts.roles["hei"], "刻苦钻研技术": built.fonts.roles["kai"],
              "他把每一": built.fonts.roles["body"]}
    seen: dict[str, str] = {}
    with pdfplumber.open(built.stress.print_pdf) as pdf:
        for page in pdf.pages[deeds - 1:]:
            chars = page.chars
            text = "".join(c["text"] for c in chars)
            for key in wanted:
                at = text.find(key)
                if at >= 0 and key not in seen:
                    seen[key] = chars[at]["fontname"]
    for key, role in wanted.items():
        assert role.face.family.replace(" ", "-") in seen[key], (key, seen.get(key))


# ---- 9. stand-in fonts ------------------------------------------------------------------------------

def test_stand_in_fonts_are_named_once_per_run(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.render import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_TOLD", set())
    fonts = built.fonts
    first = fonts_module.stand_in_notice(fonts, Path("input/2027/fonts"))
    stand_ins = [r for r in fonts.roles.values() if not r.official]
    if not stand_ins:
        assert first == ""
        return
    for role in stand_ins:
        assert role.face.family in first
        assert fonts_module.OFFICIAL_NAMES[role.role] in first
    assert "fonts/" in first and "fc-cache" in first
    assert fonts_module.stand_in_notice(fonts, Path("input/2027/fonts")) == ""


def test_packets_stage_says_it_on_the_console(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.render import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_TOLD", set())
    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "output"))
    edition = write_edition(tmp_path)
    run_packets(RunContext(load_edition(edition), quiet=False, jobs=1), FakeCheck(()))
    run_packets(RunContext(load_edition(edition), quiet=False, jobs=1), FakeCheck(()))
    err = capsys.readouterr().err
    expected = 0 if all(r.official for r in built.fonts.roles.values()) else 1
    assert err.count("字体提示") == expected


def test_an_edition_fonts_folder_is_given_to_fontconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.render import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_EXTRA_DIRS", [])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "edition" / "fonts"
    fonts_module.add_font_dir(folder)  # absent: ignored
    assert fonts_module._EXTRA_DIRS == []
    folder.mkdir(parents=True)
    fonts_module.add_font_dir(folder)
    config = fonts_module.fontconfig_file()
    assert f"<dir>{folder.resolve()}</dir>" in config.read_text(encoding="utf-8")


def test_processes_starting_at_once_each_get_a_whole_fontconfig_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers of `make test` (and two checkouts on one machine) write the cached fonts.conf at the
    same moment: each gets the file, none fails (a shared fonts.tmp let one rename the other's away)."""
    import threading

    from pipeline.render import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_EXTRA_DIRS", [])
    failures: list[BaseException] = []
    got: list[Path] = []
    for attempt in range(10):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache{attempt}"))
        start = threading.Barrier(8)

        def write(start: threading.Barrier) -> None:
            start.wait()
            try:
                got.append(fonts_module.fontconfig_file())
            except OSError as exc:
                failures.append(exc)

        threads = [threading.Thread(target=write, args=(start,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
    assert len(got) == 80 and all(f"<dir>{fonts_module.ASSET_FONTS}</dir>" in p.read_text(encoding="utf-8") for p in got)
    other = tmp_path / "other-checkout" / "assets" / "fonts"
    monkeypatch.setattr(fonts_module, "ASSET_FONTS", other)
    assert fonts_module.fontconfig_file() not in got  # another checkout's fonts.conf is its own file
    assert all(f"<dir>{other}</dir>" not in p.read_text(encoding="utf-8") for p in set(got))


# ---- 10. no near-empty page in the 事迹, no lone character in the 简历 (review findings) -------------

def test_no_page_of_the_deeds_holds_fewer_than_three_lines(built: Built) -> None:
    from pipeline.preflight import outline_section, short_page_findings

    for info in (built.stress, built.short):
        with pikepdf.open(info.print_pdf) as pdf:
            section = outline_section(pdf, "先进事迹材料")
        assert section is not None
        assert short_page_findings(info.print_pdf, info.print_pdf.name, section, "先进事迹材料") == []


DEEDS_LINE_2 = "他把每一次设备故障都当作学习的机会，反复琢磨、总结经验，练就了一身过硬的维修本领，赢得同事称赞。"
"""A paragraph of two lines at 28 characters a line (2 characters of indent + 47)."""
DEEDS_LINE_3 = DEEDS_LINE_2 + "多年来他坚持带徒传艺，毫无保留地传授技能。"
"""A paragraph of three lines."""


def deeds_pages(built: Built, paragraphs: list[str]) -> list[list[str]]:
    """The 事迹 section alone, set with packet.css and marked as the template marks it
    (deeds_keep) → the text rows of each page (folio dropped)."""
    import html as html_lib

    import weasyprint

    from pipeline.packets.form import TEMPLATE_DIR, FrontRenderer, deeds_keep
    from pipeline.preflight.lines import page_glyphs, rows

    renderer = FrontRenderer(built.fonts)
    keep = deeds_keep(paragraphs, renderer.body)
    marks = ["" for _ in paragraphs]
    if keep > 1:
        marks[-keep:] = [' class="before-last"'] + [' class="keep-last"'] * (keep - 1)
    body = "".join(f"<p{mark}>{html_lib.escape(p)}</p>" for mark, p in zip(marks, paragraphs, strict=True))
    page = ("<html lang='zh-CN'><body><section class='deeds'>"
            f"<h2 class='deeds-title font-title'>某某同志先进事迹材料</h2>{body}</section></body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deeds.pdf"
        weasyprint.HTML(string=page, base_url=str(TEMPLATE_DIR)).write_pdf(
            target, stylesheets=[renderer.stylesheet], font_config=renderer.font_config)
        glyphs = page_glyphs(target)
    return [[row for row in rows(g) if not re.fullmatch(r"—\d+—", row)] for _, g in sorted(glyphs.items())]


def test_a_last_line_never_stands_alone_on_the_last_page_of_the_deeds(built: Built) -> None:
    # The title takes 2 lines of the grid, leaving 20: 9 paragraphs of 2 lines and one of 3 would
    # leave its last line alone on page 2; widows carry 3 lines over.
    pages = deeds_pages(built, [DEEDS_LINE_2] * 9 + [DEEDS_LINE_3])
    assert [len(p) for p in pages] == [1 + 18, 3], pages
    # A one-line last paragraph after a full page takes the paragraph before it along.
    pages = deeds_pages(built, [DEEDS_LINE_2] * 10 + ["量。"])
    assert len(pages) == 2 and len(pages[1]) >= 3 and pages[1][-1] == "量。", pages
    # The 22-line grid stays: a full page holds 22 lines (the title's two included).
    pages = deeds_pages(built, [DEEDS_LINE_2] * 10 + [DEEDS_LINE_3])
    assert len(pages[0]) == 1 + 20 and len(pages[1]) == 3, pages


def test_only_short_last_paragraphs_are_kept_with_the_one_before_them(built: Built) -> None:
    from pipeline.packets.form import deeds_keep, deeds_lines

    body = Measure([built.fonts.roles["body"].face, *(f.face for f in built.fonts.fallback)])
    assert [deeds_lines(p, body) for p in ("量。", DEEDS_LINE_2, DEEDS_LINE_3)] == [1, 2, 3]
    assert deeds_keep([DEEDS_LINE_3, DEEDS_LINE_3], body) == 1
    assert deeds_keep([DEEDS_LINE_3, DEEDS_LINE_2], body) == 2
    assert deeds_keep([DEEDS_LINE_3, "特此推荐。", "量。"], body) == 3
    assert deeds_keep([DEEDS_LINE_2, "量。"], body) == 2
    assert deeds_keep(["量。"], body) == 1


def test_resume_entries_break_between_words_and_never_leave_one_character(
        built: Built, lines: list[Line]) -> None:
    from pipeline.packets.form import resume_entry
    from pipeline.render.wordbreak import tokens, weight

    body = Measure([built.fonts.roles["body"].face, *(f.face for f in built.fonts.fallback)])
    hard = ("2024.09 在全区医疗护理员职业技能竞赛中获得第一名（大兴安岭地区总工会）",
            "2010.03—2018.01 大兴安岭地区人民医院护理部重症医学科护理单元 护理员",
            "2016.05 参加全区护理技术培训并取得结业证书（大兴安岭地区卫生健康委员会）")
    for text in hard:
        for width in range(60, 150, 4):
            broken = resume_entry(text, float(width), body)
            assert "".join(broken).replace(" ", "") == text.replace(" ", ""), (width, broken)
            assert all(weight(line) >= 2 for line in broken), (width, broken)
            assert not any(line[0] in "）。，、”" for line in broken), (width, broken)
            ends, at = {0}, 0
            for token in tokens(text):
                at += len(token.replace(" ", ""))
                ends.add(at)
            at = 0
            for line in broken[:-1]:
                at += len(line.replace(" ", ""))
                assert at in ends, f"break inside a word: {broken}"
    # In the packet (the form's table and the 附页): every 简历 entry starts a line with its dates
    # whole and goes on in lines that end between words, none of a single character.
    entries = contents(lines)
    printed = [ln.text for ln in lines if entries["一、申报审批表"] + 2 <= ln.page < entries["二、先进事迹材料"]]
    for entry in STRESS_RESUME.splitlines():
        compact = entry.replace(" ", "")
        start = next(i for i, t in enumerate(printed) if t.startswith(compact[:15]) and compact.startswith(t))
        parts, joined = [], ""
        for text in printed[start:]:
            if not compact.startswith(joined + text):
                break
            parts.append(text)
            joined += text
        assert joined == compact, (entry, parts)
        ends, at = set(), 0
        for token in tokens(entry):
            at += len(token.replace(" ", ""))
            ends.add(at)
        assert all(weight(p) >= 2 for p in parts), parts
        assert all(sum(len(p) for p in parts[:k + 1]) in ends for k in range(len(parts))), parts


def test_opinion_titles_break_between_words_and_leave_no_character_alone(built: Built, lines: list[Line]) -> None:
    from pipeline.packets.form import OPINIONS
    from pipeline.render.wordbreak import weight

    entries = contents(lines)
    form_lines = [ln.text for ln in lines if entries["一、申报审批表"] + 2 <= ln.page < entries["二、先进事迹材料"]]
    def printed(title: str) -> list[str]:
        """The lines the title is printed in."""
        for start in range(len(form_lines)):
            parts, joined = [], ""
            for text in form_lines[start:]:
                if not title.startswith(joined + text):
                    break
                parts.append(text)
                joined += text
            if joined == title:
                return parts
        return []

    for title, _ in OPINIONS:
        parts = printed(title)
        assert parts and all(weight(p) >= 2 for p in parts), (title, parts)
