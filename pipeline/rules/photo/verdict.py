"""The verdict: `check_photo` runs reading, size, face and background in order and makes the normalised copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core.edition import PhotoSettings
from pipeline.core.model import Finding, Severity
from pipeline.rules.photo.background import _judge_background
from pipeline.rules.photo.colour import _lab_to_rgb, _lch
from pipeline.rules.photo.face import _faces
from pipeline.rules.photo.framing import (
    _crop_window,
    _enough_pixels,
    _face_metrics,
    _face_problems,
    _geometry_problems,
    _Problem,
    _size_problems,
)
from pipeline.rules.photo.loading import _load, _Unreadable
from pipeline.rules.photo.normalise import _normalise
from pipeline.rules.photo.result import Box, PhotoResult
from pipeline.rules.photo.thresholds import MIN_ANALYSABLE_SIDE


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
