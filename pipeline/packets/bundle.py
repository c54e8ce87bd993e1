"""Binding: the WeasyPrint pages + the evidence scans → the print master and the e-mail copy.

Each evidence sheet of the WeasyPrint document has an empty `.scan` box; the scan is
drawn *under* that page's content (so the imprint and page number stay on top), fitted
into the box, turned by its EXIF orientation. The book is portrait throughout: a landscape
scan is turned 90° anticlockwise into the portrait box, its top (表头) on the left — the
binding side of an odd page and the cut side of an even page, as GB/T 9704-2012 §10.2 sets
for landscape tables — while the caption, imprint and folio stay upright where they are on
every other sheet. Both renditions come from the same pages: only the resolution limit of
the images differs.

* print master: scans up to [packets] print_dpi; a JPEG already within it keeps its bytes.
* e-mail copy: the same, with the highest limit from EMAIL_DPI_STEPS that keeps the file
  within [packets] email_budget_mb (identical to the master when that already fits).

Document settings: title/author/subject metadata, /ViewerPreferences /NumCopies (一式五份)
with a long-edge duplex hint and no print scaling, bookmarks pane open, PDF 1.7, a
content-derived /ID and no wall-clock dates, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.ocr import Page
from pipeline.packets.evidence import (
    KIND_PDF,
    EncodedImage,
    EvidenceError,
    Rect,
    Sheet,
    encode_image,
    lossless_png,
    orientation_matrix,
)
from pipeline.packets.textlayer import TextLayer
from pipeline.render.fontpack import compact_cid_fonts

if TYPE_CHECKING:
    import pikepdf

EMAIL_DPI_STEPS: tuple[int, ...] = (300, 250, 200, 170, 150, 130, 110, 96, 85, 72)
"""Resolution limits tried for the e-mail copy, best first (those above print_dpi are skipped)."""


@dataclass(frozen=True)
class Placement:
    """Where one evidence sheet goes."""

    page: int
    """Page index in the packet (0-based)."""
    sheet: Sheet
    """The sheet."""
    box: Rect
    """The `.scan` box on that page, in PDF points."""
    turned: bool = False
    """Drawn turned 90° anticlockwise (a landscape sheet on a portrait page, 表头 on the left)."""
    text: Page | None = None
    """What OCR read on the scan (lines to write as its invisible text layer), None for no layer."""

    @property
    def frame(self) -> Rect:
        """The box in the sheet's own upright frame: the page box, or its turned twin at the origin."""
        return Rect(0.0, 0.0, self.box.h, self.box.w) if self.turned else self.box

    @property
    def turn(self) -> bytes:
        """The `cm` operator that maps `frame` onto the page box (nothing when not turned)."""
        if not self.turned:
            return b""
        box = self.box
        return f"0 1 -1 0 {_num(box.x + box.w)} {_num(box.y)} cm ".encode("ascii")


@dataclass(frozen=True)
class DocMeta:
    """Document information of a packet."""

    title: str
    """Title."""
    author: str
    """The recommending unit."""
    subject: str
    """The round."""
    keywords: str
    """Keywords."""
    created: dt.datetime
    """Creation and modification date."""
    copies: int
    """NumCopies viewer preference."""


@dataclass(frozen=True)
class Bound:
    """One rendition of a packet."""

    data: bytes
    """The PDF."""
    max_dpi: int
    """Resolution limit applied to the scans."""
    image_bytes: int
    """Bytes of evidence image data embedded."""
    passthrough: int
    """Image sheets whose original bytes were embedded."""
    downsampled: int
    """Image sheets that were downsampled."""


@dataclass
class Binder:
    """Binds one packet; caches encoded scans so the e-mail copy reuses the master's work."""

    base: bytes
    """The WeasyPrint PDF."""
    placements: Sequence[Placement]
    """Every evidence sheet and its box."""
    meta: DocMeta
    """Document information."""
    compact_fonts: bool = True
    """Re-subset CID-keyed CJK fonts to the glyphs used (pipeline.render.fontpack)."""
    overlays: Sequence[tuple[bytes, Sequence[int], bool]] = ()
    """Parts rendered once per worker (form.FrontRenderer.overlay: a PDF whose page 1 goes on right-hand,
    page 2 on left-hand pages; or, marked True, FrontRenderer.folios: its page i goes on page i) and the
    indices of the pages each is laid over."""
    faces: tuple[tuple[Path, int], ...] = ()
    """Font files (and face indices) the pages may use: fonts of one face get one program."""
    _encoded: dict[tuple[str, int], EncodedImage] = field(default_factory=dict)

    def encoded(self, placement: Placement, max_dpi: int) -> EncodedImage:
        """The image data of an image sheet at a resolution limit (cached per sheet and limit)."""
        key = (placement.sheet.key, max_dpi)
        cached = self._encoded.get(key)
        if cached is None:
            cached = encode_image(placement.sheet, placement.frame, max_dpi)
            if cached.passthrough:  # the original bytes: share them between limits
                for (sheet_key, _), value in self._encoded.items():
                    if sheet_key == placement.sheet.key and value.passthrough:
                        cached = value
                        break
            self._encoded[key] = cached
        return cached

    def predicted_image_bytes(self, max_dpi: int, base_dpi: int) -> int:
        """Image bytes expected at a lower limit, from the sizes at base_dpi (bytes ∝ pixels)."""
        total = 0.0
        for placement in self.placements:
            if placement.sheet.kind == KIND_PDF:
                continue
            enc = self.encoded(placement, base_dpi)
            scale = min(1.0, (max_dpi / min(enc.dpi, base_dpi)) ** 2)
            total += len(enc.data) * scale
        return int(total)

    def bind(self, max_dpi: int) -> Bound:
        """Lay every scan on its page at the resolution limit → one rendition."""
        import pikepdf

        pdf = pikepdf.open(io.BytesIO(self.base))
        sources: dict[str, pikepdf.Pdf] = {}
        converted: dict[str, pikepdf.Pdf] = {}
        total = passthrough = downsampled = 0
        layer = TextLayer(pdf)
        try:
            self._lay_overlays(pdf, sources)
            for placement in self.placements:
                page = pdf.pages[placement.page]
                sheet = placement.sheet
                placed = placement.frame.fit(sheet.width, sheet.height)
                self._lay_text(pdf, layer, page, placement, placed)  # prepended first: drawn after the scan
                if sheet.kind == KIND_PDF:
                    self._lay_pdf_page(pdf, page, placement, sources)
                    continue
                enc = self.encoded(placement, max_dpi)
                xobj = self._image_xobject(pdf, enc, sheet, converted)
                total += len(enc.data)
                passthrough += enc.passthrough
                downsampled += not enc.passthrough
                name = page.add_resource(xobj, pikepdf.Name.XObject, pikepdf.Name(f"/XnScan{placement.page}"))
                matrix = " ".join(_num(v) for v in orientation_matrix(sheet.orientation, placed))
                stream = b"q " + placement.turn + f"{matrix} cm {name} Do Q\n".encode("ascii")
                page.contents_add(pikepdf.Stream(pdf, stream), prepend=True)
            layer.finish()
            if self.compact_fonts:
                compact_cid_fonts(pdf, self.faces)
            self._finish(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                deterministic_id=True,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                min_version="1.7",
                fix_metadata_version=False,
            )
            return Bound(out.getvalue(), max_dpi, total, passthrough, downsampled)
        finally:
            pdf.close()
            for src in (*sources.values(), *converted.values()):
                src.close()

    def _lay_overlays(self, pdf: pikepdf.Pdf, sources: dict[str, pikepdf.Pdf]) -> None:
        """Each overlay's right- and left-hand page (or, per page, each of its pages) as a Form XObject of
        `pdf` (one for all the pages it goes on), drawn over each of its pages' own content from the page's
        initial graphics state."""
        import pikepdf

        drawn: dict[int, list[pikepdf.Name]] = {}
        for number, (data, pages, per_page) in enumerate(self.overlays):
            if not pages:
                continue
            src = sources[f"\0overlay{number}"] = pikepdf.open(io.BytesIO(data))
            if per_page:
                forms = {index: pdf.copy_foreign(src.pages[index].as_form_xobject()) for index in pages}
            else:
                forms = dict(enumerate(pdf.copy_foreign(page.as_form_xobject()) for page in src.pages))
            for index in pages:
                page = pdf.pages[index]
                # pages may share one resource dictionary: one name per overlay and side (or page)
                key = index if per_page else index % 2
                drawn.setdefault(index, []).append(page.add_resource(
                    forms[key], pikepdf.Name.XObject, pikepdf.Name(f"/XnPart{number}{'p' if per_page else 's'}{key}")))
        for index, names in drawn.items():
            page = pdf.pages[index]
            draw = "".join(f"q {name} Do Q\n" for name in names).encode("ascii")
            contents = page.obj.get("/Contents")
            if isinstance(contents, pikepdf.Stream):  # WeasyPrint's one stream: wrapped in place, no new objects
                contents.write(b"q\n" + contents.read_bytes() + b"\nQ\n" + draw)
            else:
                page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
                page.contents_add(pikepdf.Stream(pdf, b"Q\n" + draw))

    @staticmethod
    def _image_xobject(pdf: pikepdf.Pdf, enc: EncodedImage, sheet: Sheet,
                       converted: dict[str, pikepdf.Pdf]) -> pikepdf.Object:
        """Encoded image → an image XObject owned by `pdf` (img2pdf builds it; JPEG bytes kept).

        `converted` caches img2pdf's documents: the frames of a multi-page TIFF embedded as
        it is are converted once.
        """
        import img2pdf

        data, frame = enc.data, enc.frame
        key = f"{sheet.rel}|original" if enc.passthrough else f"{sheet.key}|{enc.dpi}"
        for attempt in range(2):
            try:
                src = converted.get(key)
                if src is None:
                    doc = img2pdf.convert_to_docobject(
                        data, engine=img2pdf.Engine.pikepdf, rotation=img2pdf.Rotation.none, nodate=True)
                    src = converted[key] = doc.writer
                resources = src.pages[frame].Resources.XObject
                image = resources[next(iter(resources.keys()))]
                return pdf.copy_foreign(image)
            except (img2pdf.AlphaChannelError, img2pdf.UnsupportedColorspaceError,
                    img2pdf.JpegColorspaceError, img2pdf.ImageOpenError, ValueError, TypeError,
                    IndexError) as exc:
                if attempt or enc.data[:3] == b"\xff\xd8\xff":
                    raise EvidenceError(f"图片无法嵌入（{type(exc).__name__}）", file=sheet.rel) from exc
                data, frame = lossless_png(sheet), 0  # odd PNG/TIFF modes: re-encode losslessly
                key = f"{sheet.key}|png"
        raise AssertionError("unreachable")

    @staticmethod
    def _lay_pdf_page(pdf: pikepdf.Pdf, page: pikepdf.Page, placement: Placement,
                      sources: dict[str, pikepdf.Pdf]) -> None:
        """Draw one page of an evidence PDF, scaled to fit, under a packet page."""
        import pikepdf

        sheet = placement.sheet
        try:
            src = sources.get(sheet.rel)
            if src is None:
                src = sources[sheet.rel] = pikepdf.open(sheet.path)
            formx = pdf.copy_foreign(src.pages[sheet.index].as_form_xobject())
        except pikepdf.PasswordError as exc:
            raise EvidenceError("PDF 已加密（设置了打开密码），无法装订", file=sheet.rel) from exc
        except (pikepdf.PdfError, IndexError, ValueError, KeyError) as exc:
            raise EvidenceError(f"PDF 已损坏（{type(exc).__name__}）", file=sheet.rel) from exc
        box = placement.frame
        rect = pikepdf.Rectangle(box.x, box.y, box.x + box.w, box.y + box.h)
        name = page.add_resource(formx, pikepdf.Name.XObject, pikepdf.Name(f"/XnDoc{placement.page}"))
        content = page.calc_form_xobject_placement(formx, name, rect, allow_shrink=True, allow_expand=True)
        page.contents_add(pikepdf.Stream(pdf, b"q " + placement.turn + b"\n" + content + b"\nQ\n"),
                          prepend=True)

    @staticmethod
    def _lay_text(pdf: pikepdf.Pdf, layer: TextLayer, page: pikepdf.Page, placement: Placement,
                  placed: Rect) -> None:
        """The invisible text read on a scan → put at the start of the page's content (the scan, prepended
        next, comes before it; the page's own content after it), through the same turn and into the same
        upright rectangle as the scan."""
        import pikepdf

        if placement.text is None:
            return
        sheet = placement.sheet
        ops = layer.draw(page, placement.text, placed, (sheet.width, sheet.height))
        if ops:
            stream = b"q " + placement.turn + b"\n" + ops + b"\nQ\n"
            page.contents_add(pikepdf.Stream(pdf, stream), prepend=True)

    def _finish(self, pdf: pikepdf.Pdf) -> None:
        """Metadata, viewer preferences and page mode."""
        import pikepdf

        meta = self.meta
        stamp = meta.created.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
        info = pdf.docinfo
        for key in list(info.keys()):
            del info[key]
        info.Title = pikepdf.String(meta.title)
        info.Author = pikepdf.String(meta.author)
        info.Subject = pikepdf.String(meta.subject)
        info.Keywords = pikepdf.String(meta.keywords)
        info.Creator = pikepdf.String("xingan-nengshou（兴安技术能手材料生成）")
        info.Producer = pikepdf.String("WeasyPrint, pikepdf")
        info.CreationDate = pikepdf.String(stamp)
        info.ModDate = pikepdf.String(stamp)
        root = pdf.Root
        if "/Metadata" in root:
            del root.Metadata
        root.ViewerPreferences = pikepdf.Dictionary(
            NumCopies=meta.copies,
            Duplex=pikepdf.Name.DuplexFlipLongEdge,
            PrintScaling=pikepdf.Name("/None"),
            DisplayDocTitle=True,
        )
        root.PageMode = pikepdf.Name.UseOutlines
        root.Lang = pikepdf.String("zh-CN")


def _num(value: float) -> str:
    """A number for a content stream: fixed precision, no exponent, no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def email_rendition(binder: Binder, master: Bound, budget_bytes: int, print_dpi: int) -> tuple[Bound, bool]:
    """Print master + budget → the e-mail copy (the master itself when it fits) and whether it fits.

    The highest limit of EMAIL_DPI_STEPS whose predicted size fits is tried first; a
    rendition that still does not fit moves one step down, so scans are downsampled only
    as far as needed and usually only one extra rendition is made.
    """
    if len(master.data) <= budget_bytes:
        return master, True
    fixed = len(master.data) - master.image_bytes
    steps = [d for d in EMAIL_DPI_STEPS if d < print_dpi]
    best = master
    start = next((i for i, dpi in enumerate(steps)
                  if fixed + binder.predicted_image_bytes(dpi, print_dpi) <= budget_bytes * 0.97), len(steps) - 1)
    for i in range(max(start, 0), len(steps)):
        best = binder.bind(steps[i])
        if len(best.data) <= budget_bytes:
            if i == start and i > 0:  # the prediction may have been pessimistic: one step finer?
                finer = binder.bind(steps[i - 1])
                if len(finer.data) <= budget_bytes:
                    return finer, True
            return best, True
    return best, len(best.data) <= budget_bytes
