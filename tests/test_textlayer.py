"""Searchable packets (issue 13 §3): the invisible text layer over the evidence scans.

What a user sees is asserted with poppler: `pdftotext` of a bound packet holds the text read on
its scans, and `pdftotext -bbox` puts every word inside the box the engine found, mapped onto
the page the way the scan is (fitted into its box, turned by EXIF orientation, turned onto the
portrait page). Most tests bind onto a blank base PDF (no WeasyPrint: fast); one runs the
packets stage with hand-built readings, one binds what the real engine read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import EditionConfigError
from pipeline.ocr import Line, Page, Reading
from pipeline.packets.bundle import Binder, DocMeta, Placement, email_rendition
from pipeline.packets.evidence import Rect, Sheet, probe
from pipeline.packets.textlayer import (
    TextLayerSettings,
    layer_digest,
    layer_pages,
    text_layer_settings,
)
from tests.packet_fixtures import (
    FakeCheck,
    add_nominee,
    make_candidate,
    make_jpeg_scan,
    make_pdf_evidence,
    nominee_for,
    write_edition,
)

A4 = (595.28, 841.89)
BOX = Rect(70.0, 90.0, 460.0, 650.0)
"""A `.scan` box on the page, in points (as WeasyPrint's evidence sheet gives it)."""
META = DocMeta("t", "a", "s", "k", dt.datetime(2027, 1, 1, tzinfo=dt.UTC), 5)
LINES = (
    Line("荣誉证书", (380.0, 160.0, 860.0, 260.0), 0.99),
    Line("王建国 同志", (150.0, 420.0, 700.0, 480.0), 0.97),
    Line("证书编号 XATN-2024-0815", (150.0, 560.0, 1050.0, 610.0), 0.95),
    Line("模糊不清", (150.0, 900.0, 500.0, 950.0), 0.3),
)


def base_pdf(pages: int) -> bytes:
    """A blank A4 document standing in for the WeasyPrint pages (the same bytes every call: a /ID from the
    clock's second would reach the bound PDF's /ID, and two binds a second apart would differ)."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=A4)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def reading_page(sheet: Sheet, lines: Sequence[Line] = LINES, number: int = 1) -> Page:
    """A hand-built OCR page for an image sheet (upright pixels, as the engine reports them)."""
    return Page(number, sheet.width, sheet.height, 150.0, tuple(lines), "ocr")


def bind(placements: Sequence[Placement], pages: int = 1) -> bytes:
    """Placements → the bound PDF (print rendition)."""
    return Binder(base_pdf(pages), placements, META).bind(300).data


def words(pdf: bytes, tmp_path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """`pdftotext -bbox` → per page, its words with xMin, yMin, xMax, yMax (points, origin top left)."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    return [[(w.text or "", *(float(w.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")))
             for w in page.iter(f"{ns}word")]
            for page in ET.fromstring(html).iter(f"{ns}page")]


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """`pdftotext` of a PDF."""
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def expected_box(line: Line, page: Page, box: Rect, sheet: Sheet, turned: bool) -> tuple[float, ...]:
    """A line's pixel box → where it must show on the packet page (xMin, yMin, xMax, yMax from the top left),
    computed independently of the code under test: fit, flip y, then the 90° turn."""
    frame = Rect(0.0, 0.0, box.h, box.w) if turned else box
    scale = min(frame.w / sheet.width, frame.h / sheet.height)
    w, h = sheet.width * scale, sheet.height * scale
    ox, oy = frame.x + (frame.w - w) / 2, frame.y + (frame.h - h) / 2
    x0, y0, x1, y1 = line.box
    corners = [(ox + x * w / page.width, oy + h - y * h / page.height) for x in (x0, x1) for y in (y0, y1)]
    if turned:  # 0 1 -1 0 (x + w) y cm: (u, v) → (x + w − v, y + u)
        corners = [(box.x + box.w - v, box.y + u) for u, v in corners]
    xs, ys = [c[0] for c in corners], [A4[1] - c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def assert_inside(found: list[tuple[str, float, float, float, float]], line: Line, want: tuple[float, ...],
                  slack: float = 3.0) -> None:
    """Every word of the line is found, inside the expected box (± slack points), and together they span it."""
    hits = [w for w in found if w[0] in line.text.split()]
    assert sorted(w[0] for w in hits) == sorted(line.text.split()), (line.text, found)
    for _, x0, y0, x1, y1 in hits:
        assert want[0] - slack <= x0 < x1 <= want[2] + slack, (line.text, (x0, x1), want)
        assert want[1] - slack <= y0 < y1 <= want[3] + slack, (line.text, (y0, y1), want)
    span = (min(w[1] for w in hits), min(w[2] for w in hits), max(w[3] for w in hits), max(w[4] for w in hits))
    assert all(abs(a - b) <= slack for a, b in zip(span, want, strict=True)), (line.text, span, want)


@pytest.mark.parametrize("orientation", [1, 6, 3, 8])
def test_text_is_extracted_where_the_scan_shows_it_for_every_exif_orientation(
        tmp_path: Path, orientation: int) -> None:
    scan = make_jpeg_scan(tmp_path / "证书.jpg", orientation=orientation)
    (sheet,) = probe(scan, "证书.jpg")
    page = reading_page(sheet, LINES[:3])
    data = bind([Placement(0, sheet, BOX, False, page)])
    text = text_of(data, tmp_path)
    for line in LINES[:3]:
        assert line.text.split()[0] in text
    (found,) = words(data, tmp_path)
    for line in LINES[:3]:
        assert_inside(found, line, expected_box(line, page, BOX, sheet, False))


def test_a_landscape_scan_turned_onto_the_portrait_page_carries_its_text_turned_with_it(tmp_path: Path) -> None:
    scan = make_jpeg_scan(tmp_path / "横版.jpg", (1754, 1240), orientation=6)
    (sheet,) = probe(scan, "横版.jpg")
    assert sheet.landscape
    page = reading_page(sheet, LINES[:3])
    data = bind([Placement(0, sheet, BOX, True, page)])
    (found,) = words(data, tmp_path)
    for line in LINES[:3]:
        assert_inside(found, line, expected_box(line, page, BOX, sheet, True))


def test_a_scanned_pdf_page_gets_its_layer_and_a_pdf_with_its_own_text_gets_none(tmp_path: Path) -> None:
    evidence = make_pdf_evidence(tmp_path / "扫描.pdf", pages=2)
    sheets = probe(evidence, "扫描.pdf")
    ocr = Page(1, 612 * 200 / 72, 792 * 200 / 72, 200.0, (Line("技能大赛一等奖", (200, 300, 1200, 400), 0.9),), "ocr")
    own = Page(2, 612, 792, 72.0, (Line("自带文字", (100, 100, 300, 130), 1.0),), "text")
    pages = layer_pages(Reading(evidence, "x", (ocr, own)), TextLayerSettings(True, 0.5))
    assert [p.number for p in pages] == [1]
    data = bind([Placement(i, s, BOX, False, next((p for p in pages if p.number == s.index + 1), None))
                 for i, s in enumerate(sheets)], pages=2)
    first, second = words(data, tmp_path)
    assert_inside(first, ocr.lines[0], expected_box(ocr.lines[0], ocr, BOX, sheets[0], False))
    assert second == []


def test_the_scan_bytes_stay_untouched_and_one_font_serves_every_page(tmp_path: Path) -> None:
    scan = make_jpeg_scan(tmp_path / "证书.jpg", orientation=6)
    (sheet,) = probe(scan, "证书.jpg")
    page = reading_page(sheet)
    data = bind([Placement(0, sheet, BOX, False, page), Placement(1, sheet, BOX, False, page)], pages=2)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type0"]
        programs = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/FontFile2" in str(o.keys())
                    or (isinstance(o, pikepdf.Dictionary) and "/FontFile2" in o)]
        assert [img.read_raw_bytes() for img in images] == [scan.read_bytes()]
        assert len(fonts) == 1 and len(programs) == 1
        assert all(p.Resources.Font.XnText.objgen == fonts[0].objgen for p in pdf.pages)
        assert b"3 Tr" in b"".join(c.read_bytes() for c in pdf.pages[0].obj.Contents)
    assert bind([Placement(0, sheet, BOX, False, page), Placement(1, sheet, BOX, False, page)], pages=2) == data


def test_characters_beyond_the_bmp_and_hostile_text_are_written_literally(tmp_path: Path) -> None:
    scan = make_jpeg_scan(tmp_path / "证书.jpg")
    (sheet,) = probe(scan, "证书.jpg")
    odd = (Line("𠀀𪚥 姓名", (150, 300, 420, 360), 0.9), Line("(a)\\b) <c> %d", (150, 500, 700, 560), 0.9),
           Line("\x00\x07", (150, 700, 700, 760), 0.9))
    text = text_of(bind([Placement(0, sheet, BOX, False, reading_page(sheet, odd))]), tmp_path)
    assert "𠀀𪚥 姓名" in text and "(a)\\b) <c> %d" in text


def test_the_email_rendition_keeps_the_layer(tmp_path: Path) -> None:
    scan = make_jpeg_scan(tmp_path / "证书.jpg", (2480, 3508), dpi=300, quality=95, grain=True)
    (sheet,) = probe(scan, "证书.jpg")
    binder = Binder(base_pdf(1), [Placement(0, sheet, BOX, False, reading_page(sheet, (LINES[2],)))], META)
    master = binder.bind(300)
    email, _ = email_rendition(binder, master, len(master.data) // 3, 300)
    assert email.max_dpi < 300
    assert "XATN-2024-0815" in text_of(email.data, tmp_path)


def test_settings_filter_low_scores_switch_the_layer_off_and_reject_bad_values(tmp_path: Path) -> None:
    edition = write_edition(tmp_path)
    settings = text_layer_settings(load_edition(edition))
    assert settings == TextLayerSettings(True, 0.5)
    reading = Reading(tmp_path / "x.jpg", "x", (Page(1, 1240, 1754, 150.0, LINES, "ocr"),))
    (page,) = layer_pages(reading, settings)
    assert [ln.text for ln in page.lines] == [ln.text for ln in LINES[:3]]
    assert layer_pages(reading, TextLayerSettings(True, 0.99)) == (Page(1, 1240, 1754, 150.0, LINES[:1], "ocr"),)
    assert layer_pages(reading, TextLayerSettings(False, 0.5)) == ()
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[text_layer]\nenabled = false\n", encoding="utf-8")
    assert text_layer_settings(load_edition(edition)) == TextLayerSettings(False, 0.5)
    toml.write_text(toml.read_text(encoding="utf-8") + "min_score = 2\n", encoding="utf-8")
    with pytest.raises(EditionConfigError, match="min_score"):
        text_layer_settings(load_edition(edition))
    assert layer_digest({}) == layer_digest({"a": ()}) == ""
    rescored = dataclasses.replace(LINES[0], score=0.6)
    same = {"a": (Page(1, 1240, 1754, 150.0, (rescored,), "ocr"),)}
    assert layer_digest(same) == layer_digest({"a": (Page(1, 1240, 1754, 150.0, LINES[:1], "ocr"),)})


def test_packets_stage_writes_the_layer_and_rebuilds_only_when_the_text_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.ocr import engine
    from pipeline.stages.packets import run_packets

    edition = write_edition(tmp_path)
    c = make_candidate("L001", "李文")
    add_nominee(edition, c, evidence=[("荣誉证书", "2024.05-龙江技术能手.jpg", "jpeg")], deeds_paragraphs=4)
    check = FakeCheck((nominee_for(edition, c),))
    lines = [LINES[2]]

    def read_files(ctx: RunContext, paths: Sequence[Path]) -> dict[Path, Reading]:
        return {p: Reading(p, "x", (Page(1, 1240, 1754, 150.0, tuple(lines), "ocr"),)) for p in paths}

    monkeypatch.setattr(engine, "enabled", lambda: True)
    monkeypatch.setattr(engine, "read_files", read_files)

    def run() -> tuple[int, str, str]:
        result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
        (info,) = result.packets
        return len(result.built), text_of(info.print_pdf.read_bytes(), tmp_path), \
            text_of(info.email_pdf.read_bytes(), tmp_path)

    built, master, email = run()
    assert built == 1 and "XATN-2024-0815" in master and "XATN-2024-0815" in email
    assert run()[0] == 0
    lines[0] = dataclasses.replace(LINES[2], score=0.8)  # read again, same lines written: nothing to do
    assert run()[0] == 0
    lines[0] = dataclasses.replace(LINES[2], text="证书编号 XATN-2024-0816")
    built, master, _ = run()
    assert built == 1 and "XATN-2024-0816" in master
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[text_layer]\nenabled = false\n", encoding="utf-8")
    built, master, _ = run()
    assert built == 1 and "XATN" not in master


def test_what_the_real_engine_read_on_a_turned_phone_photo_is_searchable_where_it_shows(tmp_path: Path) -> None:
    from PIL import Image

    from pipeline.ocr import engine
    from tests.test_ocr import certificate

    stored = certificate().transpose(Image.Transpose.ROTATE_90)  # a phone photo stored sideways, EXIF 6
    exif = Image.Exif()
    exif[0x0112] = 6
    scan = tmp_path / "手机拍摄.jpg"
    stored.save(scan, quality=90, exif=exif)
    (sheet,) = probe(scan, "手机拍摄.jpg")
    (page,) = layer_pages(engine.read_file(scan), TextLayerSettings(True, 0.5))
    data = bind([Placement(0, sheet, BOX, False, page)])
    text = text_of(data, tmp_path).replace(" ", "")
    assert "姓名：王建国" in text and "232700198001151234" in text
    (found,) = words(data, tmp_path)
    line = next(ln for ln in page.lines if "王建国" in ln.text)
    want = expected_box(line, page, BOX, sheet, False)
    hit = next(w for w in found if "王建国" in w[0])
    assert want[0] - 3 <= hit[1] < hit[3] <= want[2] + 3 and want[1] - 3 <= hit[2] < hit[4] <= want[3] + 3
