"""Renders a `pipeline.gongwen.Document` as PDF, DOCX and web page (GB/T 9704-2012).

    write_pdf(ctx, doc, target)               the print master (WeasyPrint, fonts embedded)
    write_docx(ctx, doc, target, when=None)   the editable Word file (python-docx), same layout
    web_html(ctx, doc) -> str                 a self-contained page for the website / WeChat editor
    write_all(ctx, doc, folder, stem, html=)  all of them → their paths
    document_text(doc) -> str                 everything it says (privacy scan, checks)

A stage builds one `Document` and hands it over, e.g. the 表彰决定:

    doc = Document(title="关于表彰……的决定", body=(Para("……"), Heading("一、……"), Table(heads, rows, keep)),
                   organs=(organ,), date=decided_on, mark="……文件", number="大署人社发〔2027〕15号",
                   addressee="各县（区）……：", attachment_notes=("……名单",),
                   attachments=(Attachment("……名单", (Table(...),)),), copy_to=("……",),
                   printed_by="……办公室", printed_on=printed_on)
    pdf, docx = write_all(ctx, doc, ctx.output / "decision", "表彰决定")

`signer` set makes it an 上行文 (红头 80 mm down, 发文字号 left, 签发人 right); several `organs`
with `sealed` lay out joint seals (two a row, see pipeline.gongwen.layout.joint_layout).

Every position comes from pipeline.gongwen.layout, so the three renditions agree: the 版头 (发文机关标志
in red 35 mm below the page top, 80 mm for an 上行文 with a 签发人; 发文字号 two lines below it;
the red rule 4 mm under the 发文字号), the title in balanced 2号 lines, 主送机关, body, 附件说明,
署名 and 成文日期 with or without seals (one organ or several), 附注, each 附件 on a new page, and
the 版记 at the foot of the last page, which is always even (GB/T 9704 7.4): the PDF is laid out
once to see where the text ends, then again with the 版记 pushed to the foot of that page, or
to the next even page (with a blank page before it when needed; neither page is numbered). The
DOCX cannot know where Word will end the text, so its 版记 is a last section that starts on an
even page with its text at the page foot (see _docx_banji).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.gongwen import Attachment, Block, Document, Heading, Para, Table
from pipeline.gongwen.docx_kit import (
    PITCH_PT,
    DocxFonts,
    add_run,
    add_table,
    docx_fonts,
    exact,
    indent_chars,
    insert_ordered,
    new_document,
    save_docx,
    sealed_signature,
    unit_lines,
)
from pipeline.gongwen.layout import (
    CELL_PAD_MM,
    CHAR_SPACING_TWIPS,
    CHAR_TWIPS,
    JointLayout,
    MarkLayout,
    TableLayout,
    attachment_notes,
    fit_table,
    joint_layout,
    mark_layout,
    sealed_layout,
    signature_layout,
    title_lines,
    unsealed_joint_indent,
)
from pipeline.render.templating import render
from pipeline.render.wordbreak import char_width
from pipeline.rules.workdays import cn_date

RED = "E60012"
"""The red of the 版头 (发文机关标志 and separating rule)."""
PAGE_BOTTOM_MM = 297 - 35
"""Bottom of the 版心 from the page top."""
PX_MM = 25.4 / 96
"""One CSS pixel (WeasyPrint's unit) in millimetres."""


@dataclasses.dataclass(frozen=True)
class BanjiPlace:
    """Where the PDF's 版记 goes (decided on a first layout)."""

    alone: bool = False
    """On a page of its own (the text ends on an odd page, or an even one without room)."""
    blank: bool = False
    """A blank page before that page (the text ends on an even page without room)."""
    top_mm: float = 0.0
    """Space above the 版记 that puts its last rule on the 版心's bottom."""
    pages: int = 0
    """Page count of the PDF."""


def document_text(doc: Document) -> str:
    """Everything the document says, in reading order (checks, privacy scan, tests)."""
    lines = [doc.mark, doc.number, doc.signer, doc.title, doc.addressee]
    lines += _blocks_text(doc.body)
    lines += [*doc.attachment_notes, *doc.organs, cn_date(doc.date), doc.note]
    for a in doc.attachments:
        lines += [a.title, *_blocks_text(a.blocks)]
    lines += [*doc.copy_to, doc.printed_by]
    return "\n".join(x for x in lines if x)


def _blocks_text(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Table):
            out += [b.caption, " ".join(b.headers), *(" ".join(r) for r in b.rows)]
        else:
            out.append(b.text)
    return out


# ---- the layout both renditions follow ------------------------------------------------------------

def table_fit(table: Table) -> TableLayout:
    """Column widths and type size of a body table (`keep` columns never wrap)."""
    keep = table.keep or tuple(False for _ in table.headers)
    columns = [[h, *(r[j] for r in table.rows)] for j, h in enumerate(table.headers)]
    return fit_table(columns, keep)


def _block_views(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append({"kind": "heading", "text": b.text, "level": 1 if b.level <= 1 else 2})
        elif isinstance(b, Para):
            out.append({"kind": "para", "text": b.text, "indent": b.indent, "keep": b.keep_with_next})
        else:
            keep = b.keep or tuple(False for _ in b.headers)
            out.append({"kind": "table", "headers": b.headers, "rows": b.rows, "keep": keep, "fit": table_fit(b),
                        "caption": b.caption})
    return out


def attachment_label(doc: Document, index: int) -> str:
    """“附件1” (“附件” when there is only one)."""
    return "附件" if len(doc.attachments) == 1 else f"附件{index}"


def _views(doc: Document, place: BanjiPlace | None) -> dict[str, Any]:
    date = cn_date(doc.date)
    organs = doc.organs or ("",)
    joint: JointLayout | None = None
    seal = None
    lift = 0.0
    if doc.sealed and len(organs) > 1:
        joint = joint_layout(organs, date)
        lift = joint.tail_mm
    elif doc.sealed:
        seal = sealed_layout(organs[0], date)
        lift = seal.tail_mm
    return {
        "mark": mark_layout(doc.mark, upward=bool(doc.signer)) if doc.mark else None,
        "title_lines": title_lines(doc.title),
        "body": _block_views(doc.body),
        "notes": attachment_notes(doc.attachment_notes),
        "joint": joint,
        "seal": seal,
        "date": date,
        "date_indent": unsealed_joint_indent(organs, date),
        "note_lift": lift,
        "attachments": [{"label": attachment_label(doc, i), "title_lines": title_lines(a.title),
                         "blocks": _block_views(a.blocks)} for i, a in enumerate(doc.attachments, start=1)],
        "banji": bool(doc.printed_by),
        "banji_alone": bool(place and place.alone),
        "banji_blank": bool(place and place.blank),
        "banji_top_mm": round(place.top_mm, 2) if place else 0,
        "printed_on": cn_date(doc.printed_on or doc.date),
    }


def document_html(ctx: RunContext, doc: Document, place: BanjiPlace | None = None) -> str:
    """The paged HTML WeasyPrint sets (`place`: where the 版记 goes; None = right after the text)."""
    from pipeline.review.render import font_context

    return render("gongwen/document.html.j2", doc=doc, v=_views(doc, place), font=font_context(ctx.edition))


def _find(document: Any, element_id: str) -> tuple[int, Any] | None:
    """(page index, box) of the first box of the element with `element_id` in a WeasyPrint document."""
    for index, page in enumerate(document.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == element_id:
                return index, box
            stack.extend(reversed(getattr(box, "children", [])))
    return None


_PLACES: dict[str, BanjiPlace] = {}
"""banji_place's answers in this process (write_all asks for the PDF and again for the DOCX)."""


def banji_place(ctx: RunContext, doc: Document) -> BanjiPlace:
    """Lay the document out once with the 版记 right after the text and decide where it goes."""
    from pipeline.review.render import font_context

    key = repr((doc, font_context(ctx.edition)["key"]))
    if key not in _PLACES:
        _PLACES.clear()   # one document at a time: no growth over a run
        _PLACES[key] = _banji_place(ctx, doc)
    return _PLACES[key]


def _banji_place(ctx: RunContext, doc: Document) -> BanjiPlace:
    from weasyprint import HTML

    from pipeline.core.edition import PROJECT_ROOT
    from pipeline.render.fonts import use_project_fonts
    from pipeline.render.weasy import weasyprint_errors

    use_project_fonts()
    with weasyprint_errors(f"《{doc.title}》", hint="模板或样式有误；请把此信息交给技术人员"):
        document = HTML(string=document_html(ctx, doc), base_url=str(PROJECT_ROOT / "templates")).render()
    place = BanjiPlace(pages=len(document.pages))
    end, banji = _find(document, "gw-end"), _find(document, "gw-banji")
    if doc.printed_by and end is not None and banji is not None:
        page, box = end
        height = banji[1].margin_height() * PX_MM
        room = PAGE_BOTTOM_MM - box.position_y * PX_MM
        if page % 2 == 1 and height <= room - 0.5:        # an even page (index 1, 3 …) with room
            place = BanjiPlace(top_mm=room - height - 0.5, pages=page + 1)
        elif page % 2 == 0:                                # odd page: the 版记 on the next (even) page
            place = BanjiPlace(alone=True, top_mm=225 - height - 0.5, pages=page + 2)
        else:                                              # even page, full: a blank page, then the 版记
            place = BanjiPlace(alone=True, blank=True, top_mm=225 - height - 0.5, pages=page + 3)
    return place


# ---- PDF ------------------------------------------------------------------------------------------

def write_pdf(ctx: RunContext, doc: Document, target: Path) -> None:
    """The PDF, fonts embedded, written atomically to `target`."""
    from pipeline.review.render import html_to_pdf

    place = banji_place(ctx, doc)
    author = doc.meta.get("author") or (doc.organs[0] if doc.organs else "")
    html_to_pdf(document_html(ctx, doc, place), target, title=doc.title, author=author, when=ctx.source_date)


# ---- DOCX -----------------------------------------------------------------------------------------

def _para(d: Any, text: str, fonts: DocxFonts, *, family: str | None = None, indent: bool = True,
          align: str = "justify", size: float = 16) -> Any:
    """A body paragraph on the 22-line pitch (3号, 28 characters a line)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = d.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    exact(p, PITCH_PT)
    if indent:
        indent_chars(p, first=2)
    if text:
        add_run(p, text, family or fonts.body, size, spacing=CHAR_SPACING_TWIPS if size == 16 else 0)
    return p


def _title(d: Any, lines: tuple[str, ...], fonts: DocxFonts) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for line in lines:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        exact(p, PITCH_PT)
        add_run(p, line, fonts.title, 22, bold=fonts.title_bold)
    _para(d, "", fonts, indent=False)   # one empty line under the title


def _docx_blocks(d: Any, blocks: tuple[Block, ...], fonts: DocxFonts, measure: Any) -> None:
    from docx.shared import Pt

    after_table = False
    for b in blocks:
        if isinstance(b, Table):
            if b.caption:
                p = _para(d, b.caption, fonts, family=fonts.hei, indent=False, align="center")
                p.paragraph_format.keep_with_next = True
            fit = table_fit(b)
            keep = b.keep or tuple(False for _ in b.headers)
            rows: list[tuple[str | tuple[str, ...], ...]] = []
            for r in b.rows:
                cells: list[str | tuple[str, ...]] = []
                for j, value in enumerate(r):
                    if not keep[j] and measure is not None:
                        cells.append(unit_lines(value, fit.widths_mm[j] - 2 * CELL_PAD_MM - 0.5, fit.size_pt, measure))
                    else:
                        cells.append(value)
                rows.append(tuple(cells))
            add_table(d, fonts, fit, b.headers, rows, tuple(not k for k in keep), keep_after=False)
            after_table = True
            continue
        if isinstance(b, Heading):
            p = _para(d, b.text, fonts, family=fonts.hei if b.level <= 1 else fonts.kai)
            p.paragraph_format.keep_with_next = True
        else:
            p = _para(d, b.text, fonts, indent=b.indent)
            p.paragraph_format.keep_with_next = b.keep_with_next
        if after_table:
            p.paragraph_format.space_before = Pt(PITCH_PT / 2)
            after_table = False


def _docx_head(d: Any, doc: Document, fonts: DocxFonts, mark: MarkLayout) -> None:
    """发文机关标志 in red (scaled to fit), 发文字号 (and 签发人) two lines below, the red rule 4 mm under."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor, Twips

    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact(p, mark.size_pt)
    # The 版心 starts 37 mm down: a 下行文's mark (35 mm) starts at the 版心's top in the DOCX.
    p.paragraph_format.space_before = Mm(max(0.0, mark.top_mm - 37))
    run = add_run(p, doc.mark, fonts.title, mark.size_pt, bold=fonts.title_bold)
    run.font.color.rgb = RGBColor.from_string(RED)
    if mark.scale < 1:
        rpr = run._r.get_or_add_rPr()
        insert_ordered(rpr, rpr.makeelement(qn("w:w"), {qn("w:val"): str(max(1, round(mark.scale * 100)))}),
                       ("w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                        "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                        "w:eastAsianLayout", "w:specVanish", "w:oMath"))
    line = d.add_paragraph()
    exact(line, PITCH_PT)
    # two lines below the mark as the PDF has it: the mark starts 2 mm lower here, the 发文字号 does not
    line.paragraph_format.space_before = Pt(2 * PITCH_PT - max(0.0, 37 - mark.top_mm) / 25.4 * 72)
    if doc.signer:
        line.alignment = WD_ALIGN_PARAGRAPH.LEFT
        indent_chars(line, left=1, right=1)
        line.paragraph_format.tab_stops.add_tab_stop(Twips(round(26 * CHAR_TWIPS)), WD_TAB_ALIGNMENT.RIGHT)
        add_run(line, doc.number, fonts.body, 16)
        add_run(line, "\t签发人：", fonts.body, 16)
        add_run(line, doc.signer, fonts.kai, 16)
    else:
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(line, doc.number, fonts.body, 16)
    ppr = line._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    border.append(border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "12",
                                                      qn("w:space"): "8", qn("w:color"): RED}))
    insert_ordered(ppr, border, ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                 "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                                 "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc"))
    # the title two lines below the rule: its 8 pt distance and 1.5 pt width come off the two lines
    exact(d.add_paragraph(), 2 * PITCH_PT - 9.5)


def _docx_signature(d: Any, doc: Document, fonts: DocxFonts) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Twips

    date = cn_date(doc.date)
    organs = doc.organs or ("",)
    if d.paragraphs:
        d.paragraphs[-1].paragraph_format.keep_with_next = True
    if doc.sealed and len(organs) == 1:
        sealed_signature(d, organs[0], date, fonts)
        return
    if doc.sealed:
        joint = joint_layout(organs, date)
        for _ in range(joint.gap_lines):
            _para(d, "", fonts, indent=False).paragraph_format.keep_with_next = True
        for r, row in enumerate(joint.rows):
            if r:
                for _ in range(joint.row_gap_lines):
                    _para(d, "", fonts, indent=False).paragraph_format.keep_with_next = True
            for i in range(max(len(o) for o in row)):
                p = _para(d, "", fonts, indent=False, align="left")
                text = ""
                for k, organ in enumerate(row):
                    if len(organ) > i:
                        p.paragraph_format.tab_stops.add_tab_stop(Twips(round(joint.starts[r][k][i] * CHAR_TWIPS)),
                                                                  WD_TAB_ALIGNMENT.LEFT)
                        text += "\t" + organ[i]
                add_run(p, text, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
                p.paragraph_format.keep_with_next = True
        p = _para(d, "", fonts, indent=False, align="left")
        indent_chars(p, left=joint.date_indent)
        add_run(p, date, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        if joint.tail_mm > 0:
            p.paragraph_format.keep_with_next = True
            _para(d, "", fonts, indent=False)
        return
    _para(d, "", fonts, indent=False).paragraph_format.keep_with_next = True
    for name in organs:
        p = _para(d, name, fonts, indent=False, align="right")
        indent_chars(p, right=2)
        p.paragraph_format.keep_with_next = True
    p = _para(d, date, fonts, indent=False, align="left")
    indent_chars(p, left=signature_layout(max(organs, key=len), date).date_indent if len(organs) == 1
                 else unsealed_joint_indent(organs, date))


def _docx_banji(d: Any, doc: Document, fonts: DocxFonts, place: BanjiPlace) -> None:
    """The 版记 as a borderless table of full 版心 width with rules between its rows: 抄送 across,
    then 印发机关 left and 印发日期 right; thick first and last rules, thin between (GB/T 9704 7.4).

    It goes where the PDF put it (`place`): on the text's last page, floating at the foot of the
    版心; else in a last section that starts on an even page (w:type evenPage, after a blank page
    when the PDF has one), its text at the page foot (w:vAlign bottom), without page number. Word
    and WPS keep that section on an even page even when their fonts end the text on another page
    than the PDF; LibreOffice (7.4) starts it on the next page.
    """
    from docx.enum.section import WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm

    if place.blank:
        _para(d, "", fonts, indent=False).paragraph_format.page_break_before = True   # the blank page
    if place.alone:
        section = d.add_section(WD_SECTION.EVEN_PAGE)
        for footer in (section.footer, section.even_page_footer):
            footer.is_linked_to_previous = False
            for p in footer.paragraphs:
                for r in list(p.runs):
                    r._r.getparent().remove(r._r)
        valign = section._sectPr.makeelement(qn("w:vAlign"), {qn("w:val"): "bottom"})
        insert_ordered(section._sectPr, valign, ("w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                                                 "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"))
        exact(d.add_paragraph(), 1)   # LibreOffice loses a section break followed at once by a table
    printed_on = cn_date(doc.printed_on or doc.date) + "印发"
    em = 14 / 72 * 25.4
    date_mm = max((char_width(printed_on) + 1.5) * em, 156 - (char_width(doc.printed_by) + 1.2) * em)
    date_mm = round(min(date_mm, 78.0), 1)
    widths = (Mm(156 - date_mm), Mm(date_mm))
    rows = ([f"抄送：{'，'.join(doc.copy_to)}。"] if doc.copy_to else []) + [""]
    table = d.add_table(rows=len(rows), cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    for el in tblpr.findall(qn("w:tblW")):
        tblpr.remove(el)
    if not place.alone:   # float to the foot of the 版心 on the text's last page (rows 8.6 mm, rules 0.3 mm)
        top = Mm(PAGE_BOTTOM_MM - len(rows) * 8.6 - 0.3).twips
        tblpr.insert(0, tblpr.makeelement(qn("w:tblpPr"), {qn("w:vertAnchor"): "page", qn("w:horzAnchor"): "margin",
                                                            qn("w:tblpXSpec"): "center", qn("w:tblpY"): str(top)}))
    insert_ordered(tblpr, tblpr.makeelement(qn("w:tblW"), {qn("w:w"): str(round(156 / 25.4 * 1440)), qn("w:type"): "dxa"}),
                   ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
                    "w:tblLook"))
    borders = tblpr.makeelement(qn("w:tblBorders"), {})
    for side, size in (("w:top", "8"), ("w:left", None), ("w:bottom", "8"), ("w:right", None), ("w:insideH", "6"),
                       ("w:insideV", None)):
        attrs = {qn("w:val"): "single", qn("w:sz"): size, qn("w:space"): "0", qn("w:color"): "000000"} if size \
            else {qn("w:val"): "nil"}
        borders.append(borders.makeelement(qn(side), attrs))
    insert_ordered(tblpr, borders, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    margins = tblpr.makeelement(qn("w:tblCellMar"), {})   # the paragraphs' indents keep one character
    for side in ("w:left", "w:right"):
        margins.append(margins.makeelement(qn(side), {qn("w:w"): "0", qn("w:type"): "dxa"}))
    insert_ordered(tblpr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))
    for j, width in enumerate(widths):
        table.columns[j].width = width
    for row, text in zip(table.rows, rows, strict=True):
        cells = row.cells
        for j, width in enumerate(widths):
            cells[j].width = width
        if text:
            cells = (cells[0].merge(cells[1]),)
        values = (text,) if text else (doc.printed_by, printed_on)
        for cell, value, align in zip(cells, values, ("left", "right"), strict=False):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
            exact(p, 7 / 25.4 * 72)
            p.paragraph_format.space_before = Mm(0.8)
            p.paragraph_format.space_after = Mm(0.8)
            indent_chars(p, left=14 / 15.75 if align == "left" else 0, right=14 / 15.75 if align == "right" else 0)
            add_run(p, value, fonts.body, 14)
    if not place.alone:
        exact(d.add_paragraph(), 1)   # a floating table needs a paragraph after it


def write_docx(ctx: RunContext, doc: Document, target: Path, *, when: dt.datetime | None = None) -> None:
    """The editable DOCX (official font names, 28 × 22 grid, page numbers), written atomically."""
    from docx.shared import Twips

    from pipeline.packets.docx_form import docx_measure

    when = when or ctx.source_date
    fonts = docx_fonts(ctx.edition)
    measure = docx_measure(ctx.edition.fonts)
    d = new_document(fonts)
    if doc.mark:
        _docx_head(d, doc, fonts, mark_layout(doc.mark, upward=bool(doc.signer)))
    elif doc.number:
        _para(d, doc.number, fonts, indent=False, align="right")
    _title(d, title_lines(doc.title), fonts)
    if doc.addressee:
        _para(d, doc.addressee, fonts, indent=False, align="left")
    _docx_blocks(d, doc.body, fonts, measure)
    notes = attachment_notes(doc.attachment_notes)
    if notes:
        _para(d, "", fonts, indent=False).paragraph_format.keep_with_next = True
        for n in notes:
            p = _para(d, n.text, fonts, indent=False, align="left")
            indent_chars(p, left=n.left)
            p.paragraph_format.first_line_indent = Twips(round(n.first * CHAR_TWIPS))
    _docx_signature(d, doc, fonts)
    if doc.note:
        _para(d, doc.note, fonts)
    for i, attachment in enumerate(doc.attachments, start=1):
        _docx_attachment(d, doc, attachment, i, fonts, measure)
    if doc.printed_by:
        _docx_banji(d, doc, fonts, banji_place(ctx, doc))

    save_docx(d, target, when, title=doc.title, author=doc.meta.get("author") or (doc.organs[0] if doc.organs else ""),
              subject=doc.meta.get("subject", ""))


def _docx_attachment(d: Any, doc: Document, attachment: Attachment, index: int, fonts: DocxFonts,
                     measure: Any) -> None:
    """An 附件 on a new page: “附件1” in 黑体 on the first line, its title on the third, its blocks."""
    label = _para(d, attachment_label(doc, index), fonts, family=fonts.hei, indent=False, align="left")
    label.paragraph_format.page_break_before = True
    _para(d, "", fonts, indent=False)
    _title(d, title_lines(attachment.title), fonts)
    _docx_blocks(d, attachment.blocks, fonts, measure)


# ---- web page -------------------------------------------------------------------------------------

def web_html(ctx: RunContext, doc: Document) -> str:
    """A self-contained web page of the document (for 公告: the site and the WeChat editor)."""
    return render("gongwen/web.html.j2", doc=doc, v=_views(doc, None),
                  labels=[attachment_label(doc, i) for i in range(1, len(doc.attachments) + 1)])


def write_all(ctx: RunContext, doc: Document, folder: Path, stem: str, *, html: bool = False) -> tuple[Path, ...]:
    """`<stem>.pdf` and `<stem>.docx` (and `<stem>.html` when asked) in `folder`; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf, docx = folder / f"{stem}.pdf", folder / f"{stem}.docx"
    write_pdf(ctx, doc, pdf)
    write_docx(ctx, doc, docx)
    if not html:
        return (pdf, docx)
    page = folder / f"{stem}.html"
    atomic.write_text(page, web_html(ctx, doc))
    return (pdf, docx, page)
