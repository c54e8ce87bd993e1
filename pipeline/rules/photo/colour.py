"""Colour in CIE L*a*b* / L*C*h°: ΔE94, what counts as red, colour names in Chinese."""

from __future__ import annotations

import math

import cv2
import numpy as np

from pipeline.rules.photo.thresholds import RED_HUE_RANGE, RED_LIGHTNESS_RANGE, RED_MIN_CHROMA


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
