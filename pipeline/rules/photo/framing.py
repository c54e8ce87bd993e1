"""Framing: pixel size and proportions, face size and position, the crop window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipeline.core.edition import PhotoSettings
from pipeline.rules.photo.face import _profile_seen, _turned
from pipeline.rules.photo.result import RETAKE, Box
from pipeline.rules.photo.thresholds import (
    ASPECT_TOLERANCE,
    FACE_CENTRE_X_TOLERANCE,
    FACE_CENTRE_Y_RANGE,
    FACE_TARGET_Y,
    FACE_WIDTH_RANGE,
    PIXEL_TOLERANCE,
)


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
