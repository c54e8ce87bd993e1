"""Build templates/packet/申报审批表.docx, the docxtpl template of the editable 申报审批表.

The layout follows the attachment of the notice (大署人社联〔2024〕2号): a title page
(姓名, 单位, the bureau line, 年 月 日), the 注意事项 page, then the table with every
field, the photo cell (2-inch, 35 × 49 mm) and the seven opinion boxes, each with room to
sign and stamp. East-Asian fonts are set explicitly on every run (w:eastAsia), so Word
and WPS use 仿宋_GB2312 / 方正小标宋简体 / 黑体 whatever the UI language.

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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.office import fixed_zip  # noqa: E402
from pipeline.packets.form import NOTES, OPINIONS  # noqa: E402

TARGET = ROOT / "templates" / "packet" / "申报审批表.docx"
FIXED_DATE = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
LATIN_FONT = "Times New Roman"
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
    return table


def merge(table: Table, row: int, first: int, last: int) -> _Cell:
    """Merge columns first..last of a row into one cell."""
    return table.cell(row, first).merge(table.cell(row, last))


def page_break(doc: object) -> None:
    """A paragraph that holds only a page break."""
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    p.paragraph_format.space_after = Pt(0)
    p.add_run().add_break(WD_BREAK.PAGE)


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


def build() -> bytes:
    """Build the template → DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(20), Mm(20)

    normal = doc.styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = Pt(12)

    # ---- title page ----
    for _ in range(5):
        para(doc, "", size=16)
    para(doc, "{{ region }}", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, line=44)
    para(doc, "“兴安技术能手”申报审批表", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, line=44)
    for _ in range(6):
        para(doc, "", size=16)
    for label, field in (("姓\u3000\u3000名：", "name"), ("单\u3000\u3000位：", "unit")):
        p = para(doc, "", size=16, before=10)
        p.paragraph_format.left_indent = Mm(25)
        add_run(p, label, size=16)
        add_run(p, f"{{{{ {field} }}}}", size=16, underline=True)
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
    labels = [("姓\u3000\u3000名", "name", "性别", "gender", "出生年月", "birth"),
              ("籍\u3000\u3000贯", "native_place", "民族", "ethnicity", "政治面貌", "political_status")]
    for r, (l1, f1, l2, f2, l3, f3) in enumerate(labels):
        for c, text in enumerate((l1, f"{{{{ {f1} }}}}", l2, f"{{{{ {f2} }}}}", l3, f"{{{{ {f3} }}}}")):
            cell_text(t1.cell(r, c), text)
    cell_text(t1.cell(2, 0), "学\u3000\u3000历")
    cell_text(t1.cell(2, 1), "{{ education }}")
    cell_text(merge(t1, 2, 2, 3), "参加工作时间")
    cell_text(merge(t1, 2, 4, 5), "{{ work_start }}")
    photo = t1.cell(0, 6).merge(t1.cell(2, 6))
    cell_text(photo, "{{ photo }}")
    cell_text(t1.cell(3, 0), "职\u3000\u3000称")
    cell_text(t1.cell(3, 1), "{{ professional_title }}")
    cell_text(merge(t1, 3, 2, 3), "技术等级")
    cell_text(merge(t1, 3, 4, 6), "{{ skill_level }}")
    cell_text(t1.cell(4, 0), ["工作单位", "及职务"])
    cell_text(merge(t1, 4, 1, 6), "{{ unit_and_post }}")
    cell_text(t1.cell(5, 0), "身份证号码")
    cell_text(merge(t1, 5, 1, 3), "{{ id_number }}")
    cell_text(t1.cell(5, 4), "联系电话")
    cell_text(merge(t1, 5, 5, 6), "{{ phone }}")
    cell_text(t1.cell(6, 0), list("个人简历"))
    resume = merge(t1, 6, 1, 6)
    cell_text(resume, ["（有县级及以上奖励的，标注出何时何地受到何种奖励）",
                       "{%p for line in resume_lines %}", "{{ line }}", "{%p endfor %}"],
              align=WD_ALIGN_PARAGRAPH.LEFT)
    resume.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for r in range(3):
        row_height(t1, r, 18.5)
    for r in range(3, 6):
        row_height(t1, r, 12)
    row_height(t1, 6, 150)
    page_break(doc)

    # ---- table 2: 简要事迹 and the first three opinion boxes ----
    t2 = grid_table(doc, 4)
    cell_text(t2.cell(0, 0), list("简要事迹"))
    summary = merge(t2, 0, 1, 6)
    cell_text(summary, ["（300字以内）", "{%p for line in summary_lines %}", "{{ line }}", "{%p endfor %}"],
              align=WD_ALIGN_PARAGRAPH.LEFT)
    summary.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    row_height(t2, 0, 90)
    opinion_rows(t2, 1, OPINIONS[:3], 48)
    page_break(doc)

    # ---- table 3: the four approval boxes ----
    t3 = grid_table(doc, 4)
    opinion_rows(t3, 0, OPINIONS[3:], 58)

    props = doc.core_properties
    props.title = "大兴安岭地区“兴安技术能手”申报审批表"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_DATE.replace(tzinfo=None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), FIXED_DATE)


def main() -> None:
    """Write the template (only when its bytes change)."""
    data = build()
    if TARGET.is_file() and TARGET.read_bytes() == data:
        print(f"{TARGET.relative_to(ROOT)} 无变化")
        return
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    tmp = TARGET.with_suffix(".docx.part")
    tmp.write_bytes(data)
    tmp.replace(TARGET)
    print(f"已生成 {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
