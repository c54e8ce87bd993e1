"""颁发证书：荣誉证书、签名二维码、证书数据库登记、颁奖及补贴发放表、查验网页。

Award certificates with signed QR codes, the registry, the 颁奖及补贴发放 list and the verification site.

Stage `certificates`: output/<edition>/results/awardees.json (make results) + the registry →

    output/<edition>/certificates/
        证书/<编号>-<姓名>.pdf            one certificate per awardee (full design)
        荣誉证书（全部）.pdf               the print file with every certificate
        套打/荣誉证书套打（全部）.pdf       blank-paper mode: only the variable text and QR code
        套打/套打校准页.pdf                grid and crosshairs to align the printer
        颁奖及补贴发放表.xlsx / .pdf       awardees, unit, certificate number, subsidy, signature
        证书清单.json                      number, 编号, name and QR URL of every certificate
    output/<edition>/verify/              the static verification site (pipeline.stages.verify)

Numbers come from the registry (pipeline.registry.store): assigned once, in rank order, never changed.
Rendering is skipped when nothing that goes into the documents changed since the last run.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import functools
import hashlib
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pipeline.core import atomic, signing
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, Edition, section
from pipeline.core.errors import EditionConfigError, ExitCode, RenderError, StageError
from pipeline.core.safepath import child, safe_name
from pipeline.registry.store import Certificate, IssueEntry, Numbering, open_registry, registry_path
from pipeline.render import office, qr
from pipeline.render.weasy import data_uri, weasyprint_errors
from pipeline.rules import privacy

if TYPE_CHECKING:
    from pipeline.render.fonts import FontSet
    from pipeline.rules.awardees import Awardee

TEMPLATES = "certificates"
CODE_FILES = ("pipeline/stages/certificates.py", "pipeline/render/qr.py", "pipeline/core/signing.py",
              "pipeline/review/notice.py", "pipeline/gongwen/layout.py", "pipeline/render/templating.py", "pipeline/render/wordbreak.py",
              "templates/gongwen/sealed.css", "templates/gongwen/_sealed.html.j2")

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "B4": (250, 353), "B5": (176, 250),
    "8K": (260, 368), "16K": (184, 260),
}
"""Portrait sizes in mm of the page names [certificates] page_size accepts."""
PT_MM = 25.4 / 72
"""One typographic point in mm."""


# ---- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldPos:
    """Where one variable text goes on a pre-printed blank (blank-paper mode)."""

    x: float
    """Horizontal anchor in mm from the sheet's left edge (left edge, centre or right edge per align)."""
    y: float
    """Vertical middle of the line in mm from the sheet's top edge."""
    width: float
    """Width of the text box in mm."""
    size_pt: float
    """Font size in points."""
    align: str
    """left, center or right."""
    show: bool
    """False: not printed (already on the blank)."""


BLANK_FIELDS: dict[str, tuple[str, FieldPos]] = {
    "name": ("姓名", FieldPos(110, 80, 100, 28, "center", True)),
    "citation": ("表彰文字", FieldPos(148.5, 104, 230, 19, "center", True)),
    "term": ("任期", FieldPos(148.5, 121, 230, 15, "center", True)),
    "organs": ("署名机关", FieldPos(222, 150, 110, 15, "center", False)),
    "date": ("日期", FieldPos(222, 170, 110, 15, "center", True)),
    "number": ("证书编号", FieldPos(24, 190, 120, 10.5, "left", True)),
}
"""Blank-paper fields: key → (Chinese label, default position on an A4 landscape blank)."""
BLANK_QR_DEFAULT = (46.0, 160.0, 36.0)
"""QR code centre x, centre y and size in mm on the blank."""


@dataclass(frozen=True)
class BlankLayout:
    """[certificates.blank]: positions of the variable text on pre-printed blanks."""

    enabled: bool
    """Write the blank-paper print file and calibration page."""
    offset_x_mm: float
    """Printer calibration: move everything right (+) or left (−)."""
    offset_y_mm: float
    """Printer calibration: move everything down (+) or up (−)."""
    fields: dict[str, FieldPos]
    """Field key → position."""
    qr_x: float
    """QR code centre, mm from the left edge."""
    qr_y: float
    """QR code centre, mm from the top edge."""
    qr_size_mm: float
    """QR code size (quiet zone included)."""


@dataclass(frozen=True)
class CertificateOptions:
    """The certificate settings of edition.toml beyond Edition.certificates (read defensively)."""

    demo: bool
    """Demo edition: demo key, 演示 marks, the demo registry."""
    page_css: str
    """CSS page size, e.g. '297mm 210mm'."""
    page_w: float
    """Page width in mm."""
    page_h: float
    """Page height in mm."""
    qr_size_mm: float
    """Printed QR size (quiet zone included) on the full design."""
    qr_level: str
    """Error correction L/M/Q/H."""
    seal: bool
    """Place the office's seal image (only when the file exists)."""
    seal_image: Path
    """The first issuing organ's seal image (assets/seal.png by default)."""
    seal_images: tuple[Path, ...]
    """One seal image per issuing organ, in [organs] issuing order (seal_image may list several)."""
    blank: BlankLayout
    """Blank-paper mode."""
    registry_edition: str
    """The edition the round is registered under: [certificates] registry_edition (an explicit link to
    another edition folder's round and registry), else this folder's name."""
    keep_valid: tuple[str, ...]
    """[certificates] keep_valid: certificate numbers the office confirmed stay valid although their
    holders are no longer among the awardees."""

    @property
    def registry(self) -> Path:
        """The registry file: the real one, or the (linked) edition's own demo one."""
        return registry_path(self.demo, self.registry_edition)


def _default_demo(edition: Edition) -> bool:
    inputs = PROJECT_ROOT / "input"
    return edition.path == inputs / "demo" or edition.path.is_relative_to(inputs / "examples")


def _bad(edition: Edition, key: str, want: str) -> EditionConfigError:
    return EditionConfigError(f"设置项 [certificates] {key} 不正确，应为{want}",
                              hint=f"修改 {edition.path.name}/edition.toml 中的 [certificates] {key}",
                              file=str(edition.path / "edition.toml"))


def parse_page_size(text: str) -> tuple[float, float]:
    """'A4 landscape', 'A3', '297mm 210mm' or '297 210' in → (width, height) in mm; ValueError otherwise."""
    words = text.replace("×", " ").replace("x", " ").split()
    orientation = ""
    if words and words[-1].lower() in ("landscape", "portrait", "横向", "纵向"):
        orientation = words.pop().lower()
    if len(words) == 1 and words[0].upper() in PAGE_SIZES:
        w, h = PAGE_SIZES[words[0].upper()]
        if orientation in ("landscape", "横向", ""):
            w, h = h, w  # certificates are landscape unless told otherwise
        return float(w), float(h)
    if len(words) == 2 and not orientation:
        w_s, h_s = (re.sub(r"mm$", "", w) for w in words)
        w_f, h_f = float(w_s), float(h_s)
        if 50 <= w_f <= 1000 and 50 <= h_f <= 1000:
            return w_f, h_f
    raise ValueError(text)


QR_SIZE_MM = (10.0, 100.0)
"""Allowed printed QR sizes in mm (quiet zone included); qr.MIN_MODULE_MM then decides if a code is too dense."""
FONT_PT = (5.0, 72.0)
"""Allowed type sizes of a blank-paper field in points."""
OFFSET_MM = 30.0
"""Largest printer calibration offset in mm, either way."""


def certificate_options(edition: Edition) -> CertificateOptions:
    """Edition in → its certificate options; EditionConfigError naming the file, key and allowed range when one is wrong.

    Numbers are checked with pipeline.core.edition's getters: sizes positive, positions on the sheet.
    """
    table = edition.raw.get("certificates", {})
    c = section(edition, "certificates", table, {"demo": _default_demo(edition), "seal": False, "qr_size_mm": 38})
    table = c.data
    page = table.get("page_size", "A4 landscape")
    try:
        page_w, page_h = parse_page_size(str(page))
    except ValueError:
        raise _bad(edition, "page_size", "纸张尺寸，如 \"A4 landscape\"、\"A3 landscape\" 或 \"297mm 210mm\"") from None
    level = str(table.get("qr_error_correction", "Q")).upper()
    if level not in qr.LEVELS:
        raise _bad(edition, "qr_error_correction", " L、M、Q 或 H")
    seal_value = table.get("seal_image", "assets/seal.png")
    seal_list = seal_value if isinstance(seal_value, list) else [seal_value]
    if not seal_list or not all(isinstance(v, str) and v for v in seal_list):
        raise _bad(edition, "seal_image", "图片路径，或每个署名机关一个路径的列表")
    seal_paths = tuple(p if p.is_absolute() else PROJECT_ROOT / p for p in (Path(v) for v in seal_list))
    on_sheet = f"（毫米，从纸张{{}}边量起，纸张为 {page_w:g} × {page_h:g} 毫米）"
    b = section(edition, "certificates.blank", table.get("blank"),
                {"enabled": True, "offset_x_mm": 0, "offset_y_mm": 0})
    fields: dict[str, FieldPos] = {}
    for key, (_, default) in BLANK_FIELDS.items():
        f = section(edition, f"certificates.blank.{key}", b.data.get(key), dataclasses.asdict(default))
        fields[key] = FieldPos(
            f.number("x", 0, page_w, on_sheet.format("左")), f.number("y", 0, page_h, on_sheet.format("上")),
            f.number("width", 1, page_w, f"（毫米，不超过纸张宽度 {page_w:g} 毫米）"),
            f.number("size_pt", *FONT_PT, "（磅）"), f.choice("align", ("left", "center", "right")), f.flag("show"))
    q = section(edition, "certificates.blank.qr", b.data.get("qr"), dict(zip(("x", "y", "size_mm"), BLANK_QR_DEFAULT,
                                                                              strict=True)))
    blank = BlankLayout(
        enabled=b.flag("enabled"),
        offset_x_mm=b.number("offset_x_mm", -OFFSET_MM, OFFSET_MM, "（毫米，打印机校准偏移）"),
        offset_y_mm=b.number("offset_y_mm", -OFFSET_MM, OFFSET_MM, "（毫米，打印机校准偏移）"),
        fields=fields,
        qr_x=q.number("x", 0, page_w, on_sheet.format("左")),
        qr_y=q.number("y", 0, page_h, on_sheet.format("上")),
        qr_size_mm=q.number("size_mm", *QR_SIZE_MM, "（毫米，含空白边）"),
    )
    linked = table.get("registry_edition", edition.name)
    if not isinstance(linked, str) or not linked.strip() or re.search(r"[/\\]", linked):
        raise _bad(edition, "registry_edition", "另一个届次文件夹的名称（不含路径），如 \"2027\"")
    keep = table.get("keep_valid", [])
    if not isinstance(keep, list) or not all(isinstance(n, str) and n.strip() for n in keep):
        raise _bad(edition, "keep_valid", "证书编号的列表，如 [\"XATN-2027-005\"]")
    return CertificateOptions(
        registry_edition=linked.strip(), keep_valid=tuple(n.strip() for n in keep),
        demo=c.flag("demo"), page_css=f"{page_w:g}mm {page_h:g}mm", page_w=page_w, page_h=page_h,
        qr_size_mm=c.number("qr_size_mm", *QR_SIZE_MM, "（毫米，含空白边）"), qr_level=level,
        seal=c.flag("seal"), seal_image=seal_paths[0], seal_images=seal_paths,
        blank=blank)


# ---- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCertificate:
    """One awardee's certificate."""

    awardee: Awardee
    """The awardee (rank, nominee)."""
    record: Certificate
    """The registry's record: number, term, status."""
    payload: signing.Payload
    """What the QR code vouches for."""
    url: str
    """The URL in the QR code."""
    level: str
    """The QR code's error-correction level."""
    pdf: Path
    """The single-certificate PDF."""

    @property
    def symbol(self) -> qr.QrSymbol:
        """The QR code (made on first use)."""
        return qr.make_qr(self.url, self.level)


@dataclass(frozen=True)
class CertificatesResult:
    """What the certificates stage produced."""

    issued: tuple[IssuedCertificate, ...]
    """Certificates in 姓氏笔画 order (the public order; never the ranking)."""
    skipped: tuple[str, ...]
    """'编号 姓名' of awardees left out because of check errors."""
    new_numbers: tuple[str, ...]
    """Numbers assigned in this run."""
    print_file: Path
    """荣誉证书（全部）.pdf."""
    blank_file: Path | None
    """The blank-paper print file (None when blank mode is off)."""
    calibration: Path | None
    """The calibration page (None when blank mode is off)."""
    subsidy_xlsx: Path
    """颁奖及补贴发放表.xlsx."""
    subsidy_pdf: Path
    """颁奖及补贴发放表.pdf."""
    verify_dir: Path
    """output/<edition>/verify/."""
    rendered: bool
    """False when nothing changed and rendering was skipped."""
    demo: bool
    """Signed with the demo key."""

    @property
    def exit_code(self) -> ExitCode:
        """1 when an awardee was skipped, else 0."""
        return ExitCode.findings if self.skipped else ExitCode.ok


# ---- rendering ---------------------------------------------------------------------------------


def render_pdf(html: str, what: str) -> bytes:
    """HTML text in → PDF bytes (WeasyPrint, project fonts, warnings are errors)."""
    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    import weasyprint

    with weasyprint_errors(what, file=what, hint="若提到图片，检查 assets/ 中的印章图片是否完整；否则请联系技术人员（模板有误）"):
        document = weasyprint.HTML(string=html, base_url=str(PROJECT_ROOT)).render()
        return bytes(document.write_pdf(pdf_identifier=b"xingan-nengshou-certificates"))


def split_pdf(pdf: bytes, parts: Sequence[tuple[str, Sequence[int]]], expected_pages: int) -> list[bytes]:
    """A PDF and (title, page indexes) per output in → one titled, reproducible PDF per output."""
    import io

    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf)) as src:
        if len(src.pages) != expected_pages:
            raise RenderError(f"证书排版页数（{len(src.pages)}）与预期（{expected_pages}）不符",
                              hint="某位获奖者的姓名或单位过长、排到了下一页；请联系技术人员调整模板")
        info = dict(src.docinfo.items())
        for title, pages in parts:
            part = pikepdf.new()
            for index in pages:
                part.pages.append(src.pages[index])
            for key, value in info.items():
                part.docinfo[key] = value
            part.docinfo["/Title"] = title
            part.remove_unreferenced_resources()  # WeasyPrint shares one resource dictionary: no one else's QR code
            buffer = io.BytesIO()
            part.save(buffer, deterministic_id=True)
            out.append(buffer.getvalue())
    return out


def _png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _cn_number(n: int) -> str:
    """1–99 → 一 … 九十九 (larger numbers stay in digits)."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _cn_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _name_class(name: str) -> str:
    n = len(name)
    return "short" if n <= 4 else "medium" if n <= 8 else "long" if n <= 16 else "very-long"


# ---- the full design: seal spaces, border, punctuation ----------------------------------------------

SEAL_MM = 42.0
"""Diameter of a round official seal (公章); each issuing organ gets a free circle this wide."""
SEAL_CLEARANCE_MM = 1.0
"""Extra free ring around each seal space (a seal is never stamped exactly)."""
RED = "#a3171e"
"""The certificate's red (title, border rules)."""
GOLD = "#b8903c"
"""The certificate's gold (ornament)."""


@dataclass(frozen=True)
class SealSpace:
    """One issuing organ's signature line and the free circle below it for its seal."""

    organ: str
    """The organ's name as signed."""
    lines: tuple[str, ...]
    """The name as set: one line, or two when three organs would not fit side by side."""
    cx: float
    """Centre of the seal space, mm from the page's left edge (also the centre of the name)."""
    cy: float
    """Centre of the seal space, mm from the page's top edge."""
    diameter: float
    """Diameter of the free circle in mm (SEAL_MM plus the clearance on both sides)."""
    name_top: float
    """Top of the organ's name, mm from the top edge."""
    name_width: float
    """Width of the name's box in mm (centred on cx)."""


@dataclass(frozen=True)
class IssuerLayout:
    """The signature block: organs side by side, a seal space under each, the date under them all."""

    seals: tuple[SealSpace, ...]
    """One per issuing organ, left to right (the first organ left, as GB/T 9704 联合行文 orders seals)."""
    name_size_pt: float
    """Font size of the organ names."""
    line_mm: float
    """Line height of the organ names in mm."""
    date_top: float
    """Top of the date line, mm from the top edge."""
    date_size_pt: float
    """Font size of the date."""
    top: float
    """Top of the whole block (the body text ends above it)."""


def issuer_layout(organs: Sequence[str], page_w: float, page_h: float) -> IssuerLayout:
    """Issuing organs and the page size in mm → names side by side, each above its own free seal circle.

    The seal spaces keep their real size on every page size (a seal is 42 mm on A3 as on A5);
    the type scales with the page. Circles of neighbouring organs never overlap.
    """
    scale = min(page_w / 297, page_h / 210)
    organs = list(organs) or [""]
    n = len(organs)
    diameter = SEAL_MM + 2 * SEAL_CLEARANCE_MM
    avail = page_w - 2 * 40 * scale  # inside the border, clear of the QR code's column on a full block
    size = 16 * scale
    longest = max(len(o) for o in organs)

    def pitch_for(pt: float, chars: int) -> float:
        return max(chars * pt * PT_MM + 8 * scale, diameter + 6 * scale)

    while size > 11 and n * pitch_for(size, longest) > avail:
        size -= 0.5
    two_lines = n * pitch_for(size, longest) > avail
    chars = (longest + 1) // 2 if two_lines else longest
    pitch = max(pitch_for(size, chars), min(avail / n, diameter + 40 * scale))
    line = size * PT_MM * 1.45
    date_size = 16 * scale
    date_top = page_h - 26 * scale - date_size * PT_MM * 1.45
    cy = date_top - 1.5 * scale - diameter / 2
    name_top = cy - diameter / 2 - 1 * scale - line * (2 if two_lines else 1)
    first = page_w / 2 - pitch * (n - 1) / 2
    seals = []
    for i, organ in enumerate(organs):
        half = (len(organ) + 1) // 2
        lines = (organ[:half], organ[half:]) if two_lines and len(organ) > 1 else (organ,)
        seals.append(SealSpace(organ, lines, first + i * pitch, cy, diameter, name_top, pitch - 4 * scale))
    return IssuerLayout(tuple(seals), size, line, date_top, date_size, name_top)


def _unit(x: float, y: float, s: float, rotate: int) -> list[tuple[float, float]]:
    """One 回纹 key in a square of side s at (x, y), as a polyline; rotate 0/90/180/270 degrees."""
    g = s / 5
    pts = [(0, 6), (0, 0.8), (4.2, 0.8), (4.2, 4.2), (1.6, 4.2), (1.6, 2.4), (2.8, 2.4)]  # the leg stands on the rule
    out = []
    for px, py in pts:
        u, v = px * g, py * g
        for _ in range(rotate // 90):
            u, v = s - v, u
        out.append((x + u, y + v))
    return out


def frame_svg(page_w: float, page_h: float) -> str:
    """Page size in mm → the border as SVG (mm units): red rules, a gold 回纹 band, corner blocks."""
    k = min(page_w / 297, page_h / 210)
    outer, band_top, band = 9 * k, 12.2 * k, 5 * k
    inner = band_top + band + 1.0 * k
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{page_w:g}mm" height="{page_h:g}mm" '
             f'viewBox="0 0 {page_w:g} {page_h:g}">',
             f'<rect x="{outer:.3f}" y="{outer:.3f}" width="{page_w - 2 * outer:.3f}" height="{page_h - 2 * outer:.3f}" '
             f'fill="none" stroke="{RED}" stroke-width="{1.6 * k:.3f}"/>']
    for inset, width in ((band_top - 0.9 * k, 0.3 * k), (inner, 0.3 * k)):
        parts.append(f'<rect x="{inset:.3f}" y="{inset:.3f}" width="{page_w - 2 * inset:.3f}" '
                     f'height="{page_h - 2 * inset:.3f}" fill="none" stroke="{GOLD}" stroke-width="{width:.3f}"/>')
    inner_red = inner + 1.3 * k
    parts.append(f'<rect x="{inner_red:.3f}" y="{inner_red:.3f}" width="{page_w - 2 * inner_red:.3f}" '
                 f'height="{page_h - 2 * inner_red:.3f}" fill="none" stroke="{RED}" stroke-width="{0.5 * k:.3f}"/>')
    lines: list[list[tuple[float, float]]] = []
    blocks: list[tuple[float, float]] = []  # corner blocks and the block at the middle of each side
    # the left half of the top band and the top half of the left band; every other stretch is a
    # mirror image of these, so the border is symmetric about both centre lines
    for horizontal in (True, False):
        half = ((page_w if horizontal else page_h) - 2 * (band_top + band) - band) / 2
        count = max(1, round(half / (band * 1.25)))
        step = half / count
        for i in range(count):
            offset = band_top + band + i * step + (step - band) / 2
            unit = _unit(offset, band_top, band, 0) if horizontal else _unit(band_top, offset, band, 270)
            images = [unit, [(page_w - x, y) for x, y in unit]] if horizontal else [
                unit, [(x, page_h - y) for x, y in unit]]
            for image in images:
                lines.append(image)
                lines.append([(x, page_h - y) for x, y in image] if horizontal else [(page_w - x, y) for x, y in image])
    far_x, far_y = page_w - band_top - band, page_h - band_top - band
    mid_x, mid_y = (page_w - band) / 2, (page_h - band) / 2
    blocks += [(band_top, band_top), (far_x, band_top), (band_top, far_y), (far_x, far_y),
               (mid_x, band_top), (mid_x, far_y), (band_top, mid_y), (far_x, mid_y)]
    stroke = f'fill="none" stroke="{GOLD}" stroke-width="{0.42 * k:.3f}" stroke-linejoin="miter" stroke-linecap="square"'
    for pts in lines:
        parts.append(f'<polyline {stroke} points="' + " ".join(f"{x:.3f},{y:.3f}" for x, y in pts) + '"/>')
    for cx, cy in blocks:
        parts.append(f'<rect x="{cx + 0.4 * k:.3f}" y="{cy + 0.4 * k:.3f}" width="{band - 0.8 * k:.3f}" '
                     f'height="{band - 0.8 * k:.3f}" {stroke}/>')
        m, r = band / 2, band * 0.26
        parts.append(f'<polygon fill="{RED}" points="{cx + m:.3f},{cy + m - r:.3f} {cx + m + r:.3f},{cy + m:.3f} '
                     f'{cx + m:.3f},{cy + m + r:.3f} {cx + m - r:.3f},{cy + m:.3f}"/>')
    parts.append("</svg>")
    return "".join(parts)


CJK_OPENING = "“‘（《「『【〔〈"
CJK_CLOSING = "”’）》」』】〕〉"
CJK_STOPS = "。，、；：！？"
CJK_PUNCTUATION = CJK_OPENING + CJK_CLOSING + CJK_STOPS


@functools.cache
def _punctuation_at_left(file: str, index: int) -> bool:
    """True when the face sets 。 in the left half of its em box (mainland style), not centred."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(file, fontNumber=index, lazy=True)  # type: ignore[no-untyped-call]
        glyph = font.getBestCmap().get(ord("。"))  # type: ignore[no-untyped-call]
        if glyph is None:
            return False
        glyphs = font.getGlyphSet()  # type: ignore[no-untyped-call]
        pen = BoundsPen(glyphs)
        glyphs[glyph].draw(pen)
        return pen.bounds is not None and float(pen.bounds[2]) / float(font["head"].unitsPerEm) <= 0.5
    except Exception:  # noqa: BLE001 - an unreadable font: assume it is not mainland style
        return False


def punctuation_role(fonts: FontSet) -> str | None:
    """The role whose face sets Chinese punctuation mainland style, for the 楷体 text; None: 楷体's own."""
    for role in ("kai", "body", "title"):
        face = fonts.roles[role].face
        if _punctuation_at_left(str(face.file), face.index):
            return None if role == "kai" else role
    return None


def typeset(text: str) -> Markup:
    """Text in → HTML with CJK punctuation compressed (标点挤压) and marked for the punctuation face.

    A closing mark or stop followed by another mark loses the blank half of its em (so "”。"
    shows no double gap, per 《中文排版需求》 3.1.6); every mark is wrapped in <span class="pu">
    so that CSS can set it in a face that places it mainland style.
    """
    from markupsafe import escape

    out = []
    for i, ch in enumerate(text):
        if ch not in CJK_PUNCTUATION:
            out.append(str(escape(ch)))
            continue
        following = text[i + 1] if i + 1 < len(text) else ""
        half = ch in CJK_CLOSING + CJK_STOPS and following != "" and following in CJK_PUNCTUATION
        out.append(f'<span class="pu{" half" if half else ""}">{escape(ch)}</span>')
    return Markup("".join(out))


def _common(ctx: RunContext, options: CertificateOptions, fonts: FontSet) -> dict[str, Any]:
    edition = ctx.edition
    scale = min(options.page_w / 297, options.page_h / 210)
    created = ctx.source_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "edition": edition,
        "options": options,
        "font_css": Markup(fonts.css()),
        "stack": lambda role: Markup(fonts.stack(role)),
        "scale": scale,
        "k": lambda value: f"{value * scale:.3f}mm",
        "pt": lambda value: f"{value * scale:.2f}pt",
        "created": created,
        "organs": edition.issuing_organs,
        "issue_date": _cn_date(edition.certificates.issue_date),
        "citation": f"被评为{edition.round.region}{edition.round.year}年度“{edition.round.honour}”",
        "demo": options.demo,
        "term_label": f"任期{_cn_number(edition.certificates.term_years)}年",
        "typeset": typeset,
        "punct_role": punctuation_role(fonts),
        "issuer": issuer_layout(edition.issuing_organs, options.page_w, options.page_h),
        "frame": _svg_uri(frame_svg(options.page_w, options.page_h)),
        "red": RED,
        "gold": GOLD,
    }


def _view(item: IssuedCertificate, options: CertificateOptions, seals: Sequence[str | None]) -> dict[str, Any]:
    c = item.awardee.nominee.candidate
    return {
        "name": c.name,
        "name_class": _name_class(c.name),
        "unit": c.unit_and_post,
        "number": item.record.number,
        "term": f"{_cn_date(item.record.term_start)}至{_cn_date(item.record.term_end)}",
        "url": item.url,
        "qr_size": options.qr_size_mm,
        "seals": list(seals),
    }


# ---- the stage ----------------------------------------------------------------------------------


def _signer(ctx: RunContext, options: CertificateOptions) -> signing.Signer:
    """The key the round is signed with: the demo key for demo editions (created if needed)."""
    if not options.demo:
        return signing.load_signer(demo=False)
    signer, created = signing.create_key(demo=True)
    banner = "！" * 36
    lines = [banner,
             "！ 注意：这是演示届次，证书用【演示密钥】签名，仅供演示，不具任何效力！",
             f"！ 演示密钥：{signer.files.private}" + ("（刚刚新生成）" if created else ""),
             "！ 正式届次请先运行 make keys 生成正式密钥，并在 edition.toml 的 [certificates] 中设 demo = false。",
             banner]
    import sys

    print("\n".join(lines), file=sys.stderr, flush=True)
    return signer


def _entries(awardees: Sequence[Awardee]) -> list[IssueEntry]:
    out = []
    for a in awardees:
        c = a.nominee.candidate
        out.append(IssueEntry(c.id_number, c.name, c.gender or "", c.code, c.unit_and_post, c.occupation, a.rank,
                                  c.recommender))
    return out


def _input_hash(ctx: RunContext, options: CertificateOptions, views: list[dict[str, Any]],
                extra: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for rel in CODE_FILES:
        digest.update((PROJECT_ROOT / rel).read_bytes())
    for path in sorted((PROJECT_ROOT / "templates" / TEMPLATES).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    for image in options.seal_images:
        if options.seal and image.is_file():
            digest.update(image.read_bytes())
    edition = ctx.edition
    digest.update(json.dumps({
        "views": views, "extra": extra, "options": repr(options), "cert": repr(edition.certificates),
        "organs": edition.issuing_organs, "round": repr(edition.round), "fonts": repr(edition.fonts),
        "office": repr(edition.office), "created": ctx.source_date.isoformat(),
    }, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def issue_certificates(ctx: RunContext, awardees: Sequence[Awardee]) -> CertificatesResult:
    """Awardees (姓氏笔画 order: new numbers follow it) in → registry updated, certificates, lists and the verification site written."""
    from pipeline.core import model
    from pipeline.render.fonts import resolve_fonts
    from pipeline.stages import verify

    edition = ctx.edition
    options = certificate_options(edition)
    out = ctx.output / "certificates"
    settings = edition.certificates

    holders = [a.nominee.candidate.id_number for a in awardees]  # skipped awardees are not dropped
    skipped = tuple(a.nominee.candidate.label for a in awardees if not a.nominee.ok)
    for label in skipped:
        ctx.say(f"跳过 {label}：审查有错误，未颁发证书（见 make check 的报告，改正后重新运行）")
    awardees = [a for a in awardees if a.nominee.ok]
    known = privacy.Known.of(a.nominee.candidate for a in awardees)
    awardees = list(privacy.public_awardees(awardees, known, ctx.say))  # no ID, phone or address in public text
    signer = _signer(ctx, options)
    signing.export_public(signer)

    term = signing.term_of(settings.issue_date, settings.term_years)
    db_path = options.registry
    ctx.say(f"登记证书：{db_path}")
    with open_registry(db_path) as reg:
        _refuse_dropped(ctx, options, reg.dropped(edition.round.year, options.registry_edition, holders), db_path)
        result = reg.issue(edition.round.year, edition.round.title, options.registry_edition, _entries(awardees),
                           Numbering(settings.number_prefix, settings.number_format), term, model.today())
        revocations = reg.revocations()
        registered = reg.certificates()  # every round's: the lookup index answers for all of them
    if result.new:
        ctx.say(f"新编号 {len(result.new)} 个：{result.new[0]} … {result.new[-1]}")

    issued: list[IssuedCertificate] = []
    used_names: set[str] = set()
    for a, record in zip(awardees, result.certificates, strict=True):
        c = a.nominee.candidate
        payload = signing.Payload(record.number, c.name, edition.round.year, record.term_start, record.term_end)
        try:
            url = signing.qr_url(settings.verify_base_url, signing.sign(payload, signer))
        except ValueError as exc:
            raise RenderError(str(exc), candidate=c.label,
                              hint="修改名册中的姓名，或 edition.toml 中的 verify_base_url（不能含 #）") from None
        filename = safe_name(f"{record.number}-{c.name}") + ".pdf"
        if filename in used_names:
            filename = safe_name(f"{record.number}-{c.code}") + ".pdf"
        used_names.add(filename)
        issued.append(IssuedCertificate(a, record, payload, url, options.qr_level, child(out / "证书", filename)))

    fonts = resolve_fonts(edition.fonts)
    seals: list[str | None] = [None] * len(edition.issuing_organs)
    if options.seal:
        for i, image in enumerate(options.seal_images[:len(seals)]):
            if image.is_file():
                seals[i] = data_uri(image)  # by content: the PDF's bytes never depend on where the edition is
            else:
                ctx.say(f"提示：已设置使用印章图片，但找不到 {image}，证书上不放该印章（程序从不自行绘制印章）")
    views = [_view(item, options, seals) for item in issued]
    common = _common(ctx, options, fonts)
    subsidy = _subsidy_rows(issued, settings.subsidy_yuan)

    print_file = out / "荣誉证书（全部）.pdf"
    blank_file = out / "套打" / "荣誉证书套打（全部）.pdf" if options.blank.enabled else None
    calibration = out / "套打" / "套打校准页.pdf" if options.blank.enabled else None
    xlsx, subsidy_pdf = out / "颁奖及补贴发放表.xlsx", out / "颁奖及补贴发放表.pdf"
    listing = out / "证书清单.json"
    expected = [print_file, xlsx, subsidy_pdf, listing, *(i.pdf for i in issued)]
    expected += [p for p in (blank_file, calibration) if p is not None]
    key = _input_hash(ctx, options, views, {"subsidy": subsidy, "public": signing.key_id(signer.public)})
    manifest = ctx.work / "certificates" / "manifest.json"
    rendered = True
    if not issued:
        rendered = False
        ctx.say("没有可以颁发证书的获奖者，未生成证书（先运行 make results；有错误的人选改正后重新运行）")
    elif (manifest.is_file() and all(p.is_file() for p in expected)
            and json.loads(manifest.read_text(encoding="utf-8")).get("key") == key):
        rendered = False
        ctx.say("证书未改动，跳过排版")
    else:
        _add_qr_images(options, issued, views)
        _render_all(ctx, options, common, views, issued, print_file, blank_file, calibration)
        _write_subsidy(ctx, common, subsidy, settings.subsidy_yuan, xlsx, subsidy_pdf)
        atomic.write_text(listing, json.dumps({
            "edition": edition.name, "round": edition.round.year, "demo": options.demo,
            "certificates": [{"证书编号": i.record.number, "编号": i.awardee.nominee.candidate.code,
                              "姓名": i.payload.name, "任期": [i.record.term_start.isoformat(),
                                                              i.record.term_end.isoformat()],
                              "二维码": i.url, "文件": f"证书/{i.pdf.name}"} for i in issued],
        }, ensure_ascii=False, indent=2) + "\n")
        _prune(out / "证书", {i.pdf.name for i in issued})
        atomic.write_text(manifest, json.dumps({"key": key}) + "\n")

    site = verify.write_site(ctx, [signing.PublishedKey(signer.public, signer.demo)], signer, revocations, registered)
    privacy.guard([out, site], known, stage="make certificates")  # read back: nothing private published
    ctx.say(f"证书完成：{len(issued)} 份 → {out}；查验网页 → {site}")
    return CertificatesResult(tuple(issued), skipped, result.new, print_file, blank_file, calibration,
                              xlsx, subsidy_pdf, site, rendered, options.demo)


def _refuse_dropped(ctx: RunContext, options: CertificateOptions, dropped: Sequence[Certificate], db: Path) -> None:
    """StageError when valid certificates of the round belong to people no longer among the awardees,
    unless [certificates] keep_valid confirms them: the office revokes or confirms, never silence."""
    for c in dropped:
        if c.number in options.keep_valid:
            ctx.say(f"提示：证书 {c.number}（{c.code} {c.name}）的持有人不在拟表彰人选名单中，"
                    "按 [certificates] keep_valid 保留有效（不再生成其证书文件）")
    left = [c for c in dropped if c.number not in options.keep_valid]
    if not left:
        return
    folder = ctx.edition.path
    where = folder.relative_to(PROJECT_ROOT) if folder.is_relative_to(PROJECT_ROOT) else folder
    who = "、".join(f"{c.number}（{c.code} {c.name}）" for c in left)
    commands = "；".join(f"make registry EDITION={shlex.quote(str(where))} "
                        f"ARGS=\"revoke {c.number} --reason '撤销原因'\"" for c in left)
    numbers = ", ".join(f'"{c.number}"' for c in left)
    raise StageError(
        f"已颁发的 {len(left)} 张证书的持有人已不在拟表彰人选名单（评审结果）中，这些证书仍然有效：{who}",
        hint=f"如确应取消其荣誉，先撤销：{commands}（撤销后重新上传查验网页的 revoked.json 和 lookup.json）；"
             f"如确认保留这些证书有效，在 {folder / 'edition.toml'} 的 [certificates] 中写 keep_valid = [{numbers}]；"
             "如名单改错了，改正后重新运行 make results。然后再运行 make certificates",
        file=str(db))


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove certificates of people no longer among the awardees (rebuildable output only)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix == ".pdf" and path.name not in keep:
                path.unlink()


def _add_qr_images(options: CertificateOptions, issued: list[IssuedCertificate], views: list[dict[str, Any]]) -> None:
    """Make each QR code, check its modules are large enough to scan, and add its image to the view."""
    for item, view in zip(issued, views, strict=True):
        symbol = item.symbol
        for size in (options.qr_size_mm, options.blank.qr_size_mm if options.blank.enabled else options.qr_size_mm):
            if symbol.module_mm(size) < qr.MIN_MODULE_MM:
                raise RenderError(
                    f"二维码太密（{symbol.modules} 格，印成 {size:g} 毫米时每格仅 {symbol.module_mm(size):.2f} 毫米），"
                    "手机可能扫不出", candidate=item.awardee.nominee.candidate.label,
                    hint="缩短 edition.toml 中的 verify_base_url，或增大 [certificates] qr_size_mm"
                         "（套打时 [certificates.blank.qr] size_mm）")
        view["qr_image"] = _png_uri(symbol.print_png(max(options.qr_size_mm, options.blank.qr_size_mm)))


def _render_all(ctx: RunContext, options: CertificateOptions, common: dict[str, Any], views: list[dict[str, Any]],
                issued: list[IssuedCertificate], print_file: Path, blank_file: Path | None,
                calibration: Path | None) -> None:
    """One WeasyPrint document (certificates, blank sheets, calibration page) → the files, split by page."""
    from pipeline.render.templating import render

    ctx.say(f"排版证书：{len(views)} 份")
    edition = ctx.edition
    title = f"{edition.round.year}年度“{edition.round.honour}”荣誉证书"
    layout = blank_layout(options.blank) if blank_file is not None else None
    html = render(f"{TEMPLATES}/certificates.html.j2", certs=views, title=title, layout=layout,
                  grid_x=range(0, int(options.page_w) + 1, 5), grid_y=range(0, int(options.page_h) + 1, 5),
                  **common)
    pdf = render_pdf(html, "荣誉证书")
    n = len(views)
    parts: list[tuple[Path, str, list[int]]] = [(print_file, title, list(range(n)))]
    parts += [(item.pdf, f"荣誉证书 {v['number']} {v['name']}", [i]) for i, (item, v) in enumerate(zip(issued, views,
                                                                                                  strict=True))]
    if blank_file is not None and calibration is not None:
        parts += [(blank_file, f"{title}（套打）", list(range(n, 2 * n))), (calibration, "证书套打校准页", [2 * n])]
    expected_pages = 2 * n + 1 if layout is not None else n
    for (target, _, _), data in zip(parts, split_pdf(pdf, [(t, p) for _, t, p in parts], expected_pages),
                                    strict=True):
        atomic.write_bytes(target, data)



def blank_layout(blank: BlankLayout) -> dict[str, Any]:
    """Blank-paper settings in → boxes in mm on the sheet (calibration offsets applied) for the templates."""
    boxes = []
    for key, (label, _) in BLANK_FIELDS.items():
        pos = blank.fields[key]
        lines = 2 if key == "organs" else 1
        height = pos.size_pt * PT_MM * 1.35 * lines
        left = {"left": pos.x, "center": pos.x - pos.width / 2, "right": pos.x - pos.width}[pos.align]
        boxes.append({"key": key, "label": label, "show": pos.show, "align": pos.align, "size_pt": pos.size_pt,
                      "left": left + blank.offset_x_mm, "top": pos.y - height / 2 + blank.offset_y_mm,
                      "width": pos.width, "height": height, "line": height / lines,
                      "x": pos.x + blank.offset_x_mm, "y": pos.y + blank.offset_y_mm, "nx": pos.x, "ny": pos.y})
    half = blank.qr_size_mm / 2
    return {"boxes": boxes, "ox": blank.offset_x_mm, "oy": blank.offset_y_mm,
            "qr": {"left": blank.qr_x - half + blank.offset_x_mm, "top": blank.qr_y - half + blank.offset_y_mm,
                   "size": blank.qr_size_mm, "x": blank.qr_x + blank.offset_x_mm, "y": blank.qr_y + blank.offset_y_mm,
                   "nx": blank.qr_x, "ny": blank.qr_y}}


# ---- 颁奖及补贴发放表 ------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def rmb_upper(amount: float) -> str:
    """An amount in yuan → its financial capital form, e.g. 100500 → '壹拾万零伍佰元整'."""
    yuan, fen = divmod(round(amount * 100), 100)
    if yuan == 0 and fen == 0:
        return "零元整"
    units, groups = ("", "拾", "佰", "仟"), ("", "万", "亿", "万亿")
    digits = str(yuan) if yuan else ""
    text, zero, group_has = "", False, False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        if ch == "0":
            zero = True
        else:
            text += ("零" if zero and text else "") + _DIGITS[int(ch)] + units[pos % 4]
            zero, group_has = False, True
        if pos % 4 == 0 and pos > 0:
            text += groups[pos // 4] if group_has else ""
            group_has = False
    if text:
        text += "元"
    jiao, fen = divmod(fen, 10)
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    if fen:
        text += ("零" if text and not jiao else "") + _DIGITS[fen] + "分"
    return text


def _subsidy_rows(issued: list[IssuedCertificate], amount: float) -> list[dict[str, Any]]:
    return [{"序号": i, "姓名": item.payload.name, "单位": item.awardee.nominee.candidate.unit_and_post,
             "证书编号": item.record.number, "金额": amount}
            for i, item in enumerate(issued, start=1)]


def _write_subsidy(ctx: RunContext, common: dict[str, Any], rows: list[dict[str, Any]], amount: float,
                   xlsx: Path, pdf: Path) -> None:
    """Subsidy rows → 颁奖及补贴发放表.xlsx and .pdf."""
    if amount <= 0:
        ctx.say("提示：edition.toml 中 [certificates] subsidy_yuan 未设置，补贴金额一栏留空")
    _write_subsidy_xlsx(ctx, rows, amount, xlsx)
    atomic.write_bytes(pdf, subsidy_pdf(ctx, common, rows, amount))


def subsidy_pdf(ctx: RunContext, common: dict[str, Any], rows: list[dict[str, Any]], amount: float) -> bytes:
    """Subsidy rows → the 颁奖及补贴发放表 PDF (A4 portrait).

    The 发放单位 (the bureau) signs under GB/T 9704 7.3.5.1 with the 颁证日期: the date four
    characters from the right, the organ centred over it, a 45 mm seal space pressing both
    (`sealed_layout`), kept on the page of the last rows and the 合计.
    """
    from pipeline.render.templating import render
    from pipeline.review.notice import sealed_layout

    edition = ctx.edition
    title = f"{edition.round.region}{edition.round.year}年度“{edition.round.honour}”颁奖及补贴发放表"
    total = amount * len(rows)
    organ, date = edition.office.bureau, _cn_date(edition.certificates.issue_date)
    html = render(f"{TEMPLATES}/subsidy.html.j2", title=title, rows=rows, amount=amount, total=total,
                  total_upper=rmb_upper(total), organ=organ, date=date, seal=sealed_layout(organ, date), **common)
    return render_pdf(html, "颁奖及补贴发放表")


SEAL_SPACE_PT = 130
"""Height of the empty space under a 盖章 line: 46 mm, room for a round 42 mm seal."""


def _write_subsidy_xlsx(ctx: RunContext, rows: list[dict[str, Any]], amount: float, xlsx: Path) -> None:
    """颁奖及补贴发放表.xlsx: A4 portrait, amounts and totals on one line, signature and seal space."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    edition = ctx.edition
    title = f"{edition.round.region}{edition.round.year}年度“{edition.round.honour}”颁奖及补贴发放表"
    total = amount * len(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "颁奖及补贴发放表"
    headers = ["序号", "姓名", "工作单位及职务", "证书编号", "补贴金额（元）", "领取人签字", "备注"]
    widths = [6, 10, 30, 17, 14, 14, 8]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    office.put(ws, 1, 1, title).font = Font(name="黑体", size=15, bold=True)
    ws.cell(1, 1).alignment = center
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    office.put(ws, 2, 1, f"发放单位：{edition.office.bureau}　　　　颁证日期：{_cn_date(edition.certificates.issue_date)}")
    ws.cell(2, 1).font = Font(name="仿宋", size=11)
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = office.put(ws, 3, col, header)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.alignment, cell.border = center, border
        ws.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(rows, start=4):
        values = [row["序号"], row["姓名"], row["单位"], row["证书编号"], row["金额"] if amount > 0 else None, None, None]
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.border = border
            cell.font = Font(name="仿宋", size=11)
            cell.alignment = Alignment(horizontal={3: "left", 5: "right"}.get(col, "center"), vertical="center",
                                       wrap_text=True)
            if col == 5:
                cell.number_format = "#,##0.00"
        ws.row_dimensions[r].height = 30  # room for a signature
    last = 4 + len(rows)
    office.put(ws, last, 1, "合计").alignment = center
    ws.merge_cells(start_row=last, start_column=2, end_row=last, end_column=4)
    office.put(ws, last, 2, f"共 {len(rows)} 人；大写：{rmb_upper(total)}" if amount > 0 else f"共 {len(rows)} 人")
    ws.cell(last, 2).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    office.put(ws, last, 5, total if amount > 0 else None).number_format = "#,##0.00"
    for col in range(1, len(headers) + 1):
        ws.cell(last, col).border = border
        ws.cell(last, col).font = Font(name="黑体", size=11)
    ws.cell(last, 5).alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[last].height = 30
    office.put(ws, last + 2, 1, "经办人：　　　　　　　　审核人：　　　　　　　　负责人：　　　　　　　　（盖章）")
    ws.cell(last + 2, 1).font = Font(name="仿宋", size=12)
    ws.row_dimensions[last + 3].height = SEAL_SPACE_PT
    ws.print_area = f"A1:G{last + 3}"
    office.print_setup(ws, title_rows="3:3", orientation="portrait")
    office.save_workbook(wb, xlsx, ctx.source_date)


# ---- command line -----------------------------------------------------------------------------


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make certificates`: awardees.json → certificates, registry, lists, verification site; exit 1 if someone was skipped.

    Refuses results older than their inputs (pipeline.stages.awardees); warns when the 公示 is older than the results.
    """
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.check import run_check
    from pipeline.stages.publicity import notice_staleness

    check = run_check(ctx)
    awardees = load_awardees(ctx, check)
    stale = notice_staleness(ctx, (a.nominee.candidate for a in awardees.awardees))
    if stale:
        ctx.say(f"提示：{stale}")
    return issue_certificates(ctx, awardees.public).exit_code
