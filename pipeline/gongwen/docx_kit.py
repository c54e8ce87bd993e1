"""python-docx helpers of the GB/T 9704 layout, shared by every `gongwen.Document` and the 公示 template (tools/make_notice_template.py).

Runs in the official font names, exact line pitch off the document grid, indents in body
characters, the PAGE field in “— 1 —”, table cells, and `new_document`: the A4 section with the
版心 margins, the 28 × 22 grid and odd/even page-number footers.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.edition import Edition
from pipeline.gongwen.layout import (
    CELL_PAD_MM,
    CHAR_SPACING_TWIPS,
    CHAR_TWIPS,
    GRID_CHAR_SPACE,
    GRID_PITCH_TWIPS,
    TableLayout,
    sealed_layout,
)


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
    kai: str = "楷体_GB2312"
    """楷体 role (level-2 headings, the 签发人's name)."""


def docx_fonts(edition: Edition) -> DocxFonts:
    """The first (official) family of each role in edition.toml [fonts]."""
    title, _, style = edition.fonts.title[0].partition(":")
    return DocxFonts(title, style.strip().lower() == "bold", edition.fonts.body[0].partition(":")[0],
                     edition.fonts.hei[0].partition(":")[0], kai=edition.fonts.kai[0].partition(":")[0])


def set_fonts(rpr_parent: Any, family: str) -> None:
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


def add_run(paragraph: Any, text: str, family: str, size: float, bold: bool = False, *,
         spacing: int = 0) -> Any:
    """Add a run of text in a font family and size (optionally with character spacing) → the run."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    set_fonts(run._r, family)
    if spacing:
        rpr = run._r.get_or_add_rPr()
        insert_ordered(rpr, rpr.makeelement(qn("w:spacing"), {qn("w:val"): str(spacing)}),
                ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                 "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                 "w:eastAsianLayout", "w:specVanish", "w:oMath"))
    return run


def insert_ordered(parent: Any, element: Any, successors: tuple[str, ...]) -> None:
    """Insert element before the first of its schema successors present (OOXML child order matters)."""
    from docx.oxml.ns import qn

    for child in parent:
        if child.tag in {qn(t) for t in successors}:
            child.addprevious(element)
            return
    parent.append(element)


def exact(paragraph: Any, pitch_pt: float, *, snap: bool = False) -> None:
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
        insert_ordered(ppr, ppr.makeelement(qn(tag), {qn("w:val"): "0"}),
                ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc"))
    if not snap:
        ppr = paragraph._p.get_or_add_pPr()
        insert_ordered(ppr, ppr.makeelement(qn("w:snapToGrid"), {qn("w:val"): "0"}),
                ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                 "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"))


def indent_chars(paragraph: Any, *, first: float = 0, left: float = 0, right: float = 0) -> None:
    """Indents in body characters (15.75 pt), written in twips so every word processor agrees."""
    from docx.shared import Twips

    fmt = paragraph.paragraph_format
    if first:
        fmt.first_line_indent = Twips(round(first * CHAR_TWIPS))
    if left:
        fmt.left_indent = Twips(round(left * CHAR_TWIPS))
    if right:
        fmt.right_indent = Twips(round(right * CHAR_TWIPS))


def page_number(paragraph: Any, family: str) -> None:
    """'—PAGE—' in 4号 宋体."""
    from docx.oxml.ns import qn

    add_run(paragraph, "—", family, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = add_run(paragraph, "", family, 14)
        if kind == "instr":
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
            run._r.append(el)
        elif kind == "text":
            run.text = text
        else:
            run._r.append(run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
    add_run(paragraph, "—", family, 14)


def fill_cell(cell: Any, text: str | tuple[str, ...], family: str, size: float, *, center: bool) -> None:
    """Write text (or its lines, joined by line breaks) into a table cell, centred vertically."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    exact(paragraph, size * 1.35, snap=False)
    lines = (text,) if isinstance(text, str) else text
    for i, line in enumerate(lines):
        run = add_run(paragraph, line, family, size)
        if i < len(lines) - 1:
            run.add_break()


def unit_lines(unit: str, width_mm: float, size: float, measure: Any) -> tuple[str, ...]:
    """工作单位及职务 → its lines in a DOCX cell of `width_mm` (padding excluded): broken only between
    words, never one character alone on a line (pipeline.render.wordbreak.break_lines), so Word, WPS and
    LibreOffice cannot break "加格达奇区" or "医疗护理员" themselves."""
    from pipeline.render.wordbreak import break_lines

    return tuple(break_lines(unit, width_mm, size, measure))


PITCH_PT = GRID_PITCH_TWIPS / 20
"""Body line pitch in points."""


def new_document(fonts: DocxFonts) -> Any:
    """An empty python-docx Document in the GB/T 9704 page set-up: A4, 版心 156 × 225 mm (天头 37,
    订口 28), 3号 仿宋 defaults without theme fonts or paragraph spacing, the 28 × 22 grid, and
    “— 1 —” page numbers in 4号 宋体, odd pages right and even pages left, one character in."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    set_default_font(doc, fonts.body)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr.find(qn("w:sz")).set(qn("w:val"), "32")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "32")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(GRID_PITCH_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")
    doc.styles["Normal"].font.size = Pt(16)

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
    exact(odd, 14, snap=False)
    indent_chars(odd, right=14 / 15.75)
    page_number(odd, fonts.song)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    exact(even, 14, snap=False)
    indent_chars(even, left=14 / 15.75)
    page_number(even, fonts.song)
    return doc


def set_default_font(doc: Any, family: str) -> None:
    """The document's default font and its Normal style's: `family` for every script (no theme fonts).
    Also applied after a docxtpl template is rendered (docxtpl does not render styles.xml)."""
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for el in rpr.findall(qn("w:rFonts")):
        rpr.remove(el)
    rpr.insert(0, rpr.makeelement(qn("w:rFonts"), {qn(a): family for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")}))
    set_fonts(doc.styles["Normal"].element, family)


def sealed_signature(doc: Any, organ: str, date: str, fonts: DocxFonts, pitch: float = PITCH_PT) -> None:
    """署名 and 成文日期 for a seal (GB/T 9704 7.3.5.1), kept on one page with the last text line.

    Every line is centred on one centre tab stop, the date's centre when it is right-aligned four
    characters in: the 署名 is centred over the date however wide the word processor sets the
    digits. Empty lines above keep the seal's top within one line of the text; one empty line
    below keeps its lower edge on the page.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Twips

    layout = sealed_layout(organ, date)
    centre = Twips(round(layout.centre * CHAR_TWIPS))
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(layout.gap_lines):
        gap = doc.add_paragraph()
        exact(gap, pitch)
        gap.paragraph_format.keep_with_next = True
    for text in (*layout.organ_lines, date):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        exact(p, pitch)
        p.paragraph_format.tab_stops.add_tab_stop(centre, WD_TAB_ALIGNMENT.CENTER)
        add_run(p, "\t" + text, fonts.body, 16, spacing=CHAR_SPACING_TWIPS)
        p.paragraph_format.keep_with_next = True
    if layout.tail_mm <= 0:
        p.paragraph_format.keep_with_next = False
    else:
        exact(doc.add_paragraph(), pitch)  # room for the seal's lower edge


def add_table(doc: Any, fonts: DocxFonts, fit: TableLayout, headers: Sequence[str],
              rows: Sequence[Sequence[str | tuple[str, ...]]], left: Sequence[bool], *, keep_after: bool = True) -> Any:
    """A table across the 版心 with `fit`'s column widths and type size: heads in 黑体 repeated on
    each page, rows never split, cells centred (or left-aligned where `left`), a cell given as
    lines broken there; keep-with-next on the first two and the last three rows keeps no table
    page under three rows and (with `keep_after`) the last rows with the text after → the table."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    for el in tblpr.findall(qn("w:tblW")) + tblpr.findall(qn("w:tblLayout")):
        tblpr.remove(el)
    insert_ordered(tblpr, tblpr.makeelement(qn("w:tblW"), {qn("w:w"): str(round(156 / 25.4 * 1440)), qn("w:type"): "dxa"}),
                   ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
                    "w:tblLook", "w:tblCaption", "w:tblDescription"))
    insert_ordered(tblpr, tblpr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"}),
                   ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"))
    margins = tblpr.makeelement(qn("w:tblCellMar"), {})   # the same cell padding as the PDF
    for side in ("w:left", "w:right"):
        margins.append(margins.makeelement(qn(side), {qn("w:w"): str(round(CELL_PAD_MM / 25.4 * 1440)),
                                                       qn("w:type"): "dxa"}))
    insert_ordered(tblpr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))
    for j, (name, width) in enumerate(zip(headers, fit.widths_mm, strict=True)):
        table.columns[j].width = Mm(width)
        for row in table.rows:
            row.cells[j].width = Mm(width)
        fill_cell(table.rows[0].cells[j], name, fonts.hei, fit.size_pt, center=True)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(header.makeelement(qn("w:tblHeader"), {}))
    for i, values in enumerate(rows, start=1):
        tr = table.rows[i]
        tr._tr.get_or_add_trPr().append(tr._tr.makeelement(qn("w:cantSplit"), {}))
        for j, value in enumerate(values):
            fill_cell(tr.cells[j], value, fonts.body, fit.size_pt, center=not left[j])
            # Keep-with-next on a row keeps it on the page of the next one: the first two rows go
            # with the third, the last three with the closing text (no table page under 3 rows).
            if i <= 2 or len(rows) - 2 <= i < len(rows) + keep_after:
                tr.cells[j].paragraphs[0].paragraph_format.keep_with_next = True
    return table


def save_docx(doc: Any, target: Path, when: dt.datetime, *, title: str, author: str, subject: str = "") -> None:
    """A python-docx document → `target`, atomically, with fixed properties and ZIP dates (`when`), so
    the same content gives the same bytes."""
    from pipeline.core import atomic
    from pipeline.render.office import fixed_zip

    props = doc.core_properties
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    props.title = title
    props.author = author
    if subject:
        props.subject = subject
    props.last_modified_by = author
    props.created = naive
    props.modified = naive
    props.revision = 1
    props.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic.write_bytes(target, fixed_zip(buffer.getvalue(), when))
