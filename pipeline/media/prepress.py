"""Prepress for the newspaper: CMYK photos with an ink limit, text on the black plate, PDF/X.

A newspaper plant prints on newsprint with a web press: four plates (C, M, Y, K), a total ink
limit of about 240 %, and small text only in 100 % black so that misregister cannot blur it.

    press_profile()   the output ICC profile: the printer's ([media] pdfx_profile) or the
                      freely redistributable Artifex "CMYK SWOP" profile that Debian's
                      ghostscript (libgs-common, AGPL-3+) installs
    cmyk_colour()     a design colour (sRGB hex) → device-cmyk() through the profile, ink capped
    cmyk_jpeg()       a photo → CMYK JPEG through the profile (Pillow ImageCms, littleCMS),
                      total ink capped by grey-component replacement (UCR), then scaled;
                      downscaled first to its printed size at min_dpi (placed_photo), and
                      cached under a name made from its content and settings
    finish()          WeasyPrint's PDF/X output → colour operators normalised with pikepdf:
                      `c m y k k` instead of `/DeviceCMYK cs … scn`, every text shown in
                      `0 0 0 1 k` (or `0 g`), unused ICC and Lab colour spaces removed,
                      the output intent completed, a deterministic file ID, and the CJK
                      fonts compacted to bare CFF subsets (pipeline.render.fontpack, as in
                      the packets: FontFile3 /CIDFontType0C, which PDF/X-1a's PDF 1.3 allows;
                      WeasyPrint's OpenType wrapper needs PDF 1.6)
    press_problems()  a print PDF → what a plant's preflight would reject (Chinese), [] when clean
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
from PIL import Image, ImageCms

from pipeline.core import atomic
from pipeline.core.errors import EditionConfigError, RenderError
from pipeline.render.fontpack import cff_subsetting, compact_cid_fonts

DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
"""Artifex CMYK SWOP profile from Debian's libgs-common (installed with ghostscript)."""
VARIANTS = {"PDF/X-1a": "pdf/x-1a", "PDF/X-4": "pdf/x-4"}
"""[media] pdfx → WeasyPrint's pdf_variant."""
TEXT_OPS = frozenset({"Tj", "TJ", "'", '"'})
"""Content operators that show text."""


@dataclass(frozen=True)
class PressProfile:
    """The CMYK output profile the print files are made for."""

    path: Path
    """The ICC file."""
    data: bytes
    """Its bytes (embedded as the PDF/X output intent)."""
    description: str
    """Its description tag ('Artifex CMYK SWOP Profile'): the output condition."""
    default: bool
    """True when it is the shipped default, not the printer's."""


def press_profile(setting: str, edition_folder: Path) -> PressProfile:
    """[media] pdfx_profile ('' = the default) → PressProfile; EditionConfigError when unusable."""
    default = not setting
    path = DEFAULT_PROFILE if default else Path(setting)
    if not path.is_absolute():
        path = edition_folder / path
    if not path.is_file():
        if default:
            raise RenderError(f"找不到默认的 CMYK 输出特性文件 {path}",
                              hint="运行 make setup 安装 ghostscript（提供 Artifex CMYK 特性文件），"
                                   "或在 edition.toml [media] pdfx_profile 中给出印刷厂的 ICC 文件")
        raise EditionConfigError(f"[media] pdfx_profile 指定的 ICC 特性文件 {path} 不存在",
                                 hint="把印刷厂提供的 .icc 文件放进届次文件夹，并在 pdfx_profile 中写它的文件名",
                                 file="edition.toml")
    data = path.read_bytes()
    if len(data) < 132 or data[12:16] != b"prtr" or data[16:20] != b"CMYK":
        kind = data[12:20].decode("latin-1", "replace") if len(data) >= 20 else "不是 ICC 文件"
        raise EditionConfigError(
            f"[media] pdfx_profile 指定的 {path.name} 不是 CMYK 印刷输出特性文件（{kind!r}）",
            hint="向印刷厂索取其 CMYK 输出特性文件（ICC，设备类别为“输出/打印机”）", file="edition.toml")
    try:
        profile = ImageCms.getOpenProfile(io.BytesIO(data))
        description = (profile.profile.profile_description or path.stem).strip()
    except (OSError, ImageCms.PyCMSError) as exc:
        raise EditionConfigError(f"无法读取 ICC 特性文件 {path.name}：{exc}", file="edition.toml") from None
    return PressProfile(path, data, description, default)


def _transform(profile: PressProfile, mode: str) -> Any:
    """sRGB → the press profile (perceptual), for Pillow images of `mode` ('RGB')."""
    srgb = ImageCms.createProfile("sRGB")
    target = ImageCms.getOpenProfile(io.BytesIO(profile.data))
    return ImageCms.buildTransform(srgb, target, mode, "CMYK",
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


def _to_cmyk(rgb: Image.Image, profile: PressProfile) -> Image.Image:
    """An RGB image → CMYK through the profile (without Pillow's re-serialised copy of the profile,
    which littleCMS cannot write for every printer profile)."""
    transform = _transform(profile, "RGB")
    out = Image.new("CMYK", rgb.size)
    rgb.load()
    transform.transform.apply(rgb.getim(), out.getim())
    return out


def cap_ink(cmyk: np.ndarray, limit_percent: float) -> np.ndarray:
    """CMYK pixels (uint8, ... × 4) → the same with C+M+Y+K ≤ limit_percent.

    The grey component of C, M and Y moves to K first (under-colour removal: each unit moved
    saves two units of ink and keeps the colour); what is still over is scaled down in C, M, Y.
    """
    limit = limit_percent / 100 * 255
    px = cmyk.astype(np.float64)
    c, m, y, k = (px[..., i] for i in range(4))
    total = c + m + y + k
    over = np.maximum(total - limit, 0)
    grey = np.minimum(np.minimum(c, m), y)
    moved = np.minimum(np.minimum(grey, over / 2), 255 - k)
    c, m, y, k = c - moved, m - moved, y - moved, k + moved
    cmy = c + m + y
    room = np.maximum(limit - k, 0)
    scale = np.where(cmy > room, room / np.maximum(cmy, 1e-9), 1.0)
    out = np.stack([c * scale, m * scale, y * scale, k], axis=-1)
    # floor, so rounding never lifts a capped pixel back over the limit
    return np.clip(np.floor(out + 1e-6), 0, 255).astype(np.uint8)


def cmyk_colour(hex_colour: str, profile: PressProfile, limit_percent: float) -> str:
    """'#b3171e' → 'device-cmyk(c m y k)' through the profile, ink capped."""
    cmyk = _to_cmyk(Image.new("RGB", (1, 1), hex_colour), profile)
    px = cap_ink(np.asarray(cmyk), limit_percent)[0, 0]
    return "device-cmyk(" + " ".join(f"{v / 255:.3f}" for v in px) + ")"


CACHE_VERSION = b"placed-1"
"""Part of every photo cache key: change it when the conversion changes."""


def placed_photo(source: Path, width_mm: float | None, min_dpi: int) -> tuple[Image.Image, tuple[float, float]]:
    """A photo and its printed width → (RGB picture, dpi to record): downscaled to the width at min_dpi
    when it has more pixels than that (never upscaled), so WeasyPrint gets the picture at its final size."""
    with Image.open(source) as im:
        dpi = im.info.get("dpi", (300, 300))
        rgb = im.convert("RGB")
    if width_mm:
        wanted = math.ceil(width_mm / 25.4 * min_dpi)
        if rgb.width > wanted:
            height = max(1, round(rgb.height * wanted / rgb.width))
            rgb = rgb.resize((wanted, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        effective = round(rgb.width / (width_mm / 25.4), 2)
        dpi = (effective, effective)
    return rgb, dpi


def photo_key(source: Path, *parts: object) -> str:
    """A photo's bytes and the conversion's parameters → the name of its cached conversion."""
    digest = hashlib.sha256(CACHE_VERSION)
    digest.update(source.read_bytes())
    digest.update(repr(parts).encode())
    return digest.hexdigest()[:24]


def cmyk_jpeg(source: Path, folder: Path, profile: PressProfile, limit_percent: float, *,
              width_mm: float | None = None, min_dpi: int = 300) -> Path:
    """A photo → the same picture as a CMYK JPEG for the press, at its printed width (`width_mm`, at
    min_dpi: placed_photo), cached in `folder` under a name made from its content and settings.

    JPEG compression lifts a few pixels above the cap, so the file is read back and the cap
    lowered until the decoded picture stays within the limit.
    """
    target = folder / f"{photo_key(source, hashlib.sha256(profile.data).hexdigest(), limit_percent, width_mm, min_dpi)}.jpg"
    if target.is_file():
        os.utime(target)  # used in this run: prune_cache keeps it
        return target
    rgb, dpi = placed_photo(source, width_mm, min_dpi)
    pixels = np.asarray(_to_cmyk(rgb, profile))
    cap = limit_percent - 4
    for _ in range(8):
        buf = io.BytesIO()
        Image.fromarray(cap_ink(pixels, cap), "CMYK").save(buf, "JPEG", quality=95, dpi=dpi, optimize=False)
        with Image.open(io.BytesIO(buf.getvalue())) as back:
            worst = float(np.asarray(back).astype(np.float64).sum(axis=-1).max() / 255 * 100)
        if worst <= limit_percent:
            break
        cap -= worst - limit_percent + 2
    else:
        raise RenderError(f"照片 {source.name} 无法转换到总墨量 {limit_percent:g}% 以内", hint="请联系技术人员")
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(target, buf.getvalue())
    return target


def prune_cache(folder: Path, since: float) -> int:
    """Remove the cached conversions (cmyk_jpeg) not made or used since `since` (a time.time() taken
    before the run that has just succeeded: a photo replaced or an awardee removed leaves its old
    conversion behind otherwise, for ever) → how many were removed."""
    removed = 0
    if folder.is_dir():
        for path in folder.glob("*.jpg"):
            if path.stat().st_mtime < since:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# ---- the PDF ------------------------------------------------------------------------------------

def _numbers(operands: Any) -> list[float]:
    """Content-stream operands → floats."""
    return [float(v) for v in operands]


def _num(value: float) -> int | float:
    """A colour value as written in the content stream: 0 and 1 as integers, else 4 decimals."""
    rounded = round(value, 4)
    return int(rounded) if rounded.is_integer() else rounded


def _is_black(op: str, values: list[float]) -> bool:
    """A fill-colour operator and its values → True for 100 % black on the K plate alone."""
    return (op == "g" and values == [0.0]) or (op == "k" and values == [0.0, 0.0, 0.0, 1.0])


def _rewrite(stream: list[Any]) -> tuple[list[Any], int]:
    """Parsed content → (normalised content, number of text runs whose colour was forced to black)."""
    out: list[Any] = []
    device = ("/DeviceCMYK", "/DeviceGray")
    fill_space = stroke_space = "/DeviceGray"
    fill: tuple[str, list[float]] = ("g", [0.0])
    forced = 0
    stack: list[tuple[str, str, tuple[str, list[float]]]] = []
    for operands, operator in stream:
        op = str(operator)
        numeric = all(isinstance(v, int | float | Decimal) for v in operands)
        if op == "q":
            stack.append((fill_space, stroke_space, fill))
        elif op == "Q" and stack:
            fill_space, stroke_space, fill = stack.pop()
        if op in ("cs", "CS"):
            space = str(operands[0])
            if op == "cs":
                fill_space = space
            else:
                stroke_space = space
            if space in device:
                # setting the space sets its initial colour: black
                values = [0.0, 0.0, 0.0, 1.0] if space == "/DeviceCMYK" else [0.0]
                name = ("k" if len(values) == 4 else "g") if op == "cs" else ("K" if len(values) == 4 else "G")
                if op == "cs":
                    fill = (name, values)
                out.append(([_num(v) for v in values], pikepdf.Operator(name)))
                continue
        elif op in ("sc", "scn") and fill_space in device and numeric:
            values = _numbers(operands)
            fill = ("k" if len(values) == 4 else "g", values)
            out.append(([_num(v) for v in values], pikepdf.Operator(fill[0])))
            continue
        elif op in ("SC", "SCN") and stroke_space in device and numeric:
            values = _numbers(operands)
            out.append(([_num(v) for v in values], pikepdf.Operator("K" if len(values) == 4 else "G")))
            continue
        elif op in ("k", "g", "rg"):
            fill_space = {"k": "/DeviceCMYK", "g": "/DeviceGray", "rg": "/DeviceRGB"}[op]
            fill = (op, _numbers(operands))
        elif op in ("K", "G", "RG"):
            stroke_space = {"K": "/DeviceCMYK", "G": "/DeviceGray", "RG": "/DeviceRGB"}[op]
        if op in TEXT_OPS and not _is_black(*fill):
            out.append(([0, 0, 0, 1], pikepdf.Operator("k")))
            out.append((operands, operator))
            out.append(([_num(v) for v in fill[1]], pikepdf.Operator(fill[0])))
            forced += 1
            continue
        out.append((operands, operator))
    return out, forced


def _content_holders(pdf: pikepdf.Pdf) -> list[Any]:
    """Pages and the form XObjects they use (each has its own content stream)."""
    holders: list[Any] = []
    seen: set[tuple[int, int]] = set()

    def forms(resources: Any) -> None:
        """Collect the form XObjects below a resource dictionary."""
        for xobj in dict(resources.get("/XObject", {})).values():
            if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                holders.append(xobj)
                forms(xobj.get("/Resources", {}))

    for page in pdf.pages:
        holders.append(page)
        forms(page.obj.get("/Resources", {}))
    return holders


def finish(data: bytes, profile: PressProfile) -> bytes:
    """WeasyPrint's PDF/X output → normalised colour operators, K-only text, completed output intent, compact CJK fonts."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for holder in _content_holders(pdf):
            parsed = [(list(i.operands), i.operator) for i in pikepdf.parse_content_stream(holder)]
            rewritten, _ = _rewrite(parsed)
            content = pikepdf.unparse_content_stream(rewritten)
            if isinstance(holder, pikepdf.Page):
                holder.obj.Contents = pdf.make_stream(content)
            else:
                holder.write(content)
            resources = holder.obj.get("/Resources") if isinstance(holder, pikepdf.Page) else holder.get("/Resources")
            if resources is not None and "/ColorSpace" in resources:
                # WeasyPrint lists an ICCBased space per profile and two Lab spaces; none is used now
                del resources["/ColorSpace"]
        compact_cid_fonts(pdf)
        intent = pdf.Root.OutputIntents[0]
        intent.OutputConditionIdentifier = pikepdf.String("Custom")
        intent.OutputCondition = pikepdf.String(profile.description)
        intent.Info = pikepdf.String(profile.description)
        intent.RegistryName = pikepdf.String("http://www.color.org")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def write_press_pdf(document: Any, label: str, profile: PressProfile, variant: str, *,
                    bleed_mm: float | None = None) -> bytes:
    """A laid-out Document (device-cmyk colours, CMYK or grey photos) → finished PDF/X bytes."""
    from weasyprint.css import ColorProfile  # type: ignore[attr-defined]

    from pipeline.media.render import write_pdf

    class Embedded(ColorProfile):  # type: ignore[misc]
        """WeasyPrint's colour profile, embedding the ICC file byte for byte (littleCMS cannot re-serialise every profile)."""

        @property
        def content(self) -> bytes:
            """The ICC file as the printer sent it."""
            return profile.data

    document.color_profiles["device-cmyk"] = Embedded(
        io.BytesIO(profile.data), profile.path.name, "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))
    try:
        with cff_subsetting():  # finish() unwraps the compact subsets (compact_cid_fonts)
            data = write_pdf(document, label, bleed_mm=bleed_mm, variant=VARIANTS[variant])
    finally:
        document.color_profiles.pop("device-cmyk", None)
    return finish(data, profile)


def _colour_ops(holder: Any) -> list[tuple[str, list[float], bool]]:
    """A content holder → (fill operator, values, inside text object?) of every colour set and text shown."""
    found: list[tuple[str, list[float], bool]] = []
    fill: tuple[str, list[float]] = ("g", [0.0])
    for instruction in pikepdf.parse_content_stream(holder):
        operands, op = list(instruction.operands), str(instruction.operator)
        if op in ("g", "k", "rg", "sc", "scn", "cs"):
            fill = (op, _numbers(operands) if op != "cs" else [])
            found.append((op, fill[1], False))
        elif op in TEXT_OPS:
            found.append((fill[0], fill[1], True))
    return found


def image_ink(image: Any) -> float:
    """A PDF image XObject (CMYK or grey) → its largest total ink in percent."""
    pim = pikepdf.PdfImage(image)
    pil = pim.as_pil_image()
    if pil.mode == "L":
        return float(100 - np.asarray(pil).min() / 255 * 100)
    arr = np.asarray(pil.convert("CMYK")).astype(np.float64)
    decode = [float(v) for v in image.get("/Decode", [])]
    if decode[:2] == [1.0, 0.0] and str(image.get("/Filter")) != "/DCTDecode":
        arr = 255 - arr  # (Pillow already reads an Adobe-inverted CMYK JPEG the right way round)
    return float(arr.sum(axis=-1).max() / 255 * 100)


def press_problems(data: bytes, limit_percent: float) -> list[str]:
    """A print PDF → what a newspaper plant's preflight would reject (Chinese); [] when it passes."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = pdf.Root.get("/OutputIntents")
        if not intents:
            problems.append("缺少输出意图（OutputIntent）")
        else:
            profile = intents[0].get("/DestOutputProfile")
            head = bytes(profile.read_bytes()[:20]) if profile is not None else b""
            if head[12:20] != b"prtrCMYK":
                problems.append("输出意图的 ICC 特性文件不是 CMYK 印刷输出特性文件")
        if "/GTS_PDFXVersion" not in pdf.docinfo and b"GTS_PDFXVersion" not in (
                bytes(pdf.Root.Metadata.read_bytes()) if "/Metadata" in pdf.Root else b""):
            problems.append("没有 PDF/X 版本标识（GTS_PDFXVersion）")
        if str(pdf.docinfo.get("/Trapped", "")) not in ("/False", "/True"):
            problems.append("文档信息缺少 Trapped")
        for number, page in enumerate(pdf.pages, start=1):
            if "/TrimBox" not in page.obj:
                problems.append(f"第{number}页缺少 TrimBox（成品尺寸）")
        for holder in _content_holders(pdf):
            where = "页面" if isinstance(holder, pikepdf.Page) else "表单对象"
            for op, values, text in _colour_ops(holder):
                if op in ("rg", "cs", "sc", "scn") and not text:
                    problems.append(f"{where}使用了 {op} 颜色（应为 DeviceCMYK 的 k 或 DeviceGray 的 g）")
                if text and not _is_black(op, values):
                    shown = "/".join(f"{v * 100:g}" for v in values)
                    problems.append(f"{where}有文字不是单黑（{op} {shown}）：文字须为 100% 黑，只在黑版上")
            resources = holder.obj.get("/Resources", {}) if isinstance(holder, pikepdf.Page) else holder.get(
                "/Resources", {})
            for name, image in dict(resources.get("/XObject", {})).items():
                if image.get("/Subtype") != "/Image":
                    continue
                space = str(image.get("/ColorSpace"))
                if space not in ("/DeviceCMYK", "/DeviceGray"):
                    problems.append(f"图片 {name} 的颜色空间是 {space}，应为 CMYK 或灰度")
                    continue
                ink = image_ink(image)
                if ink > limit_percent + 0.5:
                    problems.append(f"图片 {name} 的总墨量达 {ink:.0f}%，超过 {limit_percent:g}%")
                if "/SMask" in image:
                    problems.append(f"图片 {name} 带透明蒙版（PDF/X-1a 不允许透明）")
    return sorted(set(problems), key=problems.index)
