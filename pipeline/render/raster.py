"""PDF pages → Pillow images, the one way the pipeline and its tests rasterise a PDF.

pdfium through pypdfium2 renders in-process (no pdftoppm spawned per page, no temporary PNG
files): the QR codes of `verify --image`, the binding margin of a submitted PDF, the media kit's
proof images, the OCR bench, and every test that looks at a rendered page (pipeline.ocr.engine
renders with the same pdfium in the pass that reads a page's text layer). A page
is rendered as a viewer shows it (its crop box, which is the media box when it has none, rotation
applied) on white, at `dpi` or scaled so that its longer side is `fit` pixels; sizes round up as
pdftoppm's do. Ghostscript stays where it separates the press PDF into plates (tiffsep): that
is a proof of the printer's output, not a picture of the page.

    pages(pdf, dpi=50)              every page, RGB
    pages(pdf, fit=2400, last=3)    the first three pages, longer side 2400 px
    page(pdf, 2, dpi=100, grey=True) one page, greyscale
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image


class RasterError(RuntimeError):
    """pdfium could not open or render the PDF (callers translate it into their own error)."""


PDFIUM = threading.RLock()
"""PDFium is not thread-safe (pypdfium2's documentation: no two pdfium calls at once in one process):
every call here holds this lock (preflight checks files in threads). Images are copied out of
pdfium's bitmaps before the lock is released, and the caller's work on them runs unlocked."""


def pages(pdf: Path | bytes, *, dpi: float | None = None, fit: int | None = None, first: int = 1,
          last: int | None = None, grey: bool = False) -> Iterator[Image.Image]:
    """Pages `first` … `last` (1-based, inclusive; `last` None: to the end, beyond the end: the end)
    of a PDF file or PDF bytes → RGB images (L when `grey`), at `dpi` or with the longer side `fit`
    pixels (exactly one of the two); RasterError when pdfium cannot read the file."""
    import pypdfium2 as pdfium

    if (dpi is None) == (fit is None):
        raise ValueError("pass exactly one of dpi and fit")
    try:
        with PDFIUM:
            document = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    except pdfium.PdfiumError as exc:
        raise RasterError(str(exc)) from None
    try:
        with PDFIUM:
            count = len(document)
        end = count if last is None else min(last, count)
        for index in range(first - 1, end):
            with PDFIUM:
                try:
                    page = document[index]
                    try:
                        width, height = page.get_size()
                        scale = dpi / 72 if dpi is not None else fit / max(width, height)  # type: ignore[operator]
                        bitmap = page.render(scale=scale, may_draw_forms=True)
                        image = bitmap.to_pil().convert("L" if grey else "RGB")  # a copy, off pdfium's buffer
                        bitmap.close()
                    finally:
                        page.close()
                except pdfium.PdfiumError as exc:
                    raise RasterError(f"第{index + 1}页：{exc}") from None
            yield image
    finally:
        with PDFIUM:
            document.close()


def page(pdf: Path | bytes, number: int, *, dpi: float | None = None, fit: int | None = None,
         grey: bool = False) -> Image.Image:
    """Page `number` (1-based) of a PDF → an RGB image (L when `grey`); IndexError past the end."""
    found = list(pages(pdf, dpi=dpi, fit=fit, first=number, last=number, grey=grey))
    if not found:
        raise IndexError(f"the PDF has no page {number}")
    return found[0]
