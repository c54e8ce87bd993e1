"""The editable 申报审批表: templates/packet/申报审批表.docx filled by docxtpl.

The template is built by tools/make_form_template.py (python-docx), so it is
reproducible. Rendering uses autoescape (without it docxtpl silently cuts text at `<` or
`&`), the photo goes in as an InlineImage of exactly 35 × 49 mm, and the result is made
byte-identical: fixed core-property dates and fixed ZIP timestamps.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pipeline import office
from pipeline.edition import PROJECT_ROOT
from pipeline.errors import RenderError
from pipeline.packets.form import form_fields
from pipeline.packets.job import PacketJob

DOCX_TEMPLATE = PROJECT_ROOT / "templates" / "packet" / "申报审批表.docx"


def docx_context(job: PacketJob) -> dict[str, Any]:
    """A packet job → the plain-text fields of the DOCX template (the photo is added later)."""
    return {
        "region": job.edition.round.region,
        "bureau": job.edition.office.bureau,
        **form_fields(job.candidate),
    }


def render_form_docx(job: PacketJob, template: bytes, photo: Path | None) -> bytes:
    """Packet job + template bytes + photo → the filled DOCX bytes (deterministic)."""
    import jinja2
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    c = job.candidate
    tpl = DocxTemplate(io.BytesIO(template))
    context = docx_context(job)
    settings = job.edition.photo
    context["photo"] = (
        InlineImage(tpl, str(photo), width=Mm(settings.width_mm), height=Mm(settings.height_mm))
        if photo is not None else "正面免冠彩色近照（2寸）"
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateError as exc:
        raise RenderError(f"申报审批表（Word）模板出错：{exc}", hint="运行 tools/make_form_template.py 重新生成模板",
                          candidate=c.label, file=str(DOCX_TEMPLATE)) from exc
    created = job.source_date.replace(tzinfo=None)
    props = tpl.docx.core_properties
    props.title = f"{job.edition.round.region}“兴安技术能手”申报审批表（{c.name}）"
    props.author = c.recommender
    props.subject = job.edition.round.title
    props.last_modified_by = c.recommender
    props.created = props.modified = props.last_printed = created
    props.revision = 1
    out = io.BytesIO()
    tpl.save(out)
    return office.fixed_zip(out.getvalue(), job.source_date)
