"""Faces: OpenCV Haar cascades, confirmation, turned heads and profiles."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipeline.rules.photo.result import Box
from pipeline.rules.photo.thresholds import (
    CONFIRM_CASCADE,
    CONFIRM_MIN_IOU,
    CONFIRM_MIN_SIZE,
    DETECT_MAX_SIDE,
    FACE_CASCADE,
    FACE_MIN_DETECT,
    FACE_MIN_DETECT_SMALL,
    HAAR_MIN_NEIGHBORS,
    HAAR_SCALE_FACTOR,
    HAAR_SCALE_FACTOR_SMALL,
    NESTED_OVERLAP,
    PROFILE_CASCADE,
    SECOND_FACE_MIN_RATIO,
)


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
