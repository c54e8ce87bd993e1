"""`make packets` end to end on small editions made in code (tests/packet_fixtures.py).

What a user sees is asserted: extracted text, page order against the contents page,
outline titles, where the photo sits and how big it is, the bytes of embedded scans,
document settings, the print list, and whole pages against golden PNGs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from openpyxl import load_workbook
from PIL import Image, ImageOps
from pypdf import PdfReader

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.errors import ExitCode
from pipeline.packets.evidence import Rect, Sheet, orientation_matrix
from pipeline.packets.form import OPINIONS
from pipeline.packets.job import PacketJob, packet_paths
from pipeline.render import raster
from pipeline.render.fontpack import glyph_count
from pipeline.render.fonts import resolve_fonts
from pipeline.stages.packets import PacketInfo, PacketsResult, run_packets
from tests.imagecompare import assert_matches_golden, compare_images
from tests.packet_fixtures import (
    STANDARD_EVIDENCE,
    FakeCheck,
    add_nominee,
    error_finding,
    make_candidate,
    make_jpeg_scan,
    nominee_for,
    write_edition,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
HOSTILE = "{{ 7*7 }}<script>alert(1)</script>A&B"
EMOJI = "😀"
LONG_RESUME = "\n".join(f"第{i:02d}条 {1990 + i // 4}年 在加格达奇林业局机修厂从事钳工工作并获得奖励" for i in range(1, 81))
RICH_EVIDENCE = (
    *STANDARD_EVIDENCE,
    ("资格证书", "2021.03-大幅扫描件.jpg", "jpeg-big"),
    ("资格证书", "2020.05-标准扫描件.jpg", "jpeg-a4"),
    ("成果证书", "2024.01-多页扫描.tif", "tiff2"),
    ("其他", "2023.08-A3横版图纸.pdf", "pdf-a3-land"),
    ("其他", "2023.09-透明背景.png", "png-alpha"),
)


# ---- helpers -----------------------------------------------------------------------------

def page_texts(pdf: Path) -> list[str]:
    """Extracted text of every page (pypdf)."""
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def squash(text: str) -> str:
    """Text without any whitespace (table cells wrap words anywhere)."""
    return re.sub(r"\s+", "", text)


def contents_entries(pdf: Path) -> list[tuple[str, int]]:
    """(label, page) of every line of the contents page(s)."""
    entries = []
    for text in page_texts(pdf)[1:3]:
        for line in text.splitlines():
            m = re.match(r"^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", line)
            if m:
                entries.append((m.group(1).strip(), int(m.group(2))))
    return entries


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(level, title, page number) of every bookmark."""
    out: list[tuple[int, str, int]] = []
    with pikepdf.open(pdf) as doc:
        pages = {p.objgen: i + 1 for i, p in enumerate(doc.pages)}
        with doc.open_outline() as tree:
            def walk(items: list[pikepdf.OutlineItem], level: int) -> None:
                for item in items:
                    dest = item.destination
                    assert dest is not None
                    out.append((level, item.title, pages[dest[0].objgen]))
                    walk(item.children, level + 1)
            walk(tree.root, 1)
    return out


Matrix = tuple[float, float, float, float, float, float]


def image_placements(pdf: Path, page_index: int) -> list[tuple[bytes, int, Matrix]]:
    """(raw image data, width in pixels, CTM when drawn) for every image painted on a page."""
    with pikepdf.open(pdf) as doc:
        page = doc.pages[page_index]
        xobjects = page.Resources.get("/XObject", {})
        ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        stack: list[Matrix] = []
        found: list[tuple[bytes, int, Matrix]] = []
        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name == "q":
                stack.append(ctm)
            elif name == "Q":
                ctm = stack.pop()
            elif name == "cm":
                a, b, c, d, e, f = (float(Decimal(str(v))) for v in operands)
                A, B, C, D, E, F = ctm
                ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
                       e * A + f * C + E, e * B + f * D + F)
            elif name == "Do":
                obj = xobjects[operands[0]]
                if obj.get("/Subtype") == "/Image":
                    found.append((obj.read_raw_bytes(), int(obj.Width), ctm))
        return found


def image_streams(pdf: Path) -> list[bytes]:
    """Raw (still encoded) data of every image XObject in a PDF."""
    with pikepdf.open(pdf) as doc:
        return [obj.read_raw_bytes() for obj in doc.objects
                if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]


def render_page(pdf: Path, number: int, dpi: int = 40) -> Image.Image:
    """One page rendered at low resolution (pipeline.render.raster)."""
    return raster.page(pdf, number, dpi=dpi)


def evidence_page(pdf: Path, title: str) -> int:
    """Index of the first evidence sheet whose caption names `title`."""
    texts = page_texts(pdf)
    return next(i for i, t in enumerate(texts) if title in t and "经核对与原件一致" in t)


def poppler_lines(pdf: Path, number: int) -> list[str]:
    """Text lines of a page as poppler extracts them (reading order, no layout)."""
    out = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [line for line in out.replace("\f", "").splitlines() if line.strip()]


@dataclasses.dataclass(frozen=True)
class Built:
    """The shared build of the module's edition."""

    edition: Path
    result: PacketsResult
    by_code: dict[str, PacketInfo]
    sources: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One run over five nominees: rich evidence, hostile text, a long résumé, check errors, a broken file."""
    root = tmp_path_factory.mktemp("packets")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        mp.setenv("SOURCE_DATE_EPOCH", "1798761600")
        edition = write_edition(root)
        rich = make_candidate("A001", "张建国", row=2)
        hostile = make_candidate(
            "A002", f"李{EMOJI}", row=3, unit_and_post=f"{HOSTILE} 车间", native_place="<b>黑龙江</b>",
            resume=f"2001.01 {HOSTILE}\n{{% for x in y %}}循环{{% endfor %}}", summary=f"摘要 {HOSTILE} {EMOJI}",
            recommender="塔河县总工会&<i>协会</i>")
        long = make_candidate("A003", "王长", row=4, resume=LONG_RESUME)
        broken = make_candidate("A004", "赵错", row=5)
        encrypted = make_candidate("A005", "钱密", row=6)
        add_nominee(edition, rich, evidence=RICH_EVIDENCE)
        add_nominee(edition, hostile, evidence=(("资格证书", f"2020.01-{HOSTILE}.jpg", "jpeg"),))
        (edition / "candidates" / "A002" / "先进事迹.txt").write_text(
            f"标题{HOSTILE}先进事迹材料\n正文 {HOSTILE} 与 {{{{ name }}}} {EMOJI}\n", encoding="utf-8")
        add_nominee(edition, long, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
        add_nominee(edition, broken, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
        add_nominee(edition, encrypted, evidence=(
            ("资格证书", "2019.06-证书.jpg", "jpeg"), ("成果证书", "2020.01-加密.pdf", "pdf-encrypted")))
        check = FakeCheck((
            nominee_for(edition, rich), nominee_for(edition, hostile), nominee_for(edition, long),
            nominee_for(edition, broken, (error_finding(broken),)), nominee_for(edition, encrypted)))
        ctx = RunContext(load_edition(edition), quiet=True, jobs=1)
        result = run_packets(ctx, check)
        yield Built(edition, result, {p.code: p for p in result.packets}, edition / "candidates")


@pytest.fixture(scope="module")
def rich_pdf(built: Built) -> Path:
    """The print master of the nominee with every kind of evidence."""
    return built.by_code["A001"].print_pdf


# ---- the run -------------------------------------------------------------------------------

def test_run_builds_clean_nominees_skips_errors_and_reports_broken_files(built: Built) -> None:
    result = built.result
    assert [p.code for p in result.built] == ["A001", "A002", "A003"]
    assert [(s.code, s.errors) for s in result.skipped] == [("A004", ("ID_CHECKSUM",))]
    [failure] = result.failures
    assert failure.candidate_code == "A005" and failure.code == "EVIDENCE_UNREADABLE"
    assert failure.file.endswith("加密.pdf") and "加密" in failure.message and failure.hint
    assert result.exit_code is ExitCode.findings
    for info in result.packets:
        assert info.print_pdf.name == f"{info.code}-{info.name}-申报材料.pdf"
        assert info.email_pdf.is_file() and info.docx.is_file()
    out = built.result.packets[0].print_pdf.parent
    assert not list(out.glob("A004-*")) and not list(out.glob("A005-*"))


def test_every_page_is_portrait_a4_and_landscape_scans_are_turned_onto_it(rich_pdf: Path) -> None:
    with pikepdf.open(rich_pdf) as doc:
        sizes = [(round(float(p.mediabox[2])), round(float(p.mediabox[3]))) for p in doc.pages]
    assert set(sizes) == {(595, 842)}  # a bound book is portrait throughout (issue 10 §2)
    page = evidence_page(rich_pdf, "龙江技术能手")
    [(_, _, (a, b, c, d, _, _))] = image_placements(rich_pdf, page)
    assert abs(a) < 1e-6 and abs(d) < 1e-6 and b > 0 and c < 0, "turned 90° anticlockwise: its top on the left"


# ---- contents, page numbers, order, bookmarks ----------------------------------------------

def test_contents_lists_every_section_in_order_with_the_page_it_starts_on(rich_pdf: Path) -> None:
    entries = contents_entries(rich_pdf)
    labels = [label for label, _ in entries]
    assert labels[:2] == ["一、申报审批表", "二、先进事迹材料"]
    sections = [label for label in labels if re.match(r"^[一二三四五六七八九十]+、", label)]
    assert [s.split("、", 1)[1] for s in sections] == [
        "申报审批表", "先进事迹材料", "职业资格证书", "技术成果证书", "奖励证书", "荣誉证书", "其他材料"]
    pages = [page for _, page in entries]
    assert pages == sorted(pages) and pages[0] == 3
    texts = page_texts(rich_pdf)
    for label, page in entries:
        here = squash(texts[page - 1])
        if label.startswith("一、"):
            assert "申报审批表" in here
        elif label.startswith("二、"):
            assert "先进事迹材料" in here and squash(texts[page - 2]).find("先进事迹材料") < 0
        else:
            assert squash(label.split("（共")[0]) in here, (label, page)
    # every evidence item named in the contents, each on the page it starts on
    items = [label for label in labels if re.match(r"^\d+．", label)]
    assert len(items) == len(RICH_EVIDENCE)
    # the last entry's pages run to the end of the document
    assert entries[-1][1] <= len(texts)


def test_every_page_after_the_cover_carries_its_number(rich_pdf: Path) -> None:
    texts = page_texts(rich_pdf)
    assert not re.search(r"—\s*1\s*—", texts[0])
    for number, text in enumerate(texts[1:], start=2):
        if not text.strip():
            continue  # the blank page that puts the 事迹 on an odd page has no folio
        assert re.search(rf"—\s*{number}\s*—", text), f"page {number} has no page number"


def test_page_count_and_order_match_the_contents(rich_pdf: Path) -> None:
    entries = contents_entries(rich_pdf)
    texts = page_texts(rich_pdf)
    # multi-page items say so, and the next entry starts right after them
    for (label, page), (_, next_page) in zip(entries, entries[1:], strict=False):
        m = re.search(r"（共(\d+)页）", label)
        if m:
            assert next_page == page + int(m.group(1))
    last_label, last_page = entries[-1]
    assert len(texts) == last_page  # the last item is a single page


def test_bookmarks_name_each_section_and_evidence_item(rich_pdf: Path) -> None:
    marks = outline(rich_pdf)
    top = [(title, page) for level, title, page in marks if level == 1]
    assert [t for t, _ in top[:4]] == ["封面", "目录", "一、申报审批表", "二、先进事迹材料"]
    assert top[0][1] == 1 and top[1][1] == 2
    contents = dict(contents_entries(rich_pdf))
    for title, page in top[2:]:
        assert contents[title] == page
    items = [(title, page) for level, title, page in marks if level == 2]
    assert len(items) == len(RICH_EVIDENCE)
    for title, page in items:
        matching = [p for label, p in contents.items() if label == title]  # same words and numbering
        assert matching == [page], title


# ---- the form --------------------------------------------------------------------------------

def test_form_has_title_block_notes_and_all_seven_opinion_boxes(rich_pdf: Path) -> None:
    texts = [squash(t) for t in page_texts(rich_pdf)]
    start = dict(contents_entries(rich_pdf))["一、申报审批表"] - 1
    title_page, notes_page = texts[start], texts[start + 1]
    for text in ("大兴安岭地区", "“兴安技术能手”申报审批表", "姓名：张建国", "单位：加格达奇林业局机修厂",
                 "大兴安岭地区人力资源和社会保障局印", "年月日"):
        assert text in title_page
    assert "注意事项" in notes_page and "此表需候选人所在单位加盖骑缝章" in notes_page
    form = "".join(texts[start + 2:start + 5])
    for title, signer in OPINIONS:
        assert squash(title) in form
        assert squash(signer) in form
    assert form.count("年月日") >= 7


def test_every_roster_field_appears_in_the_form(rich_pdf: Path) -> None:
    c = make_candidate("A001", "张建国")
    start = dict(contents_entries(rich_pdf))["一、申报审批表"] - 1
    form = "".join(squash(t) for t in page_texts(rich_pdf)[start:start + 5])
    values = [c.name, c.gender, str(c.birth), c.native_place, c.ethnicity, c.political_status, c.education,
              str(c.work_start), c.professional_title, c.skill_level, c.occupation, c.unit_and_post,
              c.id_number, c.phone, *c.resume.splitlines(), c.summary]
    for value in values:
        assert value and squash(value) in form, value


def test_photo_is_on_the_form_page_at_35_by_49_mm(rich_pdf: Path, built: Built) -> None:
    start = dict(contents_entries(rich_pdf))["一、申报审批表"] - 1
    photo = (built.sources / "A001" / "照片.jpg").read_bytes()
    found = [ctm for data, _, ctm in image_placements(rich_pdf, start + 2) if data == photo]
    assert len(found) == 1
    a, b, c, d, _, _ = found[0]
    width_mm, height_mm = abs(a) / 72 * 25.4, abs(d) / 72 * 25.4
    assert b == 0 and c == 0
    assert width_mm == pytest.approx(35, abs=0.05) and height_mm == pytest.approx(49, abs=0.05)


def test_long_resume_continues_on_an_annex_instead_of_being_cut(built: Built) -> None:
    pdf = built.by_code["A003"].print_pdf
    texts = page_texts(pdf)
    entries = dict(contents_entries(pdf))
    start = entries["一、申报审批表"] - 1
    form_pages = texts[start:entries["二、先进事迹材料"] - 1]
    assert len(form_pages) > 5  # title, notes, three tables: the résumé needs continuation pages
    joined = "".join(squash(t) for t in form_pages)
    for line in LONG_RESUME.splitlines():
        assert squash(line) in joined, line
    first = next(i for i, t in enumerate(form_pages) if "第01条" in t)
    last = next(i for i, t in enumerate(form_pages) if "第80条" in t)
    assert last > first
    assert "简要事迹" in squash(form_pages[first + 1])  # the table goes on; the rest is on the 附页
    assert "个人简历（续）" in squash(form_pages[last]) or "个人简历（续）" in squash(form_pages[last - 1])


# ---- 先进事迹材料 -------------------------------------------------------------------------------

def test_deeds_follow_gbt9704_grid_of_28_characters_by_22_lines(rich_pdf: Path) -> None:
    entries = dict(contents_entries(rich_pdf))
    first = entries["二、先进事迹材料"]
    # the second deeds page is full: title-free, 22 lines of body text
    lines = [ln for ln in poppler_lines(rich_pdf, first + 1) if not re.fullmatch(r"—\s*\d+\s*—", ln.strip())]
    assert len(lines) == 22
    assert max(len(ln.strip()) for ln in lines) == 28


# ---- evidence -------------------------------------------------------------------------------

def test_jpeg_scans_within_print_dpi_are_embedded_byte_for_byte(rich_pdf: Path, built: Built) -> None:
    streams = image_streams(rich_pdf)
    folder = built.sources / "A001" / "evidence"
    for category, name, kind in RICH_EVIDENCE:
        if kind in ("jpeg", "jpeg-rot6", "jpeg-land", "jpeg-a4"):
            assert (folder / category / name).read_bytes() in streams, name
    big = (folder / "资格证书" / "2021.03-大幅扫描件.jpg").read_bytes()
    assert big not in streams  # 3307 px wide on a 150 mm wide placement is 560 dpi: downsampled to 300


def test_oversized_scan_is_downsampled_to_the_print_dpi(rich_pdf: Path) -> None:
    page = evidence_page(rich_pdf, "大幅扫描件")
    [(_, width, (a, _, _, _, _, _))] = image_placements(rich_pdf, page)
    dpi = width / (abs(a) / 72)
    assert dpi == pytest.approx(300, abs=2)


def test_exif_orientation_is_applied_without_touching_the_jpeg(rich_pdf: Path) -> None:
    page = evidence_page(rich_pdf, "地区职业技能大赛一等奖")
    img = render_page(rich_pdf, page + 1, dpi=30)
    w, h = img.size
    # the blue marker of the upright scan sits in the top-left corner of the scan area
    top_left = img.crop((0, 0, w // 2, h // 3)).getcolors(w * h)
    bottom_right = img.crop((w // 2, h // 2, w, h)).getcolors(w * h)
    assert top_left and any(b > 150 and r < 80 for _, (r, g, b) in top_left)
    assert not any(b > 150 and r < 80 and g < 120 for _, (r, g, b) in bottom_right or [])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matrix_shows_every_pixel_where_pillow_does(orientation: int) -> None:
    stored = Image.new("L", (4, 2))
    for y in range(2):
        for x in range(4):
            stored.putpixel((x, y), 10 + y * 4 + x)
    tagged = stored.copy()
    tagged.getexif()[0x0112] = orientation
    upright = ImageOps.exif_transpose(tagged)
    assert upright is not None
    width, height = upright.size
    a, b, c, d, e, f = orientation_matrix(orientation, Rect(0, 0, width, height))
    for y in range(2):
        for x in range(4):
            # centre of stored pixel (x, y) in image space: u to the right, v up, row 0 at v = 1
            u, v = (x + 0.5) / 4, 1 - (y + 0.5) / 2
            px, py = a * u + c * v + e, b * u + d * v + f
            assert upright.getpixel((int(px), int(height - py))) == stored.getpixel((x, y))


def test_multi_page_files_are_bound_page_by_page_and_scaled_to_a4(rich_pdf: Path) -> None:
    entries = contents_entries(rich_pdf)
    labels = {label.split("．", 1)[-1]: page for label, page in entries}
    tiff = next(label for label in labels if "多页扫描" in label)
    letter = next(label for label in labels if "液压系统改造技术成果" in label)
    assert "（共2页）" in tiff and "（共2页）" in letter
    texts = page_texts(rich_pdf)
    assert "第2页，共2页" in squash(texts[labels[letter]])
    with pikepdf.open(rich_pdf) as doc:
        page = doc.pages[labels[letter] - 1]
        assert round(float(page.mediabox[2])) == 595  # US Letter scaled onto A4


def test_imprint_on_every_evidence_page(rich_pdf: Path) -> None:
    texts = page_texts(rich_pdf)
    first_evidence = dict(contents_entries(rich_pdf))["三、职业资格证书"]
    for text in texts[first_evidence - 1:]:
        assert "经核对与原件一致" in text
        assert "大兴安岭地区加格达奇区人力资源和社会保障局" in squash(text)
    assert not any("经核对与原件一致" in t for t in texts[:first_evidence - 1])


def page_content(page: pikepdf.Page) -> bytes:
    """A page's content streams, decoded and joined."""
    contents = page.obj.Contents
    streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
    return b"\n".join(stream.read_bytes() for stream in streams)


def test_each_face_is_embedded_once_and_shared_parts_are_stored_once(built: Built) -> None:
    # The imprint and the 注意事项 are rendered once per worker and laid over their pages: one stored
    # drawing per side for all the evidence sheets, and the fonts they use merged with the packet's own.
    for info in built.result.packets:
        with pikepdf.open(info.print_pdf) as doc:
            programs: dict[str, set[tuple[int, int]]] = {}
            for obj in doc.objects:
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                    face = str(obj.FontName).split("+", 1)[-1]
                    for key in ("/FontFile2", "/FontFile3"):
                        if key in obj:
                            programs.setdefault(face, set()).add(obj[key].objgen)
                if info.code == "A001" and isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType2":
                    # TrueType renumbered to the glyphs it draws, not 20 000 retained empty ones (A002's
                    # characters no font has keep WeasyPrint's own subset)
                    program = obj.FontDescriptor.FontFile2.read_bytes()
                    assert glyph_count(program) <= 300 and isinstance(obj.CIDToGIDMap, pikepdf.Stream), info.code
            assert programs and all(len(p) == 1 for p in programs.values()), (info.code, programs)
            drawn = {xobj.objgen for page in doc.pages if "/XObject" in page.Resources
                     for name, xobj in page.Resources.XObject.items() if re.fullmatch(r"/XnPart\d+s\d", name)}
            assert 2 <= len(drawn) <= 4, (info.code, drawn)  # notes and imprint, a right and a left page each
            # the folios: page i draws the folio form of index i, one per page, none on the cover
            folios = [re.findall(rb"/XnPart\d+p(\d+) Do", page_content(page)) for page in doc.pages]
            assert not folios[0] and all(names in ([], [str(i).encode()]) for i, names in enumerate(folios)), \
                (info.code, folios)


def test_folios_are_rendered_once_per_worker_and_laid_on_every_page_but_the_cover_and_blanks(tmp_path: Path) -> None:
    """The folio "— n —" is not laid out in every page of every packet: each kind of page gets its folios from
    one PDF per worker (FrontRenderer.folios), laid over the pages by the binder — the same text where it was."""
    from pipeline.packets.bundle import Binder, DocMeta
    from pipeline.packets.form import FrontRenderer, build_context, group_evidence
    from pipeline.packets.job import PacketJob, packet_paths

    edition_path = write_edition(tmp_path)
    people = [make_candidate("H001", "周页码"), make_candidate("H002", "吴页码", row=3)]
    for c in people:
        add_nominee(edition_path, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
    edition = load_edition(edition_path)
    renderer = FrontRenderer(resolve_fonts(edition.fonts))
    fronts = []
    for c in people:
        nominee = nominee_for(edition_path, c)
        assert nominee.photo is not None
        job = PacketJob(c, nominee.photo, nominee.materials.deeds, nominee.materials.evidence, edition,
                        RunContext(edition).source_date, packet_paths(tmp_path, c), "x")
        from pipeline.packets.evidence import probe

        items = group_evidence(job, [probe(ev.path, ev.rel) for ev in job.evidence])
        fronts.append(renderer.render(build_context(job, items, nominee.photo.as_uri())))
    first, second = ([o for o in f.overlays if o.per_page] for f in fronts)
    assert len(first) == len(second) >= 2
    assert all(a.pdf is b.pdf for a, b in zip(first, second, strict=True)), "the second packet re-used the folios"
    front = fronts[0]
    meta = DocMeta(title="t", author="a", subject="s", keywords="k", created=RunContext(edition).source_date, copies=1)
    pdf = tmp_path / "folios.pdf"
    pdf.write_bytes(Binder(front.pdf, [], meta, overlays=[(o.pdf, o.pages, o.per_page) for o in front.overlays]).bind(300).data)
    texts = page_texts(pdf)
    marked = [n for n, text in enumerate(texts, start=1) if re.search(rf"—\s*{n}\s*—", text)]
    blank = [n for n, text in enumerate(texts, start=1) if not text.strip()]
    assert marked == [n for n in range(2, len(texts) + 1) if n not in blank] and len(marked) >= 8


# ---- hostile text ---------------------------------------------------------------------------

def test_hostile_text_is_printed_literally(built: Built) -> None:
    pdf = built.by_code["A002"].print_pdf
    text = squash("".join(page_texts(pdf)))
    assert squash(HOSTILE) in text
    assert "49" not in text.replace("2027", "")  # {{ 7*7 }} was not evaluated
    assert "<b>黑龙江</b>" in text
    assert "{%forxiny%}循环{%endfor%}" in text
    assert "{{name}}" in text
    assert EMOJI in "".join(page_texts(pdf))
    assert "塔河县总工会&<i>协会</i>" in text
    with pikepdf.open(pdf) as doc:
        assert str(doc.docinfo.Author) == "塔河县总工会&<i>协会</i>"


# ---- document settings and the print list ---------------------------------------------------

def test_metadata_and_print_settings(rich_pdf: Path) -> None:
    with pikepdf.open(rich_pdf) as doc:
        info = doc.docinfo
        assert str(info.Author) == "大兴安岭地区加格达奇区人力资源和社会保障局"
        assert str(info.Subject) == "大兴安岭地区2027年度“兴安技术能手”选树"
        assert "申报兴安技术能手选树材料" in str(info.Title) and "张建国" in str(info.Title)
        assert str(info.CreationDate) == "D:20270101000000+00'00'"
        prefs = doc.Root.ViewerPreferences
        assert int(prefs.NumCopies) == 5
        assert prefs.Duplex == pikepdf.Name.DuplexFlipLongEdge
        assert doc.Root.PageMode == pikepdf.Name.UseOutlines
        assert doc.pdf_version >= "1.7"


def test_print_list_names_every_packet_with_pages_and_copies(built: Built) -> None:
    assert built.result.print_list is not None
    sheet = load_workbook(built.result.print_list).active
    assert sheet is not None
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]]
    assert [(r[1], r[2], r[5], r[6]) for r in rows] == [
        (p.code, p.name, p.pages, 5) for p in built.result.packets]
    for row, info in zip(rows, built.result.packets, strict=True):
        assert row[5] == len(PdfReader(info.print_pdf).pages)


# ---- renditions ------------------------------------------------------------------------------

def test_email_copy_fits_a_small_budget_by_downsampling_scans_only(tmp_path: Path) -> None:
    edition = write_edition(tmp_path, email_budget_mb=1.5)
    c = make_candidate("B001", "孙邮")
    add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg-grain"),
                                      ("荣誉证书", "2020.06-荣誉.jpg", "jpeg-grain")))
    result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck((nominee_for(edition, c),)))
    [info] = result.built
    assert info.email_bytes <= 1.5 * 1024 * 1024 < info.print_bytes
    assert info.email_fits and info.email_dpi < 300
    assert len(PdfReader(info.email_pdf).pages) == len(PdfReader(info.print_pdf).pages) == info.pages
    assert page_texts(info.email_pdf) == page_texts(info.print_pdf)
    assert info.email_pdf == info.print_pdf.parent / "email" / info.print_pdf.name and not info.email_is_master
    assert result.print_list is not None
    sheet = load_workbook(result.print_list).active
    assert sheet is not None and sheet.cell(2, 10).value == "电子版（发送用）"
    assert sheet.cell(3, 10).value == f"email/{info.print_pdf.name}"


def test_a_master_within_the_budget_is_the_email_copy_and_old_copies_go(two: tuple[Path, FakeCheck]) -> None:
    edition, check = two
    first = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    d1, d2 = first.packets
    email_dir = d1.print_pdf.parent / "email"
    assert d1.email_is_master and d1.email_pdf == d1.print_pdf and d1.email_bytes == d1.print_bytes
    assert not email_dir.exists()
    assert first.print_list is not None
    sheet = load_workbook(first.print_list).active
    assert sheet is not None and [sheet.cell(r, 10).value for r in (3, 4)] == ["同打印版（该文件即电子版）"] * 2

    # An e-mail copy an older build left (or anybody put there) must not look current: removed by
    # the next run, whether the packet is rebuilt or not.
    email_dir.mkdir(parents=True, exist_ok=True)
    for info in (d1, d2):
        (email_dir / info.print_pdf.name).write_bytes(b"%PDF-1.7 old e-mail copy")
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert again.built == () and not email_dir.exists()
    deeds = edition / "candidates" / "D002" / "先进事迹.txt"
    deeds.write_text(deeds.read_text(encoding="utf-8") + "新增的一段事迹。\n", encoding="utf-8")
    email_dir.mkdir()
    (email_dir / d2.print_pdf.name).write_bytes(b"%PDF-1.7 old e-mail copy")
    third = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert [p.code for p in third.built] == ["D002"] and not email_dir.exists()


def test_imprint_can_be_switched_off(tmp_path: Path) -> None:
    edition = write_edition(tmp_path, imprint=False)
    c = make_candidate("C001", "周印")
    add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
    result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck((nominee_for(edition, c),)))
    text = "".join(page_texts(result.built[0].print_pdf))
    assert "经核对与原件一致" not in text and "高级技师" in text


# ---- incremental, atomic, reproducible -------------------------------------------------------

@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, FakeCheck]:
    """An edition with two small nominees."""
    edition = write_edition(tmp_path)
    cs = [make_candidate("D001", "吴一", row=2), make_candidate("D002", "郑二", row=3)]
    for c in cs:
        add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),), deeds_paragraphs=4)
    return edition, FakeCheck(tuple(nominee_for(edition, c) for c in cs))


def _stamps(result: PacketsResult) -> dict[str, tuple[int, ...]]:
    return {p.code: tuple(f.stat().st_mtime_ns for f in (p.print_pdf, p.email_pdf, p.docx)) for p in result.packets}


def test_second_run_does_nothing_and_a_change_rebuilds_only_that_packet(
        two: tuple[Path, FakeCheck], capsys: pytest.CaptureFixture[str]) -> None:
    edition, check = two
    first = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert [p.code for p in first.built] == ["D001", "D002"]
    stamps = _stamps(first)

    second = run_packets(RunContext(load_edition(edition), jobs=1), check)
    assert second.built == () and [p.code for p in second.unchanged] == ["D001", "D002"]
    assert "均无变化" in capsys.readouterr().err
    assert _stamps(second) == stamps

    deeds = edition / "candidates" / "D002" / "先进事迹.txt"
    deeds.write_text(deeds.read_text(encoding="utf-8") + "新增的一段事迹。\n", encoding="utf-8")
    third = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert [p.code for p in third.built] == ["D002"] and [p.code for p in third.unchanged] == ["D001"]
    after = _stamps(third)
    assert after["D001"] == stamps["D001"] and after["D002"] != stamps["D002"]

    # the roster row changes: only that packet again
    changed = FakeCheck((check.nominees[0], dataclasses.replace(
        check.nominees[1], candidate=dataclasses.replace(check.nominees[1].candidate, phone="13900000000"))))
    fourth = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), changed)
    assert [p.code for p in fourth.built] == ["D002"]


def test_touching_a_file_without_changing_it_rebuilds_nothing(two: tuple[Path, FakeCheck]) -> None:
    edition, check = two
    run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    scan = edition / "candidates" / "D001" / "evidence" / "资格证书" / "2019.06-证书.jpg"
    scan.touch()
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert again.built == ()


def test_missing_or_truncated_output_and_leftovers_of_a_killed_run_are_repaired(two: tuple[Path, FakeCheck]) -> None:
    edition, check = two
    first = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    d1, d2 = first.packets
    good = d1.print_pdf.read_bytes()
    d1.print_pdf.write_bytes(good[: len(good) // 2])  # as if cut off (atomic writes never do this)
    d2.email_pdf.unlink()
    leftover = d1.print_pdf.parent / f".{d1.print_pdf.name}.abc123.part"
    leftover.write_bytes(b"%PDF-1.7 half")
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert sorted(p.code for p in again.built) == ["D001", "D002"]
    assert d1.print_pdf.read_bytes() == good and d2.email_pdf.is_file()
    assert not leftover.exists()


def test_template_change_rebuilds_every_packet(two: tuple[Path, FakeCheck], monkeypatch: pytest.MonkeyPatch) -> None:
    edition, check = two
    run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    import pipeline.packets.manifest as manifest

    monkeypatch.setattr(manifest, "_library_versions", lambda: "a different WeasyPrint")
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert [p.code for p in again.built] == ["D001", "D002"]


def test_same_input_gives_byte_identical_files_in_workers_and_in_process(
        two: tuple[Path, FakeCheck], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edition, check = two

    def build(output: Path, jobs: int) -> dict[str, str]:
        monkeypatch.setenv("XN_OUTPUT", str(output))
        run_packets(RunContext(load_edition(edition), quiet=True, jobs=jobs), check)
        return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(output.rglob("*")) if p.is_file() and ".work" not in p.parts}

    one = build(tmp_path / "one", 1)
    pooled = build(tmp_path / "two", 2)
    assert one == pooled and len(one) == 5  # 2 × (PDF, DOCX) + 打印清单: each master is its e-mail copy


def test_source_date_epoch_sets_the_document_date(two: tuple[Path, FakeCheck], monkeypatch: pytest.MonkeyPatch) -> None:
    edition, check = two
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 2027-01-15 08:00 UTC
    result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    with pikepdf.open(result.packets[0].print_pdf) as doc:
        assert str(doc.docinfo.CreationDate) == "D:20270115080000+00'00'"


def test_renamed_nominee_replaces_the_old_files(two: tuple[Path, FakeCheck]) -> None:
    edition, check = two
    first = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    old = first.packets[0].print_pdf
    renamed = FakeCheck((dataclasses.replace(
        check.nominees[0], candidate=dataclasses.replace(check.nominees[0].candidate, name="吴新")),
        check.nominees[1]))
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), renamed)
    assert not old.exists() and again.packets[0].print_pdf.name == "D001-吴新-申报材料.pdf"


# ---- golden pages --------------------------------------------------------------------------

FONTS_RECORD = GOLDEN / "packet_fonts.json"


def _fonts_signature(edition: Path) -> list[str]:
    """The fonts playing each role (the golden pages depend on them)."""
    fonts = resolve_fonts(load_edition(edition).fonts)
    return [f"{role}={font.face.family}{':bold' if font.face.bold else ''}" for role, font in sorted(fonts.roles.items())]


@pytest.mark.parametrize(("name", "which"), [
    ("packet_cover", "cover"), ("packet_contents", "contents"), ("packet_form_title", "form"),
    ("packet_form_table", "table"), ("packet_form_opinions", "opinions")])
def test_pages_match_golden_images(rich_pdf: Path, built: Built, name: str, which: str) -> None:
    signature = _fonts_signature(built.edition)
    if FONTS_RECORD.is_file() and json.loads(FONTS_RECORD.read_text(encoding="utf-8")) != signature:
        pytest.skip("golden pages were made with other fonts: " + ", ".join(signature))
    form = dict(contents_entries(rich_pdf))["一、申报审批表"]
    number = {"cover": 1, "contents": 2, "form": form, "table": form + 2, "opinions": form + 4}[which]
    assert_matches_golden(render_page(rich_pdf, number), GOLDEN / f"{name}.png")
    if not FONTS_RECORD.is_file():
        FONTS_RECORD.write_text(json.dumps(signature, ensure_ascii=False), encoding="utf-8")


# ---- evidence module units --------------------------------------------------------------------

def test_probe_reports_broken_files_as_evidence_errors(tmp_path: Path) -> None:
    from pipeline.packets.evidence import EvidenceError, probe

    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    truncated = tmp_path / "cut.jpg"
    full = make_jpeg_scan(tmp_path / "full.jpg").read_bytes()
    truncated.write_bytes(full[:40])
    for path in (empty, junk, truncated):
        with pytest.raises(EvidenceError) as info:
            probe(path, path.name)
        assert info.value.code == "EVIDENCE_UNREADABLE" and info.value.file == path.name


def test_sheet_orientation_and_landscape() -> None:
    assert Sheet(Path("x"), "x", "jpeg", 0, 1754, 1240).landscape
    assert not Sheet(Path("x"), "x", "jpeg", 0, 1240, 1754).landscape


def test_stale_golden_results_folder_is_ignored_by_git() -> None:
    assert "/tests/results/" in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8")


def test_no_weasyprint_warning_goes_unnoticed(tmp_path: Path) -> None:
    """A missing photo file is a RenderError naming the nominee, not a blank box."""
    edition = write_edition(tmp_path)
    c = make_candidate("E001", "冯缺")
    add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),))
    nominee = nominee_for(edition, c)
    assert nominee.photo is not None
    gone = dataclasses.replace(nominee, photo=tmp_path / "nowhere.jpg")
    result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck((gone,)))
    [failure] = result.failures
    assert failure.candidate_code == "E001" and "照片" in failure.message
    shutil.rmtree(tmp_path / "output", ignore_errors=True)


# ---- compact fonts ---------------------------------------------------------------------------

def test_compacted_fonts_render_and_extract_exactly_like_weasyprints(tmp_path: Path) -> None:
    import datetime as dt

    from pipeline.packets.bundle import Binder, DocMeta
    from pipeline.packets.form import FrontRenderer, build_context, group_evidence
    from pipeline.packets.job import PacketJob, packet_paths

    edition_path = write_edition(tmp_path)
    c = make_candidate("G001", "韩字", unit_and_post=f"车间 {HOSTILE} {EMOJI}")
    add_nominee(edition_path, c, deeds_paragraphs=6)
    edition = load_edition(edition_path)
    nominee = nominee_for(edition_path, c)
    assert nominee.photo is not None
    job = PacketJob(c, nominee.photo, nominee.materials.deeds, (), edition, RunContext(edition).source_date,
                    packet_paths(tmp_path, c), "x")
    renderer = FrontRenderer(resolve_fonts(edition.fonts))
    context = build_context(job, group_evidence(job, []), nominee.photo.as_uri())
    meta = DocMeta("t", "a", "s", "k", dt.datetime(2027, 1, 1, tzinfo=dt.UTC), 5)
    compact = tmp_path / "compact.pdf"
    compact.write_bytes(Binder(renderer.render(context).pdf, [], meta).bind(300).data)
    plain = tmp_path / "plain.pdf"
    front = renderer.render(context, compact_fonts=False)
    plain.write_bytes(Binder(front.pdf, [], meta, compact_fonts=False).bind(300).data)
    assert compact.stat().st_size < plain.stat().st_size / 2
    assert page_texts(compact) == page_texts(plain)
    # The same glyphs in the same places: pdfium sets a bare CFF font's edges a shade differently from
    # the same outlines wrapped in OpenType (anti-aliasing, ≤ 20 of 255; poppler renders them
    # identically), so no pixel may differ by more than a grey shade.
    for number in range(1, front.pages + 1):
        same = compare_images(render_page(compact, number, dpi=60), render_page(plain, number, dpi=60),
                              tolerance=32, max_fraction=0.0)
        assert same.ok, f"page {number}: {same.describe()}"
    with pikepdf.open(compact) as doc:
        kinds = {str(o.get("/Subtype")) for o in doc.objects
                 if isinstance(o, pikepdf.Stream) and "/Subtype" in o and o.get("/Subtype") != "/Image"}
    assert "/CIDFontType0C" in kinds and "/OpenType" not in kinds


def _one_job(tmp_path: Path, code: str) -> tuple[PacketJob, Path]:
    """A small edition with one nominee (韩字, no evidence) → their packet job and photo."""
    edition_path = write_edition(tmp_path)
    c = make_candidate(code, "韩字")
    add_nominee(edition_path, c)
    edition = load_edition(edition_path)
    nominee = nominee_for(edition_path, c)
    assert nominee.photo is not None
    job = PacketJob(c, nominee.photo, nominee.materials.deeds, (), edition, RunContext(edition).source_date,
                    packet_paths(tmp_path, c), "x")
    return job, nominee.photo


def test_a_document_rendered_after_a_packet_in_the_same_process_keeps_its_glyphs(tmp_path: Path) -> None:
    """make all in one process (-j 1, or one changed nominee): a certificate rendered after a packet
    shows its title and its punctuation. The packet's compact font subsetting (renumbered CFF glyphs,
    unwrapped by the binder) used to stay hooked into WeasyPrint for the rest of the process, and the
    certificate's Noto CJK text then printed as blank space over a correct text layer."""
    from pipeline.packets.form import FrontRenderer, build_context, group_evidence
    from pipeline.stages.certificates import render_pdf

    job, photo = _one_job(tmp_path, "G002")
    fonts = resolve_fonts(job.edition.fonts)
    FrontRenderer(fonts).render(build_context(job, group_evidence(job, []), photo.as_uri()))

    html = (f"<style>{fonts.css()} @page {{ size: 150mm 60mm; margin: 8mm }} p {{ font-size: 32pt; margin: 0 }}"
            "</style><p class='font-title'>荣誉证书</p><p class='font-body'>“技术能手”。</p>")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render_pdf(html, "证书"))
    dpi = 100
    image = np.asarray(raster.page(pdf, 1, dpi=dpi, grey=True))
    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars
    assert "".join(ch["text"] for ch in chars) == "荣誉证书“技术能手”。"
    scale = dpi / 72
    blank = [ch["text"] for ch in chars
             if not (image[int(ch["top"] * scale):int(ch["bottom"] * scale) + 1,
                           int(ch["x0"] * scale):int(ch["x1"] * scale) + 1] < 128).any()]
    assert not blank, f"no ink under {''.join(blank)}"


# ---- a killed run --------------------------------------------------------------------------

KILL_SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
from tests.packet_fixtures import FakeCheck, make_candidate, nominee_for
from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.stages.packets import run_packets
edition = Path({edition!r})
cs = [make_candidate(f"K{{i:03d}}", f"孔{{i}}", row=i + 2) for i in range(4)]
run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck(tuple(nominee_for(edition, c) for c in cs)))
"""


@pytest.mark.slow
def test_a_killed_run_leaves_no_truncated_pdf_and_the_next_run_completes(tmp_path: Path) -> None:
    import os
    import signal
    import sys
    import time

    edition = write_edition(tmp_path)
    cs = [make_candidate(f"K{i:03d}", f"孔{i}", row=i + 2) for i in range(4)]
    for c in cs:
        add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg-big"),), deeds_paragraphs=4)
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(root=str(PROJECT_ROOT), tests=str(PROJECT_ROOT / "tests"),
                                         edition=str(edition)), encoding="utf-8")
    out = tmp_path / "output" / "edition" / "packets"
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(out.glob("*-申报材料.pdf")):
            time.sleep(0.05)
        time.sleep(0.3)  # somewhere inside the next packet
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finished = list(out.glob("*-申报材料.pdf"))
    assert 1 <= len(finished) < 4
    for pdf in out.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 5  # every PDF that exists is whole
    check = FakeCheck(tuple(nominee_for(edition, c) for c in cs))
    again = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert len(again.packets) == 4 and len(again.built) + len(again.unchanged) == 4
    assert {p.code for p in again.unchanged} <= {p.name.split("-")[0] for p in finished}
    assert not list(out.rglob(".*.part"))


# ---- the command line, with the real check stage -------------------------------------------

@pytest.mark.slow
def test_make_packets_command_checks_then_binds_and_exits_1_for_a_skipped_nominee(
        tmp_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main
    from tests.conftest import make_id
    from tests.packet_fixtures import write_simple_nominees
    from tests.roster_fixtures import row

    write_simple_nominees(tmp_edition, [
        row(编号="P01", 姓名="张三"), row(编号="P02", 姓名="李四", 身份证号码=make_id(seq="34")),
        row(编号="P03", 姓名="王五", 身份证号码=make_id(seq="56")[:17] + "X")])
    assert main(["--edition", str(tmp_edition), "packets"]) == 1  # P03's ID number is wrong
    err = capsys.readouterr().err
    assert "跳过 P03 王五" in err and "ID_CHECKSUM" in err
    out = Path(load_edition(tmp_edition).output) / "packets"
    assert sorted(p.name for p in out.glob("*.pdf")) == ["P01-张三-申报材料.pdf", "P02-李四-申报材料.pdf"]
    assert (out / "打印清单.xlsx").is_file() and len(list((out / "docx").glob("*.docx"))) == 2
    assert main(["--edition", str(tmp_edition), "packets"]) == 1
    assert "2 份均无变化" in capsys.readouterr().err


def test_the_photo_is_served_from_memory_and_named_by_its_content(tmp_path: Path) -> None:
    """The packet's HTML names the photo by the hash of its bytes (no 70 KB data: URI for the HTML
    parser); the same photo in another folder gives the same PDF, and the photo is in it."""
    from PIL import Image

    from pipeline.packets.form import FrontRenderer, build_context, group_evidence
    from pipeline.render.weasy import IMAGE_SCHEME, image_url

    job, own = _one_job(tmp_path, "G003")
    renderer = FrontRenderer(resolve_fonts(job.edition.fonts))
    elsewhere = tmp_path / "elsewhere" / "照片.jpg"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(own.read_bytes())
    pdfs = []
    for photo in (own, elsewhere):
        url = image_url(photo)
        assert url.startswith(f"{IMAGE_SCHEME}:") and len(url) == len(IMAGE_SCHEME) + 65
        pdfs.append(renderer.render(build_context(job, group_evidence(job, []), url)).pdf)
    assert pdfs[0] == pdfs[1]
    with Image.open(own) as image:
        size = image.size
    with pikepdf.open(io.BytesIO(pdfs[0])) as doc:
        images = [o for o in doc.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert [(int(o.Width), int(o.Height)) for o in images] == [size]
