"""Fictional 2-inch ID photos on a red background for the demo editions.

The only real faces available offline are the two portraits that installed packages ship:
scikit-image's ``astronaut`` and matplotlib's ``grace_hopper.jpg``. Each is cut out once
(GrabCut initialised from a head-and-shoulders envelope around the Haar face box), then every
nominee gets a variant (mirror, scale, shift, brightness, contrast, clothing hue, shade of red,
pixel size) composed onto a uniform red background.

Every photo is verified with the same Haar detector the pipeline uses; a variant that does not
meet the geometry of a good 2-inch photo is an error (``PhotoError``), never silently shipped.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache

import cv2
import matplotlib.cbook
import numpy as np
import skimage.data
from PIL import Image

CASCADE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
"""The OpenCV frontal-face Haar cascade (shipped with opencv-python-headless)."""

REDS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (230, 20, 30), (215, 69, 50), (200, 16, 46), (220, 40, 40))
"""Shades of 'red background' that photo studios in China actually use."""

BLUE: tuple[int, int, int] = (67, 142, 219)
"""The common blue ID-photo background (for the PHOTO_BACKGROUND mistake)."""

SIZES: tuple[tuple[int, int], ...] = ((415, 581), (450, 630), (480, 672), (520, 728), (540, 756))
"""Exact 35:49 (= 5:7) pixel sizes, all at least 413 × 579 (35 × 49 mm at 300 dpi)."""

SOURCES: tuple[str, ...] = ("astronaut", "grace_hopper")
"""Names of the source portraits."""

# Geometry a good photo must have (fractions of the image width/height).
FACE_WIDTH_RANGE = (0.35, 0.55)
FACE_CENTRE_X_TOLERANCE = 0.05
FACE_CENTRE_Y_RANGE = (0.35, 0.48)
HEAD_TOP_MIN = 0.02
CORNER = 0.15
SIDE_STRIP = 0.08
BACKGROUND_TOLERANCE = 14


class PhotoError(RuntimeError):
    """A generated photo does not have the geometry it was meant to have."""


@dataclass(frozen=True)
class _Source:
    """A source portrait, its face box and its person mask (float 0..1)."""

    image: np.ndarray
    face: tuple[int, int, int, int]
    mask: np.ndarray
    torso_row: int


@dataclass(frozen=True)
class PhotoSpec:
    """All the choices that make one nominee's photo."""

    source: str
    size: tuple[int, int]
    background: tuple[int, int, int]
    mirror: bool
    face_ratio: float
    centre_y: float
    shift_x: float
    brightness: float
    contrast: float
    hue_shift: int


@dataclass(frozen=True)
class FaceBox:
    """A face found by the Haar detector, in pixels."""

    x: int
    y: int
    w: int
    h: int


def detector() -> cv2.CascadeClassifier:
    """The Haar frontal-face detector."""
    classifier = cv2.CascadeClassifier(CASCADE)
    if classifier.empty():
        raise PhotoError(f"cannot load the Haar cascade {CASCADE}")
    return classifier


def detect_faces(rgb: np.ndarray, min_fraction: float = 0.2) -> list[FaceBox]:
    """Faces in an RGB image (minNeighbors=5, minimum size `min_fraction` of the width)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    side = max(20, int(rgb.shape[1] * min_fraction))
    found = detector().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    return [FaceBox(int(x), int(y), int(w), int(h)) for x, y, w, h in found]


def _load(name: str) -> np.ndarray:
    """A source portrait as an RGB uint8 array."""
    if name == "astronaut":
        return np.ascontiguousarray(skimage.data.astronaut()[:, :, :3])
    if name == "grace_hopper":
        path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB")).copy()
    raise ValueError(name)


@dataclass(frozen=True)
class _Envelope:
    """Where the person may be in a source portrait, in multiples of the face width."""

    head: tuple[float, float, float]
    """Head ellipse: centre offset below the face centre, half-width, half-height."""
    shoulder: float
    """Shoulder line below the face centre."""
    neck: float
    """Half-width of the neck."""
    background: tuple[tuple[float, float, float, float], ...] = ()
    """Boxes (fractions of the image: x0, y0, x1, y1) that are never the person (a flag's star)."""
    erode: int = 0
    """Pixels to erode from the cut-out edge (removes the old background's fringe)."""
    inpaint: tuple[tuple[float, float, float, float], ...] = ()
    """Boxes painted over with the surrounding cloth (name tag, ribbons: a mirrored photo reads right)."""


_ENVELOPES: dict[str, _Envelope] = {
    "astronaut": _Envelope(head=(-0.22, 0.86, 1.12), shoulder=1.05, neck=0.45, erode=2),
    "grace_hopper": _Envelope(head=(-0.11, 0.64, 0.80), shoulder=0.95, neck=0.42,
                              background=((0.33, 0.0, 0.47, 0.09),), erode=1,
                              inpaint=((0.145, 0.800, 0.335, 0.870), (0.625, 0.805, 0.895, 0.885))),
}


@cache
def _source(name: str) -> _Source:
    """Load a portrait, find its face and cut the person out (computed once per run)."""
    image = _load(name)
    h, w = image.shape[:2]
    faces = detect_faces(image, 0.1)
    if len(faces) != 1:
        raise PhotoError(f"source portrait {name}: expected one face, found {len(faces)}")
    f = faces[0]
    fw = f.w
    cx, cy = f.x + f.w / 2, f.y + f.h / 2
    env = _ENVELOPES[name]
    dy, ax, ay = env.head
    shoulder = cy + env.shoulder * fw
    neck = env.neck * fw

    envelope = np.zeros((h, w), np.uint8)
    cv2.ellipse(envelope, (round(cx), round(cy + dy * fw)), (round(ax * fw), round(ay * fw)),
                0, 0, 360, 1, -1)
    body = np.array([
        [cx - neck, cy + 0.5 * fw], [cx + neck, cy + 0.5 * fw],
        [cx + neck * 1.3, shoulder - 0.2 * fw], [cx + 1.9 * fw, shoulder + 0.3 * fw],
        [cx + 2.6 * fw, h + 1], [cx - 2.6 * fw, h + 1],
        [cx - 1.9 * fw, shoulder + 0.3 * fw], [cx - neck * 1.3, shoulder - 0.2 * fw],
    ], np.int32)
    cv2.fillPoly(envelope, [body], 1)
    for bx0, by0, bx1, by1 in env.background:
        envelope[round(by0 * h):round(by1 * h), round(bx0 * w):round(bx1 * w)] = 0

    mask = np.where(envelope > 0, cv2.GC_PR_FGD, cv2.GC_BGD).astype(np.uint8)
    core = np.zeros((h, w), np.uint8)
    cv2.ellipse(core, (round(cx), round(cy)), (round(0.3 * fw), round(0.42 * fw)), 0, 0, 360, 1, -1)
    cv2.rectangle(core, (round(cx - 0.6 * fw), round(shoulder + 0.4 * fw)),
                  (round(cx + 0.6 * fw), h - 1), 1, -1)
    mask[(core > 0) & (envelope > 0)] = cv2.GC_FGD
    cv2.setRNGSeed(20270319)
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(image, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, 6,
                cv2.GC_INIT_WITH_MASK)
    person = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)

    # Keep the component holding the face; fill holes (badges, name tags) inside the body.
    count, labels = cv2.connectedComponents(person)
    if count > 2:
        person = (labels == labels[round(cy), round(cx)]).astype(np.uint8)
    person = cv2.morphologyEx(person, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    flood = np.zeros((h + 2, w + 2), np.uint8)
    outside = person.copy()
    cv2.floodFill(outside, flood, (0, 0), 2)
    person[outside == 0] = 1
    person &= envelope
    if env.erode:
        size = 2 * env.erode + 1
        person = cv2.erode(person, np.ones((size, size), np.uint8))
    soft = cv2.GaussianBlur(person.astype(np.float32), (0, 0), 1.2)
    for bx0, by0, bx1, by1 in env.inpaint:
        box = np.zeros((h, w), np.uint8)
        box[round(by0 * h):round(by1 * h), round(bx0 * w):round(bx1 * w)] = 255
        image = cv2.inpaint(image, box, 9, cv2.INPAINT_TELEA)
    return _Source(image, (f.x, f.y, f.w, f.h), soft, round(cy + 0.75 * fw))


def random_spec(rng: random.Random, *, size: tuple[int, int] | None = None,
                background: tuple[int, int, int] | None = None) -> PhotoSpec:
    """A varied but valid photo specification drawn from `rng`."""
    return PhotoSpec(
        source=rng.choice(SOURCES),
        size=size or rng.choice(SIZES),
        background=background or rng.choice(REDS),
        mirror=rng.random() < 0.5,
        face_ratio=rng.uniform(0.41, 0.49),
        centre_y=rng.uniform(0.39, 0.44),
        shift_x=rng.uniform(-0.02, 0.02),
        brightness=rng.uniform(-14, 14),
        contrast=rng.uniform(0.92, 1.08),
        hue_shift=rng.randint(0, 9),
    )


def compose(spec: PhotoSpec) -> tuple[np.ndarray, np.ndarray]:
    """Render a photo: (RGB uint8 image, person mask float 0..1), both in output pixels."""
    src = _source(spec.source)
    image = src.image.astype(np.float32)
    # Person appearance: brightness/contrast around mid-grey, clothing hue below the chin.
    image = np.clip((image - 128) * spec.contrast + 128 + spec.brightness, 0, 255).astype(np.uint8)
    if spec.hue_shift:
        # Clothing only: below the chin and not skin (YCrCb skin range).
        hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
        ycrcb = cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb)
        skin = cv2.inRange(ycrcb, (0, 133, 77), (255, 173, 127)) > 0
        cloth = np.zeros(skin.shape, bool)
        cloth[src.torso_row:] = True
        cloth &= ~skin
        hsv[..., 0] = np.where(cloth, (hsv[..., 0].astype(np.int16) + spec.hue_shift) % 180,
                               hsv[..., 0]).astype(np.uint8)
        image = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    mask = src.mask
    # Extend the body down and sideways (mirrored) so it never ends inside the frame; the
    # mask is zero beside the head, so the mirrored margins add only shoulders and body.
    image = image[:-4]
    mask = mask[:-4]
    pad_y, pad_x = image.shape[0] // 3, image.shape[1] // 3
    image = cv2.copyMakeBorder(image, 0, pad_y, pad_x, pad_x, cv2.BORDER_REFLECT)
    mask = cv2.copyMakeBorder(mask, 0, pad_y, pad_x, pad_x, cv2.BORDER_REFLECT)
    if spec.mirror:
        image = np.ascontiguousarray(image[:, ::-1])
        mask = np.ascontiguousarray(mask[:, ::-1])

    fx, fy, fw, fh = src.face
    if spec.mirror:
        fx = src.image.shape[1] - fx - fw
    fx += pad_x
    width, height = spec.size
    scale = spec.face_ratio * width / fw
    cx, cy = fx + fw / 2, fy + fh / 2
    tx = width / 2 + spec.shift_x * width - scale * cx
    ty = spec.centre_y * height - scale * cy
    matrix = np.array([[scale, 0, tx], [0, scale, ty]], np.float32)
    person = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                            borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    alpha = np.clip(alpha, 0.0, 1.0)[:, :, None]
    background = np.empty_like(person, dtype=np.float32)
    background[:] = spec.background
    out = person.astype(np.float32) * alpha + background * (1 - alpha)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), alpha[:, :, 0]


def encode(rgb: np.ndarray, fmt: str, quality: int = 90) -> bytes:
    """Encode an RGB array as JPEG (300 dpi, no timestamps) or PNG."""
    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if fmt == "PNG":
        im.save(buf, "PNG", dpi=(300, 300), optimize=True)
    else:
        im.save(buf, "JPEG", quality=quality, dpi=(300, 300), optimize=True)
    return buf.getvalue()


def decode(data: bytes) -> np.ndarray:
    """Decode image bytes to an RGB array."""
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB")).copy()


def verify(rgb: np.ndarray, alpha: np.ndarray, background: tuple[int, int, int], label: str, *,
           check_size: bool = True) -> FaceBox:
    """Assert the geometry of a good 2-inch photo; raise PhotoError naming `label` otherwise."""
    height, width = rgb.shape[:2]
    problems: list[str] = []
    if check_size and (width * 49 != height * 35 or width < 413 or height < 579):
        problems.append(f"size {width}x{height} is not 35:49 of at least 413x579")
    faces = detect_faces(rgb)
    if len(faces) != 1:
        raise PhotoError(f"{label}: expected exactly one face, found {len(faces)}")
    f = faces[0]
    ratio = f.w / width
    if not FACE_WIDTH_RANGE[0] <= ratio <= FACE_WIDTH_RANGE[1]:
        problems.append(f"face width {ratio:.2f} of the image width")
    off = (f.x + f.w / 2) / width - 0.5
    if abs(off) > FACE_CENTRE_X_TOLERANCE:
        problems.append(f"face centre {off:+.3f} of the width off centre")
    cy = (f.y + f.h / 2) / height
    if not FACE_CENTRE_Y_RANGE[0] <= cy <= FACE_CENTRE_Y_RANGE[1]:
        problems.append(f"face centre at {cy:.2f} of the height")
    rows = np.nonzero(alpha.max(axis=1) > 0.02)[0]
    if rows.size == 0 or rows[0] < HEAD_TOP_MIN * height:
        problems.append("head cut off at the top")
    # Pure background: top corners, and the side strips beside the head down to the shoulders.
    shoulder = min(height, round(f.y + 1.2 * f.h))
    cw, ch, sw = round(CORNER * width), round(CORNER * height), round(SIDE_STRIP * width)
    regions = {
        "top-left corner": (slice(0, ch), slice(0, cw)),
        "top-right corner": (slice(0, ch), slice(width - cw, width)),
        "left strip": (slice(0, shoulder), slice(0, sw)),
        "right strip": (slice(0, shoulder), slice(width - sw, width)),
    }
    bg = np.array(background, np.int16)
    for where, (ys, xs) in regions.items():
        if alpha[ys, xs].max() > 0.01:
            problems.append(f"person reaches into the {where}")
        deviation = np.abs(rgb[ys, xs].astype(np.int16) - bg).max()
        if deviation > BACKGROUND_TOLERANCE:
            problems.append(f"{where} deviates from the background by {deviation}")
    if problems:
        raise PhotoError(f"{label}: " + "; ".join(problems))
    return f


def make_photo(rng: random.Random, label: str, fmt: str = "JPEG", *,
               size: tuple[int, int] | None = None,
               background: tuple[int, int, int] | None = None) -> bytes:
    """A verified photo for one nominee, encoded as `fmt` (JPEG or PNG)."""
    spec = random_spec(rng, size=size, background=background)
    rgb, alpha = compose(spec)
    data = encode(rgb, fmt)
    verify(decode(data), alpha, spec.background, label)
    return data


def make_square_photo(rng: random.Random, label: str) -> bytes:
    """A good photo except for its proportions: 400 × 400 pixels."""
    spec = random_spec(rng, size=(400, 400))
    spec = PhotoSpec(**{**spec.__dict__, "face_ratio": 0.38, "centre_y": 0.45})
    rgb, alpha = compose(spec)
    data = encode(rgb, "JPEG")
    verify(decode(data), alpha, spec.background, label, check_size=False)
    return data


def make_faceless(rng: random.Random) -> bytes:
    """A red photo showing only the shoulders: everything above them is background."""
    spec = random_spec(rng, size=(450, 630))
    rgb, alpha = compose(spec)
    faces = detect_faces(rgb)
    if len(faces) != 1:
        raise PhotoError("the faceless photo's source has no single face")
    cut = faces[0].y + round(1.25 * faces[0].h)
    rgb[:cut] = spec.background
    data = encode(rgb, "JPEG")
    decoded = decode(data)
    gray = cv2.cvtColor(decoded, cv2.COLOR_RGB2GRAY)
    side = decoded.shape[1] // 10
    if len(detector().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=3, minSize=(side, side))):
        raise PhotoError("the faceless photo has a face (minNeighbors=3, 10% of the width)")
    return data
