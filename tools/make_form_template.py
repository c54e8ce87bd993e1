"""Build templates/packet/申报审批表.docx, the docxtpl template of the editable 申报审批表.

The layout follows the attachment of the notice (大署人社联〔2024〕2号): a title page
(姓名, 单位, the bureau line, 年 月 日), the 注意事项 page, then the table with every
field, the photo cell (2-inch, 35 × 49 mm) and the seven opinion boxes, each with room to
sign and stamp, and — only when the 个人简历 is longer than its cell — the 附页
"个人简历（续）" (注意事项3), as the PDF form has them. East-Asian fonts are set explicitly on
every run (w:eastAsia), so Word and WPS use 仿宋_GB2312 / 方正小标宋简体 / 黑体 whatever the
UI language. The cells of the short fields follow pipeline.packets.docx_form.DOCX_GRID,
which also fits them per document (type size, then column widths). The pages are bound on the
left edge and printed duplex (long edge), as the PDF: mirrored margins, 28 mm inside and 12 mm
outside, so nothing comes within 25 mm of the bound edge; folios on the outer side.

Run from the project root:  .venv/bin/python tools/make_form_template.py
The output is byte-identical on every run (fixed dates, fixed ZIP timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core import atomic  # noqa: E402
from pipeline.packets.docx_form import (  # noqa: E402
    DOCX_CELL_PAD_MM,
    DOCX_GRID,
    DOCX_INSIDE_MM,
    DOCX_OUTSIDE_MM,
    DOCX_TITLE_PAGE_PT,
    RESUME_LINE_PT,
    RESUME_ROW_MM,
    SUMMARY_INDENT_PT,
    WHO_INDENT_MM,
    WHO_LABEL,
)
from pipeline.packets.form import NOTES, OPINIONS  # noqa: E402
from pipeline.render.office import fixed_zip, write_zip  # noqa: E402

TARGET = ROOT / "templates" / "packet" / "申报审批表.docx"
FIXED_DATE = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
LATIN_FONT = "Times New Roman"
KAI_FONT = "楷体_GB2312"
FALLBACKS: dict[str, tuple[str, ...]] = {
    TITLE_FONT: ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC"),
    BODY_FONT: ("仿宋", "FangSong", "Noto Serif CJK SC"),
    HEI_FONT: ("SimHei", "Noto Sans CJK SC"),
    KAI_FONT: ("楷体", "KaiTi", "AR PL UKai CN"),
}
"""Each official face, then its stand-ins (the free face the PDF embeds last, see edition.toml
[fonts]): written to the font table as w:altName, which Word, WPS and LibreOffice use when the
official face is not installed."""
CELL_MARGIN_MM = DOCX_CELL_PAD_MM
"""Cell padding (top/bottom, left/right)."""
COLUMNS_MM = (26, 24, 16, 18, 23, 23, 40)
"""Column widths: the same grid as the PDF form (170 mm between the margins)."""


def set_fonts(element: object, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts (ascii, hAnsi, eastAsia, cs) on a run or style rPr."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def add_run(paragraph: Paragraph, text: str, *, font: str = BODY_FONT, size: float = 12,
            bold: bool = False, underline: bool = False) -> None:
    """Append a run with explicit East-Asian font and size."""
    run = paragraph.add_run(text)
    set_fonts(run._r, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.underline = underline


def para(container: object, text: str = "", *, font: str = BODY_FONT, size: float = 12,
         align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT, bold: bool = False,
         before: float = 0, after: float = 0, line: float | None = None,
         right_indent_mm: float = 0) -> Paragraph:
    """Add a paragraph (to a document or a cell) holding one run."""
    p: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = Pt(line)
    if right_indent_mm:
        fmt.right_indent = Mm(right_indent_mm)
    if text:
        add_run(p, text, font=font, size=size, bold=bold)
    return p


def cell_text(cell: _Cell, lines: list[str] | str, *, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
              size: float = 12) -> None:
    """Replace a cell's content with one paragraph per line."""
    if isinstance(lines, str):
        lines = [lines]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        add_run(p, line, size=size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def row_height(table: Table, index: int, mm: float) -> None:
    """Minimum height of a table row."""
    row = table.rows[index]
    row.height = Mm(mm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def grid_table(doc: object, rows: int) -> Table:
    """A bordered table on the form's seven-column grid."""
    table: Table = doc.add_table(rows=rows, cols=len(COLUMNS_MM))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for width, cell in zip(COLUMNS_MM, row.cells, strict=True):
            cell.width = Mm(width)
    for i, col in enumerate(table.columns):
        col.width = Mm(COLUMNS_MM[i])
    cell_margins(table)
    return table


def merge(table: Table, row: int, first: int, last: int) -> _Cell:
    """Merge columns first..last of a row into one cell."""
    return table.cell(row, first).merge(table.cell(row, last))


def tiny(p: Paragraph) -> Paragraph:
    """A paragraph 1 pt high: it never pushes a full page over onto a page of its own."""
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    mark = OxmlElement("w:rPr")   # the paragraph mark at 1 pt too
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p._p.get_or_add_pPr().append(mark)
    return p


def page_break(doc: object) -> None:
    """A paragraph that holds only a page break (1 pt high, so a full page never spills)."""
    p = tiny(doc.add_paragraph())  # type: ignore[attr-defined]
    run = p.add_run()
    run.font.size = Pt(1)
    run.add_break(WD_BREAK.PAGE)


def tag(container: object, text: str) -> Paragraph:
    """A paragraph holding only a docxtpl {%p … %} tag (removed when the form is rendered)."""
    return para(container, text, size=1)


def lines_cell(cell: _Cell, hint: str, loop: str, *, indent: bool = False) -> Paragraph:
    """A long-text cell: the hint line (五号), then one paragraph per line of `loop` at the PDF's
    exact line pitch (12 pt × 1.45, 0.5 mm after) → the line paragraph."""
    first = cell.paragraphs[0]
    first.paragraph_format.space_after = Mm(2)
    add_run(first, hint, size=10.5)
    tag(cell, f"{{%p for line in {loop} %}}")
    line = para(cell, "{{ line }}", after=Mm(0.5).pt, line=RESUME_LINE_PT)
    line.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if indent:
        line.paragraph_format.first_line_indent = Pt(SUMMARY_INDENT_PT)
    tag(cell, "{%p endfor %}")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return line


def opinion_rows(table: Table, start: int, boxes: tuple[tuple[str, str], ...], height_mm: float) -> None:
    """Fill opinion boxes: label cell + a box with room to write, sign and stamp."""
    for k, (title, signer) in enumerate(boxes):
        r = start + k
        cell_text(table.cell(r, 0), title)
        box = merge(table, r, 1, 6)
        box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        first = box.paragraphs[0]
        first.paragraph_format.space_after = Pt(0)
        for _ in range(3):
            para(box, "")
        para(box, signer, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_mm=38)
        para(box, "年\u3000\u3000月\u3000\u3000日", align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_mm=6, after=6)
        row_height(table, r, height_mm)


def set_language(doc: object) -> None:
    """Document language zh-CN (East Asian text) in the style defaults and the settings."""
    styles = doc.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    settings = doc.settings.element  # type: ignore[attr-defined]
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        settings.append(theme)
    theme.set(qn("w:val"), "en-US")
    theme.set(qn("w:eastAsia"), "zh-CN")


FONT_TABLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{fonts}</w:fonts>'
)


def font_table() -> bytes:
    """word/fontTable.xml naming every face with its fallbacks (w:altName) and GB2312 charset."""
    entries = []
    for name, alternatives in FALLBACKS.items():
        entries.append(
            f'<w:font w:name="{name}"><w:altName w:val="{",".join(alternatives)}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"modern" if name == HEI_FONT else "roman"}"/><w:pitch w:val="variable"/></w:font>')
    entries.append(f'<w:font w:name="{LATIN_FONT}"><w:charset w:val="00"/><w:family w:val="roman"/>'
                   '<w:pitch w:val="variable"/></w:font>')
    return FONT_TABLE.format(fonts="".join(entries)).encode("utf-8")


def cell_margins(table: Table) -> None:
    """Cell padding of a table (w:tblCellMar), so text never touches the rules."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    top, side = (str(round(mm * 56.7)) for mm in CELL_MARGIN_MM)
    for edge, value in (("top", top), ("left", side), ("bottom", top), ("right", side)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), value)
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)


MIRROR_PREDECESSORS = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData",
)
"""The children of w:settings that come before w:mirrorMargins (ECMA-376 CT_Settings)."""


def mirror_margins(doc: object) -> None:
    """Mirrored margins (w:mirrorMargins): the section's left margin is the inside one, on the
    left of odd pages and the right of even pages — bound on the left edge, duplex long edge."""
    settings = doc.settings.element  # type: ignore[attr-defined]
    if settings.find(qn("w:mirrorMargins")) is not None:
        return
    before = {qn(f"w:{tag}") for tag in MIRROR_PREDECESSORS}
    index = 0   # after the elements CT_Settings puts before it (Word reads settings in schema order)
    for i, child in enumerate(settings):
        if child.tag in before:
            index = i + 1
    settings.insert(index, OxmlElement("w:mirrorMargins"))


def page_numbers(doc: object, section: object) -> None:
    """Footer '— n —' on the outer side, one character in (宋体 4号 per GB/T 9704: 单页码居右空一字,
    双页码居左空一字), none on the title page."""
    doc.settings.odd_and_even_pages_header_footer = True  # type: ignore[attr-defined]
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),  # type: ignore[attr-defined]
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):  # type: ignore[attr-defined]
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        folio(p)


def folio(p: Paragraph) -> None:
    """'— PAGE —' at 14 pt into a footer paragraph."""
    add_run(p, "— ", size=14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = p.add_run()
        set_fonts(run._r, BODY_FONT)
        run.font.size = Pt(14)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    add_run(p, " —", size=14)


def build() -> bytes:
    """Build the template → DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(DOCX_INSIDE_MM), Mm(DOCX_OUTSIDE_MM)
    mirror_margins(doc)

    normal = doc.styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = Pt(12)
    set_language(doc)
    page_numbers(doc, section)

    # ---- title page ----
    for _ in range(5):
        para(doc, "", size=16)
    para(doc, "{{ region }}", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, line=44)
    para(doc, "“兴安技术能手”申报审批表", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, line=44)
    for _ in range(6):
        para(doc, "", size=16)
    label_mm = len(WHO_LABEL) * Pt(DOCX_TITLE_PAGE_PT).mm
    for label, field in (("姓\u3000\u3000名：", "who_name"), (WHO_LABEL, "who_unit")):
        p = para(doc, "", size=16, before=10)
        p.paragraph_format.left_indent = Mm(WHO_INDENT_MM + label_mm)   # a broken 单位 hangs under itself
        p.paragraph_format.first_line_indent = Mm(-label_mm)
        add_run(p, label, size=DOCX_TITLE_PAGE_PT)
        add_run(p, f"{{{{r {field} }}}}", size=DOCX_TITLE_PAGE_PT, underline=True)
    for _ in range(6):
        para(doc, "", size=16)
    para(doc, "{{ bureau }}印", size=16, align=WD_ALIGN_PARAGRAPH.CENTER, line=32)
    para(doc, "年\u3000\u3000月\u3000\u3000日", size=16, align=WD_ALIGN_PARAGRAPH.CENTER, line=32)
    page_break(doc)

    # ---- 注意事项 ----
    para(doc, "注意事项：", font=HEI_FONT, size=16, after=12)
    for i, note in enumerate(NOTES, start=1):
        p = para(doc, f"{i}、{note}", size=16, line=32)
        p.paragraph_format.first_line_indent = Mm(11)
    page_break(doc)

    # ---- table 1: the person, photo, 个人简历 ----
    t1 = grid_table(doc, 7)
    for spec in DOCX_GRID:
        cell = t1.cell(spec.row, spec.cols[0])
        if len(spec.cols) > 1:
            cell = merge(t1, spec.row, spec.cols[0], spec.cols[-1])
        cell_text(cell, ["工作单位", "及职务"] if spec.key == "l_unit" else spec.label or f"{{{{r {spec.key} }}}}")
    photo = t1.cell(0, 6).merge(t1.cell(2, 6))
    cell_text(photo, "{{ photo }}")
    cell_text(merge(t1, 4, 1, 6), "{{r unit_and_post }}")
    cell_text(t1.cell(6, 0), list("个人简历"))
    resume = merge(t1, 6, 1, 6)
    lines_cell(resume, "（有县级及以上奖励的，标注出何时何地受到何种奖励）", "resume")
    tag(resume, "{%p if annex_note %}")
    para(resume, "{{ annex_note }}", font=KAI_FONT, before=3)
    tag(resume, "{%p endif %}")
    for r in range(3):
        row_height(t1, r, 18.5)
    for r in range(3, 6):
        row_height(t1, r, 12)
    row_height(t1, 6, RESUME_ROW_MM)
    page_break(doc)

    # ---- table 2: 简要事迹 and the first three opinion boxes ----
    t2 = grid_table(doc, 4)
    cell_text(t2.cell(0, 0), list("简要事迹"))
    lines_cell(merge(t2, 0, 1, 6), "（300字以内）", "summary_lines", indent=True)
    row_height(t2, 0, 90)
    opinion_rows(t2, 1, OPINIONS[:3], 48)
    page_break(doc)

    # ---- table 3: the four approval boxes ----
    t3 = grid_table(doc, 4)
    opinion_rows(t3, 0, OPINIONS[3:], 58)

    # ---- 附页: the résumé lines that do not fit their cell (注意事项3), as in the PDF ----
    tag(doc, "{%p if resume_annex %}")
    title = para(doc, "“兴安技术能手”申报审批表附页", font=HEI_FONT, size=16, align=WD_ALIGN_PARAGRAPH.CENTER,
                 after=Mm(5).pt)
    title.paragraph_format.page_break_before = True
    annex = doc.add_table(rows=2, cols=1)
    annex.style = "Table Grid"
    annex.alignment = WD_TABLE_ALIGNMENT.CENTER
    annex.autofit = False
    annex.columns[0].width = Mm(sum(COLUMNS_MM))
    for row in annex.rows:
        row.cells[0].width = Mm(sum(COLUMNS_MM))
    cell_margins(annex)
    cell_text(annex.cell(0, 0), "个人简历（续）")
    annex.cell(0, 0).paragraphs[0].runs[0].font.name = None
    set_fonts(annex.cell(0, 0).paragraphs[0].runs[0]._r, HEI_FONT)
    body = annex.cell(1, 0)
    tag(body, "{%p for line in resume_annex %}")
    line = para(body, "{{ line }}", after=Mm(0.5).pt, line=RESUME_LINE_PT)
    line.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tag(body, "{%p endfor %}")
    body._tc.remove(body.paragraphs[0]._p)
    tag(doc, "{%p endif %}")
    tiny(doc.add_paragraph())

    props = doc.core_properties
    props.title = "大兴安岭地区“兴安技术能手”申报审批表"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_DATE.replace(tzinfo=None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(with_font_table(buffer.getvalue()), FIXED_DATE)


def with_font_table(docx: bytes) -> bytes:
    """The DOCX with word/fontTable.xml replaced by `font_table()` (office.write_zip)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as src:
        members = [(name, font_table() if name == "word/fontTable.xml" else src.read(name)) for name in src.namelist()]
    return write_zip(members, FIXED_DATE)


def main() -> None:
    """Write the template (only when its bytes change)."""
    data = build()
    same = TARGET.is_file() and TARGET.read_bytes() == data
    atomic.write_bytes(TARGET, data)
    print(f"{TARGET.relative_to(ROOT)} {'无变化' if same else '已生成'}")


if __name__ == "__main__":
    main()
