"""The 公示 notice: its content (`Notice`) and its editable Word rendition.

`build_notice` turns the edition, the proposed awardees and the publicity period into one
`Notice`; the PDF (WeasyPrint), the web page and the DOCX all render that same object, so the
three never say different things.

The DOCX is generated with python-docx rather than filled from a docxtpl template: the
GB/T 9704 layout lives in section and paragraph properties (page margins, the 22 × 28
document grid, exact line pitch, odd/even footers with a PAGE field), which are easier to set
exactly and to test in code than to keep in a binary template, and the table has a variable
number of rows. Fonts are named by their official names (方正小标宋简体, 仿宋_GB2312, 黑体,
宋体) so the signing leader's Word shows the official faces; elsewhere Word substitutes.

Print rules shared by the PDF and the DOCX: the awardee table is fitted to its contents
(`table_layout`: names, genders and occupations never wrap); no table page holds fewer than
three rows and the last rows stay with the closing text; the contact lines (受理部门 … 地址) and
the 署名 are kept together, so the 署名's page always holds body text (GB/T 9704 7.3.5); the 署名
is laid out for a seal (`sealed_layout`, GB/T 9704 7.3.5.1) or without one (`signature_layout`,
7.3.5.2), as edition.toml [publicity] sealed chooses.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import atomic
from pipeline.edition import Edition
from pipeline.office import fixed_zip
from pipeline.review.render import char_width
from pipeline.workdays import Period, cn_date

TITLE_LINE_CHARS = 20
"""Full-width characters of 2号 (22 pt) that fit in the 156 mm 版心 line."""
LINE_CHARS = 28
"""Characters per body line (3号)."""
GRID_PITCH_TWIPS = 579
"""Line pitch of the 22-line grid in twentieths of a point (225 mm / 22 = 28.95 pt)."""
CHAR_SPACING_TWIPS = -6
"""Character spacing of body text: 16 pt − 0.3 pt = 15.7 pt a character, 28 in the 156 mm line.

The section declares the 28 × 22 grid (w:docGrid linesAndChars, GRID_CHAR_SPACE) for Word and WPS:
page set-up shows 每行 28 字、每页 22 行 and text the editor adds in the Normal style snaps to it.
Every paragraph written here opts out of the grid (w:snapToGrid 0) and gets its 28 characters
from this spacing and its 22 lines from an exact 28.95 pt pitch, because LibreOffice (7.4) gives
a CJK character wider than the grid cell two cells (a 16 pt character on the 15.79 pt grid: 14
a line, measured) and, with a character grid, narrows the line to 28 whole cells (441 pt): 15.7 pt
characters fit there, and in Word and WPS too."""
CHAR_TWIPS = 315
"""One body character (15.75 pt) in twips."""
GRID_CHAR_SPACE = -849
"""w:docGrid w:charSpace: Word's character pitch is the Normal size plus charSpace / 4096 pt,
16 − 849 / 4096 = 15.79 pt, 28 characters in the 156 mm line."""


@dataclass(frozen=True)
class NoticeRow:
    """One proposed awardee in the 公示 table (public data only)."""

    no: int
    """序号."""
    name: str
    """姓名."""
    gender: str
    """性别."""
    unit: str
    """工作单位及职务."""
    occupation: str
    """职业（工种）."""


@dataclass(frozen=True)
class Notice:
    """Everything the 公示 says, in reading order."""

    title: str
    """The title on one line."""
    title_lines: tuple[str, ...]
    """The title broken into centred lines (GB/T 9704: meaning kept whole, lines balanced)."""
    intro: tuple[str, ...]
    """Paragraphs before the table: basis and process."""
    rows: tuple[NoticeRow, ...]
    """The proposed awardees."""
    body: tuple[str, ...]
    """Paragraphs after the table: period and how to object."""
    contact: tuple[str, ...]
    """Contact lines: office, 联系人, 电话, address."""
    organ: str
    """署名."""
    date: str
    """成文日期, e.g. 2027年5月8日."""
    period: Period
    """The publicity period."""
    sealed: bool = True
    """True: the 署名 is laid out for a seal (GB/T 9704 7.3.5.1); False: without one (7.3.5.2)."""


def title_lines(title: str) -> tuple[str, ...]:
    """Break a title for 2号 type: one line when it fits, else before its quoted honour."""
    if char_width(title) <= TITLE_LINE_CHARS:
        return (title,)
    cut = title.find("“")
    if cut > 0 and char_width(title[:cut]) <= TITLE_LINE_CHARS and char_width(title[cut:]) <= TITLE_LINE_CHARS:
        return (title[:cut], title[cut:])
    return (title,)


def _quote_title(title: str) -> str:
    """A document title inside 《》: inner 《》 become 〈〉."""
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def round_year(edition: Edition) -> str:
    """'大兴安岭地区2027年度“兴安技术能手”' as every document of the round names it."""
    r = edition.round
    return f"{r.region}{r.year}年度“{r.honour}”"


def approving_body(edition: Edition) -> str:
    """The body that approves the proposed list ([publicity] approved_by, default 地区人才工作小组会; may be "")."""
    return str(edition.raw.get("publicity", {}).get("approved_by", "地区人才工作小组会"))


def review_process(edition: Edition, *, nominated: int, shortlisted: int) -> str:
    """What was done up to the expert review, as the 公示, the 请示 and the 表彰决定 say it (ends with a comma):
    '根据《…》（…）要求，…选树工作按照…的程序进行。全区共推荐候选人N名，…专家评审组…进行了评审，'."""
    r = edition.round
    return (f"根据{_quote_title(r.basis_title)}（{r.basis_number}）要求，{round_year(edition)}选树工作按照单位推荐和个人自荐、"
            f"择优推荐、资格初审、专家评审的程序进行。全区共推荐候选人{nominated}名，经领导小组办公室资格审查，"
            f"领导小组确定提名人选{shortlisted}名；专家评审组对候选人的技能水平、业绩和贡献进行了评审，")


def build_notice(edition: Edition, rows: tuple[NoticeRow, ...], period: Period, *, nominated: int,
                 shortlisted: int) -> Notice:
    """The 公示's content from the edition, the awardees (public fields only) and the period."""
    office = edition.office
    year = round_year(edition)
    title = f"关于{year}拟表彰人选的公示"
    approved_by = approving_body(edition)
    approval = f"并经{approved_by}审议通过，" if approved_by else ""
    intro = (
        review_process(edition, nominated=nominated, shortlisted=shortlisted)
        + f"{approval}确定{len(rows)}名同志为{year}拟表彰人选。现予以公示，名单如下（排名不分先后）：",
    )
    days = len(period.days)
    body = (
        f"公示时间：{period.chinese}（{days}个工作日）。",
        f"公示期间，任何单位和个人对拟表彰人选有异议的，请以书面形式向{office.name}反映。"
        "个人反映情况须署真实姓名，单位反映情况须加盖本单位公章，并提供联系方式，以便核实。"
        "匿名或超过公示时间反映的情况不予受理。我们将对反映人的信息严格保密。",
    )
    contact = [f"受理部门：{office.department}", f"联系人：{office.contact}", f"联系电话：{office.phone}"]
    if office.address:
        contact.append(f"地址：{office.address}")
    return Notice(title, title_lines(title), intro, rows, body, tuple(contact), edition.publicity_organ,
                  cn_date(edition.publicity.date), period, edition.publicity.sealed)


# ---- the awardee table -----------------------------------------------------------------------

TABLE_HEADERS = ("序号", "姓名", "性别", "工作单位及职务", "职业（工种）")
"""Column heads of the awardee table."""
TABLE_WIDTH_MM = 156.0
"""The table spans the 版心."""
TABLE_SIZES_PT = (14.0, 12.0, 10.5, 9.0)
"""Type sizes tried for the table, largest first: 4号, 小4号, 5号, the 9 pt floor."""
CELL_PAD_MM = 1.2
"""Left and right padding of a table cell."""
UNIT_MIN_CHARS = 9
"""The 工作单位及职务 column keeps at least this many characters a line."""


@dataclass(frozen=True)
class TableLayout:
    """Type size and column widths of the awardee table, fitted to its contents."""

    size_pt: float
    """Type size of heads and cells."""
    widths_mm: tuple[float, ...]
    """Column widths in TABLE_HEADERS order (sum = TABLE_WIDTH_MM)."""

    @property
    def line_mm(self) -> float:
        """Height of one table text line (line-height 1.35)."""
        return self.size_pt * 1.35 / 72 * 25.4


def table_layout(rows: tuple[NoticeRow, ...]) -> TableLayout:
    """Fit 序号, 姓名, 性别 and 职业（工种） to their longest value; 工作单位及职务 takes the rest.

    Names, genders and occupations never wrap: the largest size at which the unit column keeps
    UNIT_MIN_CHARS characters a line wins (floor 9 pt).
    """
    columns = (
        [TABLE_HEADERS[0], *(str(r.no) for r in rows)],
        [TABLE_HEADERS[1], *(r.name for r in rows)],
        [TABLE_HEADERS[2], *(r.gender for r in rows)],
        [TABLE_HEADERS[4], *(r.occupation for r in rows)],
    )
    chars = [max(char_width(v) for v in col) + 0.25 for col in columns]   # slack for glyph widths
    layout = TableLayout(TABLE_SIZES_PT[-1], ())
    for size in TABLE_SIZES_PT:
        em = size / 72 * 25.4
        no, name, sex, occ = (round(c * em + 2 * CELL_PAD_MM + 0.3, 1) for c in chars)
        unit = round(TABLE_WIDTH_MM - no - name - sex - occ, 1)
        layout = TableLayout(size, (no, name, sex, unit, occ))
        if unit >= UNIT_MIN_CHARS * em + 2 * CELL_PAD_MM:
            break
    return layout


@dataclass(frozen=True)
class SignLayout:
    """Where the 署名 and 成文日期 go (GB/T 9704 7.3.5.2, a document without a seal)."""

    date_indent: float
    """Left indent of the 成文日期 in body characters."""
    organ_fits: bool
    """True when the 署名 fits on one line with two characters right space."""


def signature_layout(organ: str, date: str) -> SignLayout:
    """署名 right-aligned two characters in; the date's first character two characters right of the 署名's.

    When the date would then end closer than two characters to the margin, it is right-aligned two
    characters in instead (and the 署名 stays where it is).
    """
    organ_chars, date_chars = char_width(organ), char_width(date)
    fits = organ_chars <= LINE_CHARS - 2
    start = (LINE_CHARS - 2 - organ_chars if fits else 0) + 2
    start = min(start, LINE_CHARS - 2 - date_chars)
    return SignLayout(max(0.0, start), fits)


SEAL_SPACE_MM = 45.0
"""Diameter of the seal space (a round 公章 is 40–42 mm)."""
PITCH_MM = 225 / 22
"""Body line pitch."""
CHAR_MM = 156 / 28
"""Body character width."""
_ORGAN_BREAK_AFTER = "”）区市县旗局委会部厅处组司院"
"""Characters after which a long 署名 may be broken (never inside quotes or brackets)."""


@dataclass(frozen=True)
class SealedLayout:
    """Where the 署名, 成文日期 and seal go (GB/T 9704 7.3.5.1, a sealed document, one organ).

    Positions are in body characters from the left edge of the 版心 and in body lines.
    """

    organ_lines: tuple[str, ...]
    """The 署名, on two lines when it does not fit centred over the date."""
    organ_indents: tuple[float, ...]
    """Left indent of each 署名 line (centred over the date)."""
    date_indent: float
    """Left indent of the 成文日期 (right-aligned four characters in)."""
    centre: float
    """Seal centre, horizontally: the centre of the date."""
    gap_lines: int
    """Empty lines between the last body line and the 署名 (the seal's top within one line of the text)."""
    centre_lines: float
    """Seal centre, vertically: lines below the top of the 署名's first line."""
    tail_mm: float
    """How far the seal reaches below the date line."""


def _split_organ(organ: str, room: float) -> tuple[str, ...]:
    """A 署名 as one line when it fits `room` characters, else two lines broken after a word."""
    if char_width(organ) <= room:
        return (organ,)
    depth, best, fallback = 0, None, None
    for i, ch in enumerate(organ[:-1], start=1):
        depth += (ch in "“（《") - (ch in "”）》")
        head, tail = organ[:i], organ[i:]
        if depth or char_width(head) > room or char_width(tail) > room:
            continue
        score = abs(char_width(head) - char_width(tail))
        if ch in _ORGAN_BREAK_AFTER and (best is None or score < best[0]):
            best = (score, (head, tail))
        if fallback is None or score < fallback[0]:
            fallback = (score, (head, tail))
    chosen = best or fallback
    return chosen[1] if chosen else (organ,)


def sealed_layout(organ: str, date: str) -> SealedLayout:
    """成文日期 right-aligned four characters in; the 署名 centred over it; the seal presses both.

    The seal's centre sits half a line above the middle of the 署名 and date block (so they are
    "居印章中心偏下"), its top within one line of the text above.
    """
    date_chars = char_width(date)
    date_indent = LINE_CHARS - 4 - date_chars
    centre = date_indent + date_chars / 2
    room = 2 * min(centre, LINE_CHARS - centre)
    lines = _split_organ(organ, room)
    indents = tuple(max(0.0, min(centre - char_width(x) / 2, LINE_CHARS - char_width(x))) for x in lines)
    block = len(lines) + 1
    centre_lines = (block - 1) / 2
    radius = SEAL_SPACE_MM / 2 / PITCH_MM
    gap = max(1, math.ceil(radius - centre_lines - 1e-9))
    tail = max(0.0, (centre_lines + radius - block) * PITCH_MM)
    return SealedLayout(lines, indents, date_indent, centre, gap, centre_lines, round(tail, 2))


def notice_text(notice: Notice) -> str:
    """The notice as plain text (for checks and the privacy scan)."""
    lines = [*notice.title_lines, *notice.intro]
    lines += [f"{r.no} {r.name} {r.gender} {r.unit} {r.occupation}" for r in notice.rows]
    lines += [*notice.body, *notice.contact, notice.organ, notice.date]
    return "\n".join(lines)


# ---- DOCX ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocxFonts:
    """Font names written into the DOCX (the official names of the roles)."""

    title: str
    """小标宋 role."""
    title_bold: bool
    """True when the configured title font is a bold stand-in."""
    body: str
    """仿宋 role."""
    hei: str
    """黑体 role."""
    song: str = "宋体"
    """Page numbers (GB/T 9704: 4号半角宋体阿拉伯数字)."""


def docx_fonts(edition: Edition) -> DocxFonts:
    """The first (official) family of each role in edition.toml [fonts]."""
    title, _, style = edition.fonts.title[0].partition(":")
    return DocxFonts(title, style.strip().lower() == "bold", edition.fonts.body[0].partition(":")[0],
                     edition.fonts.hei[0].partition(":")[0])


def _set_fonts(rpr_parent: Any, family: str) -> None:
    """Set ascii/hAnsi/eastAsia/cs fonts of a run or style (no theme fonts)."""
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)


def _run(paragraph: Any, text: str, family: str, size: float, bold: bool = False, *,
         spacing: int = 0) -> Any:
    """Add a run of text in a font family and size (optionally with character spacing) → the run."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._r, family)
    if spacing:
        rpr = run._r.get_or_add_rPr()
        _insert(rpr, rpr.makeelement(qn("w:spacing"), {qn("w:val"): str(spacing)}),
                ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                 "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                 "w:eastAsianLayout", "w:specVanish", "w:oMath"))
    return run


def _insert(parent: Any, element: Any, successors: tuple[str, ...]) -> None:
    """Insert element before the first of its schema successors present (OOXML child order matters)."""
    from docx.oxml.ns import qn

    for child in parent:
        if child.tag in {qn(t) for t in successors}:
            child.addprevious(element)
            return
    parent.append(element)


def _exact(paragraph: Any, pitch_pt: float, *, snap: bool = False) -> None:
    """Give a paragraph an exact line pitch, no spacing, strict punctuation, off the document grid.

    Off the grid (w:snapToGrid 0) the pitch is exact in Word, WPS and LibreOffice alike; see
    CHAR_SPACING_TWIPS for why the character grid is declared but not snapped to.
    """
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ppr = paragraph._p.get_or_add_pPr()
    for tag in ("w:overflowPunct", "w:autoSpaceDE", "w:autoSpaceDN"):
        # punctuation stays inside the 版心; no extra space between Chinese and digits
        _insert(ppr, ppr.makeelement(qn(tag), {qn("w:val"): "0"}),
                ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc"))
    if not snap:
        ppr = paragraph._p.get_or_add_pPr()
        _insert(ppr, ppr.makeelement(qn("w:snapToGrid"), {qn("w:val"): "0"}),
                ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                 "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"))


def _indent_chars(paragraph: Any, *, first: float = 0, left: float = 0, right: float = 0) -> None:
    """Indents in body characters (15.75 pt), written in twips so every word processor agrees."""
    from docx.shared import Twips

    fmt = paragraph.paragraph_format
    if first:
        fmt.first_line_indent = Twips(round(first * CHAR_TWIPS))
    if left:
        fmt.left_indent = Twips(round(left * CHAR_TWIPS))
    if right:
        fmt.right_indent = Twips(round(right * CHAR_TWIPS))


def _page_number(paragraph: Any, family: str) -> None:
    """'—PAGE—' in 4号 宋体."""
    from docx.oxml.ns import qn

    _run(paragraph, "—", family, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = _run(paragraph, "", family, 14)
        if kind == "instr":
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
            run._r.append(el)
        elif kind == "text":
            run.text = text
        else:
            run._r.append(run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
    _run(paragraph, "—", family, 14)


def _cell(cell: Any, text: str | tuple[str, ...], family: str, size: float, *, center: bool) -> None:
    """Write text (or its lines, joined by line breaks) into a table cell, centred vertically."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    _exact(paragraph, size * 1.35, snap=False)
    lines = (text,) if isinstance(text, str) else text
    for i, line in enumerate(lines):
        run = _run(paragraph, line, family, size)
        if i < len(lines) - 1:
            run.add_break()


def unit_lines(unit: str, width_mm: float, size: float, measure: Any) -> tuple[str, ...]:
    """工作单位及职务 → its lines in a DOCX cell of `width_mm` (padding excluded): broken only between
    words, never one character alone on a line (pipeline.wordbreak.break_lines), so Word, WPS and
    LibreOffice cannot break "加格达奇区" or "医疗护理员" themselves."""
    from pipeline.wordbreak import break_lines

    return tuple(break_lines(unit, width_mm, size, measure))


def _sealed_signature(doc: Any, notice: Notice, fonts: DocxFonts, pitch: float) -> None:
    """署名 and 成文日期 for a seal (GB/T 9704 7.3.5.1), kept on one page with the last text line.

    Every line is centred on one centre tab stop, the date's centre when it is right-aligned four
    characters in: the 署名 is centred over the date however wide the word processor sets the
    digits. Empty lines above keep the seal's top within one line of the text; one empty line
    below keeps its lower edge on the page.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Twips

    layout = sealed_layout(notice.organ, notice.date)
    centre = Twips(round(layout.centre * CHAR_TWIPS))
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(layout.gap_lines):
        gap = doc.add_paragraph()
        _exact(gap, pitch)
        gap.paragraph_format.keep_with_next = True
    for text in (*layout.organ_lines, notice.date):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _exact(p, pitch)
        p.paragraph_format.tab_stops.add_tab_stop(centre, WD_TAB_ALIGNMENT.CENTER)
        _run(p, "\t" + text, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        p.paragraph_format.keep_with_next = True
    if layout.tail_mm <= 0:
        p.paragraph_format.keep_with_next = False
    else:
        _exact(doc.add_paragraph(), pitch)  # room for the seal's lower edge


def write_docx(notice: Notice, target: Path, fonts: DocxFonts, *, author: str, when: dt.datetime,
               measure: Any = None) -> None:
    """The 公示 as an editable DOCX in the GB/T 9704 layout, written reproducibly.

    `measure` (a pipeline.packets.fit.Measure of the body face as the DOCX sets it) breaks the
    工作单位及职务 cells between words; without it the word processor breaks them.
    """
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    pitch = GRID_PITCH_TWIPS / 20

    # Defaults: 3号 仿宋, no theme fonts, no paragraph spacing.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for el in rpr.findall(qn("w:rFonts")):
        rpr.remove(el)
    rfonts = rpr.makeelement(qn("w:rFonts"), {qn(a): fonts.body for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")})
    rpr.insert(0, rfonts)
    rpr.find(qn("w:sz")).set(qn("w:val"), "32")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "32")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(GRID_PITCH_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _set_fonts(normal.element, fonts.body)

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(GRID_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(GRID_CHAR_SPACE))
    doc.settings.odd_and_even_pages_header_footer = True

    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _exact(odd, 14, snap=False)
    _indent_chars(odd, right=14 / 15.75)
    _page_number(odd, fonts.song)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _exact(even, 14, snap=False)
    _indent_chars(even, left=14 / 15.75)
    _page_number(even, fonts.song)

    body = doc.paragraphs[0] if doc.paragraphs else None
    for i, line in enumerate(notice.title_lines):
        p = body if (i == 0 and body is not None) else doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact(p, pitch)  # off the grid: a 2号 line would take two grid lines when snapped
        _run(p, line, fonts.title, 22, bold=fonts.title_bold)
    _exact(doc.add_paragraph(), pitch)  # one empty line under the title

    def para(text: str, *, indent: bool = True) -> Any:
        """Text → a justified body paragraph (first line indented two characters)."""
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _exact(p, pitch)
        if indent:
            _indent_chars(p, first=2)
        _run(p, text, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        return p

    for text in notice.intro:
        para(text)

    table = doc.add_table(rows=1 + len(notice.rows), cols=len(TABLE_HEADERS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    for el in tblpr.findall(qn("w:tblW")) + tblpr.findall(qn("w:tblLayout")):
        tblpr.remove(el)
    _insert(tblpr, tblpr.makeelement(qn("w:tblW"), {qn("w:w"): str(round(156 / 25.4 * 1440)), qn("w:type"): "dxa"}),
            ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
             "w:tblLook", "w:tblCaption", "w:tblDescription"))
    _insert(tblpr, tblpr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"}),
            ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"))
    margins = tblpr.makeelement(qn("w:tblCellMar"), {})   # the same cell padding as the PDF
    for side in ("w:left", "w:right"):
        margins.append(margins.makeelement(qn(side), {qn("w:w"): str(round(CELL_PAD_MM / 25.4 * 1440)),
                                                       qn("w:type"): "dxa"}))
    _insert(tblpr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))
    fit = table_layout(notice.rows)
    for j, (name, width) in enumerate(zip(TABLE_HEADERS, fit.widths_mm, strict=True)):
        table.columns[j].width = Mm(width)
        for row in table.rows:
            row.cells[j].width = Mm(width)
        _cell(table.rows[0].cells[j], name, fonts.hei, fit.size_pt, center=True)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(header.makeelement(qn("w:tblHeader"), {}))
    for i, r in enumerate(notice.rows, start=1):
        tr = table.rows[i]
        tr._tr.get_or_add_trPr().append(tr._tr.makeelement(qn("w:cantSplit"), {}))
        unit: str | tuple[str, ...] = r.unit
        if measure is not None:   # 0.5 mm slack: Word's and WPS's faces may set a little wider
            unit = unit_lines(r.unit, fit.widths_mm[3] - 2 * CELL_PAD_MM - 0.5, fit.size_pt, measure)
        values = (str(r.no), r.name, r.gender, unit, r.occupation)
        for j, value in enumerate(values):
            _cell(tr.cells[j], value, fonts.body, fit.size_pt, center=j != 3)
            # Keep-with-next on a row keeps it on the page of the next one: the first two rows go
            # with the third, the last three with the closing text (no table page under 3 rows).
            if i <= 2 or i >= len(notice.rows) - 2:
                tr.cells[j].paragraphs[0].paragraph_format.keep_with_next = True

    first = True
    for text in notice.body:
        p = para(text)
        if first:
            p.paragraph_format.space_before = Pt(pitch / 2)
            first = False
    # The contact lines and the 署名 are one block (keep-with-next through the date): when the
    # 署名 and its seal space do not fit under the last text, the contact lines go along, so the
    # 署名's page always holds body text (GB/T 9704 7.3.5).
    for text in notice.contact:
        p = para(text)
        p.paragraph_format.keep_together = True
        p.paragraph_format.keep_with_next = True

    if notice.sealed:
        _sealed_signature(doc, notice, fonts, pitch)
    else:
        blank = doc.add_paragraph()   # one empty line before the 署名
        _exact(blank, pitch)
        blank.paragraph_format.keep_with_next = True
        layout = signature_layout(notice.organ, notice.date)
        organ = doc.add_paragraph()
        organ.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _exact(organ, pitch)
        _indent_chars(organ, right=2)
        _run(organ, notice.organ, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        date = doc.add_paragraph()
        date.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _exact(date, pitch)
        _indent_chars(date, left=layout.date_indent)
        _run(date, notice.date, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        organ.paragraph_format.keep_with_next = True

    props = doc.core_properties
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    props.title = notice.title
    props.author = author
    props.last_modified_by = author
    props.created = naive
    props.modified = naive
    props.revision = 1
    props.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic.write_bytes(target, fixed_zip(buffer.getvalue(), when))
