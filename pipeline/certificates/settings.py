"""Certificate settings: `[certificates]` of edition.toml → `CertificateOptions`, every key with a default.

The keys beyond what pipeline.core.edition types are read here from `edition.raw["certificates"]`
through `pipeline.core.edition.section`, so an edition.toml without them still works:

    demo                     demo edition: demo key, 演示 marks, the demo registry (default: input/demo and examples)
    page_size                "A4 landscape" (default), "A3 landscape", "297mm 210mm" …
    qr_size_mm               printed QR size, quiet zone included (38; 10 … 100)
    qr_error_correction      L, M, Q (default) or H
    seal, seal_image         place the issuing organs' seal images (false; assets/seal.png, or one path per organ)
    registry_edition         the edition folder whose round and registry this one is registered under
    keep_valid               certificate numbers that stay valid although their holders left the awardees
    [certificates.blank]     blank-paper mode: enabled, offset_x_mm, offset_y_mm, one table per field
                             (name, citation, term, organs, date, number: x, y, width, size_pt, align, show)
                             and qr (x, y, size_mm)
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.edition import PROJECT_ROOT, Edition, section
from pipeline.core.errors import EditionConfigError
from pipeline.registry.store import registry_path
from pipeline.render import qr

if TYPE_CHECKING:
    pass


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
