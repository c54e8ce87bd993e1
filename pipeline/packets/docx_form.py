"""The editable 申报审批表: templates/packet/申报审批表.docx filled by docxtpl.

The template is built by tools/make_form_template.py (python-docx), so it is
reproducible. Rendering uses autoescape (without it docxtpl silently cuts text at `<` or
`&`), the photo goes in as an InlineImage of exactly 35 × 49 mm, and the result is made
byte-identical: fixed core-property dates and fixed ZIP timestamps.

The DOCX follows the PDF form's rules (pipeline.packets.fit) with its own measurements:

* short fields (姓名, 籍贯, 出生年月 …) never break: their type steps down to 9 pt and the
  columns are rebalanced per document (w:gridCol and w:tcW written after rendering);
* a long 工作单位及职务 breaks only between words, as explicit line breaks;
* the 个人简历 keeps the entries that fit its cell and the rest goes to the 附页
  "个人简历（续）" (注意事项3), so the DOCX has as many pages as the PDF's form;
* every résumé entry and 简要事迹 paragraph is broken into lines here, as explicit line breaks
  (w:br), by the PDF's rules (pipeline.render.wordbreak: between words, never inside a number, date or
  range, "第41期" or "第十三期", nor before closing or after opening punctuation; 简要事迹 as
  prose, between any other two characters): left to itself, Word, WPS and LibreOffice break
  CJK text between any two characters, digits included ("（第4" / "1期）").
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline.core.edition import PROJECT_ROOT, Edition, FontSettings
from pipeline.core.errors import RenderError
from pipeline.packets.fit import (
    FLOOR_PT,
    PT_PER_MM,
    GridCell,
    Measure,
    fit_grid,
    fit_size,
)
from pipeline.packets.form import (
    ANNEX_NOTE,
    FORM_COLUMNS_MM,
    RESUME_BOX_MM,
    RESUME_LINE_MM,
    form_fields,
)
from pipeline.packets.job import PacketJob
from pipeline.render import office
from pipeline.render.wordbreak import break_lines

DOCX_TEMPLATE = PROJECT_ROOT / "templates" / "packet" / "申报审批表.docx"

PHOTO_PLACEHOLDER = "正面免冠彩色近照（2寸）"
"""The photo cell's text when there is no photo (as the notice's attachment has it)."""

DOCX_BODY_FONT = "仿宋_GB2312"
DOCX_LATIN_FONT = "Times New Roman"
DOCX_SIZE_PT = 12.0
DOCX_MIN_PT = FLOOR_PT
DOCX_TITLE_PAGE_PT = 16.0
DOCX_INSIDE_MM = 28.0
"""The inside (bound) margin, as the PDF's: mirrored margins put it on the left of odd pages and
the right of even pages (bound on the left edge, duplex long edge), so 25 mm stay white."""
DOCX_OUTSIDE_MM = 12.0
"""The outside margin, as the PDF's."""
DOCX_TEXT_MM = 210.0 - DOCX_INSIDE_MM - DOCX_OUTSIDE_MM
"""Width between the margins (170 mm: the form's columns)."""
DOCX_CELL_PAD_MM = (0.8, 1.0)
"""Cell padding of the template's tables (top/bottom, left/right): the PDF form's (packet.css)."""
DOCX_RULE_MM = 0.18
"""A table rule (0.5 pt)."""
DOCX_SIDE_PAD_MM = 2 * DOCX_CELL_PAD_MM[1] + DOCX_RULE_MM
"""What a cell loses in width: padding on both sides and one rule."""
DOCX_PHOTO_COLUMN_MM = 35.0 + DOCX_SIDE_PAD_MM + 0.4
"""The photo column: the 35 mm photo, the cell padding and a hair."""
WHO_INDENT_MM = 25.0
"""Left indent of 姓名 and 单位 on the title page."""
WHO_LABEL = "单\u3000\u3000位："
WHO_FIELD_MM = DOCX_TEXT_MM - WHO_INDENT_MM - len(WHO_LABEL) * DOCX_TITLE_PAGE_PT / PT_PER_MM - 2.0
"""Width of 姓名 and 单位 after their labels on the title page (less a little room)."""
RESUME_ROW_MM = 140.0
"""Height of the 个人简历 row (the PDF's 136 mm cell and its padding)."""
RESUME_LINE_PT = DOCX_SIZE_PT * 1.45
"""Exact line pitch of the résumé lines, the PDF's (12 pt × 1.45), plus 0.5 mm after each."""
SUMMARY_INDENT_PT = 2 * DOCX_SIZE_PT
"""First-line indent of each 简要事迹 paragraph (two characters)."""
DOCX_WRAP_SLACK_MM = 1.0
"""Room left at the end of a line broken here, so Word, WPS or LibreOffice never break it again."""

@dataclass(frozen=True)
class DocxCell:
    """One cell of the form's fixed-column rows in the DOCX template (first table)."""

    key: str
    """Field key (a {{r key }} tag in the template) or label key."""
    row: int
    """Table row."""
    cols: tuple[int, ...]
    """Grid columns it spans."""
    label: str = ""
    """The label text; empty for a field."""


EM = "\u3000"
DOCX_GRID: tuple[DocxCell, ...] = (
    DocxCell("l_name", 0, (0,), f"姓{EM}{EM}名"), DocxCell("name", 0, (1,)),
    DocxCell("l_gender", 0, (2,), "性别"), DocxCell("gender", 0, (3,)),
    DocxCell("l_birth", 0, (4,), "出生年月"), DocxCell("birth", 0, (5,)),
    DocxCell("l_native", 1, (0,), f"籍{EM}{EM}贯"), DocxCell("native_place", 1, (1,)),
    DocxCell("l_eth", 1, (2,), "民族"), DocxCell("ethnicity", 1, (3,)),
    DocxCell("l_pol", 1, (4,), "政治面貌"), DocxCell("political_status", 1, (5,)),
    DocxCell("l_edu", 2, (0,), f"学{EM}{EM}历"), DocxCell("education", 2, (1,)),
    DocxCell("l_work", 2, (2, 3), "参加工作时间"), DocxCell("work_start", 2, (4, 5)),
    DocxCell("l_title", 3, (0,), f"职{EM}{EM}称"), DocxCell("professional_title", 3, (1,)),
    DocxCell("l_skill", 3, (2, 3), "技术等级"), DocxCell("skill_level", 3, (4, 5, 6)),
    DocxCell("l_unit", 4, (0,), "工作单位"),
    DocxCell("l_id", 5, (0,), "身份证号码"), DocxCell("id_number", 5, (1, 2, 3)),
    DocxCell("l_phone", 5, (4,), "联系电话"), DocxCell("phone", 5, (5, 6)),
)
"""The labels and short fields of the first table, where the template puts them (the photo
spans column 6 of rows 0–2; 工作单位及职务 spans columns 1–6 of row 4)."""
SHORT_FIELDS: tuple[str, ...] = tuple(c.key for c in DOCX_GRID if not c.label)


class DocxMeasure(Measure):
    """Text widths as Word and WPS set the DOCX: characters of ambiguous East Asian width
    (· “ ” — …) take the East Asian font (w:hint="eastAsia"), a full em."""

    def face_em(self, ch: str) -> float:
        """Advance of one character in ems."""
        width = super().face_em(ch)
        return max(width, 1.0) if unicodedata.east_asian_width(ch) in ("A", "F", "W") else width


@functools.cache
def docx_measure(settings: FontSettings) -> DocxMeasure:
    """The body face and its fallbacks (the free faces the DOCX names last, LibreOffice's choice)."""
    from pipeline.render.fonts import resolve_fonts

    fonts = resolve_fonts(settings)
    return DocxMeasure([fonts.roles["body"].face, *(f.face for f in fonts.fallback)])


def split_entries(entries: Sequence[Sequence[str]], note_lines: int) -> tuple[int, bool]:
    """Résumé entries (each its lines) → (how many fill the 个人简历 cell, whether the rest goes
    to the 附页): as the PDF's split_resume, with the lines this DOCX prints."""
    heights = [len(lines) * RESUME_LINE_MM for lines in entries]
    room = RESUME_BOX_MM[1]
    if sum(heights) <= room:
        return len(entries), False
    room -= RESUME_LINE_MM * note_lines
    used = 0.0
    for i, h in enumerate(heights):
        if used + h > room:
            return i, True
        used += h
    return len(entries), False


@dataclass(frozen=True)
class DocxLayout:
    """How the fields of one DOCX form are set."""

    widths: tuple[float, ...]
    """Column widths in mm of the form's tables (170 mm)."""
    sizes: dict[str, float]
    """Field or label key → type size in points."""
    unit_lines: tuple[str, ...]
    """工作单位及职务, broken between words."""
    resume: tuple[str, ...]
    """The 个人简历 entries that fit its cell, each its lines joined by "\\n" (a w:br)."""
    annex: tuple[str, ...]
    """The rest, for the 附页 "个人简历（续）", broken to its width the same way."""
    summary: tuple[str, ...]
    """The 简要事迹 paragraphs, broken into lines between any two characters but never inside a
    number (prose: no word breaking)."""
    who_name_size: float
    """Type size of 姓名 on the title page."""
    who_unit_lines: tuple[str, ...]
    """单位 on the title page, broken between words."""
    overflow: tuple[str, ...]
    """Fields that do not fit on one line even at 9 pt in the widest columns possible."""
    field_lines: dict[str, tuple[str, ...]]
    """Short field key → its line (an overflowing field: its lines, broken between words)."""


def docx_layout(fields: dict[str, Any], measure: Measure) -> DocxLayout:
    """The form's fields (form_fields) + text widths → column widths, sizes and line breaks of the DOCX."""
    cells = [GridCell(c.key, c.cols, c.label or str(fields.get(c.key, "")), fixed=bool(c.label))
             for c in DOCX_GRID]
    cells.append(GridCell("photo", (6,), "", fixed=True, min_mm=DOCX_PHOTO_COLUMN_MM))
    grid = fit_grid(cells, FORM_COLUMNS_MM, measure, base=DOCX_SIZE_PT, pad_mm=DOCX_SIDE_PAD_MM,
                    label_pad_mm=DOCX_SIDE_PAD_MM)
    for _ in range(3):
        # fit_grid lets the first short field it widens take width from another short field's
        # columns; fitting again from the widths it left gives the other one its turn.
        if not grid.overflow:
            break
        again = fit_grid(cells, grid.widths, measure, base=DOCX_SIZE_PT, pad_mm=DOCX_SIDE_PAD_MM,
                         label_pad_mm=DOCX_SIDE_PAD_MM)
        if len(again.overflow) >= len(grid.overflow):
            break
        grid = again
    long_width = sum(grid.widths[1:]) - DOCX_SIDE_PAD_MM
    field_lines: dict[str, tuple[str, ...]] = {c.key: (str(fields.get(c.key, "")),) for c in DOCX_GRID if not c.label}
    for c in DOCX_GRID:
        if c.key in grid.overflow:
            width = sum(grid.widths[i] for i in c.cols) - DOCX_SIDE_PAD_MM
            field_lines[c.key] = tuple(break_lines(field_lines[c.key][0], width, grid.sizes[c.key], measure))
    resume_lines = [str(x) for x in fields["resume_lines"]]
    cell_width = long_width - DOCX_WRAP_SLACK_MM
    entries = [break_lines(line, cell_width, DOCX_SIZE_PT, measure, at_spaces=False) for line in resume_lines]
    count, _ = split_entries(entries, len(break_lines(ANNEX_NOTE, cell_width, DOCX_SIZE_PT, measure, at_spaces=False)))
    annex_width = sum(grid.widths) - DOCX_SIDE_PAD_MM - DOCX_WRAP_SLACK_MM
    resume = ["\n".join(lines) for lines in entries[:count]]
    annex = ["\n".join(break_lines(line, annex_width, DOCX_SIZE_PT, measure, at_spaces=False))
             for line in resume_lines[count:]]
    summary = ["\n".join(break_lines(str(line), cell_width, DOCX_SIZE_PT, measure, at_spaces=False,
                                      indent_mm=SUMMARY_INDENT_PT / PT_PER_MM, by_words=False))
               for line in fields["summary_lines"]]
    return DocxLayout(
        widths=grid.widths,
        sizes=grid.sizes,
        unit_lines=tuple(break_lines(str(fields["unit_and_post"]), long_width - 1.0, DOCX_SIZE_PT, measure)),
        resume=tuple(resume),
        annex=tuple(annex),
        summary=tuple(summary),
        who_name_size=fit_size(str(fields["name"]), WHO_FIELD_MM, measure, base=DOCX_TITLE_PAGE_PT),
        who_unit_lines=tuple(break_lines(str(fields["unit"]), WHO_FIELD_MM, DOCX_TITLE_PAGE_PT, measure)),
        overflow=grid.overflow,
        field_lines=field_lines,
    )


def fitted_size(text: str, width_mm: float, measure: Measure) -> float:
    """The largest size ≤ 12 pt (in 0.5 pt steps, floor 9 pt) at which `text` fits one line of a cell."""
    return fit_size(text, width_mm, measure, base=DOCX_SIZE_PT, pad_mm=DOCX_SIDE_PAD_MM)


def docx_context(job: PacketJob) -> dict[str, Any]:
    """A packet job → the plain-text fields of the DOCX template (the photo is added later)."""
    return {
        "region": job.edition.round.region,
        "bureau": job.edition.office.bureau,
        **form_fields(job.candidate),
    }


def _rich(text: str, size: float, *, underline: bool = False) -> Any:
    """A docxtpl RichText run in the body font (East Asian and Latin faces named), at a size."""
    from docxtpl import RichText

    rt = RichText()
    rt.add(text, size=int(round(size * 2)), underline=underline)
    fonts = (f'<w:rFonts w:ascii="{DOCX_LATIN_FONT}" w:hAnsi="{DOCX_LATIN_FONT}" '
             f'w:eastAsia="{DOCX_BODY_FONT}" w:cs="{DOCX_LATIN_FONT}" w:hint="eastAsia"/>')
    rt.xml = rt.xml.replace("<w:rPr>", "<w:rPr>" + fonts)
    return rt


def layout_context(context: dict[str, Any], layout: DocxLayout) -> dict[str, Any]:
    """The template variables set by the layout: sized short fields, broken lines, the résumé split."""
    out: dict[str, Any] = {key: _rich("\n".join(layout.field_lines[key]), layout.sizes.get(key, DOCX_SIZE_PT))
                           for key in SHORT_FIELDS}
    out["unit_and_post"] = _rich("\n".join(layout.unit_lines), DOCX_SIZE_PT)
    out["who_name"] = _rich(str(context["name"]), layout.who_name_size, underline=True)
    out["who_unit"] = _rich("\n".join(layout.who_unit_lines), DOCX_TITLE_PAGE_PT, underline=True)
    out["resume"] = list(layout.resume)
    out["resume_annex"] = list(layout.annex)
    out["summary_lines"] = list(layout.summary)
    out["annex_note"] = ANNEX_NOTE if layout.annex else ""
    return out


def _grid_cells(tbl: Any) -> Iterator[tuple[int, int, Any]]:
    """A w:tbl → (row, first grid column, w:tc) of every cell, merged ones included."""
    for r, tr in enumerate(tbl.tr_lst):
        col = 0
        for tc in tr.tc_lst:
            yield r, col, tc
            col += tc.grid_span


def apply_widths(document: Any, widths: Sequence[float]) -> None:
    """Column widths of the form's seven-column tables → w:gridCol and every cell's w:tcW."""
    from docx.shared import Mm

    for table in document.tables:
        cols = table._tbl.tblGrid.gridCol_lst
        if len(cols) != len(widths):
            continue  # the 附页 (one column)
        for col, width in zip(cols, widths, strict=True):
            col.w = Mm(width)
        for _, first, tc in _grid_cells(table._tbl):
            tc.width = Mm(sum(widths[first:first + tc.grid_span]))


def apply_label_sizes(document: Any, sizes: dict[str, float]) -> None:
    """Labels that had to step down (last resort of fit_grid) → their runs at that size."""
    from docx.shared import Pt

    smaller = {(c.row, c.cols[0]): sizes[c.key] for c in DOCX_GRID
               if c.label and sizes.get(c.key, DOCX_SIZE_PT) < DOCX_SIZE_PT}
    if not smaller or not document.tables:
        return
    for r, first, tc in _grid_cells(document.tables[0]._tbl):
        size = smaller.get((r, first))
        if size is not None:
            for rpr in tc.xpath(".//w:r/w:rPr"):
                rpr.get_or_add_sz().val = Pt(size)


def place_inline_images(document: Any) -> None:
    """Inline pictures with zero distance from the text and no effect extent, as Word writes
    them: without these LibreOffice keeps its default distance and pushes the photo out of its cell."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for inline in document.element.body.iter(qn("wp:inline")):
        for attr in ("distT", "distB", "distL", "distR"):
            inline.set(attr, "0")
        if inline.find(qn("wp:effectExtent")) is None:
            extent = OxmlElement("wp:effectExtent")
            for edge in ("l", "t", "r", "b"):
                extent.set(edge, "0")
            inline.find(qn("wp:extent")).addnext(extent)


def render_form_docx(job: PacketJob, template: bytes, photo: Path | None) -> bytes:
    """Packet job + template bytes + photo → the filled DOCX bytes (deterministic)."""
    c = job.candidate
    context = docx_context(job)
    layout = docx_layout(context, docx_measure(job.edition.fonts))
    context.update(layout_context(context, layout))
    return render_docx(template, context, layout, job.edition, photo, when=job.source_date,
                       title=f"{job.edition.round.region}“兴安技术能手”申报审批表（{c.name}）",
                       author=c.recommender, candidate=c.label)


T = TypeVar("T")


def _remembered(store: dict[str, T], key: str, make: Callable[[], T]) -> T:
    """store[key], made by make() when missing; the store is emptied when it holds 32 entries (the
    parts of one DOCX template are a handful, the same for every nominee)."""
    found = store.get(key)
    if found is None:
        if len(store) >= 32:
            store.clear()
        found = store[key] = make()
    return found


@functools.cache
def _environment() -> Any:
    """The Jinja environment of the DOCX forms (one per process): docxtpl compiles each part's XML with
    from_string on every rendering, so the compiled parts are kept per source text — the template's
    parts are the same for every nominee, only the context differs."""
    import jinja2

    class CompiledOnce(jinja2.Environment):
        """from_string compiles a source once (the last 32 sources kept)."""

        compiled: dict[str, jinja2.Template] = {}

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            return _remembered(self.compiled, source, lambda: super(CompiledOnce, self).from_string(source))

    return CompiledOnce(autoescape=True, undefined=jinja2.StrictUndefined)


@functools.cache
def _template_class() -> Any:
    """docxtpl's DocxTemplate whose patch_xml (a dozen regular expressions over each part's XML, 25 ms
    a form) runs once per process and part: the template's parts are the same for every nominee."""
    from docxtpl import DocxTemplate

    class PatchedOnce(DocxTemplate):  # type: ignore[misc]
        """patch_xml remembered per source (the last 32 sources kept)."""

        patched: dict[str, str] = {}

        def patch_xml(self, src_xml: str) -> str:
            return _remembered(self.patched, src_xml, lambda: super(PatchedOnce, self).patch_xml(src_xml))

    return PatchedOnce


def render_docx(template: bytes, context: dict[str, Any], layout: DocxLayout, edition: Edition,
                photo: Path | None, *, when: dt.datetime, title: str, author: str, candidate: str = "") -> bytes:
    """The template rendered with a context made by `docx_context` + `layout_context` (or the blank
    form's, pipeline.announce.blank_form), its layout applied → DOCX bytes (deterministic). One
    rendering for the packets' filled forms and the blank one of the 申报材料包."""
    import jinja2
    from docx.shared import Mm
    from docxtpl import InlineImage

    tpl = _template_class()(io.BytesIO(template))
    settings = edition.photo
    context = dict(context)
    context["photo"] = (
        InlineImage(tpl, str(photo), width=Mm(settings.width_mm), height=Mm(settings.height_mm))
        if photo is not None else PHOTO_PLACEHOLDER
    )
    env = _environment()
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateError as exc:
        raise RenderError(f"申报审批表（Word）模板出错：{exc}", hint="运行 tools/make_form_template.py 重新生成模板",
                          candidate=candidate, file=str(DOCX_TEMPLATE)) from exc
    apply_widths(tpl.docx, layout.widths)
    apply_label_sizes(tpl.docx, layout.sizes)
    place_inline_images(tpl.docx)
    created = when.replace(tzinfo=None)
    props = tpl.docx.core_properties
    props.title = title
    props.author = author
    props.subject = edition.round.title
    props.last_modified_by = author
    props.created = props.modified = props.last_printed = created
    props.revision = 1
    out = io.BytesIO()
    tpl.save(out)
    return office.fixed_zip(out.getvalue(), when)
