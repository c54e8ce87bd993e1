"""The OCR engine on real pages: what it reads, where, from which kind of file, and its cache."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.ocr import Reading, engine
from tests.conftest import DEMO

SERIF = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)
LINES = ("职业资格证书", "姓名：王建国", "证件号码：232700198001151234", "发证日期：2021年6月")


def certificate(size: tuple[int, int] = (1240, 1754)) -> Image.Image:
    """An A4 page at 150 dpi with four lines of text at known places (y = 300, 500, 700, 900)."""
    img = Image.new("RGB", size, (250, 249, 244))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        draw.text((150, 300 + 200 * i), text, font=ImageFont.truetype(SERIF[0], 48, index=SERIF[1]), fill=(20, 20, 20))
    return img


def read(path: Path) -> Reading:
    return engine.read_file(path)


def test_an_image_is_read_line_by_line_with_boxes_in_its_pixels(tmp_path: Path) -> None:
    path = tmp_path / "证书.png"
    certificate().save(path)
    reading = read(path)
    (page,) = reading.pages
    assert (page.source, page.width, page.height) == ("ocr", 1240, 1754)
    texts = [line.text.replace(" ", "") for line in page.lines]
    for expected in LINES:
        assert expected in texts
    line = page.lines[texts.index("证件号码：232700198001151234")]
    x0, y0, x1, y1 = line.box
    assert 140 <= x0 <= 165 and 690 <= y0 <= 715 and 740 <= y1 <= 775 and x1 > 800
    assert line.score > 0.9


def test_an_exif_rotated_photo_is_read_upright_with_upright_coordinates(tmp_path: Path) -> None:
    upright = certificate()
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone stores with orientation 6
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "手机拍摄.jpg"
    stored.save(path, quality=90, exif=exif)
    (page,) = read(path).pages
    assert (page.width, page.height) == (1240, 1754)
    assert "姓名：王建国" in [line.text for line in page.lines]


def test_a_pdf_with_its_own_text_is_not_ocred_and_a_scanned_pdf_is(tmp_path: Path) -> None:
    import weasyprint

    text_pdf = tmp_path / "电子证书.pdf"
    weasyprint.HTML(string="<p style='font-size:20pt'>发证日期：2021年6月 持证人：王建国</p>").write_pdf(text_pdf)
    (page,) = read(text_pdf).pages
    assert page.source == "text" and page.dpi == 72
    assert "王建国" in page.text
    x0, y0, x1, y1 = page.lines[0].box
    assert 0 < x0 < x1 < page.width and 0 < y0 < y1 < page.height / 3  # near the top, in points

    scanned = tmp_path / "扫描件.pdf"
    buf = io.BytesIO()
    certificate().save(buf, format="JPEG", quality=85)
    import img2pdf

    scanned.write_bytes(img2pdf.convert(buf.getvalue(), layout_fun=img2pdf.get_fixed_dpi_layout_fun((150, 150))))
    (page,) = read(scanned).pages
    assert page.source == "ocr" and page.dpi == engine.RENDER_DPI
    assert "姓名：王建国" in [line.text for line in page.lines]


def test_every_frame_of_a_tiff_is_a_page(tmp_path: Path) -> None:
    path = tmp_path / "两页.tif"
    first, second = certificate(), Image.new("RGB", (1240, 1754), "white")
    first.save(path, save_all=True, append_images=[second], compression="tiff_lzw")
    pages = read(path).pages
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].lines and not pages[1].lines  # a blank page reads as nothing


def test_each_tiff_frame_is_turned_upright_by_its_own_orientation_tag(tmp_path: Path) -> None:
    path = tmp_path / "两页扫描.tif"
    first = certificate()
    second = certificate().transpose(Image.Transpose.ROTATE_90)  # stored on its side, tag 6 says so
    second.encoderinfo = {"tiffinfo": {0x0112: 6}}  # this frame's own IFD (Pillow merges an appended image's encoderinfo)
    first.save(path, save_all=True, append_images=[second], compression="tiff_lzw")
    with Image.open(path) as tif:
        tif.seek(1)
        assert (tif.tag_v2[256], tif.tag_v2[257], tif.tag_v2.get(0x0112)) == (1754, 1240, 6)  # as stored
        tif.seek(0)
        assert tif.tag_v2.get(0x0112) is None
    pages = read(path).pages
    assert [(p.number, p.width, p.height) for p in pages] == [(1, 1240, 1754), (2, 1240, 1754)]
    for page in pages:
        assert "姓名：王建国" in [line.text for line in page.lines], page.number
        (line,) = [ln for ln in page.lines if ln.text == "姓名：王建国"]
        assert 140 <= line.box[0] <= 165 and 490 <= line.box[1] <= 515  # upright coordinates


def test_read_files_caches_by_content_and_skips_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XN_OCR_CACHE", str(tmp_path / "cache"))
    ctx = RunContext(load_edition(DEMO), quiet=True, jobs=2)  # two files: the worker pool
    good = tmp_path / "a.png"
    certificate().save(good)
    broken = tmp_path / "b.jpg"
    broken.write_bytes(b"\xff\xd8\xff not a jpeg")
    first = engine.read_files(ctx, [good, broken])
    assert list(first) == [good]
    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1 and oct(cached[0].stat().st_mode & 0o777) == "0o600"

    def no_reading(path: Path) -> Reading:
        raise AssertionError(f"read again: {path}")

    monkeypatch.setattr(engine, "read_file", no_reading)
    copy = tmp_path / "同一内容.png"
    copy.write_bytes(good.read_bytes())
    again = engine.read_files(ctx, [good, copy])
    assert again[good].pages == first[good].pages and again[copy].path == copy


def test_a_pdf_page_count_of_pages_is_kept(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(595, 842))
    path = tmp_path / "空白.pdf"
    pdf.save(path)
    assert [p.number for p in read(path).pages] == [1, 2]


def test_the_bench_compares_both_engines_against_the_known_text(tmp_path: Path) -> None:
    from pipeline.ocr import bench

    folder = tmp_path / "candidates" / "001" / "evidence" / "资格证书"
    folder.mkdir(parents=True)
    certificate().save(folder / "2021.06-职业资格证书.png")
    truth = {"candidates/001/evidence/资格证书/2021.06-职业资格证书.png": ["\n".join(LINES)]}
    (tmp_path / bench.TRUTH_FILE).write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    ours, tesseract = bench.compare(tmp_path, limit=0)
    assert ours.pages == tesseract.pages == 1
    assert ours.chars == len(bench.normalise("".join(LINES)))
    assert ours.cer <= 0.05
    assert tesseract.cpu_seconds > 0 and ours.cpu_seconds > 0
    assert any("字符错误率" in line for line in bench.report(tmp_path, 0))
