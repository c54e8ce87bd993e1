"""WeasyPrint for the media kit: logged problems fail the document, output is byte-stable.

WeasyPrint only *logs* a missing image or a CSS rule it ignores; `layout()` captures its
logger and turns any warning into a RenderError that names the document. `write_pdf()`
fixes what would vary between runs (the XMP DocumentID of PDF/X output) and sets the PDF
BleedBox to the configured bleed (WeasyPrint caps it at 10 pt from the TrimBox).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.render.weasy import url_fetcher, weasyprint_errors

MM = 72 / 25.4
"""PDF points per millimetre."""
PX_PER_MM = 96 / 25.4
"""CSS pixels per millimetre (WeasyPrint's layout unit)."""


def layout(html: str, base: Path, label: str) -> Any:
    """HTML text (images relative to `base`) → a laid-out weasyprint Document; RenderError on any logged problem."""
    from weasyprint import HTML

    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    fetcher = url_fetcher()
    with weasyprint_errors(label, file=label, hint="多为图片缺失或模板样式有误；请检查照片文件是否存在，或联系技术人员"):
        return HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher).render()


@functools.cache
def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None elsewhere."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release() -> None:
    """Free the laid-out documents the caller has dropped and give the memory back to the system.

    A WeasyPrint document is a web of reference cycles (boxes, styles, fonts) that only the cycle
    collector frees, whenever it gets round to it; the media kit lays out large pages again and
    again, so without this a process holds many dead layouts at once (and a worker forked from it
    starts with them).
    """
    gc.collect()
    if trim := _malloc_trim():
        trim(0)


def write_pdf(document: Any, label: str, *, bleed_mm: float | None = None, variant: str | None = None,
              output_intent: str | None = None) -> bytes:
    """A laid-out Document → PDF bytes (BleedBox at `bleed_mm` from the TrimBox, stable XMP ids)."""

    def finisher(_doc: Any, pdf: Any) -> None:
        """The PDF before writing → BleedBox set, XMP ids made stable."""
        import pydyf

        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and bleed_mm is not None:
                x0, y0, x1, y1 = obj["TrimBox"]
                b = bleed_mm * MM
                obj["BleedBox"] = pydyf.Array([x0 - b, y0 - b, x1 + b, y1 + b])
            if isinstance(obj, pydyf.Stream):
                chunks = [c if isinstance(c, bytes) else str(c).encode() for c in obj.stream]
                joined = b"".join(chunks)
                if b"xmp.did:" in joined:
                    digest = hashlib.sha256(re.sub(rb"xmp\.did:[0-9a-f-]+", b"", joined)).digest()
                    stable = str(uuid.UUID(bytes=digest[:16], version=4)).encode()
                    obj.stream = [re.sub(rb"xmp\.did:[0-9a-f-]+", b"xmp.did:" + stable, joined)]

    options: dict[str, Any] = {}
    if variant:
        options["pdf_variant"] = variant
    if output_intent:
        options["output_intent"] = output_intent
    with weasyprint_errors(label, file=label, hint="多为图片缺失或模板样式有误；请检查照片文件是否存在，或联系技术人员"):
        data: bytes = document.write_pdf(finisher=finisher, **options)
    return data


@dataclass(frozen=True)
class Overflow:
    """A fixed-size frame whose content does not fit."""

    frame: str
    """The frame's HTML id."""
    bottom_mm: float
    """How far the content runs past the frame's bottom (mm, ≤ 0 when it fits vertically)."""
    right_mm: float
    """How far the content runs past the frame's right edge (mm)."""


def _descendants(box: Any) -> Iterator[Any]:
    """A box → every box below it."""
    for child in getattr(box, "children", ()) or ():
        yield child
        yield from _descendants(child)


def _frames(box: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """A box → (id, box) of the outermost boxes below it whose id starts with prefix."""
    element = getattr(box, "element", None)
    ident = element.get("id") if element is not None and hasattr(element, "get") else None
    if ident and ident.startswith(prefix) and getattr(box, "element_tag", "") and box.style is not None:
        yield ident, box
        return
    for child in getattr(box, "children", ()) or ():
        yield from _frames(child, prefix)


def measure(document: Any, prefix: str) -> list[Overflow]:
    """Every frame (element whose id starts with `prefix`): how far its content runs past its bottom
    and right edges (mm; negative = room left)."""
    found: list[Overflow] = []
    seen: set[str] = set()
    for page in document.pages:
        for ident, frame in _frames(page._page_box, prefix):
            if ident in seen:
                continue
            seen.add(ident)
            top = frame.content_box_y() + frame.height
            right = frame.content_box_x() + frame.width
            bottom_edge = right_edge = float("-inf")
            for child in _descendants(frame):
                if not hasattr(child, "position_y") or getattr(child, "height", None) in (None, "auto"):
                    continue
                if type(child).__name__ in ("TextBox",) and not child.text.strip():
                    continue
                bottom_edge = max(bottom_edge, child.position_y + child.margin_height()
                                  - (child.margin_bottom or 0))
                right_edge = max(right_edge, child.position_x + child.margin_width()
                                 - (child.margin_right or 0))
            found.append(Overflow(ident, round((bottom_edge - top) / PX_PER_MM, 2),
                                  round((right_edge - right) / PX_PER_MM, 2)))
    return found


def overflows(document: Any, prefix: str, tolerance_mm: float = 0.2) -> list[Overflow]:
    """Frames (elements whose id starts with `prefix`) whose laid-out content passes their box."""
    return [o for o in measure(document, prefix) if o.bottom_mm > tolerance_mm or o.right_mm > tolerance_mm]


def content_bottom_mm(document: Any, ident: str) -> float | None:
    """The lowest laid-out line inside the element `ident` on the first page, in mm from the page top."""
    for _, frame in _frames(document.pages[0]._page_box, ident):
        bottom = float("-inf")
        for child in _descendants(frame):
            if not hasattr(child, "position_y") or getattr(child, "height", None) in (None, "auto"):
                continue
            if type(child).__name__ == "TextBox" and not child.text.strip():
                continue
            bottom = max(bottom, child.position_y + child.margin_height() - (child.margin_bottom or 0))
        return None if bottom == float("-inf") else bottom / PX_PER_MM
    return None


def frame_ids(document: Any, prefix: str) -> list[str]:
    """Ids of the laid-out frames whose id starts with `prefix`, in page order."""
    return [ident for page in document.pages for ident, _ in _frames(page._page_box, prefix)]
