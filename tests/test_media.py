"""Media kit (SPEC §7, issue 6): special page, columns, new media, TV, kits, privacy."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from pipeline.core.context import RunContext
from pipeline.core.edition import Edition, load_edition
from pipeline.core.errors import EditionConfigError, ExitCode, RenderError
from pipeline.core.model import CheckResult
from pipeline.media import newspaper as np_
from pipeline.media.build import OUTLETS, MediaKit, build_kit, build_media_kit, zip_names
from pipeline.media.column import build_feature
from pipeline.media.drawing import title_safe
from pipeline.media.entries import prepare_entries
from pipeline.media.palette import font_info
from pipeline.media.pdfx import fonts_embedded, preflight, qpdf_check
from pipeline.media.prepress import press_profile
from pipeline.media.render import MM, layout, overflows, write_pdf
from pipeline.media.settings import media_settings
from pipeline.media.text import KEEP_WHOLE, word_spans
from pipeline.render import raster
from pipeline.render.fonts import resolve_fonts
from pipeline.render.office import UTF8_FLAG
from pipeline.render.wordbreak import runs as word_runs
from pipeline.rules.awardees import AwardeeList
from pipeline.rules.privacy import scan_tree
from tests.media_fixtures import awardee_list, candidate, summary_text

DEMO_TOML = Path(__file__).resolve().parent.parent / "input" / "demo" / "edition.toml"
RESULTS = Path(__file__).resolve().parent / "results" / "media"


def _edition(folder: Path, media: str = "", final: bool = False, subs: dict[str, str] | None = None) -> Edition:
    """An edition folder with the demo's edition.toml, [media] extended by `media`, final flag set."""
    folder.mkdir(parents=True, exist_ok=True)
    text = DEMO_TOML.read_text(encoding="utf-8").replace("final = false", f"final = {'true' if final else 'false'}")
    for old, new in (subs or {}).items():
        assert old in text
        text = text.replace(old, new)
    text = text.replace("[media]\n", "[media]\n" + media + "\n", 1)
    (folder / "edition.toml").write_text(text, encoding="utf-8")
    return load_edition(folder)


@dataclasses.dataclass
class Built:
    ctx: RunContext
    awardees: AwardeeList
    kit: MediaKit

    @property
    def media(self) -> Path:
        return self.kit.folder


def _build(root: Path, n: int, *, final: bool = False, media: str = "", people: list[Any] | None = None) -> Built:
    ed = _edition(root / "ed", media, final)
    awardees = awardee_list(root / "fx", n, final=final, candidates=people)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "out"))
        ctx = RunContext(ed, quiet=True)
        return Built(ctx, awardees, build_kit(ctx, awardees))


@pytest.fixture(scope="module")
def kit5(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A kit of five proposed awardees (list not final)."""
    return _build(tmp_path_factory.mktemp("kit5"), 5)


def _pdftext(pdf: Path | bytes) -> str:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---- newspaper special page -----------------------------------------------------------------

def test_special_page_shows_every_awardee_once_with_photo(kit5: Built) -> None:
    pdf = kit5.media / "newspaper" / "特刊-彩色.pdf"
    text = _squeeze(_pdftext(pdf))
    for a in kit5.awardees.awardees:
        c = a.nominee.candidate
        assert c.name in text, c.name  # (the card may quote the 先进事迹, which names them again)
        assert _squeeze(c.summary) in text
        assert _squeeze(c.unit_and_post) in text
    assert "兴安技术能手风采" in text and "拟表彰" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [r for r in images.splitlines()[2:] if r.strip()]
    assert len(rows) == 5


def test_page_boxes_match_size_and_bleed(kit5: Built, tmp_path: Path) -> None:
    with pikepdf.open(kit5.media / "newspaper" / "特刊-彩色.pdf") as pdf:
        page = pdf.pages[0].obj
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
    w, h = 390 * MM, 540 * MM
    assert trim == pytest.approx([0, 0, w, h], abs=0.05)
    b = 3 * MM
    assert bleed == pytest.approx([-b, -b, w + b, h + b], abs=0.05)
    s = (3 + np_.SLUG_MM) * MM
    assert media == pytest.approx([-s, -s, w + s, h + s], abs=0.05)
    # 四开 with a 5 mm bleed: the boxes follow the settings
    ed = _edition(tmp_path / "ed4", subs={'page_size = "对开"': 'page_size = "四开"', "bleed_mm = 3": "bleed_mm = 5"})
    s4 = media_settings(ed)
    assert s4.page_mm == (270, 390) and s4.bleed_mm == 5
    entries = prepare_entries(awardee_list(tmp_path / "fx", 1))
    _, colour, _, _ = np_.build_pages(entries, dataclasses.replace(s4, greyscale=False), _page_text(),
                                      _fonts(ed), "2027-01-01T00:00:00+00:00", tmp_path, press_profile("", ed.path))
    with pikepdf.open(io.BytesIO(colour)) as pdf:
        page = pdf.pages[0].obj
        assert [float(v) for v in page.TrimBox] == pytest.approx([0, 0, 270 * MM, 390 * MM], abs=0.05)
        assert [float(v) for v in page.BleedBox] == pytest.approx(
            [-5 * MM, -5 * MM, 275 * MM, 395 * MM], abs=0.05)


def test_fonts_embedded_and_images_at_least_300_dpi(kit5: Built) -> None:
    for name in ("特刊-彩色.pdf", "特刊-黑白.pdf"):
        pdf = kit5.media / "newspaper" / name
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows, "no fonts?"
        for row in rows:
            emb = row[-28:].split()[0]  # columns: ... emb sub uni object ID
            assert emb == "yes", row
        assert all(ok for _, ok in fonts_embedded(pdf.read_bytes()))
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        for row in images.splitlines()[2:]:
            cols = row.split()
            x_ppi, y_ppi = int(cols[12]), int(cols[13])
            assert x_ppi >= 300 and y_ppi >= 300, row
            assert cols[5] == ("gray" if "黑白" in name else "cmyk"), row
    for pdf in (kit5.media / "newspaper" / "专栏").glob("*.pdf"):
        assert all(ok for _, ok in fonts_embedded(pdf.read_bytes()))


def test_grey_variant_has_no_colour(kit5: Built) -> None:
    # every colour is a black-plate tint: DeviceCMYK with c = m = y = 0, no RGB operator
    with pikepdf.open(kit5.media / "newspaper" / "特刊-黑白.pdf") as pdf:
        tints = 0
        for op in pikepdf.parse_content_stream(pdf.pages[0]):
            name = str(op.operator)
            assert name not in ("rg", "RG", "k", "K") or name in ("k", "K") and op.operands[:3] == [0, 0, 0]
            assert name not in ("sc", "scn", "SC", "SCN")  # normalised to k / K
            if name in ("k", "K") and 0 < float(op.operands[3]) < 1:
                tints += 1
        assert tints > 5
    rgb = raster.page(kit5.media / "newspaper" / "特刊-黑白.pdf", 1, dpi=15)
    r, g, b = (rgb.getchannel(i) for i in range(3))
    from PIL import ImageChops
    # (a K tint must render neutral grey; the plates are checked
    # with Ghostscript in test_media_print)
    assert max(ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]) <= 6


def test_proof_png_beside_the_pdf(kit5: Built) -> None:
    proof = kit5.media / "newspaper" / "特刊-校样-第1版.png"
    with Image.open(proof) as im:
        assert im.size == (round(390 / 25.4 * 30), round(540 / 25.4 * 30))


def _page_text(final: bool = False) -> np_.PageText:
    return np_.PageText("兴安技术能手风采", "2027年度", "大兴安岭地区2027年度“兴安技术能手”拟表彰人选巡礼",
                        "经单位推荐、个人自荐，资格审查、专家评审等程序产生。" * 3, "大兴安岭日报 · 特刊 · 2027年5月10日",
                        "本版稿件由领导小组办公室提供", "" if final else "拟表彰")


def _fonts(ed: Edition) -> Any:
    return font_info(resolve_fonts(ed.fonts))


def _words(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax in mm from the trimmed page's corner, word) from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    out = []
    page = 0
    off = 3 + np_.SLUG_MM
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = (float(m.group(i)) / MM - off for i in range(1, 5))
            out.append((page, x0, y0, x1, y1, m.group(5)))
    return out


def _line_breaks(lines: list[str], field: str) -> list[int] | None:
    """Rendered lines (pdftotext words) and a field → where the field breaks across lines (None: not found)."""
    for i, first in enumerate(lines):
        if not first or not field.startswith(first):
            continue
        at, j, cuts = len(first), i + 1, []
        while at < len(field) and j < len(lines) and lines[j] and field.startswith(lines[j], at):
            cuts.append(at)
            at += len(lines[j])
            j += 1
        if at == len(field):
            return cuts
    return None


@pytest.mark.parametrize("n", [1, 7, 20])
def test_special_page_lays_out_1_7_20_without_overflow(n: int, tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed")
    s = dataclasses.replace(media_settings(ed), greyscale=False)
    # worst case: long profiles, up to the 300-character limit
    people = [candidate(i, summary=summary_text(i, 300 if i % 3 == 0 else 160 + i * 7)) for i in range(n)]
    entries = prepare_entries(awardee_list(tmp_path / "fx", n, deeds=False, candidates=people))
    plans, colour, _, document = np_.build_pages(entries, s, _page_text(), _fonts(ed),
                                                 "2027-01-01T00:00:00+00:00", tmp_path, press_profile("", ed.path))
    assert not overflows(document, "card-")
    assert sorted(c.entry.seq for p in plans for c in p.cards) == list(range(1, n + 1))
    assert all(p.font_pt >= s.font_min_pt for p in plans)
    assert len({p.font_pt for p in plans}) == 1  # one body size on every page of the special
    if n <= s.per_page:
        sizes = [len(p.cards) for p in plans]
        assert max(sizes) - min(sizes) <= 1  # pages balanced
    text = _squeeze(_pdftext(colour))
    for e in entries:
        assert e.profile in text, e.name
        assert text.count(e.name) == 1, e.name
    # no word of a card runs outside its card: every word in the grid band lies inside one card frame
    frames = {(p.number, c.frame.ident): c.frame for p in plans for c in p.cards}
    intro_top = (s.page_mm[1] - s.text_area_mm[1]) / 2 + np_.masthead_mm(s)
    for page, x0, y0, x1, y1, word in _words(colour):
        assert x0 >= -0.5 and x1 <= s.page_mm[0] + 0.5 or y0 > s.page_mm[1], word  # inside the trim (or slug line)
        grid = np_.geometry(s, page == 1, _page_text().intro).grid
        if grid.y <= y0 and y1 <= grid.y + grid.h:
            inside = [f for (pg, _), f in frames.items() if pg == page and f.x - 0.3 <= x0 and x1 <= f.x + f.w + 0.3
                      and f.y - 0.3 <= y0 and y1 <= f.y + f.h + 0.3]
            assert inside, f"word {word!r} on page {page} lies outside every card"
            assert len(word) <= 25, f"a line of {len(word)} characters (newspaper columns hold about 24): {word!r}"
        elif page == 1 and intro_top <= y0 and y1 < grid.y:  # the 编者按 above the grid: newspaper measures too
            assert len(word) <= 25, f"编者按: a line of {len(word)} characters: {word!r}"
    # unit and 职业 break only between words: every line of them ends where a word ends
    lines = [w for _, _, _, _, _, w in _words(colour)]
    for e in entries:
        for field in (e.unit, "职业（工种）：" + e.occupation):
            cuts = _line_breaks(lines, field.replace(" ", ""))
            assert cuts is not None, field
            ends = set(itertools.accumulate(len(r.replace(" ", "")) for r in word_runs(field, KEEP_WHOLE)))
            assert set(cuts) <= ends, f"{field!r} broken inside a word: {cuts} (word ends {sorted(ends)})"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"special-page-{n}.png").write_bytes(np_.proof_png(colour, 1, s))


def test_low_resolution_photo_is_named(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed", "photo_width_mm = 50")
    s = media_settings(ed)
    entries = prepare_entries(awardee_list(tmp_path / "fx", 2, deeds=False))
    plans = np_.plan_pages(entries, s, "导语")
    warnings = np_.dpi_warnings(plans, s.min_dpi)
    assert len(warnings) == 2
    assert entries[0].name in warnings[0] and entries[0].photo.name in warnings[0] and "dpi" in warnings[0]


def test_pdfx_preflight(kit5: Built) -> None:
    for name in ("特刊-彩色.pdf", "特刊-黑白.pdf"):
        data = (kit5.media / "newspaper" / name).read_bytes()
        assert qpdf_check(data) == ""
        assert preflight(data) == [], name
    for feature in (kit5.media / "newspaper" / "专栏").glob("*.pdf"):
        assert preflight(feature.read_bytes()) == [], feature.name
    # WeasyPrint's own pdf/x-4 output without a printer profile has no output intent: refused
    from weasyprint import HTML
    doc = HTML(string="<p style='font-family: Noto Sans CJK SC'>兴安技术能手</p>").render()
    problems = preflight(doc.write_pdf(pdf_variant="pdf/x-4"))
    assert any("输出意图" in p for p in problems)
    readme = (kit5.media / "newspaper" / "README.txt").read_text(encoding="utf-8-sig")
    assert "PDF/X-1a" in readme and "Artifex CMYK SWOP Profile" in readme and "240%" in readme


# ---- column series ------------------------------------------------------------------------------

def test_column_feature_fits_slot_and_trims_at_paragraph(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed", "slot_mm = [240, 160]")
    s = media_settings(ed)
    al = awardee_list(tmp_path / "fx", 1)
    deeds = al.awardees[0].nominee.materials.deeds
    assert deeds is not None
    paragraphs = [f"第{i:02d}段。" + "这是一段关于技能传承与技术革新的叙述，内容完整，句子结束。" * 4 for i in range(1, 31)]
    deeds.write_text("先进事迹材料\n" + "\n".join(paragraphs) + "\n", encoding="utf-8")
    entry = prepare_entries(al)[0]
    f = build_feature(entry, s, _fonts(ed), year=2027, honour="兴安技术能手", final=False,
                      created="2027-01-01T00:00:00+00:00", work=tmp_path, profile=press_profile("", ed.path))
    assert 0 < f.paragraphs_set < f.paragraphs_total == 30
    assert "段" in f.note and "全文" in f.note
    with pikepdf.open(io.BytesIO(f.pdf)) as pdf:
        assert len(pdf.pages) == 1
        assert [float(v) for v in pdf.pages[0].obj.MediaBox] == pytest.approx([0, 0, 240 * MM, 160 * MM], abs=0.05)
    text = _squeeze(_pdftext(f.pdf))
    last = f"第{f.paragraphs_set:02d}段"
    assert last in text and f"第{f.paragraphs_set + 1:02d}段" not in text
    assert _squeeze(paragraphs[f.paragraphs_set - 1]) in text  # the last paragraph set is whole
    assert f"{entry.name}：{entry.occupation}的匠心" in text and "本报记者" in text and "拟表彰" in text
    # the sidebar breaks only between words: "“兴安技术能手”" sits whole on one line
    honour = [w for _, _, _, _, _, w in _words(f.pdf) if "兴安" in w or "能手" in w]
    assert honour and all("兴安技术能手" in w for w in honour), honour
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "column-feature.png").write_bytes(np_.proof_png(f.pdf, 1, s, trim=False))


def test_headline_template(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed", 'headline = "{单位}的{姓名}"')
    assert media_settings(ed).headline == "{单位}的{姓名}"
    bad = _edition(tmp_path / "bad", 'headline = "{名字}的故事"')
    with pytest.raises(EditionConfigError, match="headline"):
        media_settings(bad)


# ---- new media ------------------------------------------------------------------------------------

def test_articles_use_inline_styles_and_relative_images(kit5: Built) -> None:
    web = kit5.media / "newmedia"
    pages = sorted(web.glob("*.html"))
    assert [p.name for p in pages] == ["a01.html", "a02.html", "a03.html", "a04.html", "a05.html", "index.html"]
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "<style" not in source and "class=" not in source and "<script" not in source
        for src in re.findall(r'<img[^>]*src="([^"]+)"', source):
            assert not re.match(r"^[a-z]+:|^/", src), src
            assert (web / src).is_file(), src
    with Image.open(web / "images" / "a01-cover.png") as im:
        assert im.size == (900, 383)
    with Image.open(web / "images" / "cover.png") as im:
        assert im.size == (900, 383)


@pytest.mark.slow
def test_articles_in_headless_chromium_at_phone_width(kit5: Built) -> None:
    from tests import media_browser

    web = kit5.media / "newmedia"
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "a01.html", "a05.html"):
        result = media_browser.probe(web / name)
        assert result["innerWidth"] == 375
        assert result["scrollWidth"] <= 375, result
        assert not result["tooWide"], result["tooWide"]
        assert result["images"] and all(i["loaded"] for i in result["images"]), result["images"]
        assert min(result["fontSizes"]) >= 14, result["fontSizes"]
        assert result["textChars"] > 100
    for name in ("index.html", "a01.html"):
        shot = media_browser.screenshot(web / name, RESULTS / f"phone-{name}.png")
        with Image.open(shot) as im:
            assert im.width == 375
            assert im.convert("L").resize((40, 40)).getextrema()[1] - im.convert("L").resize((40, 40)).getextrema()[0] > 50  # something was drawn


# ---- TV -------------------------------------------------------------------------------------------

def test_captions_have_alpha_and_stay_title_safe(kit5: Built) -> None:
    captions = sorted((kit5.media / "tv" / "字幕").glob("*.png"))
    assert len(captions) == 5
    x0, y0, x1, y1 = title_safe(5)
    for path in captions:
        with Image.open(path) as im:
            assert im.size == (1920, 1080) and im.mode == "RGBA"
            alpha = im.getchannel("A")
            assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((960, 300)) == 0
            assert alpha.getextrema() == (0, 255)
            bx0, by0, bx1, by1 = alpha.getbbox() or (0, 0, 0, 0)
            assert x0 <= bx0 and y0 <= by0 and bx1 <= x1 and by1 <= y1


def test_broadcast_scripts(kit5: Built) -> None:
    for a in kit5.awardees.awardees:
        c = a.nominee.candidate
        script = next((kit5.media / "tv" / "口播稿").glob(f"*-{c.name}.txt")).read_text(encoding="utf-8-sig").strip()
        assert script.startswith(c.name) and script.endswith("“兴安技术能手”拟表彰人选。")
        assert f"{c.name}被确定为大兴安岭地区2027年度“兴安技术能手”拟表彰人选。" in script
        assert 60 <= len(script) <= 200, (len(script), script)
        assert len(script) >= 120 or len(c.summary) < 110


# ---- kits, zips, privacy, final flag, determinism ------------------------------------------------------

def test_zips_utf8_names_round_trip(kit5: Built) -> None:
    names = zip_names(media_settings(kit5.ctx.edition))
    for outlet in OUTLETS:
        path = kit5.media / names[outlet]
        assert path.is_file()
        top = names[outlet].removesuffix(".zip")
        on_disk = sorted(p.relative_to(kit5.media / outlet).as_posix()
                         for p in (kit5.media / outlet).rglob("*") if p.is_file())
        raw = path.read_bytes()
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            assert all(i.flag_bits & UTF8_FLAG for i in infos)
            assert sorted(i.filename.removeprefix(top + "/") for i in infos) == on_disk
            readme = zf.read(f"{top}/README.txt").decode("utf-8-sig")
        for name in on_disk:
            assert f"{top}/{name}".encode() in raw  # stored as UTF-8 bytes
            assert name in readme or name == "README.txt"
        assert "拟表彰" in readme


def test_no_private_data_anywhere(tmp_path: Path) -> None:
    people = [candidate(i) for i in range(2)]
    leaky = people[0]
    people[0] = dataclasses.replace(
        leaky, summary=f"联系电话{leaky.phone}，身份证{leaky.id_number}，家住加格达奇区光明路12号3单元401室。" + leaky.summary)
    built = _build(tmp_path, 2, people=people)
    deeds = built.awardees.awardees[1].nominee.materials.deeds
    assert deeds is not None
    known = [x for p in people for x in (p.id_number, p.phone)]
    assert scan_tree(built.media, known) == {}
    everything = "".join(p.read_text(encoding="utf-8-sig") for p in built.media.rglob("*")
                         if p.suffix in (".txt", ".html"))
    everything += _pdftext(built.media / "newspaper" / "特刊-彩色.pdf")
    assert "光明路12号" not in everything and "401室" not in everything
    assert "已删去" in (built.media / "newspaper" / "README.txt").read_text(encoding="utf-8-sig")


def test_final_list_drops_the_proposed_label(tmp_path: Path) -> None:
    built = _build(tmp_path, 2, final=True)
    texts = [p.read_text(encoding="utf-8-sig") for p in built.media.rglob("*") if p.suffix in (".txt", ".html")]
    texts.append(_pdftext(built.media / "newspaper" / "特刊-彩色.pdf"))
    texts += [_pdftext(p) for p in (built.media / "newspaper" / "专栏").glob("*.pdf")]
    assert not [t for t in texts if "拟表彰" in t]
    assert "被评为" in (built.media / "tv" / "口播稿-全部.txt").read_text(encoding="utf-8-sig")


def test_same_input_same_bytes_and_incremental(tmp_path: Path) -> None:
    a = _build(tmp_path / "a", 2)
    b = _build(tmp_path / "b", 2)
    files_a = {p.relative_to(a.media): p.read_bytes() for p in a.media.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b.media): p.read_bytes() for p in b.media.rglob("*") if p.is_file()}
    assert files_a.keys() == files_b.keys()
    assert [k for k in files_a if files_a[k] != files_b[k]] == []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(tmp_path / "a" / "out"))
        again = build_kit(a.ctx, a.awardees)
        assert not again.rebuilt
        # one awardee fewer: the dropped one's files are gone
        fewer = AwardeeList(False, a.awardees.awardees[:1])
        smaller = build_kit(a.ctx, fewer)
    assert smaller.rebuilt
    gone = a.awardees.awardees[1].nominee.candidate.name
    assert not [p for p in smaller.folder.rglob("*") if gone in p.name]


def test_hostile_text_renders_as_text(tmp_path: Path) -> None:
    odd = candidate(0, name="{{王}}<b>", unit_and_post="<script>alert(1)</script>&单位 " + "W" * 80,
                    summary="{% raw %}“引号”&<i>斜</i> " + "Averyveryverylongwordwithoutanyspaces" * 3 + "。")
    built = _build(tmp_path, 1, people=[odd])
    html = (built.media / "newmedia" / "a01.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{王}}&lt;b&gt;" in html
    text = _squeeze(_pdftext(built.media / "newspaper" / "特刊-彩色.pdf"))
    assert "{{王}}<b>" in text and "<script>alert(1)</script>" in text
    x0, y0, x1, y1 = title_safe(5)
    with Image.open(built.media / "tv" / "字幕" / "01-{{王}}_b_.png") as im:
        bx0, by0, bx1, by1 = im.getchannel("A").getbbox() or (0, 0, 0, 0)
    assert x0 <= bx0 and y0 <= by0 and bx1 <= x1 and by1 <= y1


def test_weasyprint_problem_fails_the_document(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="排版"):
        layout('<img src="missing.jpg">', tmp_path, "测试文档")


def test_entry_point_and_skipped_awardee(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed")
    al = awardee_list(tmp_path / "fx", 2)
    broken = dataclasses.replace(al.awardees[1], nominee=dataclasses.replace(al.awardees[1].nominee, photo=None))
    check = CheckResult(tuple(a.nominee for a in al.awardees), (), tmp_path / "report.json")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(tmp_path / "out"))
        ctx = RunContext(ed, quiet=True)
        assert build_media_kit(ctx, check, al) == ExitCode.ok
        assert build_media_kit(ctx, check, AwardeeList(False, (al.awardees[0], broken))) == ExitCode.findings
        readme = (ctx.output / "media" / "tv" / "README.txt").read_text(encoding="utf-8-sig")
    assert "未收入" in readme and al.awardees[1].nominee.candidate.name in readme


def test_a_failed_kit_leaves_nothing_half_made_nor_an_outdated_kit(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ed = _edition(tmp_path / "ed")
    al = awardee_list(tmp_path / "fx", 2, deeds=False)
    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "out"))
    ctx = RunContext(ed, quiet=True)
    old = ctx.output / "media" / "大兴安岭日报-特刊与专栏.zip"  # a kit of an earlier list
    old.parent.mkdir(parents=True)
    old.write_bytes(b"PK")

    def fail(*args: object, **kwargs: object) -> None:
        raise RenderError("特刊（彩色）：文字超出栏位，无法自动排下", candidate="M01 Maximilian Alexander Johnson")

    monkeypatch.setattr(np_, "build_pages", fail)
    with pytest.raises(RenderError) as err:
        build_kit(ctx, al)
    assert not (ctx.output / "media").exists() and not (ctx.output / ".media.staging").exists()
    assert "M01 Maximilian Alexander Johnson" in str(err.value) and "已删除，以免误发" in str(err.value)


def test_write_pdf_is_deterministic(tmp_path: Path) -> None:
    doc = layout("<p>兴安技术能手</p>", tmp_path, "测试")
    assert write_pdf(doc, "测试") == write_pdf(doc, "测试")


@pytest.fixture(autouse=True)
def _no_leftovers() -> Iterator[None]:
    yield


def test_pdfx_with_a_display_profile_is_refused(tmp_path: Path) -> None:
    from importlib.resources import files

    ed = _edition(tmp_path / "ed", 'pdfx_profile = "sRGB2014.icc"')
    (ed.path / "sRGB2014.icc").write_bytes((files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes())
    with pytest.raises(EditionConfigError, match="不是 CMYK 印刷输出特性文件"):
        _build(tmp_path, 1, media='pdfx_profile = "sRGB2014.icc"')
    with pytest.raises(EditionConfigError, match="不存在"):
        press_profile("missing.icc", ed.path)


def test_cmyk_conversions_no_run_used_are_pruned(tmp_path: Path) -> None:
    """The press photos' CMYK conversions are cached by content and settings (.work/media/cmyk/): one a run
    used is kept (its time renewed), one no run used since — a replaced photo, a removed awardee — goes."""
    import os
    import time

    from pipeline.media import prepress

    profile = press_profile("", _edition(tmp_path / "ed").path)
    photo = awardee_list(tmp_path / "fx", 1).awardees[0].nominee.photo
    assert photo is not None
    folder = tmp_path / "cmyk"
    made = prepress.cmyk_jpeg(photo, folder, profile, 240)
    stale = folder / "0123456789abcdef01234567.jpg"
    stale.write_bytes(made.read_bytes())
    long_ago = time.time() - 3600
    for path in (made, stale):
        os.utime(path, (long_ago, long_ago))
    since = time.time() - 2
    content = made.read_bytes()
    assert prepress.cmyk_jpeg(photo, folder, profile, 240) == made and made.read_bytes() == content  # reused
    assert prepress.prune_cache(folder, since) == 1
    assert made.is_file() and not stale.exists()


def test_scrub_removes_private_details_only() -> None:
    from pipeline.media.text import scrub

    c = candidate(0)
    spaced = f"{c.phone[:3]} {c.phone[3:7]} {c.phone[7:]}"
    wide = c.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    s = scrub(f"手机{spaced}，证件{wide}，家住加格达奇区光明路12号3单元401室，座机0457-2123456。", c)
    assert c.phone[3:7] not in s.text and "１" not in s.text and "光明路" not in s.text and "2123456" not in s.text
    assert set(s.removed) >= {"手机号码", "身份证号码", "地址", "电话号码"}
    kept = "防火期他都吃住在前线营地，2025年3月完成技改，节约成本80万元，带徒28名。"
    assert scrub(kept, c).text == kept


def test_long_intro_moves_the_grid_down(tmp_path: Path) -> None:
    s = media_settings(_edition(tmp_path / "ed"))
    short = np_.geometry(s, True, "导语。").grid
    long = np_.geometry(s, True, "很长的导语，" * 100).grid
    assert long.y > short.y + 10 and long.y + long.h == pytest.approx(short.y + short.h)


def test_overflow_detection_sees_text_past_a_frame(tmp_path: Path) -> None:
    html = ('<div id="card-a" style="position:absolute;top:0;left:0;width:30mm;height:10mm;font-size:10pt">'
            + "兴安技术能手" * 20 + '</div><div id="card-b" style="position:absolute;top:50mm;left:0;'
            'width:30mm;height:30mm;font-size:10pt">兴安技术能手</div>'
            '<div id="card-c" style="position:absolute;top:90mm;left:0;width:20mm;height:30mm">'
            '<img style="width:40mm;height:5mm" src="data:image/png;base64,'
            'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="></div>')
    found = {o.frame: o for o in overflows(layout(html, tmp_path, "测试"), "card-")}
    assert set(found) == {"card-a", "card-c"}
    assert found["card-a"].bottom_mm > 5 and found["card-c"].right_mm > 15


def test_word_runs_break_only_between_words() -> None:
    """Unit, 职业 and captions break between words; “兴安技术能手” stays whole; no lone character."""
    assert word_runs("职业（工种）：中药材种植员", KEEP_WHOLE)[-1] == "种植员"
    assert word_runs("养老护理员", KEEP_WHOLE) == ["养老", "护理员"]
    runs = word_runs("“兴安技术能手”示范基地", KEEP_WHOLE)
    assert runs[0] == "“兴安技术能手”" and "基地" in runs[-1] and "示范基地" in "".join(runs)
    assert not any(r == "示范基" for r in runs)
    for text in ("大兴安岭地区加格达奇区林业局森林消防大队 副大队长", "2027年度“兴安技术能手”拟表彰人选"):
        runs = word_runs(text, KEEP_WHOLE)
        assert "".join(runs) == text
        assert all(len(r.strip()) != 1 for r in runs if not r.isspace()), runs
        assert any("兴安技术能手" in r for r in runs) or "兴安技术能手" not in text
    assert str(word_spans("a<b>")) == '<span class="w">a&lt;b&gt;</span>'
    assert str(word_spans("W" * 40)) == "W" * 40  # not a word: may break rather than overflow


def _demo_deeds(code: str) -> str:
    """The 先进事迹 of a demo nominee as plain text (real paragraphs: long sentences, quotations, headings)."""
    from pipeline.rules.materials import read_deeds

    found = next((DEMO_TOML.parent / "candidates" / code).glob("先进事迹.*"))
    return "\n".join(read_deeds(found).paragraphs) + "\n"


def test_short_cards_are_filled_to_their_rows_foot(tmp_path: Path) -> None:
    """Issue 10: every card of a row ends within a few mm of the row's foot — short ones take more
    先进事迹 (whole excerpts: a quotation keeps its speaker, a short opening sentence its follow-up)."""
    from pipeline.media.text import excerpt_units

    ed = _edition(tmp_path / "ed")
    s = dataclasses.replace(media_settings(ed), greyscale=False)
    al = awardee_list(tmp_path / "fx", 10)
    for i, a in enumerate(al.awardees, start=1):
        assert a.nominee.materials.deeds is not None
        a.nominee.materials.deeds.write_text(_demo_deeds(f"{i:03d}"), encoding="utf-8")
    entries = prepare_entries(al)
    plans, colour, _, _ = np_.build_pages(entries, s, _page_text(), _fonts(ed), "2027-01-01T00:00:00+00:00",
                                          tmp_path, press_profile("", ed.path))
    words = _words(colour)
    text = _squeeze(_pdftext(colour))
    gaps = {}
    for p in plans:
        for c in p.cards:
            f = c.frame
            inside = [y1 for pg, x0, y0, x1, y1, _ in words
                      if pg == p.number and f.x - 0.3 <= x0 and x1 <= f.x + f.w + 0.3 and f.y - 0.3 <= y0 and y1 <= f.y + f.h + 0.3]
            gaps[c.entry.name] = round(f.y + f.h - max(inside), 1)
            for para in c.extra:  # whole excerpts of the 先进事迹, set as they are
                assert _squeeze(para) in text
                assert para in "".join(c.entry.deeds) and para.rstrip()[-1] in "。！？”", para
                assert "".join(excerpt_units(para)) == para
    assert all(0 <= g <= 4.0 for g in gaps.values()), f"mm from the last line to the row's foot: {gaps}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "special-page-filled.png").write_bytes(np_.proof_png(colour, 1, s))
