"""What the check says: the retake advice and PhotoResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.core.model import Finding

RETAKE = "请重新拍摄正面免冠红底2寸彩色照片"
"""What the nominee must do when the photo itself is wrong."""

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
