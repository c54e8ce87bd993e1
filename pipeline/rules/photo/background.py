"""The background: sample regions beside the person, red and uniform, shadows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pipeline.rules.photo.colour import _delta_e94, _is_red, _lab, _lab_to_rgb, _lch, colour_name
from pipeline.rules.photo.framing import _crop, _Problem
from pipeline.rules.photo.loading import _Loaded
from pipeline.rules.photo.result import RETAKE, Box
from pipeline.rules.photo.thresholds import (
    CORNER_BOX,
    EDGE_MARGIN,
    GREYSCALE_MAX_CHROMA,
    PIXEL_OUTLIER_DELTA_E,
    RED_HUE_RANGE,
    RED_LIGHTNESS_RANGE,
    RED_MIN_CHROMA,
    REGION_MAX_DELTA_E,
    REGION_MAX_OUTLIERS,
    SHADOW_DELTA_L,
    SHADOW_FACE_MARGIN,
    SHADOW_HUE_TOLERANCE,
    SHADOW_MIN_CHROMA_RATIO,
    SHADOW_MIN_THICKNESS,
    SHADOW_SCAN_WIDTH,
    SHADOW_ZONE_BOTTOM,
    STRIP_GAP,
    STRIP_MIN_WIDTH,
    STRIP_ROWS,
    TRANSPARENT_ALPHA,
)


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
