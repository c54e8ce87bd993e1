"""The normalised copy: the crop window at print size, a baseline sRGB JPEG with the dpi set."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from pipeline.core.edition import PhotoSettings
from pipeline.rules.photo.result import Box
from pipeline.rules.photo.thresholds import NORMALISED_JPEG_QUALITY


def _normalise(rgb: np.ndarray, crop: Box, settings: PhotoSettings) -> bytes:
    """The crop window resized to the print size: a baseline sRGB JPEG with the dpi set."""
    x, y, cw, ch = crop
    image = Image.fromarray(rgb, "RGB").resize(settings.pixels, Image.Resampling.LANCZOS,
                                               box=(x, y, x + cw, y + ch))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=NORMALISED_JPEG_QUALITY, subsampling=0, optimize=False,
               progressive=False, dpi=(settings.dpi, settings.dpi))
    return buf.getvalue()
