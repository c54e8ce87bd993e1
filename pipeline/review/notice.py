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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.edition import Edition
from pipeline.gongwen.docx_kit import (
    DocxFonts,
    add_run,
    add_table,
    docx_fonts,
    exact,
    indent_chars,
    new_document,
    save_docx,
    sealed_signature,
    unit_lines,
)
from pipeline.gongwen.layout import (
    CELL_PAD_MM,
    CHAR_SPACING_TWIPS,
    GRID_PITCH_TWIPS,
    LINE_CHARS,
    SEAL_SPACE_MM,
    TABLE_SIZES_PT,
    TABLE_WIDTH_MM,
    TITLE_LINE_CHARS,
    UNIT_MIN_CHARS,
    SealedLayout,
    SignLayout,
    TableLayout,
    fit_table,
    sealed_layout,
    signature_layout,
    title_lines,
)
from pipeline.workdays import Period, cn_date

__all__ = ["CELL_PAD_MM", "LINE_CHARS", "SEAL_SPACE_MM", "TABLE_HEADERS", "TABLE_SIZES_PT", "TABLE_WIDTH_MM",
           "TITLE_LINE_CHARS", "UNIT_MIN_CHARS", "DocxFonts", "Notice", "NoticeRow", "SealedLayout", "SignLayout",
           "TableLayout", "build_notice", "docx_fonts", "notice_text", "sealed_layout", "signature_layout",
           "table_layout", "title_lines", "unit_lines", "write_docx"]
"""The GB/T 9704 layout rules live in pipeline.gongwen (one implementation for every official
document); they are re-exported here for the 公示's callers."""


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
def table_layout(rows: tuple[NoticeRow, ...]) -> TableLayout:
    """Fit 序号, 姓名, 性别 and 职业（工种） to their longest value; 工作单位及职务 takes the rest.

    Names, genders and occupations never wrap: the largest size at which the unit column keeps
    UNIT_MIN_CHARS characters a line wins (floor 9 pt).
    """
    columns = (
        [TABLE_HEADERS[0], *(str(r.no) for r in rows)],
        [TABLE_HEADERS[1], *(r.name for r in rows)],
        [TABLE_HEADERS[2], *(r.gender for r in rows)],
        [TABLE_HEADERS[3], *(r.unit for r in rows)],
        [TABLE_HEADERS[4], *(r.occupation for r in rows)],
    )
    return fit_table(columns, (True, True, True, False, True))


def notice_text(notice: Notice) -> str:
    """The notice as plain text (for checks and the privacy scan)."""
    lines = [*notice.title_lines, *notice.intro]
    lines += [f"{r.no} {r.name} {r.gender} {r.unit} {r.occupation}" for r in notice.rows]
    lines += [*notice.body, *notice.contact, notice.organ, notice.date]
    return "\n".join(lines)


# ---- DOCX ----------------------------------------------------------------------------------------

def write_docx(notice: Notice, target: Path, fonts: DocxFonts, *, author: str, when: dt.datetime,
               measure: Any = None) -> None:
    """The 公示 as an editable DOCX in the GB/T 9704 layout, written reproducibly.

    `measure` (a pipeline.packets.fit.Measure of the body face as the DOCX sets it) breaks the
    工作单位及职务 cells between words; without it the word processor breaks them.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = new_document(fonts)
    pitch = GRID_PITCH_TWIPS / 20

    body = doc.paragraphs[0] if doc.paragraphs else None
    for i, line in enumerate(notice.title_lines):
        p = body if (i == 0 and body is not None) else doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        exact(p, pitch)  # off the grid: a 2号 line would take two grid lines when snapped
        add_run(p, line, fonts.title, 22, bold=fonts.title_bold)
    exact(doc.add_paragraph(), pitch)  # one empty line under the title

    def para(text: str, *, indent: bool = True) -> Any:
        """Text → a justified body paragraph (first line indented two characters)."""
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        exact(p, pitch)
        if indent:
            indent_chars(p, first=2)
        add_run(p, text, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        return p

    for text in notice.intro:
        para(text)

    fit = table_layout(notice.rows)
    cells: list[tuple[str | tuple[str, ...], ...]] = []
    for r in notice.rows:
        unit: str | tuple[str, ...] = r.unit
        if measure is not None:   # 0.5 mm slack: Word's and WPS's faces may set a little wider
            unit = unit_lines(r.unit, fit.widths_mm[3] - 2 * CELL_PAD_MM - 0.5, fit.size_pt, measure)
        cells.append((str(r.no), r.name, r.gender, unit, r.occupation))
    add_table(doc, fonts, fit, TABLE_HEADERS, cells, (False, False, False, True, False))

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
        sealed_signature(doc, notice.organ, notice.date, fonts, pitch)
    else:
        blank = doc.add_paragraph()   # one empty line before the 署名
        exact(blank, pitch)
        blank.paragraph_format.keep_with_next = True
        layout = signature_layout(notice.organ, notice.date)
        organ = doc.add_paragraph()
        organ.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        exact(organ, pitch)
        indent_chars(organ, right=2)
        add_run(organ, notice.organ, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        date = doc.add_paragraph()
        date.alignment = WD_ALIGN_PARAGRAPH.LEFT
        exact(date, pitch)
        indent_chars(date, left=layout.date_indent)
        add_run(date, notice.date, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        organ.paragraph_format.keep_with_next = True

    save_docx(doc, target, when, title=notice.title, author=author)
