"""The 公示 as a printer and an office see it: table pagination, column fit, sealed and unsealed
署名 (GB/T 9704 7.3.5.1 / 7.3.5.2), and the web page on a phone.

Notices are built in code from `NoticeRow`s (1–25 awardees, the longest realistic values) and
rendered through the same template as the stage; positions are read back from the PDF with
poppler (pdftohtml -xml) and compared in millimetres.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import subprocess
import typing
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.core.edition import Edition, load_edition
from pipeline.render.templating import render
from pipeline.render.wordbreak import char_width
from pipeline.review.notice import (
    LINE_CHARS,
    SEAL_SPACE_MM,
    Notice,
    NoticeRow,
    build_notice,
    sealed_layout,
    signature_layout,
    table_layout,
)
from pipeline.review.render import font_context, html_to_pdf
from pipeline.rules.workdays import Period
from pipeline.stages.publicity import notice_html
from tests.review_fixtures import DEMO
from tests.seal_fixtures import NAMES, UNIT40

MM = 72 / 25.4
"""Points per millimetre."""
LEFT, RIGHT = 28.0, 28.0 + 156.0
"""The 版心's left and right edges in mm."""
CHAR = 156 / 28
"""One body character in mm."""
PITCH = 225 / 22
"""Body line pitch in mm."""
OCCUPATIONS = ("桦树皮制作技艺（民间传统工艺）", "森林消防员", "工业机器人系统运维员", "电工")
WHEN = dt.datetime(2027, 5, 8, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Text:
    """One text run as poppler sees it (mm from the page's top-left corner)."""

    page: int
    top: float
    left: float
    right: float
    bottom: float
    text: str


def texts(pdf: Path) -> list[Text]:
    """Every text run of a PDF with its box in mm."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    out = []
    for page in ET.fromstring(xml).iter("page"):
        for t in page.iter("text"):
            left, top, width, height = (float(t.get(k, 0)) / MM for k in ("left", "top", "width", "height"))
            out.append(Text(int(page.get("number", 0)), top, left, left + width, top + height,
                            "".join(t.itertext())))
    return out


def rows(count: int, *, long: bool = True) -> tuple[NoticeRow, ...]:
    """`count` awardees; with `long`, the worst realistic names, units and occupations."""
    if not long:
        return tuple(NoticeRow(i, f"王{'建国秀兰'[i % 4]}", "男", "塔河林业局专业森林消防大队 中队长", "森林消防员")
                     for i in range(1, count + 1))
    return tuple(NoticeRow(i, NAMES[i % len(NAMES)], "女" if i % 2 else "男",
                           UNIT40 if i % 2 else "塔河林业局专业森林消防大队 中队长", OCCUPATIONS[i % len(OCCUPATIONS)])
                 for i in range(1, count + 1))


@functools.cache
def DEMO_EDITION() -> Edition:  # noqa: N802 - a constant, loaded once
    return load_edition(DEMO)


@pytest.fixture(scope="module")
def demo() -> Edition:
    return DEMO_EDITION()


def notice(edition: Edition, count: int, *, sealed: bool = True, long: bool = True) -> Notice:
    days = tuple(dt.date(2027, 5, d) for d in range(10, 15))
    built = build_notice(edition, rows(count, long=long), Period(days[0], days[-1], days), nominated=44,
                         shortlisted=40)
    return dataclasses.replace(built, sealed=sealed)


def pdf(edition: Edition, item: Notice, target: Path) -> Path:
    html_to_pdf(notice_html(item, font_context(edition)), target, title=item.title, author=item.organ, when=WHEN)
    return target


def row_pages(found: list[Text], count: int) -> dict[int, list[int]]:
    """Page → the 序号 of the awardee rows that start on it (read from the 序号 column)."""
    out: dict[int, list[int]] = {}
    for t in found:
        number = re.match(r"(\d{1,2})(\s|$)", t.text)
        if number and LEFT - 0.5 <= t.left < LEFT + 12:
            out.setdefault(t.page, []).append(int(number.group(1)))
    assert sorted(n for ns in out.values() for n in ns) == list(range(1, count + 1)), out
    return out


# ---- 1. table pagination and column fit ---------------------------------------------------------

COUNTS = tuple(range(1, 26))


@pytest.fixture(scope="module")
def rendered(demo: Edition, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, bool], list[Text]]:
    """Text runs of notices with 1–25 long rows (sealed) and a few short-row / unsealed ones."""
    folder = tmp_path_factory.mktemp("notices")
    out = {}
    for count in COUNTS:
        out[(count, True)] = texts(pdf(demo, notice(demo, count), folder / f"{count}.pdf"))
    for count in (2, 20):
        out[(count, False)] = texts(pdf(demo, notice(demo, count, long=False), folder / f"s{count}.pdf"))
    return out


def all_rendered(rendered: dict[tuple[int, bool], list[Text]]) -> Iterator[tuple[int, list[Text]]]:
    for (count, _), found in rendered.items():
        yield count, found


def test_no_table_page_holds_fewer_than_three_rows(rendered: dict[tuple[int, bool], list[Text]]) -> None:
    for count, found in all_rendered(rendered):
        pages = row_pages(found, count)
        for page, numbers in pages.items():
            assert len(numbers) >= min(3, count), (count, page, numbers)
        heads = [t for t in found if t.text == "工作单位及职务"]
        assert sorted({t.page for t in heads}) == sorted(pages), f"{count}: the header repeats on every table page"


def test_closing_text_starts_on_the_page_of_the_last_rows(rendered: dict[tuple[int, bool], list[Text]]) -> None:
    for count, found in all_rendered(rendered):
        last_page = max(row_pages(found, count))
        period = next(t for t in found if t.text.startswith("公示时间"))
        assert period.page == last_page, (count, period)
        date = next(t for t in found if t.text == "2027年5月8日")
        contact = next(t for t in found if t.text.startswith("地址"))
        assert date.page == contact.page, f"{count}: the 署名 never stands alone on a page"


def body_lines_on_date_page(found: list[Text], item: Notice) -> list[str]:
    """The body text lines (period, objections, contact) on the page of the 成文日期."""
    date = next(t for t in join_runs(found, gap=4) if t.text.replace(" ", "") == item.date)
    paragraphs = [p.replace(" ", "") for p in (*item.body, *item.contact)]
    return [t.text for t in join_runs(found, gap=4) if t.page == date.page and len(t.text.replace(" ", "")) >= 2
            and any(t.text.replace(" ", "") in p for p in paragraphs)]


def test_signature_page_holds_body_text(rendered: dict[tuple[int, bool], list[Text]]) -> None:
    """GB/T 9704 7.3.5: never a 署名 page without text; the 地址 stays with 受理部门, 联系人, 联系电话."""
    for (count, long), found in rendered.items():
        item = notice(DEMO_EDITION(), count, long=long)
        lines = body_lines_on_date_page(found, item)
        assert len(lines) >= 2, (count, long, lines)
        contact = {t.text.split("：")[0]: t.page for t in found if t.text.startswith(("受理部门", "联系人", "联系电话", "地址"))}
        assert len(set(contact.values())) == 1, (count, contact)


def join_runs(found: list[Text], gap: float = 1.0) -> list[Text]:
    """Runs on one baseline less than `gap` mm apart (poppler splits where the font changes) joined up."""
    out: list[Text] = []
    for t in sorted(found, key=lambda x: (x.page, round(x.top), x.left)):
        if out and out[-1].page == t.page and abs(out[-1].top - t.top) < 1 and 0 <= t.left - out[-1].right < gap:
            last = out.pop()
            t = Text(t.page, last.top, last.left, t.right, t.bottom, last.text + t.text)
        out.append(t)
    return out


def joined(found: list[Text]) -> set[str]:
    """The texts of `join_runs`."""
    return {t.text for t in join_runs(found)}


def test_names_genders_and_occupations_never_wrap(rendered: dict[tuple[int, bool], list[Text]]) -> None:
    for (count, long), found in rendered.items():
        runs = joined(found)
        for r in rows(count, long=long):
            for value in (r.name, r.gender, r.occupation):
                assert any(value in t for t in runs), (count, value)   # whole, on one line


def test_table_layout_fits_the_longest_values() -> None:
    short = table_layout(rows(20, long=False))
    assert short.size_pt == 14 and abs(sum(short.widths_mm) - 156) < 0.2
    long = table_layout(rows(20))
    assert 9 <= long.size_pt < 14 and abs(sum(long.widths_mm) - 156) < 0.2
    em = long.size_pt / 72 * 25.4
    assert long.widths_mm[4] >= char_width("桦树皮制作技艺（民间传统工艺）") * em + 2.4
    assert long.widths_mm[1] >= char_width("阿依古丽·买买提") * em + 2.4
    assert long.widths_mm[3] >= 9 * em   # the unit column keeps 9 characters a line


def test_occupation_column_is_as_wide_as_its_longest_value(rendered: dict[tuple[int, bool], list[Text]]) -> None:
    found = rendered[(20, True)]
    occupation = [t for t in found if t.text == "桦树皮制作技艺（民间传统工艺）"]
    head = next(t for t in found if t.text == "职业（工种）")
    assert occupation and all(t.right <= RIGHT + 0.3 for t in occupation)
    assert all(abs((t.left + t.right) / 2 - (head.left + head.right) / 2) < 1 for t in occupation), "centred in its column"


# ---- 2. sealed and unsealed 署名 ---------------------------------------------------------------

def sign_runs(found: list[Text], item: Notice) -> tuple[list[Text], Text]:
    """The 署名 line(s) and the date line on the last page."""
    last = max(t.page for t in found)
    page = [t for t in join_runs(found, gap=4) if t.page == last]   # LibreOffice spaces digits from CJK
    date = next(t for t in page if t.text.replace(" ", "") == item.date)
    organ = [t for t in page if t.text and t.text in item.organ and t.bottom <= date.top + 0.5 and t.top > date.top - 4 * PITCH]
    return organ, date


def test_sealed_layout_is_gbt9704_7_3_5_1(demo: Edition, tmp_path: Path) -> None:
    item = notice(demo, 5)
    found = texts(pdf(demo, item, tmp_path / "sealed.pdf"))
    organ, date = sign_runs(found, item)
    # 成文日期 right-aligned four characters from the right edge of the 版心.
    assert abs((RIGHT - date.right) - 4 * CHAR) < 1.0, date
    centre = (date.left + date.right) / 2
    # The 署名 (here on two lines: it does not fit centred over the date) centred over the date.
    assert "".join(t.text for t in sorted(organ, key=lambda t: t.top)) == item.organ
    assert len(organ) == 2
    for line in organ:
        assert abs((line.left + line.right) / 2 - centre) < 1.0, line
        assert line.left >= LEFT - 0.3 and line.right <= RIGHT + 0.3
    # The seal space: a 45 mm circle centred on the date's centre, half a line above the middle of
    # the 署名 and date block; nothing but the 署名 and date inside; its top within one line of the
    # text above; all of it inside the 版心 and on the same page.
    first = min(organ, key=lambda t: t.top)
    top = first.top - (PITCH - (first.bottom - first.top)) / 2   # the top of the 署名's line box
    cy = top + sealed_layout(item.organ, item.date).centre_lines * PITCH
    r = SEAL_SPACE_MM / 2
    assert centre - r >= LEFT and centre + r <= RIGHT, "the seal stays inside the 版心"
    assert cy + r <= 37 + 225 + 0.5, "the seal space ends inside the 版心"
    page = [t for t in found if t.page == date.page and t not in organ and t != date]
    above = max((t for t in page if t.bottom < top), key=lambda t: t.bottom)
    for t in page:
        dx = max(t.left - centre, 0, centre - t.right)
        dy = max(t.top - cy, 0, cy - t.bottom)
        assert dx * dx + dy * dy > r * r, f"text inside the seal space: {t}"
    line_bottom = above.bottom + (PITCH - (above.bottom - above.top)) / 2
    assert 0 <= (cy - r) - line_bottom <= PITCH, "the seal's top within one line of the text"


def test_unsealed_layout_is_gbt9704_7_3_5_2(demo: Edition, tmp_path: Path) -> None:
    item = notice(demo, 5, sealed=False)
    found = texts(pdf(demo, item, tmp_path / "unsealed.pdf"))
    organ, date = sign_runs(found, item)
    (line,) = organ
    assert line.text == item.organ
    assert abs((RIGHT - line.right) - 2 * CHAR) < 1.0, "署名 right-aligned two characters in"
    assert abs((date.left - line.left) - 2 * CHAR) < 1.0, "date's first character two right of the 署名's"


def test_sealed_layout_rules() -> None:
    layout = sealed_layout("某局", "2027年12月31日")
    assert layout.organ_lines == ("某局",) and layout.date_indent == LINE_CHARS - 4 - 7
    assert layout.organ_indents == (layout.centre - 1,)
    long = sealed_layout("大兴安岭地区“兴安技术能手”选树工作领导小组办公室", "2027年5月8日")
    assert long.organ_lines == ("大兴安岭地区“兴安技术能手”", "选树工作领导小组办公室")
    assert all(i + char_width(x) <= LINE_CHARS for i, x in zip(long.organ_indents, long.organ_lines, strict=True))


def test_edition_chooses_sealed(tmp_path: Path) -> None:
    from tests.review_fixtures import make_edition

    assert load_edition(DEMO).publicity.sealed is True
    folder = make_edition(tmp_path, {"sealed = true ": "sealed = false "})
    assert load_edition(folder).publicity.sealed is False


# ---- 4. the web page on a phone -----------------------------------------------------------------

def _probe(folder: Path, host: str) -> typing.Any:
    """Serve `host` (a page that writes its measurements as JSON into <pre id="probe">) from
    folder, load it in headless Chromium and return the measurements."""
    import html as htmllib
    import json

    from tests.chromium import run_chromium, serve

    (folder / "probe.html").write_text(host, encoding="utf-8")
    with serve(folder) as base:
        dom = run_chromium(["--virtual-time-budget=5000", "--dump-dom", base + "probe.html"])
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(htmllib.unescape(found.group(1)))


def test_web_page_on_a_phone_shows_cards(demo: Edition, tmp_path: Path) -> None:
    from tests.chromium import chromium

    if chromium() is None:
        pytest.skip("chromium is not installed")
    item = notice(demo, 4)
    (tmp_path / "gs.html").write_text(render("publicity/web.html.j2", notice=item), encoding="utf-8")
    # Headless Chromium keeps its window at least 500 px wide: the page is loaded into a 375 px
    # iframe (its own viewport, so its media queries see 375 px) and measured from the host page.
    host = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="gs.html" style="border:0;width:375px;height:800px"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {
  const win = document.getElementById('f').contentWindow, doc = win.document;
  const rows = [...doc.querySelectorAll('tbody tr')].map(tr => {
    const r = tr.getBoundingClientRect();
    const cells = [...tr.querySelectorAll('td')].map(td => {
      const b = td.getBoundingClientRect();
      return {label: win.getComputedStyle(td, '::before').content, left: b.left, right: b.right, top: b.top,
              height: b.height, text: td.textContent};
    });
    return {left: r.left, right: r.right, cells};
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  const title = [...doc.querySelectorAll('h1 span')].map(span => {
    const range = doc.createRange();
    range.selectNodeContents(span);
    const boxes = [...range.getClientRects()];
    return {text: span.textContent, lines: new Set(boxes.map(b => Math.round(b.top))).size,
            right: Math.max(...boxes.map(b => b.right)), left: Math.min(...boxes.map(b => b.left))};
  });
  out.textContent = JSON.stringify({width: win.innerWidth, scroll: doc.documentElement.scrollWidth, rows, title});
  document.body.appendChild(out);
});
</script></body></html>"""
    data = _probe(tmp_path, host)
    assert data["width"] == 375 and data["scroll"] <= 375, "no horizontal scroll at 375 px"
    # The title keeps the PDF's two lines: “关于大兴安岭地区2027年度” / “‘兴安技术能手’拟表彰人选的公示”,
    # each on one line of the screen (never a last line holding "示" alone).
    assert [t["text"] for t in data["title"]] == list(item.title_lines) and len(item.title_lines) == 2
    for line in data["title"]:
        assert line["lines"] == 1 and line["left"] >= 0 and line["right"] <= 375, line
    assert len(data["rows"]) == 4
    for row in data["rows"]:
        assert row["left"] >= 0 and row["right"] <= 375
        cells = row["cells"]
        tops = [c["top"] for c in cells]
        assert tops == sorted(tops) and len(set(round(t) for t in tops)) >= 4, "fields stacked, one under another"
        for cell in cells:
            assert cell["right"] <= 375 and cell["height"] > 0 and cell["text"].strip()
        labels = [c["label"].strip('"') for c in cells]
        assert labels == ["序号", "姓名", "性别", "工作单位及职务", "职业（工种）"], labels


def test_web_title_keeps_its_two_lines_on_narrow_phones(demo: Edition, tmp_path: Path) -> None:
    """At 320 and 360 px (common Android widths) the title still shows the PDF's two lines."""

    from tests.chromium import chromium

    if chromium() is None:
        pytest.skip("chromium is not installed")
    item = notice(demo, 4)
    (tmp_path / "gs.html").write_text(render("publicity/web.html.j2", notice=item), encoding="utf-8")
    frames = "".join(f'<iframe src="gs.html" style="border:0;width:{w}px;height:600px"></iframe>' for w in (320, 360))
    host = f"""<!DOCTYPE html><html><body style="margin:0">{frames}
<script>
window.addEventListener('load', () => {{
  const data = [...document.querySelectorAll('iframe')].map(f => {{
    const doc = f.contentWindow.document;
    return {{width: f.contentWindow.innerWidth, title: [...doc.querySelectorAll('h1 span')].map(span => {{
      const range = doc.createRange();
      range.selectNodeContents(span);
      const boxes = [...range.getClientRects()];
      return {{lines: new Set(boxes.map(b => Math.round(b.top))).size, right: Math.max(...boxes.map(b => b.right))}};
    }})}};
  }});
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify(data);
  document.body.appendChild(out);
}});
</script></body></html>"""
    for frame in _probe(tmp_path, host):
        assert len(frame["title"]) == 2, frame
        for line in frame["title"]:
            assert line["lines"] == 1 and line["right"] <= frame["width"], frame


# ---- the DOCX as LibreOffice sets it ------------------------------------------------------------

FILLER = "兴安岭林区技能人才扎根一线精益求精勇于创新，"
"""22 characters of CJK text without digits (no autospace), ending in a comma."""


def test_docx_declares_the_28_by_22_grid(demo: Edition, tmp_path: Path) -> None:
    """w:docGrid linesAndChars: Word and WPS compute 28 characters × 22 lines from it."""
    from docx import Document
    from docx.oxml.ns import qn

    from pipeline.review.notice import docx_fonts, write_docx

    item = notice(demo, 3)
    write_docx(item, tmp_path / "g.docx", docx_fonts(demo), author=item.organ, when=WHEN)
    doc = Document(str(tmp_path / "g.docx"))
    section = doc.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch"))) / 20
    char = doc.styles["Normal"].font.size.pt + int(grid.get(qn("w:charSpace"))) / 4096
    width = (section.page_width - section.left_margin - section.right_margin) / 12700
    height = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    assert int(width // char) == 28 and int(height // pitch) == 22
    # Every paragraph written is off the grid (exact pitch, run spacing): the same in every program.
    written = [p for p in doc.paragraphs if p.text.strip()]
    assert all(p._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0" for p in written)


def write_docx(edition: Edition, item: Notice, target: Path) -> Path:
    """The 公示 DOCX as the stage writes it (the template, the measured unit lines) → target."""
    from pipeline.packets.docx_form import docx_measure
    from pipeline.review.notice import docx_fonts, write_docx

    write_docx(item, target, docx_fonts(edition), author=item.organ, when=WHEN, measure=docx_measure(edition.fonts))
    return target


def lo_print(docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The DOCX printed by LibreOffice (pipeline.preflight.docx.print_docx) as on a machine with the
    official fonts: their names resolve to faces with the same metrics class (1 em CJK, proportional
    half-width digits) instead of a Latin sans with wide digits → the PDF."""
    from pipeline.preflight.docx import libreoffice, print_docx

    if libreoffice() is None:
        pytest.skip("LibreOffice is not installed")
    aliases = "".join(
        f'<match target="pattern"><test name="family"><string>{official}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{free}</string></edit></match>'
        for official, free in (("仿宋_GB2312", "Noto Serif CJK SC"), ("方正小标宋简体", "Noto Serif CJK SC"),
                               ("黑体", "Noto Sans CJK SC"), ("宋体", "Noto Serif CJK SC")))
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    printed = print_docx([(docx, docx.stem)], tmp_path / "lo", tmp_path / "profile")[docx]
    assert isinstance(printed, Path), printed
    return printed


@pytest.mark.slow
def test_docx_keeps_rows_together_and_the_sealed_layout(demo: Edition, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice stands in for Word: ≥ 3 rows on every table page, date 4 characters in, 署名 over it."""
    # A long introduction fills a whole page with body text: 22 lines of 28 characters.
    item = dataclasses.replace(notice(demo, 20), intro=(FILLER * 25, FILLER * 45))
    found = texts(lo_print(write_docx(demo, item, tmp_path / "公示.docx"), tmp_path, monkeypatch))
    body = [t for t in join_runs(found, gap=4) if t.page == 2 and t.bottom - t.top > 6 and t.bottom < 37 + 225]
    assert len(body) == 22, "22 lines on a page of body text"
    assert all(len(t.text.rstrip("，。")) <= 28 for t in body)   # LibreOffice may hang a closing mark
    assert sum(len(t.text.rstrip("，。")) >= 27 for t in body) >= 20, [t.text for t in body]
    assert max(len(t.text) for t in body) >= 28
    pages = row_pages(found, 20)
    assert all(len(numbers) >= 3 for numbers in pages.values()), pages
    runs = joined(found)
    for r in item.rows:
        for value in (r.name, r.occupation):
            assert any(value in t for t in runs), value   # whole, on one line
    for head in ("序号", "性别", "职业（工种）"):
        assert head in runs
    organ, date = sign_runs(found, item)
    # Every line is centred on the tab stop at the centre of a date right-aligned 4 characters in
    # (4 + 3 characters from the right edge for '2027年5月8日', 6 characters wide in Word). LibreOffice
    # adds its own space between digits and CJK (it does not read w:autoSpaceDN) and so sets the
    # date up to 9 mm wider: its centre is still the tab stop, its right space 4 characters ± 4.5 mm.
    stop = LEFT + sealed_layout(item.organ, item.date).centre * 15.75 / MM
    assert abs((date.left + date.right) / 2 - stop) < 1.0, date
    assert abs((RIGHT - date.right) - 4 * CHAR) < 4.5, date
    assert "".join(t.text for t in sorted(organ, key=lambda t: t.top)) == item.organ
    for line in organ:
        assert abs((line.left + line.right) / 2 - (date.left + date.right) / 2) < 1.0, line
        assert line.right <= RIGHT + 0.6
    assert date.page == next(t for t in found if t.text.startswith("地址")).page
    assert len(body_lines_on_date_page(found, item)) >= 2, "the 署名's page holds body text"


@pytest.mark.slow
def test_docx_unsealed_signature(demo: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice stands in for Word: without a seal the 署名 is right-aligned two characters in and
    the date starts two characters right of it (GB/T 9704 7.3.5.2), after the contact lines."""
    item = notice(demo, 5, sealed=False)
    found = texts(lo_print(write_docx(demo, item, tmp_path / "公示.docx"), tmp_path, monkeypatch))
    organ, date = sign_runs(found, item)
    (line,) = organ
    assert line.text == item.organ
    # LibreOffice sets "“兴安技术能手”" a little wider than Word (its own space around the quotes).
    assert abs((RIGHT - line.right) - 2 * CHAR) < 1.5, "署名 right-aligned two characters in"
    assert abs(date.left - (LEFT + signature_layout(item.organ, item.date).date_indent * CHAR)) < 1.0, date
    assert date.page == next(t for t in found if t.text.startswith("地址")).page


def test_notice_template_is_reproducible_from_its_script() -> None:
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_notice_template", root / "tools" / "make_notice_template.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (root / "templates" / "publicity" / "公示.docx").read_bytes()


def test_the_office_edits_the_template_in_word(demo: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the office changes around the tags (a column head, a word of the text, the font of the
    contact lines) is what the next 公示 prints; the tags still fill in every awardee."""
    from docx import Document
    from docx.oxml.ns import qn

    from pipeline.review import notice as notice_module

    template = Document(str(notice_module.NOTICE_TEMPLATE))
    head = template.tables[0].rows[0].cells[4].paragraphs[0].runs[0]
    head.text = "职业"
    contact = next(p for p in template.paragraphs if p.text == "{{ text }}" and p.paragraph_format.keep_together)
    contact.runs[0]._r.rPr.find(qn("w:rFonts")).set(qn("w:eastAsia"), "楷体_GB2312")
    edited = tmp_path / "公示模板.docx"
    template.save(str(edited))
    monkeypatch.setattr(notice_module, "NOTICE_TEMPLATE", edited)
    item = notice(demo, 4)
    doc = Document(str(write_docx(demo, item, tmp_path / "公示.docx")))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名", "性别", "工作单位及职务", "职业"]
    assert [row.cells[1].text for row in table.rows[1:]] == [r.name for r in item.rows]
    phone = next(p for p in doc.paragraphs if p.text.startswith("联系电话"))
    assert phone.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"


def test_a_broken_template_names_the_file_and_the_fix(demo: Edition, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from docx import Document

    from pipeline.core.errors import RenderError
    from pipeline.review import notice as notice_module

    template = Document(str(notice_module.NOTICE_TEMPLATE))
    tag = next(p for p in template.paragraphs if p.text == "{%p endfor %}")
    tag.runs[0].text = "{%p endfo %}"
    broken = tmp_path / "公示模板.docx"
    template.save(str(broken))
    monkeypatch.setattr(notice_module, "NOTICE_TEMPLATE", broken)
    with pytest.raises(RenderError) as caught:
        write_docx(demo, notice(demo, 2), tmp_path / "公示.docx")
    assert "公示（Word）模板出错" in caught.value.message and caught.value.file == str(broken)
    assert "make_notice_template.py" in (caught.value.hint or "")
    assert not (tmp_path / "公示.docx").exists()
