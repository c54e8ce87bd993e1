"""Evidence files → sheets, and the image or page drawn on each sheet.

A *sheet* is one printed page of evidence: one frame of an image file (JPEG, PNG, TIFF
— a multi-page TIFF gives one sheet per frame) or one page of a PDF. `probe()` lists the
sheets of a file without decoding pixels; `encode_image()` decides, per sheet and per
resolution limit, whether the original bytes can go into the PDF untouched:

* a JPEG whose resolution *as printed* (pixels over the inches of its box) is at most the
  limit (with PASSTHROUGH_TOLERANCE, so a scan made at the print dpi always qualifies) is
  embedded byte for byte (img2pdf copies the DCT stream; nothing is decoded);
* a larger scan is decoded at a reduced scale (Pillow `draft()`: the JPEG decoder skips
  the DCT coefficients it does not need) and resampled to exactly the limit;
* PNG and TIFF within the limit are embedded losslessly (img2pdf copies PNG data and CCITT
  G4 frames as they are; other TIFF frames are Flate-compressed).

EXIF orientation is never baked into pixels: the sheet records it and
`orientation_matrix()` turns the image while drawing, so a rotated phone photo of a
certificate still embeds its original JPEG bytes.

An unreadable, encrypted or empty file raises EvidenceError (a RenderError naming the
file and the fix): the check stage reports these as EVIDENCE_UNREADABLE first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import RenderError

KIND_JPEG = "jpeg"
KIND_IMAGE = "image"
KIND_PDF = "pdf"
_PDF_SUFFIX = ".pdf"
_JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})
PASSTHROUGH_TOLERANCE = 1.45
"""A JPEG printing at up to 1.45 × the print dpi still goes in untouched: an A4 scan made at
exactly the print resolution, fitted into the evidence box (172 × 211 mm: A4 less the 28 mm
binding margin, the running head and the imprint band with its 49 mm seal space), prints at
~420 dpi (1.41 ×); re-encoding it would cost a full decode and encode per page and a
generation of JPEG loss to drop pixels no printer shows. Scans made at 400 dpi or more
(≥ 1.85 × here) are still downsampled."""
JPEG_QUALITY = 85
"""Quality of re-encoded (downsampled) scans: text on certificates stays crisp at 300 dpi."""
EXIF_ORIENTATION = 0x0112


class EvidenceError(RenderError):
    """An evidence file cannot be bound (broken, encrypted, empty, unsupported)."""

    def __init__(self, message: str, *, file: str) -> None:
        """Message (Chinese) + file → the error, with the standard fix and code EVIDENCE_UNREADABLE."""
        super().__init__(
            message,
            hint="请重新扫描或导出该证明材料（JPG、PNG、TIFF 或未加密的 PDF），替换后重新运行",
            file=file,
            code="EVIDENCE_UNREADABLE",
        )


@dataclass(frozen=True)
class Sheet:
    """One page of evidence to bind."""

    path: Path
    """The evidence file."""
    rel: str
    """Its path relative to the edition folder, for messages."""
    kind: str
    """'jpeg', 'image' (PNG/TIFF) or 'pdf'."""
    index: int
    """Frame (image) or page (PDF) number in the file, from 0."""
    width: float
    """Upright width: pixels for images (EXIF orientation applied), points for PDF pages."""
    height: float
    """Upright height, in the same unit."""
    orientation: int = 1
    """EXIF orientation 1–8 of an image (1 = as stored)."""

    @property
    def landscape(self) -> bool:
        """True when the upright page is wider than tall: it is turned 90° onto the portrait page."""
        return self.width > self.height * 1.02

    @property
    def key(self) -> str:
        """A stable identity of this sheet within one packet."""
        return f"{self.rel}#{self.index}"


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF points, origin bottom-left."""

    x: float
    """Left edge."""
    y: float
    """Bottom edge."""
    w: float
    """Width."""
    h: float
    """Height."""

    def fit(self, width: float, height: float) -> Rect:
        """The largest rectangle of the given proportions centred in self (scaled up or down)."""
        scale = min(self.w / width, self.h / height)
        w, h = width * scale, height * scale
        return Rect(self.x + (self.w - w) / 2, self.y + (self.h - h) / 2, w, h)


def probe(path: Path, rel: str) -> tuple[Sheet, ...]:
    """Evidence file → its sheets (sizes and orientation only; pixels are not decoded)."""
    try:
        if path.stat().st_size == 0:
            raise EvidenceError("文件是空的（0 字节）", file=rel)
        if path.suffix.lower() == _PDF_SUFFIX:
            return _probe_pdf(path, rel)
        return _probe_image(path, rel)
    except EvidenceError:
        raise
    except OSError as exc:
        raise EvidenceError(f"无法读取文件（{exc.strerror or type(exc).__name__}）", file=rel) from exc


def _probe_pdf(path: Path, rel: str) -> tuple[Sheet, ...]:
    """PDF file → one sheet per page (crop box, /Rotate applied)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            sheets = []
            for i, page in enumerate(pdf.pages):
                box = page.cropbox
                w, h = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
                rotate = int(page.obj.get("/Rotate", 0)) % 360
                if rotate in (90, 270):
                    w, h = h, w
                if w <= 0 or h <= 0:
                    raise EvidenceError(f"PDF 第 {i + 1} 页尺寸无效", file=rel)
                sheets.append(Sheet(path, rel, KIND_PDF, i, w, h))
    except pikepdf.PasswordError as exc:
        raise EvidenceError("PDF 已加密（设置了打开密码），无法装订", file=rel) from exc
    except (pikepdf.PdfError, ValueError, KeyError, TypeError) as exc:
        raise EvidenceError(f"PDF 已损坏（{type(exc).__name__}）", file=rel) from exc
    if not sheets:
        raise EvidenceError("PDF 中没有页面", file=rel)
    return tuple(sheets)


def _probe_image(path: Path, rel: str) -> tuple[Sheet, ...]:
    """Image file → one sheet per frame (size, EXIF orientation)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            kind = KIND_JPEG if img.format == "JPEG" else KIND_IMAGE
            if img.format not in ("JPEG", "PNG", "TIFF", "MPO"):
                raise EvidenceError(f"不支持的图片格式 {img.format}", file=rel)
            orientation = _orientation(img)
            frames = getattr(img, "n_frames", 1) if img.format == "TIFF" else 1
            sheets = []
            for i in range(frames):
                if i:
                    img.seek(i)
                w, h = img.size
                if w < 1 or h < 1:
                    raise EvidenceError("图片尺寸无效", file=rel)
                if orientation >= 5:
                    w, h = h, w
                sheets.append(Sheet(path, rel, kind, i, float(w), float(h), orientation))
            return tuple(sheets)
    except Image.DecompressionBombError as exc:
        raise EvidenceError("图片像素数超出安全上限，可能是损坏或恶意文件", file=rel) from exc
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError) as exc:
        raise EvidenceError(f"图片已损坏或不是可识别的图片（{type(exc).__name__}）", file=rel) from exc


def _orientation(img: Any) -> int:
    """EXIF orientation of an open Pillow image (1 when absent or invalid)."""
    try:
        value = int(img.getexif().get(EXIF_ORIENTATION, 1))
    except (ValueError, TypeError, SyntaxError, OSError):
        return 1
    return value if 1 <= value <= 8 else 1


def effective_dpi(sheet: Sheet, box: Rect) -> float:
    """Resolution in dots per inch at which an image sheet prints when fitted into box."""
    placed = box.fit(sheet.width, sheet.height)
    return sheet.width / (placed.w / 72.0)


@dataclass(frozen=True)
class EncodedImage:
    """The image data that goes into the PDF for one sheet at one resolution limit."""

    data: bytes
    """A JPEG, PNG or TIFF file, fed to img2pdf."""
    frame: int
    """Which frame of `data` to use (a multi-page TIFF embedded as is)."""
    passthrough: bool
    """True when `data` is the original file, untouched."""
    dpi: float
    """The resolution it prints at."""


def encode_image(sheet: Sheet, box: Rect, max_dpi: int) -> EncodedImage:
    """Image sheet + its box + resolution limit → original bytes, or a downsampled JPEG."""
    dpi = effective_dpi(sheet, box)
    if dpi <= max_dpi * PASSTHROUGH_TOLERANCE:
        try:
            return EncodedImage(sheet.path.read_bytes(), sheet.index, True, dpi)
        except OSError as exc:
            raise EvidenceError(f"无法读取文件（{exc.strerror or type(exc).__name__}）", file=sheet.rel) from exc
    placed = box.fit(sheet.width, sheet.height)
    target = (max(1, round(placed.w / 72.0 * max_dpi)), max(1, round(placed.h / 72.0 * max_dpi)))
    return EncodedImage(_downsample(sheet, target), 0, False, float(max_dpi))


def _downsample(sheet: Sheet, upright: tuple[int, int]) -> bytes:
    """Decode (at a reduced scale where JPEG allows), resample to `upright` size, encode JPEG."""
    from PIL import Image

    width, height = upright
    if sheet.orientation >= 5:
        width, height = height, width  # pixels stay in stored orientation
    try:
        with Image.open(sheet.path) as img:
            if sheet.index:
                img.seek(sheet.index)
            icc = img.info.get("icc_profile")
            if img.format == "JPEG":
                img.draft("RGB" if img.mode not in ("L", "CMYK") else img.mode, (width, height))
            work = _flatten(img)
            work = work.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": JPEG_QUALITY, "optimize": False, "progressive": False}
            if icc and work.mode == "RGB":
                options["icc_profile"] = icc
            work.save(out, "JPEG", **options)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise EvidenceError(f"图片无法解码（{type(exc).__name__}: {exc}）", file=sheet.rel) from exc


def _flatten(img: Any) -> Any:
    """Any Pillow image → 'L' or 'RGB' on white (alpha composited, palettes expanded)."""
    from PIL import Image

    mode = img.mode
    if mode in ("L", "RGB"):
        return img.copy() if img.format == "JPEG" else img.convert(mode)
    if mode == "1":
        return img.convert("L")
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return img.point(lambda v: v / 257).convert("L")
    if mode in ("P", "PA", "LA", "RGBA", "La", "RGBa") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")


def lossless_png(sheet: Sheet) -> bytes:
    """An image frame img2pdf cannot take as it is → a PNG of its pixels on white."""
    from PIL import Image

    try:
        with Image.open(sheet.path) as img:
            if sheet.index:
                img.seek(sheet.index)
            work = _flatten(img)
            out = io.BytesIO()
            work.save(out, "PNG", compress_level=6)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise EvidenceError(f"图片无法解码（{type(exc).__name__}: {exc}）", file=sheet.rel) from exc


def orientation_matrix(orientation: int, placed: Rect) -> tuple[float, float, float, float, float, float]:
    """EXIF orientation + the upright rectangle → the `cm` matrix that draws the stored image there.

    The image XObject occupies the unit square (u right along stored rows, v up, v = 1 the
    first stored row); the matrix maps it so that the picture appears upright in `placed`.
    """
    x, y, w, h = placed.x, placed.y, placed.w, placed.h
    matrices: dict[int, tuple[float, float, float, float, float, float]] = {
        1: (w, 0, 0, h, x, y),
        2: (-w, 0, 0, h, x + w, y),
        3: (-w, 0, 0, -h, x + w, y + h),
        4: (w, 0, 0, -h, x, y + h),
        5: (0, -h, -w, 0, x + w, y + h),
        6: (0, -h, w, 0, x, y + h),
        7: (0, h, w, 0, x, y),
        8: (0, h, -w, 0, x + w, y),
    }
    return matrices.get(orientation, matrices[1])
