"""PDF inspections: embedded fonts, colour of print files, page orientation, binding margin.

Fonts and colours are read from the PDF objects and content streams with pikepdf (no
rendering); the binding margin is measured on pages rasterised by pdfium (pipeline.render.raster) at a
low resolution (a printer's eye, not a proof).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.preflight.findings import PreflightFinding

MM = 72 / 25.4
"""PDF points per millimetre."""
BINDING_MM = 25.0
"""Nothing but white within this distance of the bound edge (issue 10 §2)."""
RASTER_DPI = 24
"""Resolution of the binding-margin raster: 1 px ≈ 1.06 mm."""
INK_LEVEL = 240
"""A grey pixel darker than this (0 black … 255 white) is ink."""
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _name(obj: Any) -> str:
    """A PDF name or string as plain text ('' for anything else)."""
    try:
        return str(obj)
    except Exception:  # pragma: no cover - exotic objects
        return ""


# ---------------------------------------------------------------------------------------------
# Fonts


def _walk_resources(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Any]]:
    """(resource name, font dictionary) for every font reachable from a resource dictionary."""
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return
    fonts = resources.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        for key, font in fonts.items():
            if isinstance(font, pikepdf.Dictionary):
                yield key, font
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobj in xobjects.values():
            if not isinstance(xobj, pikepdf.Stream) or xobj.get("/Subtype") != "/Form":
                continue
            og = xobj.objgen
            if og != (0, 0):
                if og in seen:
                    continue
                seen.add(og)
            yield from _walk_resources(xobj.get("/Resources"), seen)
    patterns = resources.get("/Pattern")
    if isinstance(patterns, pikepdf.Dictionary):
        for pattern in patterns.values():
            if isinstance(pattern, pikepdf.Stream):
                yield from _walk_resources(pattern.get("/Resources"), seen)


def _font_embedded(font: Any) -> tuple[bool, str]:
    """(embedded?, base font name) of a font dictionary; Type 3 fonts are always embedded."""
    import pikepdf

    subtype = font.get("/Subtype")
    base = _name(font.get("/BaseFont", "")).lstrip("/")
    if subtype == "/Type3":
        return True, base or "Type3"
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if isinstance(descendants, pikepdf.Array) and len(descendants):
            font = descendants[0]
    descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary):
        return False, base
    return any(key in descriptor for key in _FONT_FILES), base


def font_findings(pdf: Any, rel: str) -> list[PreflightFinding]:
    """PF_FONT_NOT_EMBEDDED for every font a page (or its forms, patterns, annotations) uses unembedded."""
    import pikepdf

    pages_by_font: dict[str, list[int]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        seen: set[tuple[int, int]] = set()
        sources = [page.obj.get("/Resources")]
        for annot in page.obj.get("/Annots", []) or []:
            ap = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
            if isinstance(ap, pikepdf.Dictionary):
                for stream in ap.values():
                    if isinstance(stream, pikepdf.Stream):
                        sources.append(stream.get("/Resources"))
        for resources in sources:
            for _key, font in _walk_resources(resources, seen):
                embedded, base = _font_embedded(font)
                if not embedded:
                    pages = pages_by_font.setdefault(base or "（无名字体）", [])
                    if number not in pages:
                        pages.append(number)
    findings = []
    for base, pages in pages_by_font.items():
        shown = "、".join(str(p) for p in pages[:8]) + ("等" if len(pages) > 8 else "")
        findings.append(PreflightFinding(
            "PF_FONT_NOT_EMBEDDED", rel, f"字体“{base}”没有嵌入（用在第{shown}页）", page=pages[0],
            data={"font": base, "pages": pages}))
    return findings


# ---------------------------------------------------------------------------------------------
# Orientation


def page_size(page: Any) -> tuple[float, float]:
    """(width, height) in points as the page is shown: crop box, then /Rotate."""
    box = page.obj.get("/CropBox") or page.obj.get("/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    width, height = abs(x1 - x0), abs(y1 - y0)
    rotate = int(page.obj.get("/Rotate", 0)) % 180
    return (height, width) if rotate else (width, height)


def landscape_findings(pdf: Any, rel: str) -> list[PreflightFinding]:
    """PF_LANDSCAPE_PAGE for every page of a bound book that is shown wider than tall."""
    findings = []
    for number, page in enumerate(pdf.pages, start=1):
        width, height = page_size(page)
        if width > height + 1:
            findings.append(PreflightFinding(
                "PF_LANDSCAPE_PAGE", rel,
                f"第{number}页是横向页面（{width / MM:.0f} × {height / MM:.0f} 毫米），装订本应全部为纵向",
                page=number, data={"width_mm": round(width / MM, 1), "height_mm": round(height / MM, 1)}))
    return findings


# ---------------------------------------------------------------------------------------------
# Binding margin


def rasterise(pdf_path: Path, dpi: int = RASTER_DPI) -> list[Any]:
    """Every page as a greyscale numpy array (pipeline.render.raster: crop box and rotation applied)."""
    import numpy as np

    from pipeline.render.raster import pages

    return [np.asarray(image) for image in pages(pdf_path, dpi=dpi, grey=True)]


def binding_findings(pdf_path: Path, rel: str, *, margin_mm: float = BINDING_MM,
                     dpi: int = RASTER_DPI) -> list[PreflightFinding]:
    """PF_BINDING_MARGIN for every page with ink within margin_mm of the bound edge.

    Bound on the left edge, duplex long edge: the bound edge is the left one on odd pages
    and the right one on even pages.
    """
    findings = []
    strip = max(1, int(margin_mm / 25.4 * dpi))
    for number, pixels in enumerate(rasterise(pdf_path, dpi), start=1):
        odd = number % 2 == 1
        band = pixels[:, :strip] if odd else pixels[:, -strip:]
        ink = band < INK_LEVEL
        if not ink.any():
            continue
        columns = ink.any(axis=0).nonzero()[0]
        rows = ink.any(axis=1).nonzero()[0]
        # Distance of the ink nearest to the bound edge, in mm.
        nearest_px = int(columns.min()) if odd else int(strip - 1 - columns.max())
        nearest = nearest_px * 25.4 / dpi
        top = rows.min() * 25.4 / dpi
        bottom = (rows.max() + 1) * 25.4 / dpi
        side = "左" if odd else "右"
        findings.append(PreflightFinding(
            "PF_BINDING_MARGIN", rel,
            f"第{number}页（{'奇' if odd else '偶'}数页）装订边（{side}侧）{margin_mm:.0f} 毫米内有内容："
            f"距装订边最近 {nearest:.0f} 毫米，自页顶 {top:.0f}–{bottom:.0f} 毫米处",
            page=number,
            data={"side": "left" if odd else "right", "nearest_mm": round(nearest, 1),
                  "top_mm": round(top, 1), "bottom_mm": round(bottom, 1), "dark_pixels": int(ink.sum())}))
    return findings


# ---------------------------------------------------------------------------------------------
# Colour of print files


@dataclass
class _Colour:
    """One colour of the graphics state: its space kind and component values."""

    kind: str = "gray"
    """gray, rgb, cmyk, sep:<name>, devicen, pattern, lab, other."""
    values: tuple[float, ...] = (0.0,)
    """Component values."""


@dataclass
class _State:
    """The part of the graphics state the colour check needs."""

    fill: _Colour
    stroke: _Colour
    render_mode: int = 0

    def copy(self) -> _State:
        return _State(_Colour(self.fill.kind, self.fill.values), _Colour(self.stroke.kind, self.stroke.values),
                      self.render_mode)


_DEFAULT_VALUES = {"gray": (0.0,), "rgb": (0.0, 0.0, 0.0), "cmyk": (0.0, 0.0, 0.0, 1.0)}


def space_kind(space: Any, resources: Any = None) -> str:
    """The kind of a colour space object or name (resolving names through /ColorSpace)."""
    import pikepdf

    if isinstance(space, pikepdf.Name):
        name = str(space)
        direct = {"/DeviceGray": "gray", "/G": "gray", "/DeviceRGB": "rgb", "/RGB": "rgb",
                  "/DeviceCMYK": "cmyk", "/CMYK": "cmyk", "/Pattern": "pattern"}
        if name in direct:
            return direct[name]
        if isinstance(resources, pikepdf.Dictionary):
            table = resources.get("/ColorSpace")
            if isinstance(table, pikepdf.Dictionary) and name in table:
                return space_kind(table[name], resources)
        return "other"
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            n = int(space[1].get("/N", 0))
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(n, "other")
        if family in {"/CalRGB"}:
            return "rgb"
        if family == "/CalGray":
            return "gray"
        if family == "/Lab":
            return "lab"
        if family in {"/Indexed", "/I"}:
            return space_kind(space[1], resources)
        if family == "/Separation":
            return f"sep:{str(space[1]).lstrip('/')}"
        if family == "/DeviceN":
            return "devicen"
        if family == "/Pattern":
            return "pattern"
    return "other"


def _numbers(operands: Any) -> tuple[float, ...]:
    """The numeric operands of a colour operator (a pattern name is left out)."""
    out = []
    for x in operands:
        try:
            out.append(float(x))
        except (TypeError, ValueError):
            continue
    return tuple(out)


def _is_pure_k(colour: _Colour) -> bool:
    """100 % black on the K plate alone."""
    v = colour.values
    if colour.kind == "gray":
        return len(v) == 1 and v[0] <= 0.001
    if colour.kind == "cmyk":
        return len(v) == 4 and max(v[:3]) <= 0.001 and v[3] >= 0.999
    if colour.kind == "sep:Black":
        return len(v) == 1 and v[0] >= 0.999
    return False


def _describe(colour: _Colour) -> str:
    """A colour for the message: 'RGB 0.2/0.2/0.2', 'CMYK 0/0/0/80 %' …"""
    v = colour.values
    if colour.kind == "rgb":
        return "RGB " + "/".join(f"{x:g}" for x in v)
    if colour.kind == "cmyk":
        return "CMYK " + "/".join(f"{round(x * 100):d}" for x in v) + " %"
    if colour.kind == "gray":
        return f"灰度 {round((1 - v[0]) * 100) if v else 0:d} % 黑"
    return colour.kind


class _ColourScan:
    """Walks the content streams of one page and records colour problems."""

    def __init__(self) -> None:
        self.rgb: dict[str, int] = {}
        """What painted in RGB → count (text, vector, image, shading)."""
        self.text_not_k: dict[str, int] = {}
        """Text colours that are not pure K → count."""
        self.seen_forms: set[tuple[int, int]] = set()

    def _paint(self, what: str, colour: _Colour) -> None:
        if colour.kind == "rgb":
            self.rgb[what] = self.rgb.get(what, 0) + 1

    def _text(self, state: _State) -> None:
        mode = state.render_mode
        if mode in (3, 7):
            return
        used = []
        if mode in (0, 2, 4, 6):
            used.append(state.fill)
        if mode in (1, 2, 5, 6):
            used.append(state.stroke)
        for colour in used:
            if colour.kind == "rgb":
                self._paint("文字", colour)
            elif not _is_pure_k(colour):
                label = _describe(colour)
                self.text_not_k[label] = self.text_not_k.get(label, 0) + 1

    def _image(self, image: Any, resources: Any, state: _State) -> None:
        if bool(image.get("/ImageMask", False)):
            self._paint("图像蒙版", state.fill)
            return
        space = image.get("/ColorSpace", image.get("/CS"))
        if space is not None and space_kind(space, resources) == "rgb":
            self.rgb["图像"] = self.rgb.get("图像", 0) + 1

    def scan(self, stream: Any, resources: Any, state: _State) -> None:
        """Scan one content stream (a page, a form XObject, a pattern) with its resources."""
        import pikepdf

        stack: list[_State] = []
        try:
            instructions = pikepdf.parse_content_stream(stream)
        except pikepdf.PdfError:
            return
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                image = item.iimage
                try:
                    cs = image.obj.get("/ColorSpace", image.obj.get("/CS"))
                except Exception:  # pragma: no cover - damaged inline image
                    cs = None
                if cs is not None and space_kind(cs, resources) == "rgb":
                    self.rgb["图像"] = self.rgb.get("图像", 0) + 1
                continue
            operands, op = item.operands, str(item.operator)
            if op == "q":
                stack.append(state.copy())
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op in ("g", "G", "rg", "RG", "k", "K"):
                kind = {"g": "gray", "rg": "rgb", "k": "cmyk"}[op.lower()]
                colour = _Colour(kind, _numbers(operands))
                if op.islower():
                    state.fill = colour
                else:
                    state.stroke = colour
            elif op in ("cs", "CS") and operands:
                kind = space_kind(operands[0], resources)
                colour = _Colour(kind, _DEFAULT_VALUES.get(kind, (1.0,) if kind.startswith("sep:") else ()))
                if op == "cs":
                    state.fill = colour
                else:
                    state.stroke = colour
            elif op in ("sc", "scn", "SC", "SCN"):
                target = state.fill if op.islower() else state.stroke
                target.values = _numbers(operands)
            elif op == "Tr" and operands:
                state.render_mode = int(operands[0])
            elif op in ("Tj", "TJ", "'", '"'):
                self._text(state)
            elif op in ("f", "F", "f*"):
                self._paint("图形", state.fill)
            elif op in ("S", "s"):
                self._paint("线条", state.stroke)
            elif op in ("B", "B*", "b", "b*"):
                self._paint("图形", state.fill)
                self._paint("线条", state.stroke)
            elif op == "sh" and operands:
                shadings = resources.get("/Shading") if isinstance(resources, pikepdf.Dictionary) else None
                shading = shadings.get(str(operands[0])) if isinstance(shadings, pikepdf.Dictionary) else None
                if shading is not None and space_kind(shading.get("/ColorSpace"), resources) == "rgb":
                    self.rgb["渐变"] = self.rgb.get("渐变", 0) + 1
            elif op == "Do" and operands:
                xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
                xobj = xobjects.get(str(operands[0])) if isinstance(xobjects, pikepdf.Dictionary) else None
                if not isinstance(xobj, pikepdf.Stream):
                    continue
                subtype = xobj.get("/Subtype")
                if subtype == "/Image":
                    self._image(xobj, resources, state)
                elif subtype == "/Form":
                    og = xobj.objgen
                    key = og if og != (0, 0) else (id(xobj), 0)
                    if key in self.seen_forms:
                        continue
                    self.seen_forms.add(key)
                    group = xobj.get("/Group")
                    if isinstance(group, pikepdf.Dictionary) and group.get("/CS") is not None \
                            and space_kind(group.get("/CS"), resources) == "rgb":
                        self.rgb["透明组"] = self.rgb.get("透明组", 0) + 1
                    self.scan(xobj, xobj.get("/Resources", resources), state.copy())
                    self.seen_forms.discard(key)


def _images(resources: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every image XObject reachable from a resource dictionary (through forms)."""
    import pikepdf

    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(xobjects, pikepdf.Dictionary):
        return
    for xobj in xobjects.values():
        if not isinstance(xobj, pikepdf.Stream) or xobj.objgen in seen:
            continue
        if xobj.objgen != (0, 0):
            seen.add(xobj.objgen)
        if xobj.get("/Subtype") == "/Image":
            yield xobj
        elif xobj.get("/Subtype") == "/Form":
            yield from _images(xobj.get("/Resources"), seen)


def total_ink(image: Any) -> float | None:
    """The total ink (C+M+Y+K, percent) of a CMYK image at its 99.9th percentile; None if not CMYK."""
    import numpy as np
    import pikepdf
    from pikepdf import PdfImage

    if space_kind(image.get("/ColorSpace", pikepdf.Name.DeviceGray)) != "cmyk":
        return None
    try:
        pil = PdfImage(image).as_pil_image()
    except Exception:  # noqa: BLE001 - an image pikepdf cannot decode is not measured
        return None
    if pil.mode != "CMYK":
        return None
    pixels = np.asarray(pil, dtype=np.float32).reshape(-1, 4)
    decode = image.get("/Decode")
    if decode is not None and len(decode) == 8 and float(decode[0]) == 1.0 \
            and str(image.get("/Filter")) != "/DCTDecode":
        pixels = 255 - pixels  # inverted samples (Pillow already reads an Adobe CMYK JPEG the right way round)
    totals = pixels.sum(axis=1) / 255 * 100
    return float(np.percentile(totals, 99.9))


def colour_findings(pdf: Any, rel: str, ink_limit: float = 240.0) -> list[PreflightFinding]:
    """PF_RGB_IN_PRINT, PF_TEXT_NOT_K, PF_INK_LIMIT per page and PF_OUTPUT_INTENT for a newspaper print file."""
    import pikepdf

    findings = []
    for number, page in enumerate(pdf.pages, start=1):
        scan = _ColourScan()
        state = _State(_Colour("gray", (0.0,)), _Colour("gray", (0.0,)))
        scan.scan(page.obj, page.obj.get("/Resources"), state)
        group = page.obj.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/CS") is not None \
                and space_kind(group.get("/CS"), page.obj.get("/Resources")) == "rgb":
            scan.rgb["页面透明组"] = scan.rgb.get("页面透明组", 0) + 1
        if scan.rgb:
            parts = "、".join(f"{what} {count} 处" for what, count in scan.rgb.items())
            findings.append(PreflightFinding(
                "PF_RGB_IN_PRINT", rel, f"第{number}页有 RGB 颜色：{parts}", page=number, data={"rgb": scan.rgb}))
        heavy = []
        for image in _images(page.obj.get("/Resources"), set()):
            ink = total_ink(image)
            if ink is not None and ink > ink_limit + 0.5:
                heavy.append(round(ink))
        if heavy:
            findings.append(PreflightFinding(
                "PF_INK_LIMIT", rel,
                f"第{number}页有 {len(heavy)} 幅图片总墨量超过 {ink_limit:g}%（最高 {max(heavy)}%）",
                page=number, data={"ink_percent": heavy, "limit": ink_limit}))
        if scan.text_not_k:
            parts = "、".join(f"{what}（{count} 处）" for what, count in scan.text_not_k.items())
            findings.append(PreflightFinding(
                "PF_TEXT_NOT_K", rel, f"第{number}页文字颜色不是单黑 K100：{parts}", page=number,
                data={"colours": scan.text_not_k}))
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array) or not len(intents):
        findings.append(PreflightFinding("PF_OUTPUT_INTENT", rel, "没有嵌入输出意图（OutputIntent），不是 PDF/X 文件"))
    return findings
