"""The check report's evidence thumbnails (issue 13): real OCR on a one-nominee edition, the page drawn
with the read text outlined, linked from report.html, stale thumbnails removed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.ocr import engine
from pipeline.stages.check import run_check
from pipeline.stages.check_thumbs import HIGHLIGHT_COLOUR, LINE, PAD, THUMB_SIDE
from tests.roster_fixtures import row, write_csv
from tests.test_checks import DEEDS
from tests.test_ocr import SERIF

CERT = "candidates/A01/evidence/资格证书/2021.06-职业资格证书.png"
BLANK = "candidates/A01/evidence/荣誉证书/2022.05-荣誉证书.png"


def colleague_certificate() -> Image.Image:
    """An A4 page at 150 dpi: a certificate made out to 李四 (the nominee is 王建国)."""
    img = Image.new("RGB", (1240, 1754), (250, 249, 244))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(SERIF[0], 48, index=SERIF[1])
    for i, text in enumerate(("职业资格证书", "姓名：李四", "职业：电工", "发证日期：2021年6月")):
        draw.text((150, 300 + 200 * i), text, font=font, fill=(20, 20, 20))
    return img


@pytest.fixture
def reading_edition(tmp_edition: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """One nominee (王建国) with a colleague's certificate and a blank scan; evidence reading on."""
    monkeypatch.setenv("XN_READ_EVIDENCE", "1")
    monkeypatch.setenv("XN_OCR_CACHE", str(tmp_path / "ocr-cache"))
    write_csv(tmp_edition / "roster.csv", [row(编号="A01")])
    folder = tmp_edition / "candidates" / "A01"
    (folder / "evidence" / "资格证书").mkdir(parents=True)
    (folder / "evidence" / "荣誉证书").mkdir(parents=True)
    (folder / "先进事迹.txt").write_text(DEEDS, encoding="utf-8")
    colleague_certificate().save(tmp_edition / CERT)
    Image.new("RGB", (1240, 1754), "white").save(tmp_edition / BLANK)
    return tmp_edition


def finding(result: object, code: str) -> dict[str, object]:
    data = json.loads(Path(result.report).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    (found,) = [f for n in data["nominees"] for f in n["findings"] if f["code"] == code]
    return found  # type: ignore[no-any-return]


def px(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    """The RGB value of one pixel."""
    r, g, b = image.getpixel((x, y))  # type: ignore[misc]
    return r, g, b


def magenta(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    want = HIGHLIGHT_COLOUR
    return abs(r - want[0]) + abs(g - want[1]) + abs(b - want[2]) <= 90


def test_thumbnails_outline_what_was_read_and_the_report_shows_them(reading_edition: Path) -> None:
    ctx = RunContext(load_edition(reading_edition), quiet=True)
    result = run_check(ctx)
    out = ctx.output / "check"

    holder = finding(result, "EVIDENCE_HOLDER_MISMATCH")
    data = holder["data"]
    assert isinstance(data, dict) and data["read"] == "姓名：李四" and data["page"] == 1
    thumb = out / data["thumb"]
    assert re.fullmatch(r"evidence/A01-p1-[0-9a-f]{16}\.jpg", data["thumb"])
    assert thumb.is_file() and oct(thumb.stat().st_mode & 0o777) == "0o600"  # certificates: owner only

    with Image.open(thumb) as image:
        assert image.format == "JPEG" and max(image.size) == THUMB_SIDE
        rgb = image.convert("RGB")
    scale = rgb.width / 1240
    x0, y0, x1, y1 = data["box"]
    left, top = round(x0 * scale) - PAD, round(y0 * scale) - PAD
    right, bottom = round(x1 * scale) + PAD, round(y1 * scale) + PAD
    middle = LINE // 2
    top_edge = [px(rgb, x, top + middle) for x in range(left + LINE, right - LINE)]
    left_edge = [px(rgb, left + middle, y) for y in range(top + LINE, bottom - LINE)]
    assert sum(map(magenta, top_edge)) >= 0.9 * len(top_edge)
    assert sum(map(magenta, left_edge)) >= 0.9 * len(left_edge)
    inside = [px(rgb, x, y) for x in range(left + LINE + 2, right - LINE - 2)
              for y in range(top + LINE + 2, bottom - LINE - 2)]
    assert not any(map(magenta, inside)), "the letters read stay visible inside the outline"
    assert min(sum(p) for p in inside) < 200, "the text read is inside the outline"
    outside = [px(rgb, x, y) for x in range(rgb.width) for y in range(0, top - 3, 3)]
    assert not any(map(magenta, outside)), "only the box read is outlined"

    blank = finding(result, "EVIDENCE_NO_TEXT")
    assert isinstance(blank["data"], dict)
    with Image.open(out / blank["data"]["thumb"]) as image:
        plain = image.convert("RGB")
        assert not any(magenta(px(plain, x, y)) for x in range(0, plain.width, 2)
                       for y in range(0, plain.height, 2)), "a page with nothing read: plain"

    html = (out / "report.html").read_text(encoding="utf-8")
    assert (f'<a href="{data["thumb"]}"><img src="{data["thumb"]}" '
            f'alt="证明材料“{CERT}”第1页的缩略图，框出的是读到的文字：姓名：李四">') in html
    assert f'<img src="{blank["data"]["thumb"]}" alt="证明材料“{BLANK}”第1页的缩略图（这一页没有读到文字）">' in html
    # the picture sits beside the quote of the same finding
    item = html[html.index(data["thumb"]):]
    assert item.index("姓名：李四") < item.index("</li>")


def test_second_run_draws_nothing_and_stale_thumbnails_go(reading_edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = RunContext(load_edition(reading_edition), quiet=True)
    run_check(ctx)
    folder = ctx.output / "check" / "evidence"
    first = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(first) == 2
    stale = folder / "A99-p1-0123456789abcdef.jpg"
    stale.write_bytes(b"old")

    def no_pages(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page was decoded again")

    monkeypatch.setattr(engine, "iter_pages", no_pages)
    run_check(RunContext(load_edition(reading_edition), quiet=True))
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == first

    monkeypatch.setenv("XN_READ_EVIDENCE", "0")  # not read: no finding speaks of a page
    run_check(RunContext(load_edition(reading_edition), quiet=True))
    assert not list(folder.iterdir())


def test_a_pdf_page_is_drawn_with_its_text_layer_box_and_a_duplicate_shows_both_scans(tmp_path: Path) -> None:
    import weasyprint

    from pipeline.core.model import Finding, Severity
    from pipeline.stages.check_thumbs import attach

    pdf = tmp_path / "电子证书.pdf"
    weasyprint.HTML(string="<p style='margin-top:300pt;font-size:20pt'>持证人：李四</p>").write_pdf(pdf)
    reading = engine.read_file(pdf)  # its own text layer: boxes in points, no OCR
    (page,) = reading.pages
    line = page.lines[0]
    holder = Finding("EVIDENCE_HOLDER_MISMATCH", Severity.error, "…", "…", "A01", "王建国", file="a/证书.pdf",
                     data={"page": 1, "box": list(line.box), "read": line.text})
    scan = tmp_path / "扫描.png"
    colleague_certificate().save(scan)
    twin = Finding("EVIDENCE_DUPLICATE", Severity.error, "…", "…", "A01", "王建国", file="a/扫描.png",
                   data={"other": "b/扫描.png", "other_candidate": "A02"})
    folder = tmp_path / "evidence"
    files = {"a/证书.pdf": ("A01", pdf), "a/扫描.png": ("A01", scan), "b/扫描.png": ("A02", scan)}
    (drawn, dup), used = attach(folder, [holder, twin], files, {pdf: reading})

    assert drawn.data["thumb"].startswith("evidence/A01-p1-") and drawn.data["read"] == "持证人：李四"
    with Image.open(folder / drawn.data["thumb"].split("/")[1]) as image:
        rgb = image.convert("RGB")
    assert max(rgb.size) == THUMB_SIDE
    scale = rgb.width / page.width  # points → thumbnail pixels
    x0, y0, x1, y1 = line.box
    top, left, right = round(y0 * scale) - PAD + LINE // 2, round(x0 * scale) - PAD, round(x1 * scale) + PAD
    edge = [px(rgb, x, top) for x in range(left + LINE, right - LINE)]
    assert sum(map(magenta, edge)) >= 0.9 * len(edge)

    assert dup.data["thumb"].startswith("evidence/A01-p1-") and dup.data["other_thumb"].startswith("evidence/A02-p1-")
    assert used == {drawn.data["thumb"][9:], dup.data["thumb"][9:], dup.data["other_thumb"][9:]}
    assert {p.name for p in folder.iterdir()} == used
