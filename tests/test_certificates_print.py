"""The certificate as a printer and an award ceremony see it: seal spaces, organs, type, border, punctuation.

Everything is measured on the PDF (pdfplumber character boxes and colours, pypdf page boxes) and
on its rendering (pipeline.render.raster): where the two organs sign, that a 42 mm circle under each is blank
paper, that the circles are apart, that "”。" shows no double gap, that the title is 小标宋 red
and centred, the text 楷体, every text well inside the red and gold border.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from pipeline.certificates import layout as certificate_layout
from pipeline.certificates.layout import SEAL_MM
from pipeline.core.edition import load_edition
from pipeline.render import raster
from pipeline.render.fonts import resolve_fonts
from pipeline.stages.certificates import CertificatesResult, issue_certificates
from tests.test_certificates import context, make_awardees, make_edition, rasterise

MM = 25.4 / 72
"""One PDF point in mm."""
NAMES = ("王建国", "阿依古丽·买买提")
ORGANS = ("大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会")


@dataclasses.dataclass
class Printed:
    """The rendered certificates of one edition."""

    result: CertificatesResult
    edition: Path
    pages: list[list[dict[str, Any]]]
    """Characters per page (pdfplumber dicts) in mm: x0, x1, top, bottom, text, size, font, colour."""
    images: list[list[tuple[float, float, float, float]]]
    """Image boxes per page in mm: x0, top, x1, bottom."""
    size: tuple[float, float]
    """Page width and height in mm."""


def _measure(pdf: Path) -> tuple[list[list[dict[str, Any]]], list[list[tuple[float, float, float, float]]],
                                 tuple[float, float]]:
    pages, images = [], []
    with pdfplumber.open(pdf) as doc:
        size = (float(doc.pages[0].width) * MM, float(doc.pages[0].height) * MM)
        for page in doc.pages:
            pages.append([{"text": c["text"], "x0": c["x0"] * MM, "x1": c["x1"] * MM, "top": c["top"] * MM,
                           "bottom": c["bottom"] * MM, "size": c["size"], "font": c["fontname"],
                           "colour": tuple(c["non_stroking_color"] or ())} for c in page.chars])
            images.append([(i["x0"] * MM, i["top"] * MM, i["x1"] * MM, i["bottom"] * MM) for i in page.images])
    return pages, images, size


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    """Two awardees (one with the longest kind of name) on the demo edition's two issuing organs."""
    root = tmp_path_factory.mktemp("print")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("state", "keys", "output"):
            mp.setenv(f"XN_{name.upper()}", str(root / name))
        edition = make_edition(root / "ed", "demo = true", "[certificates.blank]\nenabled = false")
        result = issue_certificates(context(edition), make_awardees(edition, NAMES))
    pages, images, size = _measure(result.print_file)
    yield Printed(result, edition, pages, images, size)


def _line(chars: list[dict[str, Any]], text: str, last: bool = False) -> list[dict[str, Any]]:
    """The characters of the first (or last) run on one line that spells `text`."""
    found = []
    for i in range(len(chars) - len(text) + 1):
        run = chars[i:i + len(text)]
        if "".join(c["text"] for c in run) == text and max(c["bottom"] for c in run) - min(c["bottom"] for c in run) < 2:
            found.append(run)
    assert found, f"{text!r} not found on the page"
    return found[-1] if last else found[0]


def _seal_spaces(chars: list[dict[str, Any]]) -> list[tuple[float, float, float]]:
    """Seal circles as the page shows them: under each organ's name, centred on it, down to the date.

    → (centre x, centre y, free diameter) per organ: the largest circle centred under the name that
    fits between the name's bottom and the date's top.
    """
    date = _line(chars, "2027年5月20日", last=True)  # the signature's date, not the term's
    date_top = min(c["top"] for c in date)
    out = []
    for organ in ORGANS:
        run = _line(chars, organ)
        cx = (run[0]["x0"] + run[-1]["x1"]) / 2
        bottom = max(c["bottom"] for c in run)
        out.append((cx, (bottom + date_top) / 2, date_top - bottom))
    return out


# ---- the two organs and their seals -------------------------------------------------------------------


def test_two_organs_side_by_side_each_above_its_own_42mm_seal_space(printed: Printed) -> None:
    width, height = printed.size
    for page, page_images in zip(printed.pages, printed.images, strict=True):
        runs = [_line(page, organ) for organ in ORGANS]
        tops = [min(c["top"] for c in run) for run in runs]
        assert abs(tops[0] - tops[1]) < 0.3  # side by side, on one line
        assert runs[0][-1]["x1"] < runs[1][0]["x0"]  # the first organ on the left, never touching
        centres = [(run[0]["x0"] + run[-1]["x1"]) / 2 for run in runs]
        assert abs((centres[0] + centres[1]) / 2 - width / 2) < 1  # the pair centred on the page
        spaces = _seal_spaces(page)
        for cx, cy, free in spaces:
            assert free >= SEAL_MM  # a 42 mm seal fits between the name and the date
            r = SEAL_MM / 2
            assert r + 20 < cx < width - r - 20 and cy + r < height - 20  # inside the border
            for c in page:  # no text in the circle (box nearest point farther than the radius)
                dx = max(c["x0"] - cx, 0, cx - c["x1"])
                dy = max(c["top"] - cy, 0, cy - c["bottom"])
                assert math.hypot(dx, dy) > r, (c["text"], cx, cy)
            for x0, top, x1, bottom in page_images:  # nor the QR code
                assert math.hypot(max(x0 - cx, 0, cx - x1), max(top - cy, 0, cy - bottom)) > r
        (ax, ay, _), (bx, by, _) = spaces
        assert math.hypot(bx - ax, by - ay) >= SEAL_MM + 10  # two seals never overlap, with room to spare


def test_seal_spaces_are_blank_paper(printed: Printed) -> None:
    """Rendered at 100 dpi, every pixel of each 42 mm circle is white: no border, watermark, text or QR."""
    dpi = 100
    for number, page in enumerate(printed.pages, start=1):
        image = np.asarray(rasterise(printed.result.print_file, dpi, number).convert("L"))
        yy, xx = np.mgrid[0:image.shape[0], 0:image.shape[1]]
        for cx, cy, _ in _seal_spaces(page):
            px, py, pr = cx / 25.4 * dpi, cy / 25.4 * dpi, SEAL_MM / 2 / 25.4 * dpi
            inside = (xx - px) ** 2 + (yy - py) ** 2 <= pr ** 2
            assert inside.sum() > 0.95 * math.pi * pr ** 2
            assert int(image[inside].min()) >= 250, (number, cx, cy)


def test_layout_reports_what_the_page_shows(printed: Printed) -> None:
    layout = certificate_layout.issuer_layout(ORGANS, *printed.size)
    for space, (cx, cy, free) in zip(layout.seals, _seal_spaces(printed.pages[0]), strict=True):
        assert abs(space.cx - cx) < 0.5 and abs(space.cy - cy) < 1.5
        assert space.diameter >= SEAL_MM and free >= space.diameter - 0.5


@pytest.mark.parametrize(("page", "organs"), [
    ((297.0, 210.0), ORGANS[:1]),
    ((297.0, 210.0), (*ORGANS, "共青团大兴安岭地区委员会")),
    ((420.0, 297.0), ORGANS),
    ((210.0, 297.0), ORGANS),
])
def test_seal_spaces_never_overlap_on_any_page_or_organ_count(page: tuple[float, float],
                                                               organs: tuple[str, ...]) -> None:
    layout = certificate_layout.issuer_layout(organs, *page)
    assert len(layout.seals) == len(organs)
    for a, b in zip(layout.seals, layout.seals[1:], strict=False):
        assert b.cx - a.cx >= a.diameter  # apart, clearance included
        assert a.name_width <= b.cx - a.cx  # names do not run into each other
    for s in layout.seals:
        assert s.diameter >= SEAL_MM  # real size on every page
        assert s.diameter / 2 + 15 < s.cx < page[0] - s.diameter / 2 - 15
        assert s.name_top + layout.line_mm * len(s.lines) <= s.cy - s.diameter / 2  # the name above the circle
        assert s.cy + s.diameter / 2 <= layout.date_top


def test_seal_images_go_each_into_its_own_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 _isolated_output: None) -> None:
    for name in ("state", "keys"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    seals = []
    for i, colour in enumerate(((200, 0, 0, 150), (180, 0, 40, 150))):
        path = tmp_path / f"seal{i}.png"
        Image.new("RGBA", (300, 300), colour).save(path)
        seals.append(f'"{path}"')
    edition = make_edition(tmp_path / "ed", f"demo = true\nseal = true\nseal_image = [{', '.join(seals)}]",
                           "[certificates.blank]\nenabled = false")
    result = issue_certificates(context(edition), make_awardees(edition, NAMES[:1]))
    pages, images, size = _measure(result.issued[0].pdf)
    layout = certificate_layout.issuer_layout(ORGANS, *size)
    placed = sorted(box for box in images[0] if abs((box[2] - box[0]) - SEAL_MM) < 0.5)
    assert len(placed) == 2
    for (x0, top, x1, bottom), space in zip(placed, layout.seals, strict=True):
        assert abs((x0 + x1) / 2 - space.cx) < 0.3 and abs((top + bottom) / 2 - space.cy) < 0.3


# ---- the design --------------------------------------------------------------------------------------


def test_title_text_and_margins(printed: Printed) -> None:
    width, height = printed.size
    fonts = resolve_fonts(load_edition(printed.edition).fonts)
    face = {role: fonts.roles[role].face.family.replace(" ", "-") for role in ("title", "kai")}
    for page, name in zip(printed.pages, NAMES, strict=True):
        title = _line(page, "荣誉证书")
        assert {face["title"] in c["font"] for c in title} == {True}  # 小标宋 (or its stand-in)
        assert all(c["size"] >= 40 for c in title)
        r, g, b = title[0]["colour"]
        assert r > 0.55 and g < 0.15 and b < 0.2  # red
        centre = (title[0]["x0"] + title[-1]["x1"]) / 2
        assert abs(centre - width / 2) < 4  # centred (the tracking's trailing space balanced)
        run = _line(page, name)  # the whole name on one line, in 楷体, larger than the text
        assert {face["kai"] in c["font"] for c in run} == {True}
        citation = _line(page, "特发此证")
        assert run[0]["size"] > citation[0]["size"] >= 18
        assert {face["kai"] in c["font"] for c in citation} == {True}
        assert abs(run[0]["x0"] - citation[0]["x0"] + 2 * citation[0]["size"] * MM) < 0.5  # citation indented 2em
        for c in page:  # generous margins: everything inside the border's inner rule (≈ 20 mm)
            assert c["x0"] > 20 and c["x1"] < width - 20 and c["top"] > 20 and c["bottom"] < height - 20, c["text"]
        assert len(page) == len({(round(c["x0"], 1), round(c["top"], 1)) for c in page})  # nothing drawn twice


def test_red_and_gold_border_symmetric(printed: Printed) -> None:
    image = np.asarray(rasterise(printed.result.print_file, 100, 1).convert("RGB")).astype(int)
    h, w, _ = image.shape

    def at(x_mm: float, y_mm: float) -> tuple[int, int, int]:
        r, g, b = image[round(y_mm / 25.4 * 100), round(x_mm / 25.4 * 100)]
        return int(r), int(g), int(b)

    for x, y in ((9, 105), (288, 105), (148.5, 9), (148.5, 201)):  # the outer red rule on all four sides
        r, g, b = at(x, y)
        assert r > 130 and g < 70 and b < 70, (x, y, (r, g, b))
    band_rows = image[round(12.2 / 25.4 * 100):round(17.2 / 25.4 * 100)]
    gold = (band_rows[..., 0] > 150) & (band_rows[..., 1] > 100) & (band_rows[..., 1] < 170) & (band_rows[..., 2] < 110)
    assert gold.any(axis=0).mean() > 0.6  # the gold 回纹 band runs along the top
    # the border is its own mirror image, left–right and top–bottom (within a pixel of rasterising)
    def grow(mask: np.ndarray, by: int = 2) -> np.ndarray:
        padded = np.pad(mask, by)
        out = np.zeros_like(mask)
        for dy in range(2 * by + 1):
            for dx in range(2 * by + 1):
                out |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
        return out

    ink = image.min(axis=2) < 200
    edge = round(20 / 25.4 * 100)
    ink[edge:h - edge, edge:w - edge] = False  # the border only (all within 20 mm of the edges)
    for a, b in ((ink, ink[:, ::-1]), (ink, ink[::-1])):
        assert a.sum() > 20000
        assert (a & ~grow(b)).sum() < 0.01 * a.sum()


def test_no_double_gap_in_closing_quote_and_full_stop(printed: Printed) -> None:
    """“…”。: the closing quote gives up the blank half of its em, so the two marks sit together."""
    for number, page in enumerate(printed.pages, start=1):
        quote, stop = _line(page, "”。")
        em = quote["size"] * MM
        assert stop["x0"] - quote["x0"] <= 0.55 * em  # the quote's advance compressed to half an em
        # on the rendering: the white between the quote's ink and the stop's ink is well under half an em
        dpi = 300
        px = dpi / 25.4
        x, y = round((quote["x0"] - 0.2) * px), round(quote["top"] * px)
        w, h = round((stop["x1"] + 0.2) * px) - x, round((quote["bottom"] + 1) * px) - y
        box = np.asarray(raster.page(printed.result.print_file, number, dpi=dpi, grey=True).crop((x, y, x + w, y + h)))
        inked = np.flatnonzero((box < 128).any(axis=0))
        assert inked.size, (number, (x, y, w, h), int(box.min()))
        gaps = np.diff(inked) - 1
        assert gaps.max() / px < 0.35 * em, gaps.max() / px / em


def test_punctuation_is_set_mainland_style(printed: Printed) -> None:
    """。，： sit in the left half of their em (GB style), in 楷体 or in the face chosen for marks."""
    fonts = resolve_fonts(load_edition(printed.edition).fonts)
    role = certificate_layout.punctuation_role(fonts)
    face = fonts.roles[role or "kai"].face
    assert certificate_layout._punctuation_at_left(str(face.file), face.index)  # noqa: SLF001 - the check itself
    page = printed.pages[0]
    for mark in "，。":
        chars = [c for c in page if c["text"] == mark]
        assert chars and {face.family.replace(" ", "-") in c["font"] for c in chars} == {True}


def test_typeset_compresses_only_adjacent_marks() -> None:
    html = str(certificate_layout.typeset("“兴安技术能手”。特发此证，以资鼓励。"))
    assert html.count('class="pu half"') == 1 and '<span class="pu half">”</span><span class="pu">。</span>' in html
    assert str(certificate_layout.typeset("<b>")) == "&lt;b&gt;"


def test_no_image_but_the_qr_code_and_no_seal_drawn(printed: Printed) -> None:
    for page_images in printed.images:
        assert len(page_images) == 1  # the QR code; the border is vector art, no seal is ever drawn
        x0, top, x1, bottom = page_images[0]
        assert x0 > 20 and bottom < printed.size[1] - 20
