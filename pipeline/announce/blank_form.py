"""The blank 申报审批表 of the 申报材料包: the packets' DOCX template rendered with empty values.

One source, not two: the same template (templates/packet/申报审批表.docx), the same layout code
(`docx_form.docx_layout`, `layout_context`) and the same rendering (`docx_form.render_docx`) as
each nominee's filled form; only the values are empty. What the applicant fills stays an empty
cell to type into (one empty paragraph in the 个人简历 and 简要事迹 cells), the title page's 姓名
and 单位 are underlined blanks to write on, and the photo cell says where the photo goes, as the
notice's attachment does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.edition import Edition
from pipeline.core.model import Candidate
from pipeline.packets.docx_form import (
    DOCX_TEMPLATE,
    DOCX_TITLE_PAGE_PT,
    WHO_FIELD_MM,
    _rich,
    docx_layout,
    docx_measure,
    layout_context,
    render_docx,
)
from pipeline.packets.fit import PT_PER_MM
from pipeline.packets.form import form_fields

BLANK_LINE = "\u3000" * int(WHO_FIELD_MM / (DOCX_TITLE_PAGE_PT / PT_PER_MM) - 1)
"""An underlined blank as wide as the title page's 姓名 and 单位 fields."""


def blank_candidate() -> Candidate:
    """A Candidate with every field empty."""
    return Candidate(code="", name="", gender=None, birth=None, native_place="", ethnicity="",
                     political_status="", education="", work_start=None, professional_title="",
                     skill_level="", unit_and_post="", occupation="", id_number="", phone="",
                     recommender="", nomination="", retirement_category=None, conditions=(),
                     exclusion="", resume="", summary="", row=0)


def blank_context(edition: Edition) -> tuple[dict[str, Any], Any]:
    """The template's variables for the blank form, and its layout."""
    fields: dict[str, Any] = {"region": edition.round.region, "bureau": edition.office.bureau,
                              **form_fields(blank_candidate())}
    layout = docx_layout(fields, docx_measure(edition.fonts))
    fields.update(layout_context(fields, layout))
    fields["who_name"] = _rich(BLANK_LINE, DOCX_TITLE_PAGE_PT, underline=True)
    fields["who_unit"] = _rich(BLANK_LINE, DOCX_TITLE_PAGE_PT, underline=True)
    fields["resume"] = fields["resume"] or [""]
    fields["summary_lines"] = fields["summary_lines"] or [""]
    return fields, layout


def write_blank_form(edition: Edition, target: Path, when: dt.datetime) -> None:
    """The blank 申报审批表 (DOCX) written atomically to `target`."""
    context, layout = blank_context(edition)
    data = render_docx(DOCX_TEMPLATE.read_bytes(), context, layout, edition, None, when=when,
                       title=f"{edition.round.region}“兴安技术能手”申报审批表（空白）",
                       author=edition.office.bureau)
    atomic.write_bytes(target, data)
