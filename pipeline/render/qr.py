"""QR codes: make them for certificates (qrcode) and read them back from photos and scans (zxing-cpp).

Error correction is Q (25 % of the symbol may be lost: a fold, a stain, glare on a phone
photo) by default; the symbol is printed at a size that keeps every module at least
MIN_MODULE_MM wide, which phones read from a print and from a photo of it.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import StageError

if TYPE_CHECKING:
    from PIL import Image

LEVELS: dict[str, int] = {"L": 1, "M": 0, "Q": 3, "H": 2}
"""qrcode's constants for the error-correction levels."""
QUIET_ZONE = 4
"""Modules of white border the standard asks for."""
MIN_MODULE_MM = 0.4
"""Smallest module size printed; below this a phone photo may not scan."""


@dataclass(frozen=True)
class QrSymbol:
    """One QR code."""

    text: str
    """What it holds."""
    version: int
    """QR version (size class 1–40)."""
    level: str
    """Error-correction level L/M/Q/H."""
    matrix: tuple[tuple[bool, ...], ...]
    """Dark modules, row by row, without the quiet zone."""

    @property
    def modules(self) -> int:
        """Modules per side without the quiet zone."""
        return len(self.matrix)

    def module_mm(self, size_mm: float) -> float:
        """Printed size of the whole symbol (with quiet zone) in mm → size of one module in mm."""
        return size_mm / (self.modules + 2 * QUIET_ZONE)

    def png(self, scale: int = 1) -> bytes:
        """Pixels per module in → a 1-bit PNG of the symbol, quiet zone included."""
        from PIL import Image

        side = self.modules + 2 * QUIET_ZONE
        image = Image.new("1", (side, side), 1)
        pixels = image.load()
        assert pixels is not None
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    pixels[x + QUIET_ZONE, y + QUIET_ZONE] = 0
        if scale > 1:
            image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()

    def print_png(self, size_mm: float, dpi: int = 600) -> bytes:
        """Printed size in mm → a PNG with whole pixels per module at ≥ dpi (sharp even if a viewer smooths it)."""
        return self.png(max(1, math.ceil(self.module_mm(size_mm) / 25.4 * dpi)))

    def svg(self, size_mm: float) -> str:
        """An SVG of the symbol (quiet zone included) at size_mm, dark runs merged per row."""
        side = self.modules + 2 * QUIET_ZONE
        parts = []
        for y, row in enumerate(self.matrix):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
                else:
                    x += 1
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
                f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
                f'<rect width="{side}" height="{side}" fill="#fff"/>'
                f'<path fill="#000" d="{"".join(parts)}"/></svg>')


@functools.lru_cache(maxsize=256)
def make_qr(text: str, level: str = "Q") -> QrSymbol:
    """Text and error-correction level in → the smallest QR symbol holding it (byte mode)."""
    import qrcode

    if level not in LEVELS:
        raise ValueError(f"error correction must be one of {', '.join(LEVELS)}")
    code = qrcode.QRCode(version=None, error_correction=LEVELS[level], border=0)
    code.add_data(text.encode("utf-8"), optimize=0)
    code.make(fit=True)
    matrix = tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    return QrSymbol(text, int(code.version), level, matrix)


# ---- reading ------------------------------------------------------------------------------

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"})


def decode_image(image: Image.Image) -> list[str]:
    """A picture in → the texts of every QR code found in it (may be empty)."""
    import zxingcpp
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image).convert("L")
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = [r.text for r in zxingcpp.read_barcodes(image, formats=qr_only)]
    if not found and max(image.size) > 2400:  # very large phone photos: try a smaller copy too
        small = image.copy()
        small.thumbnail((2000, 2000))
        found = [r.text for r in zxingcpp.read_barcodes(small, formats=qr_only)]
    return list(dict.fromkeys(found))


READ_PAGES = 3
"""decode_file reads at most this many pages of a PDF by default (a certificate is one page)."""
READ_PIXELS = 2400
"""decode_file rasterises a PDF page at most this many pixels on its longer side (≈ 200 dpi on A4)."""
READ_IMAGE_PIXELS = 50_000_000
"""A picture larger than this (after JPEG draft scaling) is refused instead of decoded."""


def decode_file(path: Path, pages: int = READ_PAGES, max_pixels: int = READ_PIXELS) -> list[str]:
    """An image or PDF file in → the texts of every QR code in its first pages; StageError when unreadable.

    Bounded whatever the file: a PDF is read only up to `pages` pages, each rasterised at most
    `max_pixels` on its longer side; a JPEG is decoded at a reduced scale when that still leaves
    max_pixels; any picture above READ_IMAGE_PIXELS is refused.
    """
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise StageError("找不到要查验的文件", hint="检查 IMAGE= 后面的路径是否正确", file=str(path))
    if path.suffix.lower() == ".pdf":
        return _decode_pdf(path, pages, max_pixels)
    try:
        with Image.open(path) as image:
            if image.format == "JPEG":
                image.draft("L", (max_pixels, max_pixels))  # DCT scaling: never decodes the full size
            if image.width * image.height > READ_IMAGE_PIXELS:
                raise StageError(
                    f"图片太大（{image.width}×{image.height} 像素），不能查验",
                    hint="用手机重新拍一张证书照片（或只拍二维码部分），或把扫描件另存为较小的 JPG/PNG",
                    file=str(path))
            image.load()
            return decode_image(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise StageError(f"无法读取图片：{exc}",
                         hint="请提供 JPG、PNG、TIFF 格式的照片或扫描件，或证书的 PDF 文件",
                         file=str(path)) from None


def _decode_pdf(path: Path, pages: int, max_pixels: int) -> list[str]:
    from pipeline.render.raster import RasterError
    from pipeline.render.raster import pages as rendered

    found: list[str] = []
    try:
        for image in rendered(path, fit=max_pixels, last=pages, grey=True):
            found += decode_image(image)
    except RasterError as exc:
        raise StageError(f"无法读取 PDF：{str(exc)[:200]}",
                         hint="确认文件是完整的 PDF；或者改用证书的照片或扫描件", file=str(path)) from None
    return list(dict.fromkeys(found))
