"""The invisible text layer over the evidence scans of a packet (issue 13 §3): searchable packets.

What the OCR engine read on a scan (pipeline.ocr: lines with boxes in the upright page image's
pixels) is written over that scan the way OCRmyPDF's sandwich/hOCR renderer does it, so that the
experts can search a packet for a name or a certificate number and `pdftotext` of a packet holds
the certificates' text:

* one *glyphless* font per PDF, shared by every page: a Type0 font (Identity-H) over a
  CIDFontType2 whose TrueType program has a single empty glyph that every CID maps to
  (CIDToGIDMap), and a ToUnicode CMap that maps each CID to the same code point — so any
  character is written as its Unicode code point and nothing is ever drawn. Characters beyond
  the BMP (rare 生僻字 in names) get codes from the surrogate range, which no real character
  uses, mapped to their UTF-16 pairs in the ToUnicode CMap;
* text render mode 3 (invisible), one text object per line: the font size is the box height,
  the baseline sits at the box's descent line, and `Tz` scales the line horizontally to fill
  its box (CJK characters 1 em wide, ASCII ½ em, as in the scan);
* each box goes through the same transform as the scan: page-image pixels → the scan's upright
  rectangle in its sheet frame (Rect.fit), then the sheet's turn onto the portrait page
  (Placement.turn). The scan's EXIF orientation needs nothing more: the engine reads the image
  upright, and the scan is drawn upright into the same rectangle.

Pages whose text came from the PDF itself (source "text") already carry it and get nothing; a
page whose image proportions do not match the sheet (it would be misaligned) gets nothing either.
The scan's bytes are untouched: the layer is a separate content stream drawn after the image.

Settings: [text_layer] enabled (default true), min_score (default 0.5: lines the engine was
less sure of are not written), checked by `text_layer_settings()` from cli.load_checked.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.core.edition import Edition, section
from pipeline.ocr import Line, Page, Reading
from pipeline.packets.evidence import Rect

if TYPE_CHECKING:
    import pikepdf

FONT_NAME = "GlyphLessFont"
"""PostScript name of the glyphless font (OCRmyPDF's and Tesseract's name for the same idea)."""
ASCENT = 880
DESCENT = -120
"""Vertical metrics in 1/1000 em: the ideographic em box, so a line's glyph boxes fill its box."""
WIDE = 1000
NARROW = 500
"""Advance widths in 1/1000 em: ideographs and other characters; printable ASCII."""
ASPECT_TOLERANCE = 0.03
"""A page image whose width/height differs more than this (relative) from its sheet's gets no layer."""
DEFAULTS: dict[str, Any] = {"enabled": True, "min_score": 0.5}
_SURROGATES = range(0xD800, 0xE000)
"""Codes for characters beyond the BMP (never real characters themselves)."""


@dataclass(frozen=True)
class TextLayerSettings:
    """[text_layer] of edition.toml."""

    enabled: bool
    """Write the invisible text layer over scanned evidence pages."""
    min_score: float
    """Lines the OCR engine scored below this (0–1) are not written."""


def text_layer_settings(edition: Edition) -> TextLayerSettings:
    """Edition → its [text_layer] settings; EditionConfigError naming the key when one is wrong."""
    s = section(edition, "text_layer", edition.raw.get("text_layer"), DEFAULTS)
    return TextLayerSettings(s.flag("enabled"), s.number("min_score", 0, 1))


def layer_pages(reading: Reading, settings: TextLayerSettings) -> tuple[Page, ...]:
    """What was read from one evidence file → the pages that get a layer, with only the lines written.

    Only OCR pages (a PDF page with its own text keeps it), only lines scored at least min_score
    with some text and a box of positive size; pages left without lines are dropped.
    """
    if not settings.enabled:
        return ()
    pages = []
    for page in reading.pages:
        if page.source != "ocr" or page.width <= 0 or page.height <= 0:
            continue
        lines = tuple(line for line in page.lines
                      if line.score >= settings.min_score and _codes_text(line.text)
                      and line.box[2] > line.box[0] and line.box[3] > line.box[1])
        if lines:
            pages.append(Page(page.number, page.width, page.height, page.dpi, lines, page.source))
    return tuple(pages)


def layer_digest(pages: Mapping[str, tuple[Page, ...]]) -> str:
    """The layer pages of a packet's files (by file) → a hash for the packet's fingerprint ("" when none).

    Only what is written enters it, so a packet is rebuilt when its text layer would change and not
    when the engine re-reads a scan to the same lines.
    """
    if not any(pages.values()):
        return ""
    data = {rel: [[p.number, p.width, p.height, [[ln.text, list(ln.box)] for ln in p.lines]] for p in ps]
            for rel, ps in sorted(pages.items()) if ps}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _codes_text(text: str) -> bool:
    """True when the text has at least one character that can be written."""
    return any(_writable(ch) for ch in text)


def _writable(ch: str) -> bool:
    """A character the layer writes (not a control character or a lone surrogate)."""
    cp = ord(ch)
    return cp >= 0x20 and cp != 0x7F and cp not in _SURROGATES


def _width(code: int) -> int:
    """Advance width of a CID in 1/1000 em."""
    return NARROW if 0x20 <= code <= 0x7E else WIDE


@functools.cache
def glyphless_font() -> bytes:
    """The TrueType program: .notdef and one empty glyph, 1 em wide (fixed dates: the same bytes every run)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    fb.font.recalcTimestamp = False
    stamp = 3_881_606_400  # 2027-01-01 in the font's own clock (seconds since 1904): fixed, so the same bytes
    fb.setupHead(unitsPerEm=1000, created=stamp, modified=stamp, fontRevision=1.0,
                 xMin=0, yMin=DESCENT, xMax=WIDE, yMax=ASCENT)
    fb.setupGlyphOrder([".notdef", "blank"])
    fb.setupCharacterMap({0x20: "blank"})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "blank": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (WIDE, 0), "blank": (WIDE, 0)})
    fb.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular", "psName": FONT_NAME})
    fb.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, sTypoLineGap=0,
                usWinAscent=ASCENT, usWinDescent=-DESCENT, achVendID="XNGL")
    fb.setupPost(isFixedPitch=0)
    out = io.BytesIO()
    fb.font.save(out)
    return out.getvalue()


@functools.cache
def _cid_to_gid() -> bytes:
    """CIDToGIDMap data, Flate-compressed: every CID 0–65535 → glyph 1 (the empty one)."""
    return zlib.compress(b"\x00\x01" * 65536, 9)


def _to_unicode(extra: Mapping[str, int]) -> bytes:
    """The ToUnicode CMap: each BMP code is its own code point; `extra` codes map to their characters."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if hi << 8 not in _SURROGATES]
    parts = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /XN-GlyphLess-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for i in range(0, len(ranges), 100):
        chunk = ranges[i:i + 100]
        parts += [f"{len(chunk)} beginbfrange", *chunk, "endbfrange"]
    chars = [f"<{code:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, code in extra.items()]
    for i in range(0, len(chars), 100):
        chunk = chars[i:i + 100]
        parts += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    parts += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(parts).encode("ascii")


class TextLayer:
    """The invisible text of one PDF being bound: its shared font and each sheet's text operators."""

    RESOURCE = "/XnText"
    """Resource name of the font on each page."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        """PDF → a layer writer (the font is added on first use)."""
        self.pdf = pdf
        self._font: pikepdf.Object | None = None
        self._extra: dict[str, int] = {}

    @property
    def font(self) -> pikepdf.Object:
        """The Type0 font, made indirect in the PDF on first use (its ToUnicode is written by finish())."""
        import pikepdf

        if self._font is None:
            pdf = self.pdf
            descriptor = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + FONT_NAME), Flags=4,
                FontBBox=[0, DESCENT, WIDE, ASCENT], ItalicAngle=0, Ascent=ASCENT, Descent=DESCENT,
                CapHeight=ASCENT, StemV=80,
                FontFile2=pdf.make_stream(glyphless_font())))
            cid_font = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
                BaseFont=pikepdf.Name("/" + FONT_NAME),
                CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
                FontDescriptor=descriptor, DW=WIDE, W=[0x20, 0x7E, NARROW],
                CIDToGIDMap=pikepdf.Stream(pdf, _cid_to_gid(), Filter=pikepdf.Name.FlateDecode)))
            self._font = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/" + FONT_NAME),
                Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[cid_font]))
        return self._font

    def draw(self, page: pikepdf.Page, text: Page, placed: Rect, upright: tuple[float, float]) -> bytes:
        """A packet page + what was read on its scan + the scan's upright rectangle (sheet frame) + the
        sheet's upright size → the text operators (BT … ET; empty when nothing is written), the font
        added to the page's resources."""
        import pikepdf

        width, height = upright
        if abs((text.width / text.height) / (width / height) - 1) > ASPECT_TOLERANCE:
            return b""
        sx, sy = placed.w / text.width, placed.h / text.height
        ops: list[str] = []
        for line in text.lines:
            x0, y0, x1, y1 = (max(0.0, min(v, limit)) for v, limit in
                              zip(line.box, (text.width, text.height, text.width, text.height), strict=True))
            left, right = placed.x + x0 * sx, placed.x + x1 * sx
            bottom, top = placed.y + placed.h - y1 * sy, placed.y + placed.h - y0 * sy
            if right - left <= 0.01 or top - bottom <= 0.01:
                continue
            ops.extend(self._line(line, left, bottom, right - left, top - bottom))
        if not ops:
            return b""
        page.add_resource(self.font, pikepdf.Name.Font, pikepdf.Name(self.RESOURCE))  # replaces, never renames
        return ("BT 3 Tr\n" + "\n".join(ops) + "\nET").encode("ascii")

    def _line(self, line: Line, x: float, y: float, w: float, h: float) -> list[str]:
        """One line's box in points → Tf/Tz/Tm/Tj operators filling it (tall boxes: one character a cell)."""
        codes = [code for ch in line.text if _writable(ch) and (code := self._code(ch)) is not None]
        if not codes:
            return []
        if h > 1.5 * w and len(codes) > 1:  # a vertical line: its characters stacked top to bottom
            cell = h / len(codes)
            return [op for i, code in enumerate(codes)
                    for op in self._run([code], x, y + h - (i + 1) * cell, w, cell)]
        return self._run(codes, x, y, w, h)

    def _run(self, codes: list[int], x: float, y: float, w: float, h: float) -> list[str]:
        """Codes + a box → operators: size = box height, baseline at the descent, scaled to the box width."""
        size = h
        natural = sum(_width(c) for c in codes) / 1000 * size
        scale = 100 * w / natural
        baseline = y - DESCENT / 1000 * size
        hexcodes = "".join(f"{c:04X}" for c in codes)
        return [f"{self.RESOURCE} {_num(size)} Tf {_num(scale)} Tz 1 0 0 1 {_num(x)} {_num(baseline)} Tm "
                f"<{hexcodes}> Tj"]

    def _code(self, ch: str) -> int | None:
        """A character → its code (the code point in the BMP, a surrogate-range code beyond it)."""
        cp = ord(ch)
        if cp <= 0xFFFF:
            return cp
        code = self._extra.get(ch)
        if code is None:
            if len(self._extra) >= len(_SURROGATES):
                return None
            code = self._extra[ch] = _SURROGATES.start + len(self._extra)
        return code

    def finish(self) -> None:
        """Write the font's ToUnicode CMap (after every page, so that it lists every character beyond the BMP)."""
        import pikepdf

        if self._font is not None:
            self._font.ToUnicode = pikepdf.Stream(self.pdf, _to_unicode(self._extra))


def _num(value: float) -> str:
    """A number for a content stream: fixed precision, no exponent, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
