"""Synthetic 2-inch ID photos for tests, built in code from package-shipped portraits.

Sources (nothing is downloaded):

- ``skimage.data.astronaut()``: Eileen Collins, NASA portrait, public domain (scikit-image).
- ``matplotlib.cbook.get_sample_data("grace_hopper.jpg")``: Grace Hopper, US Navy portrait,
  public domain (matplotlib sample data).

Each portrait is cut out once (grabCut seeded with a hand-drawn head-and-shoulders mask, then
cleaned up) and cached. `make_id_photo` scales the cut-out so that the Haar face box has the
requested width, places it, and composes it onto a background (a colour, two colours, with a
cast shadow, a gradient, or transparent). The helpers that write files (`save_jpeg`,
`save_exif_rotated`, `swapped_rgb_icc` …) produce the odd-but-valid encodings the check must
accept, and the broken ones (`truncated`) it must refuse.

Typical use::

    img = make_id_photo(bg=(215, 69, 50), size=(472, 661))
    save_jpeg(img, tmp_path / "照片.jpg")
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageCms

RGB = tuple[int, int, int]

STUDIO_RED: RGB = (215, 69, 50)
"""The usual photo-studio red."""
PURE_RED: RGB = (255, 0, 0)
DEEP_RED: RGB = (190, 20, 30)
CRIMSON: RGB = (220, 20, 60)
ID_BLUE: RGB = (67, 142, 219)
"""The blue of blue-background ID photos: must fail."""
WHITE: RGB = (255, 255, 255)


@dataclass(frozen=True)
class _Source:
    """A portrait with its hand-made segmentation hints (source pixel coordinates)."""

    probable: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    """Ellipses (centre, half-axes) that are probably the person (head, collar)."""
    core: tuple[tuple[int, int], tuple[int, int]]
    """Ellipse that is certainly the person (the face)."""
    torso: tuple[tuple[int, int], ...]
    """Polygon of the shoulders and chest; its eroded inside is certainly the person."""
    face: tuple[int, int, int, int]
    """Haar face box (x, y, w, h) in the source, as haarcascade_frontalface_default finds it."""


_SOURCES: dict[str, _Source] = {
    "astronaut": _Source(
        probable=(((227, 92), (84, 100)), ((210, 222), (102, 74))),
        core=((223, 118), (38, 55)),
        torso=((150, 165), (292, 160), (308, 230), (352, 285), (360, 340), (285, 345),
               (280, 512), (20, 512), (25, 310), (60, 255), (112, 190)),
        face=(177, 67, 93, 93),
    ),
    "hopper": _Source(
        probable=(((262, 170), (112, 158)),),
        core=((262, 215), (80, 95)),
        torso=((190, 310), (340, 310), (420, 355), (490, 405), (512, 450), (512, 600),
               (10, 600), (12, 470), (40, 405), (100, 360)),
        face=(149, 100, 231, 231),
    ),
}

_PAD_BELOW = 400
"""Rows added below each source (edge rows repeated) so the chest reaches any photo's bottom."""


def _portrait(name: str) -> np.ndarray:
    if name == "astronaut":
        from skimage import data

        return np.asarray(data.astronaut()[:, :, :3], dtype=np.uint8)  # type: ignore[no-untyped-call]
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(str(path)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


@cache
def cutout(name: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """(RGB uint8, alpha float32 0..1, Haar face box) of a portrait's head and shoulders."""
    src = _SOURCES[name]
    rgb = _portrait(name)
    h, w = rgb.shape[:2]
    mask = np.full((h, w), cv2.GC_BGD, np.uint8)
    torso = np.zeros((h, w), np.uint8)
    cv2.fillPoly(torso, [np.array(src.torso, np.int32)], 1)
    mask[torso == 1] = cv2.GC_PR_FGD
    for centre, axes in src.probable:
        cv2.ellipse(mask, centre, axes, 0, 0, 360, cv2.GC_PR_FGD, -1)
    mask[cv2.erode(torso, np.ones((41, 41), np.uint8)) == 1] = cv2.GC_FGD
    cv2.ellipse(mask, src.core[0], src.core[1], 0, 0, 360, cv2.GC_FGD, -1)
    cv2.setRNGSeed(12345)  # grabCut's k-means initialisation draws from OpenCV's RNG
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, 4,  # type: ignore[call-overload]
                cv2.GC_INIT_WITH_MASK)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg)
    if count > 1:
        fg = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    alpha = cv2.GaussianBlur(fg.astype(np.float32), (5, 5), 0)
    rgb = cv2.copyMakeBorder(rgb, 0, _PAD_BELOW, 0, 0, cv2.BORDER_REPLICATE)
    alpha = cv2.copyMakeBorder(alpha, 0, _PAD_BELOW, 0, 0, cv2.BORDER_REPLICATE)
    return rgb, alpha, src.face


@dataclass(frozen=True)
class Sitter:
    """One person in a synthetic photo."""

    source: str = "astronaut"
    """'astronaut' or 'hopper'."""
    face_width: float = 0.45
    """Width of the Haar face box as a fraction of the photo's width."""
    centre: tuple[float, float] = (0.5, 0.42)
    """Centre of the face box as fractions of the photo's (width, height)."""


def _background(size: tuple[int, int], bg: RGB, bg2: RGB | None, split: str,
                gradient: float) -> np.ndarray:
    w, h = size
    canvas = np.empty((h, w, 3), np.float32)
    canvas[:] = bg
    if bg2 is not None:
        if split == "vertical":
            canvas[:, w // 2:] = bg2
        else:
            canvas[: h // 3] = bg2
    if gradient:
        # studio lighting: a little brighter in the middle, darker at the top corners
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = np.hypot((xx - w / 2) / w, (yy - h / 2) / h)
        canvas *= (1 - gradient * r)[:, :, None]
    return canvas


def _silhouette(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A faceless head-and-shoulders shape (the back of a head): (RGB, alpha)."""
    w, h = size
    alpha = np.zeros((h, w), np.uint8)
    cv2.ellipse(alpha, (w // 2, int(h * 0.38)), (int(w * 0.22), int(h * 0.2)), 0, 0, 360, 1, -1)
    cv2.ellipse(alpha, (w // 2, h), (int(w * 0.48), int(h * 0.32)), 0, 0, 360, 1, -1)
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = (45, 35, 30)
    return rgb, cv2.GaussianBlur(alpha.astype(np.float32), (5, 5), 0)


def _place(sitter: Sitter, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The sitter's cut-out scaled and moved onto a canvas of `size`: (RGB float, alpha)."""
    w, h = size
    rgb, alpha, (fx, fy, fw, fh) = cutout(sitter.source)
    scale = sitter.face_width * w / fw
    tx = sitter.centre[0] * w - scale * (fx + fw / 2)
    ty = sitter.centre[1] * h - scale * (fy + fh / 2)
    matrix = np.array([[scale, 0, tx], [0, scale, ty]], np.float32)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    placed = cv2.warpAffine(rgb, matrix, (w, h), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    placed_alpha = cv2.warpAffine(alpha, matrix, (w, h), flags=interp,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return placed.astype(np.float32), placed_alpha


def make_id_photo(
    bg: RGB = STUDIO_RED,
    size: tuple[int, int] = (472, 661),
    face: Sitter | Sequence[Sitter] | None = Sitter(),
    *,
    bg2: RGB | None = None,
    split: str = "vertical",
    shadow: float = 0.0,
    gradient: float = 0.0,
    noise: float = 2.0,
    transparent_background: bool = False,
) -> Image.Image:
    """A synthetic ID photo (RGB, or RGBA when `transparent_background`).

    bg: background colour; bg2: a second background colour on the right half (split=
    'vertical') or the top third (split='top'); shadow: darkening (0..1) of a shadow the
    person casts up and to the right; gradient: studio vignetting; noise: Gaussian noise
    (σ, fixed seed) added to the whole photo; face: one or more `Sitter`s, or None for a
    faceless silhouette.
    """
    w, h = size
    canvas = _background(size, bg, bg2, split, gradient)
    sitters: Sequence[Sitter] | None = (face,) if isinstance(face, Sitter) else face
    layers = ([_place(s, size) for s in sitters] if sitters is not None
              else [_silhouette(size)])
    person = np.zeros((h, w), np.float32)
    for _, alpha in layers:
        person = np.maximum(person, alpha)
    if shadow:
        shift = np.array([[1, 0, 0.1 * w], [0, 1, -0.02 * h]], np.float32)
        cast = cv2.warpAffine(person, shift, (w, h), borderMode=cv2.BORDER_REPLICATE)
        cast = cv2.GaussianBlur(cast, (0, 0), w * 0.02)
        canvas *= (1 - shadow * cast)[:, :, None]
    for rgb, alpha in layers:
        canvas = canvas * (1 - alpha[:, :, None]) + rgb * alpha[:, :, None]
    if noise:
        canvas += np.random.default_rng(7).normal(0, noise, canvas.shape).astype(np.float32)
    out = np.clip(canvas + 0.5, 0, 255).astype(np.uint8)
    if transparent_background:
        a = np.clip(person * 255 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(np.dstack([out, a]), "RGBA")
    return Image.fromarray(out, "RGB")


# -- files ---------------------------------------------------------------------------------

def save_jpeg(img: Image.Image, path: Path, quality: int = 90, **params: object) -> Path:
    """Save as JPEG (the usual way photos arrive) and return the path."""
    img.save(path, "JPEG", quality=quality, **params)  # type: ignore[arg-type]
    return path


_STORE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
"""How a camera stores the pixels of an upright picture for each EXIF orientation value."""


def save_exif_rotated(img: Image.Image, path: Path, orientation: int = 6) -> Path:
    """Save an upright picture the way a phone does: pixels on their side, EXIF tag set."""
    stored = img.transpose(_STORE_FOR_ORIENTATION[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def truncated(path: Path, keep: float = 0.6) -> Path:
    """Cut a file to `keep` of its length (an interrupted copy or upload)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def png_bomb(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A tiny PNG file that declares width × height pixels (a decompression bomb)."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\0" + b"\0" * (3 * width)
    body = zlib.compress(row * 16, 9)  # a few rows only: the file stays small
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path


# -- an RGB profile whose red and blue primaries are swapped --------------------------------

_SRGB_PRIMARIES_D50 = {
    "r": (0.4360, 0.2225, 0.0139),
    "g": (0.3851, 0.7169, 0.0971),
    "b": (0.1431, 0.0606, 0.7141),
}
"""sRGB primaries adapted to D50, as in every sRGB ICC profile."""


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def swapped_rgb_icc() -> bytes:
    """A valid ICC v2 matrix/TRC RGB profile with sRGB's red and blue primaries swapped.

    Pixels stored in this space look blue where the picture is red unless the reader
    honours the embedded profile: a sharp test that the check converts to sRGB.
    """
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)

    desc_text = b"swapped-rgb\0"
    desc = (b"desc\0\0\0\0" + struct.pack(">I", len(desc_text)) + desc_text
            + b"\0" * 4 + b"\0" * 4 + b"\0" * 2 + b"\0" + b"\0" * 67)
    curve = b"curv\0\0\0\0" + struct.pack(">I", 1) + struct.pack(">H", int(2.2 * 256))
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(*_SRGB_PRIMARIES_D50["b"])),
        (b"gXYZ", xyz(*_SRGB_PRIMARIES_D50["g"])),
        (b"bXYZ", xyz(*_SRGB_PRIMARIES_D50["r"])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table = struct.pack(">I", len(tags))
    offset = 128 + 4 + 12 * len(tags)
    blobs = b""
    for sig, body in tags:
        while len(body) % 4:
            body += b"\0"
        table += sig + struct.pack(">II", offset + len(blobs), len(body))
        blobs += body
    size = offset + len(blobs)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB "
              + b"XYZ " + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4
              + b"\0" * 4 + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + table + blobs


def in_swapped_profile(img: Image.Image) -> Image.Image:
    """The picture's pixels converted into the swapped profile, profile attached."""
    icc = swapped_rgb_icc()
    target = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    out = ImageCms.profileToProfile(img.convert("RGB"), ImageCms.createProfile("sRGB"), target,
                                    outputMode="RGB")
    assert out is not None
    out.info["icc_profile"] = icc
    return out
