"""Deterministic writers for the demo editions: DOCX, XLSX, text, and atomic file output.

Office files are ZIP archives whose entries carry the time they were written, and whose
docProps/core.xml says when the document was created and last modified. Both are pinned here
(FIXED_TIME) so the same generator run always produces the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FIXED_TIME = dt.datetime(2027, 3, 1, 9, 0, 0)
"""Creation/modification time written into every generated office file."""
_ZIP_TIME = FIXED_TIME.timetuple()[:6]
_W3CDTF = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP (DOCX/XLSX) with fixed entry times and pinned core.xml dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = blob.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{_W3CDTF}\g<3>", text)
                blob = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, blob, compresslevel=9)
    return out.getvalue()


def _east_asian(element: Any, font: Any, name: str) -> None:
    """Set the font of a run or style element, including its East-Asian face (w:eastAsia)."""
    font.name = name
    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def deeds_docx(paragraphs: Sequence[str], *, author: str) -> bytes:
    """先进事迹材料 as DOCX: title (小标宋 22 pt), headings (黑体 16 pt), body (仿宋 16 pt, indent 2)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _east_asian(normal.element, normal.font, BODY_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Pt(595.3), Pt(841.9)
    section.top_margin, section.bottom_margin = Pt(104.9), Pt(99.2)
    section.left_margin, section.right_margin = Pt(79.4), Pt(73.7)

    title, *body = paragraphs
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(16)
    run = p.add_run(title)
    run.font.size = Pt(22)
    _east_asian(run._r, run.font, TITLE_FONT)
    for text in body:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.first_line_indent = Pt(32)
        fmt.space_after = Pt(0)
        run = p.add_run(text)
        heading = len(text) < 40 and text[:2] in {f"{c}、" for c in "一二三四五六七八九十"}
        _east_asian(run._r, run.font, HEADING_FONT if heading else BODY_FONT)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's thumbnail shows another document
            del package.rels[rid]
    props = doc.core_properties
    props.comments = ""
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def inflated_docx(docx: bytes, extra_bytes: int) -> bytes:
    """A DOCX whose word/document.xml carries `extra_bytes` more spaces (a tiny "zip bomb")."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "word/document.xml":
                blob = blob.replace(b"</w:body>", b" " * extra_bytes + b"</w:body>", 1)
            dst.writestr(info.filename, blob)
    return normalise_zip(out.getvalue())


def deeds_markdown(paragraphs: Sequence[str]) -> bytes:
    """先进事迹材料 as Markdown (UTF-8): '# title', '## 一、…' headings, blank-line paragraphs."""
    title, *body = paragraphs
    lines = [f"# {title}", ""]
    for text in body:
        heading = len(text) < 40 and text[1:2] == "、"
        lines += [f"## {text}" if heading else text, ""]
    return "\n".join(lines).encode("utf-8")


def deeds_text(paragraphs: Sequence[str]) -> bytes:
    """先进事迹材料 as plain UTF-8 text, one paragraph a line, indented with two ideographic spaces."""
    title, *body = paragraphs
    lines = [title, ""] + [("" if len(t) < 40 and t[1:2] == "、" else "\u3000\u3000") + t for t in body]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


class Formula(str):
    """A roster value that is an Excel formula (saved, as openpyxl saves it, without a result)."""


def excel_text(value: str) -> str:
    """Text as Excel stores it: characters XML cannot carry (C0 controls) as '_xHHHH_'."""
    return str(ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value))


def roster_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                number_formats: dict[tuple[int, int], str] | None = None,
                text_columns: Iterable[str] = (), wide_columns: dict[str, float] | None = None) -> bytes:
    """The roster workbook: one sheet '推荐人选', a bold header, wrapped long text.

    `number_formats` maps (row index from 0, column index from 0) to an Excel number format
    for cells that hold numbers or dates; `text_columns` are stored with the text format '@'.
    A string is always a text cell (also '=1+1'); only a `Formula` is a formula.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "推荐人选"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    text_idx = {header.index(c) for c in text_columns}
    formats = number_formats or {}
    for r, values in enumerate(rows):
        ws.append([excel_text(v) if isinstance(v, str) and not isinstance(v, Formula) else v for v in values])
        for c, cell in enumerate(ws[r + 2]):
            if isinstance(values[c], str) and not isinstance(values[c], Formula):
                cell.data_type = "s"
            if (r, c) in formats:
                cell.number_format = formats[(r, c)]
            elif c in text_idx:
                cell.number_format = "@"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = wide_columns or {}
    for c, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(name, max(8.0, 2.2 * len(name) + 2))
    ws.freeze_panes = "C2"
    wb.properties.creator = "大兴安岭地区人力资源和社会保障局（演示数据）"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "演示数据"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())
