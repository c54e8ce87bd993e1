"""The 公示 notice: its content, its measured GB/T 9704 layout (PDF and DOCX), the web page, the media hook."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from pipeline.core.errors import EditionConfigError, ExitCode
from pipeline.review.notice import signature_layout, title_lines
from pipeline.stages import publicity
from pipeline.stages.awardees import load_awardees
from tests.review_fixtures import (
    CAL_2027,
    HOSTILE,
    Round,
    context,
    patch_check,
    shortlist_edition,
    skip_pdfs,
    whole_round,
)

MM = 72 / 25.4
"""Points per millimetre."""
PITCH = 225 / 22
"""Line pitch of the 22-line 版心 in mm."""
LEFT, RIGHT, TOP, BOTTOM = 28.0, 28.0 + 156.0, 37.0, 37.0 + 225.0
"""The 版心 in mm from the page's top-left corner."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Round:
    return whole_round(tmp_path_factory)


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


@dataclass(frozen=True)
class Line:
    """One line of text as poppler sees it (positions in mm, size in pt)."""

    page: int
    top: float
    left: float
    right: float
    size: int
    text: str


def lines(pdf: Path) -> tuple[list[Line], list[tuple[float, float]]]:
    """Text lines of a PDF (pdftohtml -xml) and the page sizes in mm."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(xml)
    out, pages = [], []
    for page in root.iter("page"):
        pages.append((float(page.get("width", 0)) / MM, float(page.get("height", 0)) / MM))
        sizes = {f.get("id"): int(f.get("size", 0)) for f in page.iter("fontspec")}
        sizes.update({f.get("id"): int(f.get("size", 0)) for f in root.iter("fontspec")})
        for t in page.iter("text"):
            left, top, width = (float(t.get(k, 0)) / MM for k in ("left", "top", "width"))
            out.append(Line(int(page.get("number", 0)), top, left, left + width, sizes[t.get("font")],
                            "".join(t.itertext())))
    return out, pages


def merged(found: list[Line]) -> list[Line]:
    """Fragments on one baseline (LibreOffice splits runs by font) merged into one line."""
    out: list[Line] = []
    for line in sorted(found, key=lambda x: (x.page, round(x.top), x.left)):
        if out and out[-1].page == line.page and abs(out[-1].top - line.top) < 0.5 and out[-1].size == line.size:
            last = out.pop()
            line = Line(last.page, last.top, last.left, line.right, last.size, last.text + line.text)
        out.append(line)
    return out


def width(text: str) -> float:
    """Full-width characters (CJK and CJK punctuation 1, ASCII ½)."""
    return sum(0.5 if ord(ch) < 0x2000 else 1 for ch in text)


PUNCTUATION = "，。、；：？！”’）》〉】"


def check_gbt9704(pdf: Path, *, tol: float, hanging: bool = False) -> None:
    """Assert the measurable GB/T 9704 properties of a rendered 公示.

    `hanging`: allow a closing punctuation mark to hang past the right edge (LibreOffice reads
    w:overflowPunct inverted, so it hangs punctuation the DOCX forbids).
    """
    found, pages = lines(pdf)
    found = merged(found)
    assert all(abs(w - 210) < 1 and abs(h - 297) < 1 for w, h in pages), pages
    title = [x for x in found if x.size == 22]
    body = [x for x in found if x.size == 16]
    numbers = [x for x in found if re.fullmatch(r"—\d+—", x.text)]
    assert title and body and len(numbers) == len(pages)
    # Title: 2号, centred on the 版心, at the top of the 版心.
    assert "".join(t.text for t in title).startswith("关于")
    for t in title:
        assert abs((t.left + t.right) / 2 - (LEFT + RIGHT) / 2) < 1.5 + tol
    assert TOP - 0.5 <= title[0].top <= TOP + 3
    # Body: 3号 inside the 版心; lines 225/22 mm apart; 28 characters a full line.
    assert abs(min(b.left for b in body) - LEFT) < 0.6 + tol
    for b in body:
        one = 16 / MM if hanging and b.text[-1:] in PUNCTUATION else 0
        assert b.right - one <= RIGHT + 0.6 + tol, b
    assert max(b.top for b in body) <= BOTTOM
    steps = [round(b.top - a.top, 2) for a, b in zip(body, body[1:], strict=False)
             if a.page == b.page and 0 < b.top - a.top < 1.5 * PITCH]
    assert steps and all(abs(s - PITCH) < 0.4 + tol for s in steps), steps
    pitch = sum(steps) / len(steps)
    assert 22 * pitch <= 225 + 0.5 < 23 * pitch
    full = [b.text for b in body if abs(b.left - LEFT) < 1 and abs(b.right - RIGHT) < 2]
    assert full and max(width(t) for t in full) == 28
    assert all(width(t.rstrip(PUNCTUATION if hanging else "")) <= 28 for t in (b.text for b in body))
    # Page numbers "—1—" in 4号 under the 版心: odd pages right, even pages left, one character in.
    for n in numbers:
        assert n.size == 14
        assert BOTTOM + 5 <= n.top <= BOTTOM + 9, n
        if n.page % 2:
            assert abs(n.right - (RIGHT - 14 / MM)) < 1 + tol, n
        else:
            assert abs(n.left - (LEFT + 14 / MM)) < 1 + tol, n
        assert n.text == f"—{n.page}—"


# ---- content --------------------------------------------------------------------------------

def test_notice_text(built: Round) -> None:
    text = pdf_text(built.notice.pdf)
    assert text.startswith("关于大兴安岭地区2027年度“兴安技术能手”拟表彰人选的公示")
    assert "根据《关于印发〈大兴安岭地区2027年度选树“兴安技术能手”实施方案〉的通知》（大署人社联〔2027〕2号）要求" in text
    assert "全区共推荐候选人44名" in text and "提名人选40名" in text and "确定20名同志" in text
    assert "专家评审" in text and "排名不分先后" in text
    assert "序号姓名性别工作单位及职务职业（工种）" in text
    names = {n.candidate.code: n.candidate.name for n in built.check.nominees}
    assert all(names[c] in text for c in built.selected)
    assert "公示时间：2027年5月10日至2027年5月14日（5个工作日）" in text
    assert "书面形式" in text and "真实姓名" in text and "公章" in text
    assert "联系人：马卉" in text and "联系电话：0457-2756328" in text and "地址：大兴安岭地区加格达奇区" in text
    assert re.sub(r"—\d+—", "", text).endswith("大兴安岭地区“兴安技术能手”选树工作领导小组办公室2027年5月8日")


def test_public_fields_only(built: Round) -> None:
    text = pdf_text(built.notice.pdf)
    for n in built.check.nominees:
        c = n.candidate
        assert c.id_number not in text and c.phone not in text and c.recommender not in text


def test_hostile_text_stays_text(built: Round) -> None:
    html = built.notice.html.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    assert "".join(HOSTILE.split()) in pdf_text(built.notice.pdf)
    doc = Document(str(built.notice.docx))
    # The unit cell holds its lines (broken between words) joined by line breaks.
    assert any("".join(HOSTILE.split()) in "".join(cell.text.split()) for row in doc.tables[0].rows
               for cell in row.cells)


def test_title_breaks_and_signature_layout() -> None:
    assert title_lines("关于大兴安岭地区2027年度“兴安技术能手”拟表彰人选的公示") == (
        "关于大兴安岭地区2027年度", "“兴安技术能手”拟表彰人选的公示")
    assert title_lines("关于某某的公示") == ("关于某某的公示",)
    organ = "大兴安岭地区“兴安技术能手”选树工作领导小组办公室"   # 25 characters
    layout = signature_layout(organ, "2027年5月8日")
    assert layout.organ_fits and layout.date_indent == 28 - 2 - 25 + 2
    short = signature_layout("某局", "2027年12月31日")   # date longer than the organ: right space 2
    assert short.date_indent == 28 - 2 - 7   # '2027年12月31日' is 7 characters wide


# ---- measured layout ---------------------------------------------------------------------------

def test_pdf_layout_is_gbt9704(built: Round) -> None:
    check_gbt9704(built.notice.pdf, tol=0)


def test_pdf_metadata_and_fonts(built: Round) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(built.notice.pdf))
    meta = reader.metadata
    assert meta is not None and meta.title == "关于大兴安岭地区2027年度“兴安技术能手”拟表彰人选的公示"
    assert meta.author == "大兴安岭地区“兴安技术能手”选树工作领导小组办公室"
    fonts = subprocess.run(["pdffonts", str(built.notice.pdf)], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in row for row in fonts.splitlines()[2:]), "every font embedded"


def test_docx_layout(built: Round) -> None:
    doc = Document(str(built.notice.docx))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and "—" in xml and f'w:val="{align}"' in xml
    paragraphs = [p for p in doc.paragraphs if p.text]
    title = paragraphs[0].runs[0]
    assert title.font.size.pt == 22 and title.font.name == "方正小标宋简体"
    assert paragraphs[0].alignment == 1   # centred
    body = paragraphs[2].runs[0]
    assert body.font.size.pt == 16 and body.font.name == "仿宋_GB2312"
    assert paragraphs[2].paragraph_format.line_spacing.pt == pytest.approx(28.95)
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名", "性别", "工作单位及职务", "职业（工种）"]
    assert len(table.rows) == 21
    assert paragraphs[-1].text.strip() == "2027年5月8日" and paragraphs[-2].text.endswith("领导小组办公室")
    props = doc.core_properties
    assert props.title.startswith("关于大兴安岭地区") and props.created.year == 2027


@pytest.mark.slow
def test_docx_renders_with_the_same_layout(built: Round, tmp_path: Path) -> None:
    """LibreOffice stands in for Word: the DOCX keeps the 版心, the line pitch and the page numbers."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(built.notice.docx)], capture_output=True, check=True, timeout=120)
    # LibreOffice lacks the official fonts here and substitutes wider ones: allow 1.5 mm more.
    check_gbt9704(tmp_path / "公示.pdf", tol=1.5, hanging=True)


# ---- web page --------------------------------------------------------------------------------

def test_web_page(built: Round) -> None:
    html = built.notice.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'name="viewport"' in html
    assert "<h1><span>关于大兴安岭地区2027年度</span><span>“兴安技术能手”拟表彰人选的公示</span></h1>" in html
    assert "2027年5月10日至2027年5月14日（5个工作日）" in html and "0457-2756328" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "self-contained"
    assert "<script" not in html.replace("&lt;script", "")
    names = {n.candidate.code: n.candidate.name for n in built.check.nominees}
    assert all(f'<td class="c" data-label="姓名">{names[c]}</td>' in html for c in built.selected)


# ---- the stage --------------------------------------------------------------------------------

def small_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> argparse.Namespace:
    """4 nominees, 4 shortlisted (2 selected), sheets returned, calendar for 2027, no PDFs rendered."""
    from tests.review_fixtures import return_sheets, round_scores

    skip_pdfs(monkeypatch)
    ctx = shortlist_edition(tmp_path, monkeypatch, 4, 4)
    (ctx.edition.path / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
    return_sheets(ctx, round_scores)
    return argparse.Namespace(ctx=ctx)


def test_media_kit_is_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = small_round(tmp_path, monkeypatch)
    calls = []

    def build_media_kit(ctx: object, check: object, awardees: object) -> ExitCode:
        calls.append((ctx, check, awardees))
        return ExitCode.findings

    monkeypatch.setattr("pipeline.media.build.build_media_kit", build_media_kit)
    assert publicity.main(ns.ctx, argparse.Namespace()) == ExitCode.findings
    (ctx, check, awardees), = calls
    assert ctx is ns.ctx and len(awardees.awardees) == 2   # type: ignore[attr-defined]


def test_unknown_year_stops_the_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = small_round(tmp_path, monkeypatch)
    (ns.ctx.edition.path / "calendar.toml").unlink()
    with pytest.raises(EditionConfigError) as err:
        publicity.main(ns.ctx, argparse.Namespace())
    assert "calendar.toml" in str(err.value) and "2027" in str(err.value)


def test_reproducible_and_incremental(built: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same input gives the same bytes; a second run with nothing changed writes nothing."""
    from pipeline.stages.results import build_results

    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "again"))
    patch_check(monkeypatch, built.check)
    ctx = context(built.edition)
    results = build_results(ctx)
    files = publicity.build_publicity_notice(ctx, results, load_awardees(ctx, results.check))
    for new, old in zip(files.all(), built.notice.all(), strict=True):
        assert new.read_bytes() == old.read_bytes(), new.name
    stamps = [p.stat().st_mtime_ns for p in files.all()]
    publicity.build_publicity_notice(ctx, results, load_awardees(ctx, results.check))
    assert [p.stat().st_mtime_ns for p in files.all()] == stamps


def test_weasyprint_warnings_fail_the_document(tmp_path: Path) -> None:
    """WeasyPrint only logs a missing image or bad CSS; the pipeline refuses such a PDF."""
    import datetime as dt

    from pipeline.core.errors import RenderError
    from pipeline.review.render import html_to_pdf

    when = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    target = tmp_path / "x.pdf"
    with pytest.raises(RenderError, match="排版引擎报告问题") as err:
        html_to_pdf('<img src="no-such-image.png">', target, title="t", author="a", when=when, base_url=tmp_path)
    assert "no-such-image.png" in str(err.value) and not target.exists()
    with pytest.raises(RenderError):
        html_to_pdf("<style>p { colour: red; width: banana; }</style><p>x</p>", target, title="t", author="a",
                    when=when)
    assert html_to_pdf("<p>公示</p>", target, title="t", author="a", when=when) == 1 and target.is_file()
