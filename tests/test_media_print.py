"""Media kit as a press, an editor, WeChat and a TV studio receive it (issue 10 §5).

The print files are separated into their four plates with Ghostscript (tiffsep): every text
pixel lies on the black plate alone, and no pixel carries more ink than the newsprint limit.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image

from pipeline.core.edition import Edition
from pipeline.core.errors import EditionConfigError
from pipeline.media import newspaper as np_
from pipeline.media.entries import MediaEntry, prepare_entries
from pipeline.media.prepress import (
    DEFAULT_PROFILE,
    cap_ink,
    image_ink,
    press_problems,
    press_profile,
)
from pipeline.media.settings import MediaKitSettings, media_settings
from tests.media_fixtures import awardee_list, candidate, summary_text
from tests.test_media import _edition, _fonts, _page_text, _words

PLATES = ("Cyan", "Magenta", "Yellow", "Black")
SEP_DPI = 60
RESULTS = Path(__file__).resolve().parent / "results" / "media"

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) is not installed")


@dataclass
class Special:
    edition: Edition
    s: MediaKitSettings
    entries: tuple[MediaEntry, ...]
    plans: tuple[np_.PagePlan, ...]
    colour: bytes
    grey: bytes


@pytest.fixture(scope="module")
def special(tmp_path_factory: pytest.TempPathFactory) -> Special:
    """A special page of seven awardees, colour and black-only, with the default press profile."""
    root = tmp_path_factory.mktemp("special7")
    ed = _edition(root / "ed")
    s = media_settings(ed)
    people = [candidate(i, summary=summary_text(i, 120 + 25 * i)) for i in range(7)]
    entries = prepare_entries(awardee_list(root / "fx", 7, deeds=False, candidates=people))
    text = dataclasses.replace(_page_text(), date="2027年5月10日　星期一")
    plans, colour, grey, _ = np_.build_pages(entries, s, text, _fonts(ed), "2027-01-01T00:00:00+00:00", root,
                                             press_profile("", ed.path))
    assert grey is not None
    return Special(ed, s, entries, plans, colour, grey)


def _plates(pdf: bytes, tmp: Path, page: int = 1) -> dict[str, np.ndarray]:
    """A PDF page → ink per plate (0–1, trimmed page) from Ghostscript's tiffsep device."""
    src = tmp / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", f"-r{SEP_DPI}",
                    "-dUseTrimBox", f"-dFirstPage={page}", f"-dLastPage={page}",
                    f"-sOutputFile={tmp / 'sep.tif'}", str(src)], check=True, capture_output=True)
    out = {}
    for plate in PLATES:
        with Image.open(tmp / f"sep({plate}).tif") as im:
            out[plate] = 1 - np.asarray(im.convert("L"), dtype=np.float64) / 255
    return out


def _px(mm: float) -> int:
    return round(mm / 25.4 * SEP_DPI)


def test_text_is_on_the_black_plate_only(special: Special, tmp_path: Path) -> None:
    plates = _plates(special.colour, tmp_path)
    k = plates["Black"]
    words = [w for w in _words(special.colour) if w[0] == 1 and w[1] >= 0 and w[3] <= special.s.page_mm[0]
             and w[2] >= 0 and w[4] <= special.s.page_mm[1]]
    assert len(words) > 50
    checked = 0
    for _, x0, y0, x1, y1, word in words:
        box = (slice(_px(y0), _px(y1) + 1), slice(_px(x0), _px(x1) + 1))
        text = k[box] > 0.95  # the glyphs: solid black
        assert text.any(), f"{word!r}: no solid black on the K plate"
        for plate in ("Cyan", "Magenta", "Yellow"):
            under = plates[plate][box][text]
            assert under.max(initial=0) == 0, f"{word!r} has {plate} ink under its glyphs"
        checked += 1
    assert checked == len(words)


def test_total_ink_within_the_newsprint_limit(special: Special, tmp_path: Path) -> None:
    plates = _plates(special.colour, tmp_path)
    total = sum(plates.values()) * 100
    assert total.max() <= special.s.ink_limit_percent + 1
    # the photos are there, in colour: C, M and Y carry ink inside a photo frame
    card = special.plans[0].cards[0]
    x, y = card.frame.x + np_.CARD_PAD_MM, card.frame.y + np_.CARD_TOP_RULE_MM + np_.CARD_PAD_MM + card.pad_top_mm
    w, h = card.photo_mm
    photo = (slice(_px(y + 2), _px(y + h - 2)), slice(_px(x + 2), _px(x + w - 2)))
    assert all(plates[p][photo].mean() > 0.05 for p in ("Cyan", "Magenta", "Yellow"))
    assert total[photo].max() > 150  # a real photo, capped, not washed out
    with pikepdf.open(io.BytesIO(special.colour)) as pdf:
        images = [img for page in pdf.pages for img in page.get_images().values()]
        assert len(images) >= 2  # (the fixtures use two portraits; identical images are stored once)
        for image in images:
            assert str(image.ColorSpace) == "/DeviceCMYK"
            assert image_ink(image) <= special.s.ink_limit_percent


def test_black_edition_is_black_plate_only(special: Special, tmp_path: Path) -> None:
    plates = _plates(special.grey, tmp_path)
    for plate in ("Cyan", "Magenta", "Yellow"):
        assert plates[plate].max() == 0, plate
    assert plates["Black"].max() == 1


def test_colour_operators_and_pdfx_keys(special: Special) -> None:
    for data in (special.colour, special.grey):
        assert press_problems(data, special.s.ink_limit_percent) == []
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.pdf_version == "1.4"
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"
            assert str(pdf.docinfo.Trapped) == "/False"
            assert str(pdf.docinfo.Title).startswith("兴安技术能手风采")
            assert b"<pdfxid:GTS_PDFXVersion>PDF/X-1a:2003" in bytes(pdf.Root.Metadata.read_bytes())
            intent = pdf.Root.OutputIntents[0]
            assert str(intent.S) == "/GTS_PDFX"
            assert str(intent.OutputCondition) == "Artifex CMYK SWOP Profile"
            assert bytes(intent.DestOutputProfile.read_bytes())[12:20] == b"prtrCMYK"
            for page in pdf.pages:
                trim = [float(v) for v in page.obj.TrimBox]
                bleed = [float(v) for v in page.obj.BleedBox]
                assert bleed[0] < trim[0] and bleed[2] > trim[2]
                assert "/Group" not in page.obj  # no transparency (PDF/X-1a)
                shown = 0
                fill = ""
                for operands, operator in pikepdf.parse_content_stream(page):
                    op = str(operator)
                    assert op not in ("rg", "RG", "cs", "CS", "sc", "scn", "SC", "SCN"), op
                    if op in ("k", "g"):
                        fill = " ".join(f"{float(v):g}" for v in operands) + " " + op
                    if op in ("Tj", "TJ"):
                        assert fill in ("0 0 0 1 k", "0 g"), fill
                        shown += 1
                assert shown > 20
                assert not [i for i in page.get_images().values() if "/SMask" in i]


def test_cap_ink_moves_grey_to_black_then_scales() -> None:
    px = np.array([[[200, 180, 190, 120], [10, 240, 230, 0], [40, 30, 20, 10]]], dtype=np.uint8)
    for limit in (200, 240, 300):
        capped = cap_ink(px, limit).astype(int)
        assert (capped.sum(axis=-1) <= limit / 100 * 255).all()
    capped = cap_ink(px, 240).astype(int)
    assert capped[0, 0, 3] > 120  # grey component went to K (under-colour removal)
    assert capped[0, 2].tolist() == [40, 30, 20, 10]  # under the limit: untouched


def test_printer_profile_from_edition_toml(tmp_path: Path) -> None:
    assert press_profile("", tmp_path).path == DEFAULT_PROFILE
    folder = tmp_path / "ed"
    folder.mkdir()
    shutil.copyfile(DEFAULT_PROFILE.parent / "ps_cmyk.icc", folder / "印刷厂.icc")
    theirs = press_profile("印刷厂.icc", folder)
    assert theirs.description == "Artifex PS CMYK Profile" and not theirs.default
    shutil.copyfile(DEFAULT_PROFILE.parent / "srgb.icc", folder / "显示器.icc")
    with pytest.raises(EditionConfigError, match="不是 CMYK 印刷输出特性文件"):
        press_profile("显示器.icc", folder)
    with pytest.raises(EditionConfigError, match="不存在"):
        press_profile("没有.icc", folder)
    ed = _edition(tmp_path / "ed4", 'pdfx = "PDF/X-4"\nink_limit_percent = 260')
    s = media_settings(ed)
    assert (s.pdfx, s.ink_limit_percent) == ("PDF/X-4", 260)
    with pytest.raises(EditionConfigError, match="pdfx"):
        media_settings(_edition(tmp_path / "bad", 'pdfx = "PDF/X-3"'))


def test_printer_profile_and_pdfx4_reach_the_file(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed", 'pdfx = "PDF/X-4"\nink_limit_percent = 220\ngreyscale = false')
    shutil.copyfile(DEFAULT_PROFILE.parent / "ps_cmyk.icc", ed.path / "printer.icc")
    s = media_settings(ed)
    entries = prepare_entries(awardee_list(tmp_path / "fx", 1, deeds=False))
    _, colour, _, _ = np_.build_pages(entries, s, _page_text(), _fonts(ed), "2027-01-01T00:00:00+00:00", tmp_path,
                                      press_profile("printer.icc", ed.path))
    assert press_problems(colour, 220) == []
    with pikepdf.open(io.BytesIO(colour)) as pdf:
        assert pdf.pdf_version == "1.6"
        assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in bytes(pdf.Root.Metadata.read_bytes())
        assert str(pdf.Root.OutputIntents[0].OutputCondition) == "Artifex PS CMYK Profile"
        assert max(image_ink(i) for p in pdf.pages for i in p.get_images().values()) <= 220


def test_press_problems_names_rgb_and_grey_text(tmp_path: Path) -> None:
    from weasyprint import HTML

    data = HTML(string="<p style='color:#666'>兴安技术能手</p><div style='background:#c00;height:5mm'></div>").write_pdf()
    problems = press_problems(data, 240)
    assert any("输出意图" in p for p in problems)
    assert any("rg" in p for p in problems)
    assert any("文字不是单黑" in p for p in problems)


# ---- the editor's eye ---------------------------------------------------------------------------

def test_folio_line_has_page_date_and_editors(special: Special) -> None:
    words = [w for w in _words(special.colour) if w[0] == 1]
    top = np_.geometry(special.s, True, _page_text().intro)
    y0 = (special.s.page_mm[1] - special.s.text_area_mm[1]) / 2
    folio = "".join(w[5] for w in words if y0 - 1 <= w[2] and w[4] <= y0 + np_.folio_mm(special.s))
    for part in ("2027年5月10日", "星期一", "大兴安岭日报", "责任编辑：××", "美术编辑：××", "第1版"):
        assert part in folio, (part, folio)
    assert top.grid.y > y0 + np_.masthead_mm(special.s)


def test_portraits_at_least_30_mm_wide(special: Special) -> None:
    for plan in special.plans:
        for card in plan.cards:
            assert card.photo_mm[0] >= 30
    with pikepdf.open(io.BytesIO(special.colour)) as pdf:
        widths = sorted(int(i.Width) for p in pdf.pages for i in p.get_images().values())
    assert widths[0] >= 30 / 25.4 * 300 * 0.98  # printed ≥ 30 mm and still about 300 dpi


def _results(name: str, data: bytes) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_bytes(data)


def test_no_hole_in_the_grid(special: Special) -> None:
    """Cards of a row share the row's height and together span the 版心 width: no empty cell."""
    plan = special.plans[0]
    rows: dict[float, list[np_.Card]] = {}
    for card in plan.cards:
        rows.setdefault(round(card.frame.y, 1), []).append(card)
    area_w = special.s.text_area_mm[0]
    for cards in rows.values():
        left = min(c.frame.x for c in cards)
        right = max(c.frame.x + c.frame.w for c in cards)
        assert right - left == pytest.approx(area_w, abs=0.5)
        assert len({round(c.frame.h, 1) for c in cards}) == 1
    counts = [len(c) for c in rows.values()]
    assert max(counts) - min(counts) <= 1


def test_proof_png_written_for_review(special: Special) -> None:
    _results("special-7-press.png", np_.proof_png(special.colour, 1, special.s))
    assert re.search(rb"\x89PNG", np_.proof_png(special.grey, 1, special.s)[:8])


@pytest.mark.parametrize("n", [1, 7, 13, 20])
def test_grid_adapts_to_the_number_of_awardees(n: int, tmp_path: Path) -> None:
    """Planning only (no rendering): every card ≥ 30 mm photo, rows span the 版心, no row a card short of another by more than one."""
    ed = _edition(tmp_path / "ed")
    s = media_settings(ed)
    people = [candidate(i, summary=summary_text(i, 300 if i % 3 == 0 else 160 + i * 7)) for i in range(n)]
    entries = prepare_entries(awardee_list(tmp_path / "fx", n, candidates=people))
    plans = np_.plan_pages(entries, s, _page_text().intro)
    assert sorted(c.entry.seq for p in plans for c in p.cards) == list(range(1, n + 1))
    per_page = [len(p.cards) for p in plans]
    assert max(per_page) - min(per_page) <= 1
    for plan in plans:
        rows: dict[float, list[np_.Card]] = {}
        for card in plan.cards:
            assert card.photo_mm[0] >= 30
            rows.setdefault(round(card.frame.y, 1), []).append(card)
        grid = np_.geometry(s, plan.number == 1, _page_text().intro).grid
        for cards in rows.values():
            assert min(c.frame.x for c in cards) == pytest.approx(grid.x, abs=0.1)
            assert max(c.frame.x + c.frame.w for c in cards) == pytest.approx(grid.x + grid.w, abs=0.1)
        last = max(rows)
        assert max(c.frame.y + c.frame.h for c in rows[last]) == pytest.approx(grid.y + grid.h, abs=0.1)
        counts = [len(c) for c in rows.values()]
        assert max(counts) - min(counts) <= 1
        if n == 1:  # a lone awardee's card carries 先进事迹 text besides the profile, at a body size, in columns
            card = plan.cards[0]
            assert len(card.extra) >= 3 and card.text_columns >= 3 and plan.font_pt <= s.font_max_pt


# ---- WeChat and TV --------------------------------------------------------------------------------

def _kit_fonts() -> Any:
    from pipeline.core.edition import load_edition
    from pipeline.media.palette import font_info
    from pipeline.render.fonts import resolve_fonts

    return font_info(resolve_fonts(load_edition(Path(__file__).resolve().parent.parent / "input" / "demo").fonts))


def test_share_cover_words_inside_the_centre_square(tmp_path: Path) -> None:
    from pipeline.media.drawing import CENTRE, cover_image, cover_words_box, series_cover

    fonts = _kit_fonts()
    al = awardee_list(tmp_path / "fx", 4, deeds=False)
    photos = [a.nominee.photo for a in al.awardees if a.nominee.photo is not None]
    full = series_cover(photos, "兴安技术能手风采", "2027年度“兴安技术能手”", "拟表彰人选", fonts)
    _results("share-cover-index.png", full)
    bare = series_cover(photos, "", "", "", fonts)
    x0, y0, x1, y1 = cover_words_box(full, bare)
    assert CENTRE[0] < x0 and x1 < CENTRE[2] and CENTRE[1] <= y0 and y1 <= CENTRE[3], (x0, y0, x1, y1)
    assert x1 - x0 > 200  # the title is there, and large
    no_photos = series_cover([], "", "", "", fonts)
    px0, _, px1, _ = cover_words_box(bare, no_photos)
    assert px0 < CENTRE[0] and px1 > CENTRE[2]  # photos on both sides ...
    with Image.open(io.BytesIO(bare)) as a, Image.open(io.BytesIO(no_photos)) as b:
        square = (CENTRE[0], 0, CENTRE[2], CENTRE[3])
        assert a.convert("RGB").crop(square).tobytes() == b.convert("RGB").crop(square).tobytes()  # ... none inside
    assert photos[0] is not None
    one = cover_image(photos[0], "阿依古丽·买买提", "2027年度“兴安技术能手”", "拟表彰人选", fonts)
    _results("share-cover-article.png", one)
    wx0, _, wx1, _ = cover_words_box(one, cover_image(photos[0], "", "", "", fonts))
    assert CENTRE[0] < wx0 and wx1 < CENTRE[2]


def test_lower_third_bold_name_and_even_padding() -> None:
    from pipeline.media.drawing import BAR, lower_third
    from pipeline.media.text import honour_line

    honour = honour_line(2027, "兴安技术能手", False)
    assert honour == "2027年度“兴安技术能手”拟表彰人选"
    fonts = _kit_fonts()
    for name, unit in (("王建国", "塔河林业局 电工班长"), ("阿依古丽·买买提", "大兴安岭地区人民医院 护理部 副主任护师" * 2)):
        cap = lower_third(name, unit, honour, fonts, 5)
        assert "Bold" in cap.name_font or fonts.faux_bold
        px0, py0, px1, py1 = cap.plate
        tx0, ty0, tx1, ty1 = cap.text
        left, right, top, bottom = tx0 - (px0 + BAR), px1 - tx1, ty0 - py0, py1 - ty1
        assert abs(left - right) <= 4 and abs(top - bottom) <= 4, (left, right, top, bottom)
        assert abs(left - top) <= 6
        _results(f"lower-third-{len(name)}.png", cap.png)


def test_headline_without_the_parenthetical_occupation() -> None:
    from pipeline.media.text import headline

    c = candidate(0, occupation="桦树皮制作技艺（民间传统工艺）")
    assert headline("{姓名}：{职业}的匠心", c, 2027, "兴安技术能手") == f"{c.name}：桦树皮制作技艺的匠心"
    assert headline("{姓名}：{职业}的匠心", candidate(1, occupation="焊工"), 2027, "兴安技术能手").endswith("焊工的匠心")


def _cid_fonts(pdf_bytes: bytes) -> list[tuple[str, str, int]]:
    """(font name, FontFile3 subtype, program bytes) of every CID-keyed CFF font of a PDF."""
    found = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType0":
                program = obj.FontDescriptor.FontFile3
                found.append((str(obj.BaseFont), str(program.Subtype), len(program.read_bytes())))
    return found


def test_print_files_embed_compact_cff_subsets(special: Special) -> None:
    """The CJK fonts of the 特刊 are bare CFF subsets (FontFile3 /CIDFontType0C, which PDF/X-1a's PDF 1.3
    allows), a few dozen KB each, and the files still pass the PDF/X checks."""
    from pipeline.media.pdfx import preflight

    for data in (special.colour, special.grey):
        fonts = _cid_fonts(data)
        assert len(fonts) >= 3, fonts
        assert {sub for _, sub, _ in fonts} == {"/CIDFontType0C"}, fonts
        assert max(size for _, _, size in fonts) < 120_000, fonts
        assert preflight(data) == []


def test_compact_fonts_print_and_extract_exactly_as_weasyprint_s(special: Special, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The same page written with WeasyPrint's own subsetting and with the compact one: the same pixels,
    the same extracted text, in every font role."""
    import contextlib

    from pipeline.media import prepress
    from pipeline.media.render import layout
    from pipeline.render.raster import page

    fonts = _fonts(special.edition)
    names = "".join(e.name for e in special.entries)
    roles = ("title", "body", "hei", "kai")
    rules = "".join(f".r-{r} {{ font-family: {fonts.stacks[r]}; font-weight: {fonts.weights[r]} }}" for r in roles)
    body = "".join(f'<p class="r-{r}">{r}：{names}，扎根一线二十余年（技能报国）。</p>' for r in roles)
    html = (f"<html><head><style>{fonts.css} {rules} @page {{ size: 150mm 70mm; margin: 5mm }} p {{ font-size: 11pt }}"
            f"</style></head><body>{body}</body></html>")
    profile = press_profile("", special.edition.path)

    def written() -> bytes:
        return prepress.write_press_pdf(layout(html, tmp_path, "字体测试"), "字体测试", profile, "PDF/X-1a")

    compact = written()
    monkeypatch.setattr(prepress, "cff_subsetting", contextlib.nullcontext)
    monkeypatch.setattr(prepress, "compact_cid_fonts", lambda pdf: 0)
    plain = written()
    assert {sub for _, sub, _ in _cid_fonts(plain)} == {"/OpenType"}
    assert {sub for _, sub, _ in _cid_fonts(compact)} == {"/CIDFontType0C"}
    assert sum(s for *_, s in _cid_fonts(compact)) * 3 < sum(s for *_, s in _cid_fonts(plain))
    # poppler draws both identically; pdfium sets a bare CFF font's edges a shade differently from the same
    # outlines wrapped in OpenType (anti-aliasing, ≤ 20 of 255: see the packets' test of the same fonts)
    drawn = []
    for name, pdf in (("compact", compact), ("plain", plain)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True, capture_output=True)
        drawn.append(np.asarray(Image.open(tmp_path / f"{name}.png").convert("L"), dtype=np.int16))
    assert drawn[0].shape == drawn[1].shape and (drawn[0] < 128).sum() > 5000  # there is text on the page
    assert np.array_equal(drawn[0], drawn[1])
    a = np.asarray(page(compact, 1, dpi=150), dtype=np.int16)
    b = np.asarray(page(plain, 1, dpi=150), dtype=np.int16)
    assert np.abs(a - b).max() <= 32
    text = [subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
            for pdf in (compact, plain)]
    assert text[0] == text[1] and names[:6].encode() in text[0]


KIT_IN_ONE_PROCESS = """
import dataclasses, sys
from pathlib import Path
from tests.media_fixtures import awardee_list, candidate, summary_text
from tests.test_media import _edition, _fonts, _page_text
from pipeline.media import newspaper
from pipeline.media.build import _feature_job
from pipeline.media.entries import prepare_entries
from pipeline.media.prepress import press_profile
from pipeline.media.settings import media_settings
root = Path(sys.argv[1])
ed = _edition(root / "ed")
s = media_settings(ed)
people = [candidate(i, summary=summary_text(i, 120 + 7 * i)) for i in range(4)]
entries = prepare_entries(awardee_list(root / "fx", 4, deeds=True, candidates=people))
profile = press_profile("", ed.path)
text = dataclasses.replace(_page_text(), date="2027年5月10日　星期一")
newspaper.build_pages(entries, s, text, _fonts(ed), "2027-01-01T00:00:00+00:00", root, profile)
for e in entries:
    _feature_job((e, s, _fonts(ed), 2027, "兴安技术能手", False, "2027-01-01T00:00:00+00:00", root, profile))
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


def test_the_print_files_are_made_in_bounded_memory(tmp_path: Path) -> None:
    """The 对开 特刊 (colour and black) and four 专栏 features made one after another in one process, as
    `make publicity -j 1` (or one feature worker) makes them: the process never holds more than 720 MB.

    Measured on the development machine: 540–550 MB now (most of it WeasyPrint drawing the 对开 page
    and the CJK font files it reads once per process), 880–900 MB before the media kit released each
    laid-out document (WeasyPrint's boxes are reference cycles; a worker kept every feature's layouts
    until the cycle collector came round). A bound, not a timing: peak resident memory of a child
    process does not depend on the machine's load. The peak is the child's own (VmHWM): its
    ru_maxrss would include the RSS of the pytest worker it was forked from (Linux carries the
    high-water mark over exec), 1.1 GB in a parallel run."""
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", KIT_IN_ONE_PROCESS, str(tmp_path)], cwd=root, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    peak_mb = int(done.stdout.split()[-1])
    assert peak_mb < 720, f"peak {peak_mb} MB"
