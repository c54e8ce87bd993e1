"""Build templates/publicity/公示.docx, the docxtpl template of the editable 公示.

The page set-up is the GB/T 9704 one of every official document (pipeline.gongwen.docx_kit
`new_document`: A4, 版心 156 × 225 mm, the 28 × 22 grid, “— 1 —” page numbers odd right and even
left), the paragraphs are built by the same helpers as the 公文 (`exact`, `indent_chars`, `add_run`,
`add_table`), and what changes from one 公示 to the next is a docxtpl tag the office sees in Word
or WPS and may move, restyle or reword around:

    {%p for line in title_lines %} {{ line }}          the title, in balanced lines (2号 小标宋)
    {%p for text in intro %} {{ text }}                 the paragraphs before the table
    {%tr for r in rows %} {{ r.no }} {{ r.name }} …    one table row per awardee
    {{ body_first }} {%p for text in body_rest %}       公示时间 and how to object
    {%p for text in contact %} {{ text }}               受理部门, 联系人, 联系电话, 地址
    {%p if sealed %} … {%p else %} … {%p endif %}       署名 and 成文日期, for a seal or without one

What is measured per 公示 is written into attributes as expressions: the font of each role
(`fonts.*`, from edition.toml [fonts]), the table's column widths (`t.widths`), type size
(`t.sz`) and line pitch (`t.line`), the rows kept with the next (`r.keep`), and the 署名's tab
stop, indent and empty lines (`sign.*`); pipeline.review.notice.docx_context computes them.

Run from the project root:  .venv/bin/python tools/make_notice_template.py
The output is byte-identical on every run (fixed dates, fixed ZIP timestamps).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core import atomic  # noqa: E402
from pipeline.gongwen.docx_kit import (  # noqa: E402
    PITCH_PT,
    DocxFonts,
    add_run,
    add_table,
    exact,
    indent_chars,
    new_document,
)
from pipeline.gongwen.layout import CHAR_SPACING_TWIPS, TableLayout  # noqa: E402
from pipeline.render.office import fixed_zip  # noqa: E402
from pipeline.review.notice import TABLE_HEADERS  # noqa: E402

TARGET = ROOT / "templates" / "publicity" / "公示.docx"
FIXED_DATE = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)

OFFICIAL = DocxFonts("方正小标宋简体", False, "仿宋_GB2312", "黑体")
"""The styles' default font (styles.xml is not rendered: the renderer sets the edition's body font)."""
FONTS = DocxFonts("{{ fonts.title }}", False, "{{ fonts.body }}", "{{ fonts.hei }}", song="{{ fonts.song }}",
                  kai="{{ fonts.kai }}")
"""Every run names its role's font as an expression."""


def tag(doc: Any, text: str) -> None:
    """A paragraph holding only a docxtpl {%p … %} tag (removed when the 公示 is rendered)."""
    doc.add_paragraph(text)


def attr(element: Any, path: str, name: str, expression: str) -> None:
    """Every `path` element under `element` (or `element` itself when it matches) gets `name` = expression."""
    found = list(element.iter(qn(path)))
    assert found, path
    for el in found:
        el.set(qn(name), expression)


def body_para(doc: Any, text: str, *, indent: bool = True) -> Any:
    """A justified body paragraph on the 22-line pitch (first line indented two characters)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    exact(p, PITCH_PT)
    if indent:
        indent_chars(p, first=2)
    add_run(p, text, FONTS.body, 16, spacing=CHAR_SPACING_TWIPS)
    return p


def empty(doc: Any, *, keep: bool = False) -> Any:
    """An empty line on the body pitch."""
    p = doc.add_paragraph()
    exact(p, PITCH_PT)
    p.paragraph_format.keep_with_next = keep or None
    return p


def table(doc: Any) -> None:
    """The awardee table: heads, then one row per awardee between {%tr %} rows."""
    layout = TableLayout(12.0, (12.0, 24.0, 12.0, 80.0, 28.0))
    blank = ("",) * (len(TABLE_HEADERS) - 1)
    rows = [("{%tr for r in rows %}", *blank),
            ("{{ r.no }}", "{{ r.name }}", "{{ r.gender }}", "{{ r.unit }}", "{{ r.occupation }}"),
            ("{%tr endfor %}", *blank)]
    t = add_table(doc, FONTS, layout, TABLE_HEADERS, rows, (False, False, False, True, False))
    tbl = t._tbl
    for j, col in enumerate(tbl.tblGrid.iter(qn("w:gridCol"))):
        col.set(qn("w:w"), f"{{{{ t.widths[{j}] }}}}")
    for tr in tbl.iter(qn("w:tr")):
        for j, tc in enumerate(tr.iter(qn("w:tc"))):
            attr(tc, "w:tcW", "w:w", f"{{{{ t.widths[{j}] }}}}")
    attr(tbl, "w:sz", "w:val", "{{ t.sz }}")
    for p in tbl.iter(qn("w:p")):
        for spacing in p.iter(qn("w:spacing")):
            if spacing.get(qn("w:line")) is not None:
                spacing.set(qn("w:line"), "{{ t.line }}")
    data_row = t.rows[2]._tr
    for keep in data_row.iter(qn("w:keepNext")):
        keep.set(qn("w:val"), "{{ r.keep }}")


def signature(doc: Any) -> None:
    """署名 and 成文日期: for a seal (GB/T 9704 7.3.5.1, docx_kit.sealed_signature's layout) or without."""
    tag(doc, "{%p if sealed %}")
    tag(doc, "{%p for _ in range(sign.gap_lines) %}")
    empty(doc, keep=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for line in sign.lines %}")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    exact(p, PITCH_PT)
    p.paragraph_format.tab_stops.add_tab_stop(Twips(1), WD_TAB_ALIGNMENT.CENTER)
    attr(p._p, "w:tab", "w:pos", "{{ sign.centre }}")
    add_run(p, "\t{{ line.text }}", FONTS.body, 16, spacing=CHAR_SPACING_TWIPS)
    p.paragraph_format.keep_with_next = True
    attr(p._p, "w:keepNext", "w:val", "{{ line.keep }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if sign.tail %}")
    empty(doc)   # room for the seal's lower edge
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    empty(doc, keep=True)   # one empty line before the 署名
    organ = doc.add_paragraph()
    organ.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    exact(organ, PITCH_PT)
    indent_chars(organ, right=2)
    add_run(organ, "{{ organ }}", FONTS.body, 16, spacing=CHAR_SPACING_TWIPS)
    organ.paragraph_format.keep_with_next = True
    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.LEFT
    exact(date, PITCH_PT)
    indent_chars(date, left=1)
    attr(date._p, "w:ind", "w:left", "{{ sign.date_indent }}")
    add_run(date, "{{ date }}", FONTS.body, 16, spacing=CHAR_SPACING_TWIPS)
    tag(doc, "{%p endif %}")


def build() -> bytes:
    """The template's bytes."""
    doc = new_document(dataclasses.replace(OFFICIAL, song=FONTS.song))
    tag(doc, "{%p for line in title_lines %}")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact(title, PITCH_PT)  # off the grid: a 2号 line would take two grid lines when snapped
    add_run(title, "{{ line }}", FONTS.title, 22)
    attr(title._p, "w:b", "w:val", "{{ fonts.title_bold }}")
    tag(doc, "{%p endfor %}")
    empty(doc)  # one empty line under the title
    tag(doc, "{%p for text in intro %}")
    body_para(doc, "{{ text }}")
    tag(doc, "{%p endfor %}")
    table(doc)
    first = body_para(doc, "{{ body_first }}")
    first.paragraph_format.space_before = Pt(PITCH_PT / 2)
    tag(doc, "{%p for text in body_rest %}")
    body_para(doc, "{{ text }}")
    tag(doc, "{%p endfor %}")
    # The contact lines and the 署名 are one block (keep-with-next through the date): when the
    # 署名 and its seal space do not fit under the last text, the contact lines go along, so the
    # 署名's page always holds body text (GB/T 9704 7.3.5).
    tag(doc, "{%p for text in contact %}")
    contact = body_para(doc, "{{ text }}")
    contact.paragraph_format.keep_together = True
    contact.paragraph_format.keep_with_next = True
    tag(doc, "{%p endfor %}")
    signature(doc)

    props = doc.core_properties
    props.title = "公示"
    props.author = props.last_modified_by = props.comments = ""
    props.revision = 1
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), FIXED_DATE)


def main() -> None:
    """Write the template (only when its bytes change)."""
    data = build()
    same = TARGET.is_file() and TARGET.read_bytes() == data
    atomic.write_bytes(TARGET, data)
    print(f"{TARGET.relative_to(ROOT)} {'无变化' if same else '已生成'}")


if __name__ == "__main__":
    main()
