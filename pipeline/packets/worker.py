"""Building one packet, in long-lived worker processes.

Each worker is started once per run with the resolved FontSet (the parent resolves fonts
once; workers never run fc-list) and keeps one WeasyPrint font configuration, the parsed
stylesheet, the compiled template and the DOCX template bytes for every packet it builds.
`build_packet()` raises only DiskFullError (a full disk stops the stage, exit 2, and this
packet's outputs are removed): a packet that cannot be made comes back as a Finding that
names the nominee, the file and the fix, and the other packets go on.
"""

from __future__ import annotations

import hashlib
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.core import atomic
from pipeline.core.errors import DiskFullError, PipelineError, RenderError, attach
from pipeline.core.model import Finding, Severity
from pipeline.packets.bundle import Binder, DocMeta, Placement, email_rendition
from pipeline.packets.docx_form import DOCX_TEMPLATE, render_form_docx
from pipeline.packets.evidence import Sheet, probe
from pipeline.packets.form import FrontRenderer, build_context, group_evidence
from pipeline.packets.job import PacketJob
from pipeline.packets.manifest import Manifest, OutputRecord
from pipeline.render.fonts import FontSet, use_project_fonts
from pipeline.render.weasy import image_url


@dataclass(frozen=True)
class PacketOutcome:
    """What building one packet gave."""

    code: str
    """编号."""
    name: str
    """姓名."""
    manifest: Manifest | None
    """The manifest to store, None when the packet failed."""
    failure: Finding | None
    """Why the packet could not be made, None on success."""
    seconds: float
    """Time spent in the worker."""


class _Renderers:
    """Per-process rendering state."""

    def __init__(self, fonts: FontSet) -> None:
        """Font set → WeasyPrint renderer and DOCX template, loaded once."""
        self.fonts = fonts
        self.front = FrontRenderer(fonts)
        self.docx_template = DOCX_TEMPLATE.read_bytes()
        self.faces = tuple((f.face.file, f.face.index) for f in (*fonts.roles.values(), *fonts.fallback))


_STATE: dict[str, _Renderers] = {}


def init_worker(fonts: FontSet) -> None:
    """Process initialiser: font set → this process's renderers (fontconfig pointed at the project)."""
    use_project_fonts(fonts.fontconfig_file)
    _STATE["renderers"] = _Renderers(fonts)


@contextmanager
def in_this_process() -> Iterator[None]:
    """Packets built in the calling process (one job): afterwards the renderers are dropped (the
    stages after it in `make all` do not carry the packet renderer's fonts and stylesheet). WeasyPrint's
    font subsetting needs no restoring: the packet renderer's compact subsetting acts only while it
    writes a packet (pipeline.render.fontpack.cff_subsetting)."""
    try:
        yield
    finally:
        _STATE.clear()


def _renderers(fonts: FontSet) -> _Renderers:
    """Font set → this process's renderers (made on first use when not started as a pool worker)."""
    if "renderers" not in _STATE:
        init_worker(fonts)
    return _STATE["renderers"]


def build_packet(job: PacketJob, fonts: FontSet) -> PacketOutcome:
    """Packet job → outputs written atomically, and the outcome (raises only DiskFullError)."""
    start = time.perf_counter()
    c = job.candidate
    try:
        with attach(candidate=c.label):
            manifest = _build(job, _renderers(fonts))
        return PacketOutcome(c.code, c.name, manifest, None, time.perf_counter() - start)
    except DiskFullError:
        for path in job.paths.all():  # no packet with an old PDF beside a new DOCX
            path.unlink(missing_ok=True)
        raise
    except PipelineError as exc:
        failure = Finding(
            code=getattr(exc, "code", "") or "PACKET_FAILED", severity=Severity.error,
            message=f"申报材料未能生成：{exc.message}",
            hint=exc.hint or "修正后重新运行 make packets",
            candidate_code=c.code, candidate_name=c.name, file=exc.file,
        )
    except Exception as exc:  # a bug must not take the other packets down
        failure = Finding(
            code="PACKET_FAILED", severity=Severity.error,
            message=f"申报材料未能生成：程序内部错误 {type(exc).__name__}: {exc}",
            hint="请联系技术人员，并附上以下信息：" + traceback.format_exc(limit=3)[-600:],
            candidate_code=c.code, candidate_name=c.name,
        )
    return PacketOutcome(c.code, c.name, None, failure, time.perf_counter() - start)


def _build(job: PacketJob, renderers: _Renderers) -> Manifest:
    """Packet job + renderers → PDF, e-mail copy (when it differs from the PDF) and DOCX written, and their manifest."""
    c = job.candidate
    settings = job.edition.packets
    sheets: list[tuple[Sheet, ...]] = [probe(ev.path, ev.rel) for ev in job.evidence]
    items = group_evidence(job, sheets)
    photo = job.photo if job.photo is not None and job.photo.is_file() else None
    if photo is None:
        raise RenderError("没有可用的照片", hint="先运行 make check，按报告处理照片问题",
                          candidate=c.label, code="PHOTO_MISSING")
    context = build_context(job, items, image_url(photo))
    front = renderers.front.render(context, c.label)

    placements = []
    for item in items:
        for n, sheet in item.sheets:
            if n not in front.scan_boxes:
                raise RenderError(f"证明材料第 {n} 页未能排版", candidate=c.label, file=sheet.rel)
            page, box = front.scan_boxes[n]
            text = next((p for p in job.text_layer.get(sheet.rel, ()) if p.number == sheet.index + 1), None)
            placements.append(Placement(page, sheet, box, sheet.landscape, text))
    meta = context["meta"]
    binder = Binder(front.pdf, placements, DocMeta(
        title=meta["title"], author=meta["author"], subject=meta["subject"], keywords=meta["keywords"],
        created=job.source_date, copies=settings.copies), overlays=[(o.pdf, o.pages, o.per_page) for o in front.overlays],
        faces=renderers.faces)
    master = binder.bind(settings.print_dpi)
    budget = int(settings.email_budget_mb * 1024 * 1024)
    email, fits = email_rendition(binder, master, budget, settings.print_dpi)
    docx = render_form_docx(job, renderers.docx_template, photo)

    # A master within the budget is the e-mail copy: written once, and an e-mail copy of an older build
    # is removed first, so it never looks current.
    email_is_master = email.data == master.data
    files = [(job.paths.docx, docx), (job.paths.print_pdf, master.data)]
    if email_is_master:
        job.paths.email_pdf.unlink(missing_ok=True)
    else:
        files.insert(1, (job.paths.email_pdf, email.data))
    outputs = []
    for path, data in files:
        atomic.write_bytes(path, data, private=True)  # the form holds the full ID number
        outputs.append(OutputRecord(str(path), len(data), hashlib.sha256(data).hexdigest()))
    return Manifest(c.code, c.name, job.fingerprint, front.pages, email.max_dpi, fits, tuple(outputs),
                    email_is_master)

