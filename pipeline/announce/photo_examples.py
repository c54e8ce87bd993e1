"""Example 2-inch photos for `照片要求.pdf`: drawn with Pillow, judged by the photo check itself.

A schematic head-and-shoulders portrait (no real person) is drawn on a backdrop; each example
changes one thing the check judges, by an amount taken from the check's own thresholds
(pipeline.rules.photo): a backdrop outside the red range, too few pixels, the wrong proportions, a face
too small or off-centre. Every example is then run through `photo.check_photo` and the PDF
prints what the check said, so the examples can never disagree with the check.
"""

from __future__ import annotations

import functools
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from pipeline.core.edition import PhotoSettings
from pipeline.rules import photo

STUDIO_RED = (215, 69, 50)
"""The usual photo-studio red (hue 37.5° in CIE L*C*h°, inside photo.RED_HUE_RANGE)."""
ID_BLUE = (67, 142, 219)
"""The blue backdrop of other ID photos (hue about 270°)."""
SUPERSAMPLE = 4
"""Drawn this many times larger, then reduced: smooth edges like a real photo's."""
DETECTED_PER_DRAWN = 1.27
"""The Haar face box is about this much wider than the drawn face oval (it includes the ears)."""


@dataclass(frozen=True)
class Portrait:
    """How one example is drawn."""

    size: tuple[int, int]
    """Pixels (width, height)."""
    background: tuple[int, int, int]
    """Backdrop colour (sRGB)."""
    face: float
    """Face-box width as a fraction of the width (as the check measures it)."""
    centre_x: float = 0.5
    """Face centre, fraction of the width."""
    centre_y: float = 0.42
    """Face centre, fraction of the height."""


@dataclass(frozen=True)
class Example:
    """One example photo of the PDF."""

    title: str
    """Short caption (正确示例, 背景不是红色 …)."""
    why: str
    """What is right or wrong about it, with the check's threshold."""
    expected: frozenset[str]
    """Finding codes the check must report (empty: the photo is good)."""
    portrait: Portrait


def draw(p: Portrait) -> Image.Image:
    """A schematic portrait (hair, face, ears, eyes, brows, nose, mouth, neck, shirt, jacket)."""
    s = SUPERSAMPLE
    w, h = p.size[0] * s, p.size[1] * s
    im = Image.new("RGB", (w, h), p.background)
    d = ImageDraw.Draw(im)
    fw = p.face / DETECTED_PER_DRAWN * w
    fh = fw * 1.3
    x, y = p.centre_x * w, p.centre_y * h
    skin, hair, dark = (232, 190, 160), (30, 25, 22), (40, 30, 25)
    top = y + 0.72 * fh  # shoulders
    d.rounded_rectangle([x - 1.55 * fw, top, x + 1.55 * fw, h + fw], radius=int(0.6 * fw), fill=(35, 38, 48))
    d.polygon([(x - 0.3 * fw, top), (x + 0.3 * fw, top), (x, top + 0.55 * fh)], fill=(245, 245, 245))
    d.rectangle([x - 0.2 * fw, y + 0.3 * fh, x + 0.2 * fw, top + 0.12 * fh], fill=(214, 170, 140))
    d.ellipse([x - 0.58 * fw, y - 0.68 * fh, x + 0.58 * fw, y + 0.25 * fh], fill=hair)
    for side in (-1, 1):
        ear = x + side * 0.5 * fw
        d.ellipse([ear - 0.07 * fw, y - 0.08 * fh, ear + 0.07 * fw, y + 0.15 * fh], fill=(222, 178, 148))
    d.ellipse([x - 0.5 * fw, y - 0.5 * fh, x + 0.5 * fw, y + 0.5 * fh], fill=skin)
    d.chord([x - 0.52 * fw, y - 0.62 * fh, x + 0.52 * fw, y - 0.05 * fh], 190, 350, fill=hair)
    for side in (-1, 1):
        ex, ey = x + side * 0.21 * fw, y - 0.05 * fh
        d.line([ex - 0.12 * fw, ey - 0.09 * fh, ex + 0.12 * fw, ey - 0.1 * fh], fill=dark, width=max(1, int(0.035 * fw)))
        d.ellipse([ex - 0.1 * fw, ey - 0.035 * fh, ex + 0.1 * fw, ey + 0.035 * fh], fill=(250, 250, 250))
        d.ellipse([ex - 0.045 * fw, ey - 0.035 * fh, ex + 0.045 * fw, ey + 0.035 * fh], fill=(35, 25, 20))
    d.polygon([(x, y), (x - 0.06 * fw, y + 0.17 * fh), (x + 0.06 * fw, y + 0.17 * fh)], fill=(205, 158, 128))
    d.chord([x - 0.14 * fw, y + 0.22 * fh, x + 0.14 * fw, y + 0.32 * fh], 0, 180, fill=(170, 80, 75))
    return im.filter(ImageFilter.GaussianBlur(s * 1.2)).resize(p.size, Image.Resampling.LANCZOS)


def examples(settings: PhotoSettings) -> tuple[Example, ...]:
    """The good example and one rejected example per rule, sized from the check's thresholds."""
    w, h = settings.pixels
    low, high = photo.FACE_WIDTH_RANGE
    good_face = (low + high) / 2
    hue_low, hue_high = photo.RED_HUE_RANGE
    short = 1 - 3 * photo.PIXEL_TOLERANCE - 0.25
    wide = 1 + 3 * photo.ASPECT_TOLERANCE
    good = Portrait((w, h), STUDIO_RED, good_face)
    return (
        Example("正确示例", f"红色背景均匀，正面免冠，人脸居中，{w}×{h} 像素", frozenset(), good),
        Example("背景不是红色", f"蓝色背景：红色背景的色相应在 {hue_low:g}°–{hue_high:g}° 之间",
                frozenset({"PHOTO_BACKGROUND"}), Portrait((w, h), ID_BLUE, good_face)),
        Example("像素不足", f"只有 {round(w * short)}×{round(h * short)} 像素，少于 {w}×{h}",
                frozenset({"PHOTO_SIZE"}), Portrait((round(w * short), round(h * short)), STUDIO_RED, good_face)),
        Example("比例不对", f"宽高比不是 {settings.width_mm:g}:{settings.height_mm:g}（偏宽 {wide - 1:.0%}）",
                frozenset({"PHOTO_SIZE"}), Portrait((round(w * wide), h), STUDIO_RED, good_face)),
        Example("人脸太小", f"人脸宽度只占照片宽度的 {low * 0.6:.0%}，应为 {low:.0%}–{high:.0%}（半身照、远景照）",
                frozenset({"PHOTO_FACE"}), Portrait((w, h), STUDIO_RED, low * 0.6)),
        Example("人脸不居中", f"人脸中心偏离照片中线 {2 * photo.FACE_CENTRE_X_TOLERANCE:.0%}，"
                f"最多 {photo.FACE_CENTRE_X_TOLERANCE:.0%}",
                frozenset({"PHOTO_FACE"}),
                Portrait((w, h), STUDIO_RED, good_face, centre_x=0.5 + 2 * photo.FACE_CENTRE_X_TOLERANCE)),
    )


@dataclass(frozen=True)
class Judged:
    """An example, its JPEG, and what the photo check said about it."""

    example: Example
    jpeg: bytes
    """The example photo (JPEG, quality as the check's normalised copies)."""
    codes: frozenset[str]
    """Finding codes the check reported."""
    verdict: str
    """The check's short verdict (合格, or the problems)."""
    messages: tuple[str, ...]
    """The check's messages."""


@functools.cache
def judged(settings: PhotoSettings) -> tuple[Judged, ...]:
    """Every example drawn and run through `photo.check_photo` (once per process and settings)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, ex in enumerate(examples(settings)):
            buffer = io.BytesIO()
            draw(ex.portrait).save(buffer, "JPEG", quality=photo.NORMALISED_JPEG_QUALITY,
                                   dpi=(settings.dpi, settings.dpi))
            path = Path(tmp) / f"{i}.jpg"
            path.write_bytes(buffer.getvalue())
            result = photo.check_photo(path, settings, code="示例", name=ex.title, rel="照片.jpg")
            out.append(Judged(ex, buffer.getvalue(), frozenset(f.code for f in result.findings), result.verdict,
                              tuple(f.message for f in result.findings)))
    return tuple(out)


def rules(settings: PhotoSettings) -> list[tuple[str, str]]:
    """The photo rules as (heading, text), every number from the check's thresholds and settings."""
    w, h = settings.pixels
    low, high = photo.FACE_WIDTH_RANGE
    top, bottom = photo.FACE_CENTRE_Y_RANGE
    hue_low, hue_high = photo.RED_HUE_RANGE
    light_low, light_high = photo.RED_LIGHTNESS_RANGE
    return [
        ("规格", f"2寸证件照，{settings.width_mm:g} × {settings.height_mm:g} 毫米，宽高比 "
                 f"{settings.width_mm / settings.height_mm:.3f}（允许相差 {photo.ASPECT_TOLERANCE:.0%}）；"
                 f"按 {settings.dpi} dpi 打印，至少 {w} × {h} 像素（可少 {photo.PIXEL_TOLERANCE:.0%}）。"
                 "小二寸（35 × 45 毫米）、大二寸（35 × 53 毫米）不符合要求。"),
        ("人像", f"本人正面免冠彩色近照，只有一个人。人脸宽度占照片宽度的 {low:.0%}–{high:.0%}，"
                 f"左右居中（偏离中线不超过照片宽度的 {photo.FACE_CENTRE_X_TOLERANCE:.0%}），"
                 f"人脸中心在照片高度的 {top:.0%}–{bottom:.0%} 之间。不要侧脸、合影、半身照或远景照。"),
        ("背景", f"均匀的红色背景：色相 {hue_low:g}°–{hue_high:g}°（CIE L*C*h°），彩度不低于 "
                 f"{photo.RED_MIN_CHROMA:g}，明度 {light_low:g}–{light_high:g}（不发暗、不发白、不偏粉）；"
                 f"背景各处颜色一致（色差不超过 {photo.REGION_MAX_DELTA_E:g}），没有阴影、没有第二种颜色，"
                 "不是透明背景。蓝底、白底照片不符合要求。"),
        ("文件", f"JPG（或 PNG）格式，文件名“照片.jpg”，不超过 {photo.MAX_FILE_BYTES // 1024 // 1024} MB；"
                 "彩色，不要黑白照片；不要截图、翻拍或扫描件；不要美颜、不要加边框和文字。"),
        ("审查", "审查时程序自动核对以上各项，并按人脸位置裁切出规范的2寸照片用于申报审批表；"
                 "原照片不会被修改。不符合要求的照片须重新拍摄。"),
    ]
