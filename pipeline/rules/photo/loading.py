"""Reading a photo: type sniffing, decompression-bomb refusal, strict decoding, EXIF orientation, sRGB."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from struct import error as struct_error
from typing import Any

import numpy as np
from PIL import Image, ImageCms, ImageFile

from pipeline.rules.photo.thresholds import MAX_FILE_BYTES, MAX_PIXELS

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
