"""The 2-inch photo: a nominee's 照片.jpg/.png → findings, a normalised copy, a thumbnail.

Notice §四(三)2(5) asks for 申报人正面免冠2寸彩色照片电子版（背景为红色）. `check_photo` does
what a careful clerk does with such a file, in this order:

1. read it (PHOTO_MISSING, PHOTO_UNREADABLE): the file exists, is not empty, its content is
   the image type its extension says, it is not a decompression bomb (refused from the header,
   before decoding), and it decodes completely;
2. turn it upright by its EXIF orientation (a phone photo stored on its side is correct);
3. bring its colours to sRGB: embedded ICC profiles are honoured, CMYK and greyscale are
   converted, transparency is flattened onto white paper (and reported if the background is
   transparent, because that is how it prints);
4. PHOTO_SIZE: the 2-inch proportions of edition.toml [photo] and enough pixels for its dpi;
5. PHOTO_FACE: exactly one frontal face (OpenCV's Haar cascade, shipped in ``cv2.data``),
   centred, of ID-photo size and height;
6. PHOTO_BACKGROUND: the background, sampled where the person is not (top corners and the side
   strips beside the face), is red in CIE L*C*h° and uniform (no shadow, no second colour).

When the photo can be used, it also yields the normalised copy: upright, cropped around the face
to the configured proportions, resized to the configured print size, sRGB JPEG with the dpi
set, byte-identical for the same input. The original file is only ever read.

`contact_thumbnail` draws what the check saw (face box, sample regions) on a small PNG for the
contact sheet in report.html (templates/check/contact_sheet.html.j2).

All thresholds are the named constants below, each with the reason for its value.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from struct import error as struct_error
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFile

from pipeline.core.edition import PhotoSettings
from pipeline.core.model import Finding, Severity

# ---------------------------------------------------------------------------------------------
# Thresholds — every number the check judges by, with the reason for its value.
# Fractions are of the (upright) photo's width W or height H unless said otherwise.
# ---------------------------------------------------------------------------------------------

MAX_FILE_BYTES = 60 * 1024 * 1024
"""Refuse files above 60 MB unread: a 2-inch photo is well under 10 MB even straight from a
50-megapixel phone camera; anything bigger is the wrong file or a hostile one."""

MAX_PIXELS = 50_000_000
"""Refuse images declaring more than 50 megapixels, from the header, before decoding: the
biggest phone cameras make 50 MP; decoding more costs gigabytes of memory (decompression bomb)."""

ASPECT_TOLERANCE = 0.04
"""Width:height may differ from width_mm:height_mm by 4 % (relative). Studios crop by eye and
round to whole pixels (390 × 567 is 3.7 % off 35:49); 小二寸 35 × 45 (+9 %) and 大二寸 35 × 53
(−7.5 %) are other formats and are refused."""

PIXEL_TOLERANCE = 0.02
"""Width and height may be 2 % short of the pixels for the configured dpi (405 × 567 instead of
413 × 579 prints at 294 dpi, which no one can tell from 300 on a 2-inch print); studio files
are often a few pixels short after cropping."""

FACE_CASCADE = "haarcascade_frontalface_default.xml"
"""The frontal-face detector (shipped in cv2.data, nothing downloaded); the demo-photo generator
measures its photos with the same one, so its boxes are the ones the thresholds speak of."""

CONFIRM_CASCADE = "haarcascade_frontalface_alt.xml"
"""A second frontal cascade that must also find each face: on their own, either one sees small
'faces' in badges, collars and hair in about one ID photo in five; both at the same place
almost never (none in 80 test photos), while both find every real face."""

PROFILE_CASCADE = "haarcascade_profileface.xml"
"""Run only when no frontal face is found, to tell the nominee the face is turned sideways."""

CONFIRM_MIN_SIZE = 0.6
"""The confirming cascade looks only for faces at least 0.6 × the smallest box found: the same
face measures within ±15 % in both, and skipping the small sizes halves the detection time."""

CONFIRM_MIN_IOU = 0.4
"""The confirming box must overlap the face box by at least 40 % (intersection over union);
the two cascades' boxes of the same face overlap by 70–95 %."""

NESTED_OVERLAP = 0.5
"""Two detections of which the smaller lies at least half inside the other are one face (the
detector sometimes also reports the head with its hat or hair); two people side by side
overlap far less."""

DETECT_MAX_SIDE = 480
"""Face detection runs on a copy whose longer side is at most 480 px: the face of a 2-inch
photo is still 100 px and more there (a too-small face 40 px), and detection of a 12-MP phone
photo takes tens of milliseconds."""

HAAR_SCALE_FACTOR = 1.1
"""Step between detector scales: OpenCV's default, also what the demo-photo generator measures
with; face widths come out within about 5 %, which the FACE_* ranges allow for."""

HAAR_MIN_NEIGHBORS = 5
"""OpenCV's recommended value: fewer gives false faces in clothing and badges."""

FACE_MIN_DETECT = 0.15
"""The detectors first look for faces at least 15 % of W wide (well below the smallest
acceptable face, and small enough to count a second person of half the nominee's size):
small window sizes cost most of the detection time…"""

FACE_MIN_DETECT_SMALL = 0.05
"""…and only when none is found, again down to 5 % of W with finer scale steps
(HAAR_SCALE_FACTOR_SMALL), so that a full-length or group photo is reported as 'face too
small' rather than 'no face'."""

HAAR_SCALE_FACTOR_SMALL = 1.05
"""Scale step of that second look: small faces are only a few detector windows wide, and the
coarse step misses some of them."""

SECOND_FACE_MIN_RATIO = 0.5
"""A second detection counts as another person when it is at least half the width of the
largest face; smaller ones are printed patterns or badges."""

FACE_WIDTH_RANGE = (0.25, 0.72)
"""Face-box width / W. Real studio ID photos measure 30–65 % with this detector (the demo
photos 35–55 %); the Haar box can read a few percent wide or narrow. Below 25 % it is a
half-length or group photo; above 72 % the head fills the frame and is cut off."""

FACE_CENTRE_X_TOLERANCE = 0.12
"""|face centre − W/2| ≤ 12 % of W. Studio photos are centred within about 10 %; more than
12 % looks visibly off-centre when printed at 35 mm and cannot be cropped back in an
exactly-proportioned photo."""

FACE_CENTRE_Y_RANGE = (0.28, 0.58)
"""Face-box centre at 28–58 % of H. ID photos put the eyes a little above the middle (the face
box centre at 35–48 %); outside this the head touches the top or floats low above lots of
chest."""

FACE_TARGET_Y = 0.42
"""Where the normalised copy puts the face-box centre (fraction of its height) when the original
is taller than the 2-inch proportions: the middle of what studios do."""

EDGE_MARGIN = 0.03
"""Sample regions keep 3 % off the edges: scans and studio exports often have a thin border or
edge artefacts that are not the backdrop."""

CORNER_BOX = (0.18, 0.12)
"""Top-corner sample regions reach 18 % of W in and 12 % of H down: in an ID photo the head is
round and centred, so these corners are backdrop even for big hair."""

STRIP_GAP = 0.30
"""Side strips end 0.30 face widths outside the face box (ears and hair are there)."""

STRIP_ROWS = (0.10, 0.95)
"""Side strips span these fractions of the face box height: beside the face, above the
shoulders (which start about one face height below the face-box top plus the neck)."""

STRIP_MIN_WIDTH = 0.03
"""A side strip narrower than 3 % of W is dropped (a big face leaves no room beside it)."""

RED_HUE_RANGE = (12.0, 52.0)
"""CIE L*C*h° hue angle of an acceptable red, in degrees. Pure (255,0,0) is 40°, the studio red
(215,69,50) 37.5°, crimson (220,20,60) 25°, (255,69,0) 45.5°; orange (255,128,0) is 60° and
magenta (200,0,100) 2°."""

RED_MIN_CHROMA = 50.0
"""Minimum chroma C*: the studio red has 71, pure red 105; at 50 a red has faded into coral or
brownish pink (240,128,128 has 47), and blue-background (67,142,219) photos have 46 anyway."""

RED_LIGHTNESS_RANGE = (30.0, 72.0)
"""Lightness L* of the red: (150,0,0) is 30 (below: maroon, an underexposed backdrop), pure red
53, tomato (255,99,71) 62; above 72 the red is washed out (overexposed, pink)."""

REGION_MAX_DELTA_E = 10.0
"""Largest CIE94 colour difference between the median colours of two sample regions: studio
lighting makes corners and sides differ by 2–7; a shadow or a second backdrop colour (two
shades of red included) makes 15 and more."""

PIXEL_OUTLIER_DELTA_E = 25.0
"""A sampled pixel further than this (CIE94) from the background colour is 'something else'
(hair, an object, a shadow edge, another colour); JPEG noise on a red backdrop stays under 10."""

REGION_MAX_OUTLIERS = 0.25
"""A sample region may hold up to 25 % 'something else' pixels (a lock of hair, a shoulder)
before it counts as not plain backdrop."""

SHADOW_SCAN_WIDTH = 120
"""The shadow scan works on a copy 120 px wide: JPEG noise averages out and a shadow worth
reporting (5 % of the width and more) is still several pixels wide."""

SHADOW_HUE_TOLERANCE = 12.0
"""A pixel within 12° of the backdrop's hue (and with at least SHADOW_MIN_CHROMA_RATIO of its
chroma) is backdrop seen in a different light. Brown hair (h° ≈ 60) and skin (≈ 50) stay outside
against a red of 37°; black, grey, white and blue have no or another hue. (Wine-red dyed hair
has the hue of a shadowed red: SHADOW_ZONE_* and SHADOW_FACE_MARGIN keep most hair out.)"""

SHADOW_MIN_CHROMA_RATIO = 0.3
"""…and keeps at least 30 % of the backdrop's chroma (a shadow darkens a red, it does not
turn it grey)."""

SHADOW_DELTA_L = 12.0
"""Backdrop-hued pixels at least 12 L* darker than the backdrop are shadow: studio vignetting
darkens corners by 3–8; a cast shadow by 15–30."""

SHADOW_MIN_THICKNESS = 5
"""Shadow blobs must survive a 5 × 5 erosion on the scan copy (≈ 4 % of the width): the thin
dark-red fringe where the backdrop blends into dark hair is not a shadow."""

SHADOW_ZONE_BOTTOM = 1.1
"""The scan covers the rows down to the face-box top + 1.1 face heights (about the chin): below,
the shoulders and clothing begin, and a maroon jacket is not a shadow."""

SHADOW_FACE_MARGIN = 0.10
"""The face box widened by 10 % of its width on each side, over the whole scan height (face,
neck), is left out of the scan: skin in shade is not backdrop."""

TRANSPARENT_ALPHA = 0.9
"""Mean alpha (0–1) below which the sampled background counts as transparent."""

GREYSCALE_MAX_CHROMA = 6.0
"""A photo whose most colourful 1 % of pixels have less chroma C* than this is black-and-white,
even when stored as RGB: JPEG noise gives ≤ 1 there, while skin and lips in any colour portrait
give 30 and more (a colour photo on a white backdrop in a dark suit still gives 50)."""

NORMALISED_JPEG_QUALITY = 92
"""Fixed JPEG quality of the normalised copy: visually lossless at 2 inches, ~100 KB."""

MIN_ANALYSABLE_SIDE = 64
"""A picture less than 64 px on a side (an icon, a thumbnail) is only reported as too small:
there is no face or backdrop to judge in it."""

THUMB_LINE = 2
"""Line width of boxes drawn on the contact-sheet thumbnail, in thumbnail pixels."""

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

RETAKE = "请重新拍摄正面免冠红底2寸彩色照片"
"""What the nominee must do when the photo itself is wrong."""

_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
_KIND_NAMES = {
    "JPEG": "JPEG 图像", "PNG": "PNG 图像", "GIF": "GIF 图像", "BMP": "BMP 图像",
    "TIFF": "TIFF 图像", "WEBP": "WebP 图像", "HEIC": "HEIC 图像（苹果手机照片格式）",
    "PDF": "PDF 文档", "ZIP": "压缩包或 Word/Excel 文档", "OLE": "旧版 Word/Excel 文档",
    "TEXT": "文本", "HTML": "网页",
}


def _sniff(data: bytes) -> str:
    """The file type its first bytes say ('' when unknown)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "TIFF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"avif"):
        return "HEIC"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "OLE"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    try:
        data[:512].decode("utf-8")
        return "TEXT"
    except UnicodeDecodeError:
        return ""


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PhotoResult:
    """What the photo check found for one nominee."""

    findings: tuple[Finding, ...]
    """PHOTO_* findings (severity error), with the nominee and file set; empty when the photo
    is good."""
    normalised: bytes | None
    """JPEG bytes of the normalised copy; None when the photo cannot be fixed (or read)."""
    size: tuple[int, int] | None
    """(width, height) of the EXIF-oriented original; None when unreadable."""
    face_box: Box | None
    """(x, y, w, h) of the (largest) face, in oriented-original pixels; None when no face."""
    sample_boxes: tuple[Box, ...]
    """Background regions sampled, (x, y, w, h) in oriented-original pixels."""
    verdict: str
    """Short Chinese verdict for the contact sheet: '合格', or the problems joined by '；'."""
    faces: tuple[Box, ...] = ()
    """Every face counted (more than one: PHOTO_FACE), oriented-original pixels."""
    sample_ok: tuple[bool, ...] = ()
    """Per sample box: True when that region is plain backdrop of the background colour."""
    sample_names: tuple[str, ...] = ()
    """Per sample box: its Chinese name (左上角, 右上角, 左侧, 右侧)."""
    background_rgb: tuple[int, int, int] | None = None
    """Measured background colour (median of the sampled pixels), sRGB."""
    background_lch: tuple[float, float, float] | None = None
    """The same as CIE L*, C*, h° (degrees), rounded to 0.1."""
    shadow_boxes: tuple[Box, ...] = ()
    """Shadows found on the backdrop (oriented-original pixels)."""
    crop_box: Box | None = None
    """The window of the oriented original the normalised copy was made from."""
    measurements: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Measured figures (aspect, dpi, face fractions, ΔE …) for report.json."""

    @property
    def ok(self) -> bool:
        """True when the photo has no finding."""
        return not self.findings

    @property
    def face_ok(self) -> bool:
        """True when no PHOTO_FACE finding was made (and a face was found)."""
        return self.face_box is not None and not any(f.code == "PHOTO_FACE" for f in self.findings)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """The photo cannot be read; message and hint are for the finding."""

    def __init__(self, message: str, hint: str, **data: Any) -> None:
        super().__init__(message)
        self.message, self.hint, self.data = message, hint, data


@dataclass(frozen=True)
class _Loaded:
    """A photo decoded, upright and in sRGB."""

    rgb: np.ndarray
    """H × W × 3 uint8, sRGB, transparency flattened onto white."""
    alpha: np.ndarray | None
    """H × W float32 0..1 when the file had transparency, else None."""
    greyscale: bool
    """The file was stored as a greyscale image."""
    source_mode: str
    """Pillow mode of the file (RGB, CMYK, L, RGBA, P …)."""
    icc: bool
    """An embedded ICC profile was applied."""
    rotated: int
    """EXIF orientation value applied (1 = none)."""


@contextmanager
def strict_decoding() -> Iterator[None]:
    """Decode with truncated images refused, whatever another module set globally."""
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's "Corrupt EXIF data" and the like
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _bomb(w: int, h: int) -> _Unreadable:
    return _Unreadable(
        f"照片声明的尺寸为 {w}×{h} 像素（约 {w * h / 1e6:.0f} 百万像素），超过上限 "
        f"{MAX_PIXELS // 1_000_000} 百万像素，可能是异常或恶意文件，未予解码",
        "请提交正常的2寸照片文件（如 413×579 像素的 JPG），不要提交超大图片",
        width=w, height=h, max_pixels=MAX_PIXELS)


def _load(path: Path) -> _Loaded:
    """Decode, orient and convert to sRGB; raise _Unreadable with the reason."""
    ext = path.suffix.lower()
    want = _FORMATS.get(ext)
    if want is None:
        raise _Unreadable(f"照片格式 {ext or '（无扩展名）'} 不受支持，须为 JPG 或 PNG",
                          "请将照片另存为 JPG 格式（照片.jpg）后重新提交")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _Unreadable(f"照片文件无法打开：{exc.strerror}", "检查文件权限，或重新复制该文件") from None
    if size == 0:
        raise _Unreadable("照片文件是空的（0 字节）", "请向申报人重新索取照片文件（可能复制或上传失败）")
    if size > MAX_FILE_BYTES:
        raise _Unreadable(
            f"照片文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）",
            "请提交正常的2寸照片文件（通常不超过几 MB）", bytes=size)
    data = path.read_bytes()
    kind = _sniff(data)
    if kind != want:
        actual = _KIND_NAMES.get(kind, "无法识别的数据")
        hint = ("请用看图软件打开该照片，另存为 JPG 格式（照片.jpg）后重新提交"
                if kind in ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "HEIC")
                else "该文件不是照片，请向申报人索取正面免冠红底2寸彩色照片的 JPG 文件")
        raise _Unreadable(f"文件扩展名是 {ext}，但内容不是 {_KIND_NAMES[want]}（实际是{actual}）",
                          hint, actual=kind or "unknown")
    try:
        with strict_decoding(), Image.open(io.BytesIO(data), formats=[want]) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise _bomb(w, h)
            im.load()
            return _prepare(im)
    except _Unreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(*_header_size(data)) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct_error, ZeroDivisionError) as exc:
        detail = str(exc) or type(exc).__name__
        raise _Unreadable(
            f"照片文件已损坏或不完整，无法解码（{detail}）",
            "请向申报人重新索取原始照片文件（文件可能在复制、上传或下载中被截断）",
            error=detail) from None


def _header_size(data: bytes) -> tuple[int, int]:
    """Declared size without decoding (for the bomb message); (0, 0) when unknown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            saved = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
            try:
                with Image.open(io.BytesIO(data)) as im:
                    return im.size
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except Exception:  # only for a message: any failure just loses the figures
        return (0, 0)


_EXIF_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
"""EXIF Orientation (tag 0x0112) → the transpose that shows the picture upright."""


def _prepare(im: Image.Image) -> _Loaded:
    """Upright by EXIF, then sRGB uint8 with transparency flattened onto white."""
    try:
        orientation = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block only loses the orientation
        orientation = 1
    if orientation in _EXIF_TRANSPOSE:
        info = dict(im.info)
        im = im.transpose(_EXIF_TRANSPOSE[orientation])
        im.info.update(info)  # keep the ICC profile and the palette transparency
    else:
        orientation = 1
    source_mode = im.mode
    icc_bytes = im.info.get("icc_profile") or None
    greyscale = im.mode in ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")

    alpha: np.ndarray | None = None
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        im = Image.fromarray(np.clip(arr / top * 255 + 0.5, 0, 255).astype(np.uint8), "L")
    elif im.mode == "1":
        im = im.convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        a = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        if a.min() < 1.0:
            alpha = a
        im = rgba.convert("RGB") if im.mode.startswith("RGB") or im.mode == "PA" else im.convert("L")

    applied = False
    if icc_bytes:
        converted = _apply_icc(im, icc_bytes)
        if converted is not None:
            im, applied = converted, True
    if im.mode != "RGB":
        im = im.convert("RGB")
    rgb = np.asarray(im, dtype=np.uint8)
    if alpha is not None:
        flat = rgb.astype(np.float32) * alpha[:, :, None] + 255.0 * (1 - alpha[:, :, None])
        rgb = np.clip(flat + 0.5, 0, 255).astype(np.uint8)
    return _Loaded(np.ascontiguousarray(rgb), alpha, greyscale, source_mode, applied, orientation)


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _apply_icc(im: Image.Image, icc: bytes) -> Image.Image | None:
    """The image converted from its embedded profile to sRGB; None when the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = source.profile.xcolor_space.strip()
        if (space, im.mode) not in {("RGB", "RGB"), ("CMYK", "CMYK"), ("GRAY", "L")}:
            return None
        out = ImageCms.profileToProfile(im, source, _srgb(), outputMode="RGB",
                                        renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return out


# ---------------------------------------------------------------------------------------------
# Colour
# ---------------------------------------------------------------------------------------------


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (… × 3) → CIE L*a*b* float32 (D65, OpenCV's conversion)."""
    flat = rgb.reshape(-1, 1, 3).astype(np.float32) / 255.0
    return np.asarray(cv2.cvtColor(flat, cv2.COLOR_RGB2LAB), dtype=np.float32).reshape(-1, 3)


def _lch(lab: np.ndarray) -> tuple[float, float, float]:
    l_, a, b = (float(v) for v in lab)
    return l_, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360.0


def _delta_e94(lab: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """CIE94 colour difference (graphic arts) of each row of `lab` from `ref`."""
    d = lab - ref
    c1 = float(math.hypot(float(ref[1]), float(ref[2])))
    c2 = np.hypot(lab[:, 1], lab[:, 2])
    dc = c1 - c2
    dh2 = np.maximum(d[:, 1] ** 2 + d[:, 2] ** 2 - dc**2, 0.0)
    sc = 1 + 0.045 * c1
    sh = 1 + 0.015 * c1
    return np.asarray(np.sqrt(d[:, 0] ** 2 + (dc / sc) ** 2 + dh2 / sh**2), dtype=np.float32)


def _lab_to_rgb(lab: np.ndarray) -> tuple[int, int, int]:
    px = np.asarray(lab, np.float32).reshape(1, 1, 3)
    rgb = cv2.cvtColor(px, cv2.COLOR_LAB2RGB).reshape(3)
    r, g, b = (int(np.clip(round(float(v) * 255), 0, 255)) for v in rgb)
    return r, g, b


def _is_red(lab: np.ndarray) -> bool:
    """The colour is an acceptable backdrop red (hue, chroma and lightness)."""
    lightness, chroma, hue = _lch(lab)
    return (RED_HUE_RANGE[0] <= hue <= RED_HUE_RANGE[1] and chroma >= RED_MIN_CHROMA
            and RED_LIGHTNESS_RANGE[0] <= lightness <= RED_LIGHTNESS_RANGE[1])


def colour_name(lightness: float, chroma: float, hue: float) -> str:
    """A plain Chinese name of a colour given as CIE L*, C*, h° (for messages)."""
    if chroma < 12:
        return "白色" if lightness > 85 else "黑色" if lightness < 22 else "灰色"
    if RED_HUE_RANGE[0] <= hue <= RED_HUE_RANGE[1]:
        if lightness > RED_LIGHTNESS_RANGE[1]:
            return "浅红色" if chroma >= RED_MIN_CHROMA else "粉色"
        if chroma < RED_MIN_CHROMA:
            return "暗红色" if lightness < 40 else "灰红色"
        return "深红色" if lightness < RED_LIGHTNESS_RANGE[0] else "红色"
    if hue < RED_HUE_RANGE[0] or hue >= 330:
        return "粉色" if lightness > 70 else "玫红色"
    if hue < 75:
        return "棕色" if lightness < 45 else "橙色"
    if hue < 105:
        return "黄色"
    if hue < 165:
        return "绿色"
    if hue < 230:
        return "青色"
    if hue < 300:
        return "蓝色"
    return "紫色"


# ---------------------------------------------------------------------------------------------
# Faces
# ---------------------------------------------------------------------------------------------


@cache
def _cascade(name: str) -> Any:
    """A Haar cascade shipped with OpenCV (loaded once per process)."""
    path = str(Path(cv2.data.haarcascades) / name)  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(path)
    if classifier.empty():  # pragma: no cover - the file ships with opencv-python
        raise RuntimeError(f"OpenCV Haar cascade {path} missing")
    return classifier


def _detection_gray(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The grey copy the detectors run on, and its scale.

    No histogram equalisation: the cascades normalise every window by its own contrast, and on
    a saturated red backdrop equalising made the detector report the head with its hat as a
    second, nested face; the demo-photo generator measures plain grey as well.
    """
    h, w = rgb.shape[:2]
    scale = min(1.0, DETECT_MAX_SIDE / max(h, w))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                          interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(gray), scale


def _run(gray: np.ndarray, cascade: str, min_side: int,
         scale_factor: float = HAAR_SCALE_FACTOR) -> list[tuple[Box, int]]:
    """Boxes a cascade finds in the detection copy, each with its number of raw detections."""
    found, votes = _cascade(cascade).detectMultiScale2(
        gray, scaleFactor=scale_factor, minNeighbors=HAAR_MIN_NEIGHBORS,
        minSize=(min_side, min_side))
    return [((int(x), int(y), int(bw), int(bh)), int(v))
            for (x, y, bw, bh), v in zip(found if len(found) else [], votes if len(votes) else [],
                                         strict=True)]


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _contained(a: Box, b: Box) -> float:
    """Share of the smaller box that lies inside the other."""
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    return ix * iy / min(a[2] * a[3], b[2] * b[3])


def _find(gray: np.ndarray, fraction: float, step: float) -> list[Box]:
    """Confirmed faces in the detection copy, largest first, one box per face."""
    side = max(20, round(gray.shape[1] * fraction))
    found = _run(gray, FACE_CASCADE, side, step)
    # the confirming cascade only needs to look at the sizes found (small sizes are slow)
    smallest = min((b[2] for b, _ in found), default=0)
    seconds = ([b for b, _ in _run(gray, CONFIRM_CASCADE, max(side, round(smallest * CONFIRM_MIN_SIZE)),
                                   step)] if found else [])
    confirmed = [(b, v) for b, v in found if any(_overlap(b, c) >= CONFIRM_MIN_IOU for c in seconds)]
    # a face is sometimes also found as a bigger box around head and hat: of boxes nested in
    # each other keep the one with the most raw detections
    kept: list[Box] = []
    for box, _ in sorted(confirmed, key=lambda bv: (-bv[1], -bv[0][2], bv[0][0], bv[0][1])):
        if all(_contained(box, k) < NESTED_OVERLAP for k in kept):
            kept.append(box)
    return sorted(kept, key=lambda b: (-b[2], b[0], b[1]))


def _faces(rgb: np.ndarray) -> list[Box]:
    """Frontal faces that count as people, largest first, in the image's own pixels.

    A face is what FACE_CASCADE finds where CONFIRM_CASCADE finds one too (overlap at least
    CONFIRM_MIN_IOU); of those, the largest and any at least SECOND_FACE_MIN_RATIO of its width.
    """
    gray, scale = _detection_gray(rgb)
    boxes = (_find(gray, FACE_MIN_DETECT, HAAR_SCALE_FACTOR)
             or _find(gray, FACE_MIN_DETECT_SMALL, HAAR_SCALE_FACTOR_SMALL))
    if not boxes:
        return []
    largest = boxes[0][2]
    return [(round(x / scale), round(y / scale), round(bw / scale), round(bh / scale))
            for x, y, bw, bh in boxes if bw >= SECOND_FACE_MIN_RATIO * largest]


def _turned(rgb: np.ndarray) -> str:
    """How a photo without an upright face must be turned to show one ('' when none helps)."""
    gray, _ = _detection_gray(rgb)
    for quarter_turns, how in ((1, "逆时针旋转90°"), (3, "顺时针旋转90°"), (2, "旋转180°")):
        if _find(np.ascontiguousarray(np.rot90(gray, quarter_turns)), FACE_MIN_DETECT,
                 HAAR_SCALE_FACTOR):
            return how
    return ""


def _profile_seen(rgb: np.ndarray) -> bool:
    """A face seen from the side (either side)."""
    gray, _ = _detection_gray(rgb)
    side = max(20, round(gray.shape[1] * FACE_MIN_DETECT))
    return bool(_run(gray, PROFILE_CASCADE, side)
                or _run(np.ascontiguousarray(gray[:, ::-1]), PROFILE_CASCADE, side))


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """One thing wrong with a photo, before it becomes a Finding."""

    code: str
    verdict: str
    message: str
    hint: str
    data: dict[str, Any] = field(default_factory=dict)


def _crop(rgb: np.ndarray, box: Box) -> np.ndarray:
    x, y, bw, bh = box
    return rgb[y:y + bh, x:x + bw]


def _crop_window(w: int, h: int, aspect: float, face: Box | None) -> Box:
    """The largest window of the target aspect (w/h) in the image, placed around the face."""
    if w / h > aspect:
        ch, cw = h, min(w, round(h * aspect))
    else:
        cw, ch = w, min(h, round(w / aspect))
    cx = face[0] + face[2] / 2 if face else w / 2
    cy = face[1] + face[3] / 2 if face else h / 2
    x = round(min(max(cx - cw / 2, 0), w - cw))
    y = round(min(max(cy - FACE_TARGET_Y * ch, 0), h - ch))
    return (x, y, cw, ch)


def _enough_pixels(w: int, h: int, settings: PhotoSettings) -> bool:
    need_w, need_h = settings.pixels
    return w >= need_w * (1 - PIXEL_TOLERANCE) and h >= need_h * (1 - PIXEL_TOLERANCE)


def _size_problems(w: int, h: int, settings: PhotoSettings) -> list[_Problem]:
    """PHOTO_SIZE: the 2-inch proportions, and pixels for the print resolution."""
    out: list[_Problem] = []
    size_text = f"{settings.width_mm:g}×{settings.height_mm:g}毫米"
    aspect = settings.width_mm / settings.height_mm
    ratio = w / h
    off = ratio / aspect - 1
    if abs(off) > ASPECT_TOLERANCE:
        out.append(_Problem(
            "PHOTO_SIZE", "比例不符",
            f"照片比例不符：{w}×{h} 像素，宽高比 {ratio:.3f}，而2寸照片（{size_text}）应为 "
            f"{aspect:.3f}，{'偏宽' if off > 0 else '偏窄'} {abs(off):.0%}（允许 ±{ASPECT_TOLERANCE:.0%}）",
            f"请提交2寸（{size_text}）比例的照片：{RETAKE}，或请照相馆按2寸规格裁切",
            {"width": w, "height": h, "aspect": round(ratio, 4), "expected_aspect": round(aspect, 4)}))
    # Pixels are judged on the window a 2-inch crop can use (the whole photo when the
    # proportions are right): a wide photo does not have more pixels for the 2-inch print.
    cw, ch = _crop_window(w, h, aspect, None)[2:]
    if not _enough_pixels(cw, ch, settings):
        need_w, need_h = settings.pixels
        dpi = min(cw / (settings.width_mm / 25.4), ch / (settings.height_mm / 25.4))
        out.append(_Problem(
            "PHOTO_SIZE", "像素不足",
            f"照片像素不足：{w}×{h} 像素，按 {size_text} 打印只有约 {dpi:.0f} dpi，"
            f"达不到 {settings.dpi} dpi 所需的 {need_w}×{need_h} 像素",
            f"请提交照相馆给的原始电子版照片（至少 {need_w}×{need_h} 像素），"
            "不要用截图、缩略图或经微信压缩的图片",
            {"width": w, "height": h, "dpi": round(dpi), "required": [need_w, need_h]}))
    return out


def _face_metrics(face: Box, frame: Box) -> dict[str, float]:
    """Face width / frame width, horizontal offset of its centre, vertical centre (fractions)."""
    fx, fy, fw, fh = face
    x0, y0, w, h = frame
    return {"face_width_fraction": round(fw / w, 3),
            "face_offset_x": round((fx + fw / 2 - x0) / w - 0.5, 3),
            "face_centre_y": round((fy + fh / 2 - y0) / h, 3)}


def _geometry_problems(face: Box, frame: Box) -> list[_Problem]:
    """PHOTO_FACE: each way one face breaks the ID-photo geometry within `frame`."""
    data: dict[str, Any] = {**_face_metrics(face, frame), "box": list(face)}
    width, off, cy = data["face_width_fraction"], data["face_offset_x"], data["face_centre_y"]
    hint = f"{RETAKE}：头肩正面像，头部居中、大小适中"
    out: list[_Problem] = []
    lo, hi = FACE_WIDTH_RANGE
    if width < lo:
        out.append(_Problem("PHOTO_FACE", "人脸过小",
                            f"人脸过小：人脸宽度只占照片宽度的 {width:.0%}（应为 {lo:.0%}–{hi:.0%}），"
                            "像是半身照或远景照片", hint, data))
    elif width > hi:
        out.append(_Problem("PHOTO_FACE", "人脸过大",
                            f"人脸过大：人脸宽度占照片宽度的 {width:.0%}（应为 {lo:.0%}–{hi:.0%}），"
                            "头部太满或被裁切", hint, data))
    if abs(off) > FACE_CENTRE_X_TOLERANCE:
        out.append(_Problem("PHOTO_FACE", "人脸不居中",
                            f"人脸不居中：人脸中心偏{'左' if off < 0 else '右'} {abs(off):.0%} 照片宽度"
                            f"（允许 ±{FACE_CENTRE_X_TOLERANCE:.0%}）", hint, data))
    ylo, yhi = FACE_CENTRE_Y_RANGE
    if not ylo <= cy <= yhi:
        high = cy < ylo
        out.append(_Problem("PHOTO_FACE", "人脸偏高" if high else "人脸偏低",
                            f"人脸位置{'偏高（头顶空间不足）' if high else '偏低（头顶上方空白过多）'}："
                            f"人脸中心在照片高度的 {cy:.0%} 处（应为 {ylo:.0%}–{yhi:.0%}）", hint, data))
    return out


def _face_problems(rgb: np.ndarray, faces: list[Box]) -> list[_Problem]:
    """PHOTO_FACE: exactly one frontal face, of ID-photo size and position."""
    h, w = rgb.shape[:2]
    if not faces:
        turn = _turned(rgb)
        if turn:
            return [_Problem(
                "PHOTO_FACE", "照片方向不对",
                f"照片中的人像是横着或倒着的（需{turn}才是正的），照片文件没有记录拍摄方向",
                f"请将照片{turn}后另存，或从手机/照相馆重新导出正向的2寸照片", {"faces": 0, "turn": turn})]
        side = _profile_seen(rgb)
        return [_Problem(
            "PHOTO_FACE", "侧脸" if side else "未检测到人脸",
            "照片中未检测到正面人脸" + ("（只检测到侧脸）" if side else ""),
            f"{RETAKE}：正对镜头、露出五官，不戴帽子、墨镜，头发不遮挡面部",
            {"faces": 0, "profile": side})]
    if len(faces) > 1:
        return [_Problem(
            "PHOTO_FACE", f"{len(faces)}张人脸",
            f"照片中检测到 {len(faces)} 张人脸，2寸照片只能有申报人本人",
            f"{RETAKE}（单人照）", {"faces": len(faces), "boxes": [list(b) for b in faces]})]
    return _geometry_problems(faces[0], (0, 0, w, h))


def _sample_regions(w: int, h: int, faces: list[Box]) -> list[tuple[str, Box]]:
    """Where the background is sampled: top corners, and strips beside the face(s) when found
    (without a face nobody knows where the person is: the corners only)."""
    mx, my = round(EDGE_MARGIN * w), round(EDGE_MARGIN * h)
    cw, ch = round(CORNER_BOX[0] * w), round(CORNER_BOX[1] * h)
    regions = [("左上角", (mx, my, cw - mx, ch - my)), ("右上角", (w - cw, my, cw - mx, ch - my))]
    if faces:
        ref = faces[0]
        left = min(f[0] - STRIP_GAP * f[2] for f in faces)
        right = max(f[0] + f[2] + STRIP_GAP * f[2] for f in faces)
        top = max(ch, round(ref[1] + STRIP_ROWS[0] * ref[3]))
        bottom = min(h - my, round(ref[1] + STRIP_ROWS[1] * ref[3]))
        min_w = STRIP_MIN_WIDTH * w
        if bottom - top >= 4:
            if left - mx >= min_w:
                regions.append(("左侧", (mx, top, round(left) - mx, bottom - top)))
            if (w - mx) - right >= min_w:
                regions.append(("右侧", (round(right), top, w - mx - round(right), bottom - top)))
    clipped = []
    for n, (x, y, bw, bh) in regions:
        x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + bw), min(h, y + bh)
        if x1 > x0 and y1 > y0:
            clipped.append((n, (x0, y0, x1 - x0, y1 - y0)))
    return clipped


def _shadows(rgb: np.ndarray, backdrop: np.ndarray, faces: list[Box]) -> tuple[list[Box], float]:
    """Shadows on the backdrop above the shoulders: their boxes and how much darker the darker
    part of them is (90th percentile of ΔL*). Needs the face(s), to know where the person is."""
    h, w = rgb.shape[:2]
    scale = min(1.0, SHADOW_SCAN_WIDTH / w)
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    lab = _lab(small).reshape(sh, sw, 3)
    lightness = lab[:, :, 0]
    chroma = np.hypot(lab[:, :, 1], lab[:, :, 2])
    hue = np.degrees(np.arctan2(lab[:, :, 2], lab[:, :, 1])) % 360
    l_bg, c_bg, h_bg = _lch(backdrop)
    dh = np.abs((hue - h_bg + 180) % 360 - 180)
    dark = ((chroma >= SHADOW_MIN_CHROMA_RATIO * c_bg) & (dh <= SHADOW_HUE_TOLERANCE)
            & (lightness <= l_bg - SHADOW_DELTA_L))
    zone = np.zeros((sh, sw), bool)
    ref = faces[0]
    my, mx = round(EDGE_MARGIN * sh), round(EDGE_MARGIN * sw)
    zone[my:round((ref[1] + SHADOW_ZONE_BOTTOM * ref[3]) * scale), mx:sw - mx] = True
    for fx, _, fw, _ in faces:
        zone[:, max(0, round((fx - SHADOW_FACE_MARGIN * fw) * scale)):
             round((fx + fw + SHADOW_FACE_MARGIN * fw) * scale)] = False
    dark &= zone
    kernel = np.ones((SHADOW_MIN_THICKNESS, SHADOW_MIN_THICKNESS), np.uint8)
    core = cv2.erode(dark.astype(np.uint8), kernel)
    if not core.any():
        return [], 0.0
    grown = cv2.dilate(core, kernel) & dark.astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grown)
    boxes: list[Box] = []
    for i in range(1, count):
        if not core[labels == i].any():
            continue
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        boxes.append((round(x / scale), round(y / scale), round(bw / scale), round(bh / scale)))
    depth = float(np.percentile(l_bg - lightness[grown.astype(bool)], 90))
    return sorted(boxes), depth


@dataclass(frozen=True)
class _BackgroundJudgement:
    """What the background check measured and found."""

    regions: list[tuple[str, Box]]
    sample_ok: list[bool]
    colour: np.ndarray
    shadows: list[Box]
    problems: list[_Problem]
    data: dict[str, Any]


def _judge_background(loaded: _Loaded, faces: list[Box]) -> _BackgroundJudgement:
    """PHOTO_BACKGROUND: a uniform red where the person is not."""
    rgb = loaded.rgb
    h, w = rgb.shape[:2]
    regions = _sample_regions(w, h, faces)
    labs = [_lab(_crop(rgb, box)) for _, box in regions]
    alphas = [1.0 if loaded.alpha is None else float(_crop(loaded.alpha, box).mean())
              for _, box in regions]
    medians = [np.median(lab, axis=0).astype(np.float32) for lab in labs]
    n = len(regions)
    pair = np.zeros((n, n), np.float32)
    for i in range(n):
        for j in range(n):
            # symmetric CIE94: the mean of both directions
            pair[i, j] = 0.5 * (float(_delta_e94(medians[i][None], medians[j])[0])
                                + float(_delta_e94(medians[j][None], medians[i])[0]))
    agree = (pair <= REGION_MAX_DELTA_E).sum(axis=1)
    # the region most others agree with; on a tie, a red one (a red backdrop with a white wall
    # showing above it is a red background that is not uniform, not a white background)
    best = [i for i in range(n) if agree[i] == agree.max()]
    ref = next((i for i in best if _is_red(medians[i])), best[0])
    members = [i for i in range(n) if pair[ref, i] <= REGION_MAX_DELTA_E]
    colour = np.median(np.concatenate([labs[i] for i in members]), axis=0).astype(np.float32)
    outliers = [float((_delta_e94(lab, colour) > PIXEL_OUTLIER_DELTA_E).mean()) for lab in labs]
    sample_ok = [bool(pair[ref, i] <= REGION_MAX_DELTA_E and outliers[i] <= REGION_MAX_OUTLIERS
                      and alphas[i] >= TRANSPARENT_ALPHA) for i in range(n)]
    lightness, chroma, hue = _lch(colour)
    bg_rgb = _lab_to_rgb(colour)
    name = colour_name(lightness, chroma, hue)
    colourful = float(np.percentile(np.hypot(*_lab(rgb[::4, ::4])[:, 1:].T), 99))
    data: dict[str, Any] = {
        "background_rgb": list(bg_rgb),
        "background_lch": [round(lightness, 1), round(chroma, 1), round(hue, 1)],
        "regions": [r for r, _ in regions],
        "region_delta_e": [round(float(pair[ref, i]), 1) for i in range(n)],
        "region_outliers": [round(o, 3) for o in outliers],
        "chroma_p99": round(colourful, 1),
    }
    rgb_text = f"RGB {bg_rgb[0]},{bg_rgb[1]},{bg_rgb[2]}"
    hint = f"{RETAKE}（纯红色背景，灯光均匀，背景上无阴影、无杂物）"

    def result(problems: list[_Problem], shadows: list[Box] | None = None,
               ok: list[bool] | None = None) -> _BackgroundJudgement:
        return _BackgroundJudgement(regions, ok if ok is not None else sample_ok, colour,
                                    shadows or [], problems, data)

    if loaded.greyscale or colourful < GREYSCALE_MAX_CHROMA:
        return result([_Problem("PHOTO_BACKGROUND", "黑白照片",
                                "照片是黑白（灰度）照片，不是彩色照片，背景也不是红色",
                                hint, {"chroma_p99": round(colourful, 1)})], ok=[False] * n)
    transparent = [regions[i][0] for i in range(n) if alphas[i] < TRANSPARENT_ALPHA]
    if transparent:
        return result([_Problem(
            "PHOTO_BACKGROUND", "背景透明",
            f"照片背景是透明的（PNG 透明通道，{'、'.join(transparent)}），打印出来是白色，不是红色",
            hint, {"transparent_regions": transparent})])
    hue_ok = RED_HUE_RANGE[0] <= hue <= RED_HUE_RANGE[1]
    lch_data = {"background_rgb": list(bg_rgb), "lch": data["background_lch"]}
    if not (hue_ok and chroma >= RED_MIN_CHROMA):
        if chroma < 12:
            detail = f"几乎没有颜色，饱和度 C* {chroma:.0f}"
        elif not hue_ok:
            detail = f"色相 {hue:.0f}°，红色应为 {RED_HUE_RANGE[0]:.0f}°–{RED_HUE_RANGE[1]:.0f}°"
        else:
            detail = f"饱和度 C* {chroma:.0f}，红色应不低于 {RED_MIN_CHROMA:.0f}"
        return result([_Problem("PHOTO_BACKGROUND", "背景不是红色",
                                f"照片背景是{name}（{rgb_text}，{detail}），不是红色", hint, lch_data)],
                      ok=[False] * n)
    lo, hi = RED_LIGHTNESS_RANGE
    if not lo <= lightness <= hi:
        dark = lightness < lo
        why = (f"过暗（亮度 L* {lightness:.0f}，应不低于 {lo:.0f}），像是曝光不足" if dark
               else f"过浅（亮度 L* {lightness:.0f}，应不高于 {hi:.0f}），像是曝光过度")
        return result([_Problem("PHOTO_BACKGROUND", "背景红色过暗" if dark else "背景红色过浅",
                                f"照片背景红色{why}（背景颜色 {rgb_text}）", hint, lch_data)],
                      ok=[False] * n)

    parts: list[str] = []
    ref_name = regions[ref][0]
    for i in range(n):
        if sample_ok[i]:
            continue
        r_lab = medians[i]
        r_rgb = _lab_to_rgb(r_lab)
        if pair[ref, i] > REGION_MAX_DELTA_E:
            kind = "偏暗（阴影）" if float(r_lab[0]) < float(medians[ref][0]) - 5 else "颜色不同"
            parts.append(f"{regions[i][0]}{kind}，为{colour_name(*_lch(r_lab))} RGB "
                         f"{r_rgb[0]},{r_rgb[1]},{r_rgb[2]}，与{ref_name}相差 ΔE {pair[ref, i]:.0f}")
        else:
            parts.append(f"{regions[i][0]}有 {outliers[i]:.0%} 的像素不是背景色（杂物、阴影或第二种颜色）")
    shadows, depth = _shadows(rgb, colour, faces) if faces else ([], 0.0)
    if shadows:
        centre = faces[0][0] + faces[0][2] / 2
        sides = sorted({"左侧" if x + bw / 2 < centre else "右侧" for x, _, bw, _ in shadows})
        parts.append(f"头部{'和'.join(sides)}的背景上有阴影，最暗处比背景暗 ΔL* {depth:.0f}"
                     f"（允许 {SHADOW_DELTA_L:.0f} 以内）")
        data["shadow_boxes"] = [list(b) for b in shadows]
        data["shadow_delta_l"] = round(depth, 1)
    if parts:
        return result([_Problem(
            "PHOTO_BACKGROUND", "背景不均匀",
            f"照片背景不均匀（背景为{name} {rgb_text}）：" + "；".join(parts),
            hint, {k: data[k] for k in ("region_delta_e", "region_outliers", "regions")}
            | ({"shadow_boxes": data["shadow_boxes"]} if shadows else {}))], shadows)
    return result([])


def check_photo(path: Path | None, settings: PhotoSettings, *, code: str, name: str,
                rel: str) -> PhotoResult:
    """Check one nominee's photo and make its normalised copy (照片 → PhotoResult).

    path None (or a path that does not exist) = PHOTO_MISSING. rel = the photo's path relative
    to the edition folder, used in messages and Finding.file.
    """
    def finding(p: _Problem) -> Finding:
        return Finding(p.code, Severity.error, p.message, p.hint, candidate_code=code,
                       candidate_name=name, file=rel, data=p.data)

    if path is None or not path.is_file():
        need_w, need_h = settings.pixels
        missing = _Problem(
            "PHOTO_MISSING", "缺少照片", f"缺少照片：未找到 {rel}",
            f"请提交申报人正面免冠红底2寸彩色照片电子版（{settings.width_mm:g}×{settings.height_mm:g}"
            f"毫米，至少 {need_w}×{need_h} 像素），存为该申报人文件夹中的 照片.jpg")
        return PhotoResult((finding(missing),), None, None, None, (), missing.verdict)
    try:
        loaded = _load(path)
    except _Unreadable as exc:
        bad = _Problem("PHOTO_UNREADABLE", "无法读取", exc.message, exc.hint, exc.data)
        return PhotoResult((finding(bad),), None, None, None, (), bad.verdict)

    rgb = loaded.rgb
    h, w = rgb.shape[:2]
    size_problems = _size_problems(w, h, settings)
    if min(w, h) < MIN_ANALYSABLE_SIDE:  # a thumbnail or an icon: the size says it all
        return PhotoResult(tuple(finding(p) for p in size_problems), None, (w, h), None, (),
                           "；".join(dict.fromkeys(p.verdict for p in size_problems)),
                           measurements={"width": w, "height": h})
    faces = _faces(rgb)
    face = faces[0] if len(faces) == 1 else None
    face_problems = _face_problems(rgb, faces)
    background = _judge_background(loaded, faces)
    problems = size_problems + face_problems + background.problems

    # The normalised copy: only when the photo itself is right and only its proportions may be
    # off; the copy must have enough pixels and keep the face within the ID-photo geometry.
    normalised: bytes | None = None
    crop: Box | None = None
    aspect = settings.width_mm / settings.height_mm
    if face is not None and not face_problems and not background.problems and all(
            p.verdict == "比例不符" for p in size_problems):
        window = _crop_window(w, h, aspect, face)
        if _enough_pixels(window[2], window[3], settings) and not _geometry_problems(face, window):
            crop = window
            normalised = _normalise(rgb, crop, settings)
    if normalised is not None and size_problems:
        problems = [
            _Problem(p.code, "比例不符（已生成裁剪副本）", p.message,
                     p.hint + "；系统已按人脸位置裁剪出一份2寸比例的规范副本，可在检查报告中核对后采用",
                     p.data) if p.code == "PHOTO_SIZE" else p for p in problems]

    measurements: dict[str, Any] = {
        "width": w, "height": h, "source_mode": loaded.source_mode, "icc_applied": loaded.icc,
        "exif_orientation": loaded.rotated, "aspect": round(w / h, 4),
        "dpi": round(min(w / (settings.width_mm / 25.4), h / (settings.height_mm / 25.4))),
        "faces": len(faces), **background.data}
    if face is not None:
        measurements.update(_face_metrics(face, (0, 0, w, h)))
    lightness, chroma, hue = _lch(background.colour)
    return PhotoResult(
        findings=tuple(finding(p) for p in problems),
        normalised=normalised,
        size=(w, h),
        face_box=faces[0] if faces else None,
        sample_boxes=tuple(b for _, b in background.regions),
        verdict="；".join(dict.fromkeys(p.verdict for p in problems)) or "合格",
        faces=tuple(faces),
        sample_ok=tuple(background.sample_ok),
        sample_names=tuple(n for n, _ in background.regions),
        shadow_boxes=tuple(background.shadows),
        background_rgb=_lab_to_rgb(background.colour),
        background_lch=(round(lightness, 1), round(chroma, 1), round(hue, 1)),
        crop_box=crop,
        measurements=measurements,
    )


def _normalise(rgb: np.ndarray, crop: Box, settings: PhotoSettings) -> bytes:
    """The crop window resized to the print size: a baseline sRGB JPEG with the dpi set."""
    x, y, cw, ch = crop
    image = Image.fromarray(rgb, "RGB").resize(settings.pixels, Image.Resampling.LANCZOS,
                                               box=(x, y, x + cw, y + ch))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=NORMALISED_JPEG_QUALITY, subsampling=0, optimize=False,
               progressive=False, dpi=(settings.dpi, settings.dpi))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Contact sheet thumbnail
# ---------------------------------------------------------------------------------------------

FACE_OK_COLOUR = (0, 200, 0)
"""Face box of a good face (the legend of contact_sheet.html.j2 uses the same colours)."""
FACE_BAD_COLOUR = (230, 0, 0)
"""Face box when the face is wrong (or there are several)."""
SAMPLE_OK_COLOUR = (255, 255, 255)
"""Background sample region that is plain backdrop."""
SAMPLE_BAD_COLOUR = (255, 230, 0)
"""Background region or shadow that is not (drawn with a cross)."""
CROP_COLOUR = (0, 140, 255)
"""Window of the normalised copy, when it is not the whole photo."""
_BLACK = (0, 0, 0)


def outline_box(draw: ImageDraw.ImageDraw, box: Box, scale: float, colour: tuple[int, int, int],
                width: int = THUMB_LINE, cross: bool = False) -> None:
    """A box outlined in `colour` with a thin black edge, visible on any background."""
    x, y, bw, bh = box
    x0, y0 = round(x * scale), round(y * scale)
    x1, y1 = max(x0, round((x + bw) * scale) - 1), max(y0, round((y + bh) * scale) - 1)
    draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=_BLACK, width=1)
    draw.rectangle((x0, y0, x1, y1), outline=colour, width=width)
    if x1 - x0 > 2 * width + 1 and y1 - y0 > 2 * width + 1:
        draw.rectangle((x0 + width, y0 + width, x1 - width, y1 - width), outline=_BLACK, width=1)
    if cross:
        draw.line((x0, y0, x1, y1), fill=colour, width=width)
        draw.line((x0, y1, x1, y0), fill=colour, width=width)


def contact_thumbnail(path: Path, result: PhotoResult, height: int = 220) -> bytes:
    """PNG thumbnail of the oriented original with what the check saw drawn on it.

    `height` pixels high (a picture more than twice as wide as high is made 2 × height wide).
    Face box: green when the face is fine, red otherwise (every face when there are several).
    Background sample regions: white outline when plain backdrop, yellow with a cross when not;
    shadows found on the backdrop: yellow with a cross.
    Normalised-copy window: blue, only when it is not the whole photo. An unreadable or missing
    photo gives a grey placeholder with a cross.
    """
    try:
        loaded = _load(path) if path.is_file() else None
    except _Unreadable:
        loaded = None
    if loaded is None:
        w0, h0 = result.size or (35, 49)
        width = max(1, round(height * w0 / h0))
        image = Image.new("RGB", (width, height), (225, 225, 225))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120), width=2)
        draw.line((0, 0, width - 1, height - 1), fill=(160, 160, 160), width=2)
        draw.line((0, height - 1, width - 1, 0), fill=(160, 160, 160), width=2)
    else:
        h0, w0 = loaded.rgb.shape[:2]
        scale = min(height / h0, 2 * height / w0)  # a panorama is not made 100 000 px wide
        width, thumb_h = max(1, round(w0 * scale)), max(1, round(h0 * scale))
        image = Image.fromarray(loaded.rgb, "RGB").resize((width, thumb_h), Image.Resampling.LANCZOS,
                                                          reducing_gap=3.0)
        draw = ImageDraw.Draw(image)
        oks = result.sample_ok or (True,) * len(result.sample_boxes)
        for box, ok in zip(result.sample_boxes, oks, strict=False):
            outline_box(draw, box, scale, SAMPLE_OK_COLOUR if ok else SAMPLE_BAD_COLOUR,
                        width=1 if ok else THUMB_LINE, cross=not ok)
        for box in result.shadow_boxes:
            outline_box(draw, box, scale, SAMPLE_BAD_COLOUR, width=THUMB_LINE, cross=True)
        if result.crop_box is not None and result.crop_box != (0, 0, w0, h0):
            outline_box(draw, result.crop_box, scale, CROP_COLOUR, width=THUMB_LINE)
        faces = result.faces or ((result.face_box,) if result.face_box else ())
        colour = FACE_OK_COLOUR if result.face_ok else FACE_BAD_COLOUR
        for face in faces:
            outline_box(draw, face, scale, colour, width=THUMB_LINE + 1)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()
