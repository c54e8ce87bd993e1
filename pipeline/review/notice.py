"""The 公示 notice: its content (`Notice`) and its editable Word rendition.

`build_notice` turns the edition, the proposed awardees and the publicity period into one
`Notice`; the PDF (WeasyPrint), the web page and the DOCX all render that same object, so the
three never say different things.

The DOCX is templates/publicity/公示.docx filled by docxtpl (`write_docx`), the office's to open
and adjust in Word or WPS as they would a mail-merge document: the text around the tags, the
styles, the page set-up. The template is built by tools/make_notice_template.py with the same
GB/T 9704 helpers as every 公文 (pipeline.gongwen.docx_kit: page margins, the 22 × 28 document
grid, exact line pitch, odd/even footers with a PAGE field), so it is reproducible; what is
measured per 公示 (column widths, type size, the rows kept together, the 署名's place) goes in as
values of the context (`docx_context`). Fonts are named by their official names (方正小标宋简体,
仿宋_GB2312, 黑体, 宋体) so the signing leader's Word shows the official faces; elsewhere Word
substitutes.

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

from pipeline.core.edition import PROJECT_ROOT, Edition
from pipeline.core.errors import RenderError
from pipeline.gongwen.docx_kit import (
    DocxFonts,
    docx_fonts,
    save_docx,
    set_default_font,
    unit_lines,
)
from pipeline.gongwen.layout import (
    CELL_PAD_MM,
    CHAR_TWIPS,
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
from pipeline.rules.workdays import Period, cn_date

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

NOTICE_TEMPLATE = PROJECT_ROOT / "templates" / "publicity" / "公示.docx"
"""The docxtpl template of the editable 公示 (built by tools/make_notice_template.py)."""


def docx_context(notice: Notice, fonts: DocxFonts, measure: Any = None) -> dict[str, Any]:
    """What the template (NOTICE_TEMPLATE) is filled with: the notice's text, the fonts of the roles,
    and the measured layout the PDF has too: the table's column widths (twips), type size (half
    points) and line pitch (twips), the rows kept with the next (no table page under three rows,
    the last rows with the closing text), and the 署名 for a seal (`sealed_layout`: empty lines
    above, every line centred on the date's centre, room below) or without (`signature_layout`).

    `measure` (a pipeline.packets.fit.Measure of the body face as the DOCX sets it) breaks the
    工作单位及职务 cells between words (line breaks); without it the word processor breaks them.
    """
    from docx.shared import Mm, Pt

    fit = table_layout(notice.rows)
    n = len(notice.rows)
    rows = []
    for i, r in enumerate(notice.rows, start=1):
        unit = r.unit
        if measure is not None:   # 0.5 mm slack: Word's and WPS's faces may set a little wider
            unit = "\n".join(unit_lines(r.unit, fit.widths_mm[3] - 2 * CELL_PAD_MM - 0.5, fit.size_pt, measure))
        rows.append({"no": str(r.no), "name": r.name, "gender": r.gender, "unit": unit, "occupation": r.occupation,
                     "keep": "1" if i <= 2 or i >= n - 2 else "0"})
    sign: dict[str, Any]
    if notice.sealed:
        seal = sealed_layout(notice.organ, notice.date)
        lines = (*seal.organ_lines, notice.date)
        sign = {"gap_lines": seal.gap_lines, "centre": round(seal.centre * CHAR_TWIPS), "tail": seal.tail_mm > 0,
                "lines": [{"text": text, "keep": "1" if i < len(lines) - 1 or seal.tail_mm > 0 else "0"}
                          for i, text in enumerate(lines)]}
    else:
        sign = {"date_indent": round(signature_layout(notice.organ, notice.date).date_indent * CHAR_TWIPS)}
    return {
        "fonts": {"title": fonts.title, "title_bold": "1" if fonts.title_bold else "0", "body": fonts.body,
                  "hei": fonts.hei, "song": fonts.song, "kai": fonts.kai},
        "title_lines": notice.title_lines, "intro": notice.intro,
        "t": {"widths": [Mm(w).twips for w in fit.widths_mm], "sz": int(Pt(fit.size_pt).pt * 2),
              "line": Pt(fit.size_pt * 1.35).twips},
        "rows": rows, "body_first": notice.body[0], "body_rest": notice.body[1:], "contact": notice.contact,
        "sealed": notice.sealed, "sign": sign, "organ": notice.organ, "date": notice.date,
    }


def write_docx(notice: Notice, target: Path, fonts: DocxFonts, *, author: str, when: dt.datetime,
               measure: Any = None) -> None:
    """The 公示 as an editable DOCX in the GB/T 9704 layout: NOTICE_TEMPLATE filled by docxtpl
    (`docx_context`), written reproducibly."""
    import jinja2
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(NOTICE_TEMPLATE)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        tpl.render(docx_context(notice, fonts, measure), jinja_env=env, autoescape=True)
    except jinja2.TemplateError as exc:
        raise RenderError(f"公示（Word）模板出错：{exc}",
                          hint="改回模板中被改动的 {{ }} 或 {%p %} 标记，或运行 tools/make_notice_template.py 重新生成模板",
                          file=str(NOTICE_TEMPLATE)) from exc
    set_default_font(tpl.docx, fonts.body)   # docxtpl does not render styles.xml
    save_docx(tpl.docx, target, when, title=notice.title, author=author)
