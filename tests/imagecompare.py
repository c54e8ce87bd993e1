"""Pixel comparison of rendered pages against golden PNGs, with a tolerance.

    compare_images(actual, expected)  → Comparison (sizes, share of differing pixels, …)
    assert_matches_golden(actual, golden_path)
        passes when the images agree within tolerance; on failure writes
        tests/results/<name>-actual.png, -expected.png and -diff.png and fails with the
        figures. With UPDATE_GOLDEN=1 in the environment a missing or different golden
        file is (re)written instead: review the PNG before committing it.

Tolerance: a pixel differs when any channel differs by more than `tolerance` (0–255);
the images match when at most `max_fraction` of the pixels differ. Anti-aliasing and
small font-hinting changes move a few edge pixels by small amounts; a moved line, a
missing word or a different font moves many pixels by a lot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Comparison:
    """How two images differ."""

    same_size: bool
    """Both images have the same width and height."""
    differing: float
    """Share of pixels (0–1) whose largest channel difference exceeds the tolerance."""
    max_delta: int
    """Largest channel difference anywhere (0–255)."""
    mean_delta: float
    """Mean channel difference over all pixels."""
    tolerance: int
    """Per-channel tolerance used."""
    max_fraction: float
    """Largest share of differing pixels allowed."""

    @property
    def ok(self) -> bool:
        """True when the images match within tolerance."""
        return self.same_size and self.differing <= self.max_fraction

    def describe(self) -> str:
        """One line for an assertion message."""
        if not self.same_size:
            return "image sizes differ"
        return (f"{self.differing:.4%} of pixels differ by more than {self.tolerance} "
                f"(allowed {self.max_fraction:.4%}); max delta {self.max_delta}, mean {self.mean_delta:.2f}")


def _rgb(image: Image.Image | Path) -> Image.Image:
    if isinstance(image, Path):
        with Image.open(image) as img:
            return img.convert("RGB")
    return image.convert("RGB")


def compare_images(actual: Image.Image | Path, expected: Image.Image | Path, *, tolerance: int = 48,
                   max_fraction: float = 0.003) -> Comparison:
    """Two images → how they differ (per-channel tolerance, allowed share of differing pixels)."""
    a, e = _rgb(actual), _rgb(expected)
    if a.size != e.size:
        return Comparison(False, 1.0, 255, 255.0, tolerance, max_fraction)
    delta = np.asarray(ImageChops.difference(a, e), dtype=np.int16).max(axis=2)
    return Comparison(
        same_size=True,
        differing=float((delta > tolerance).mean()),
        max_delta=int(delta.max()),
        mean_delta=float(delta.mean()),
        tolerance=tolerance,
        max_fraction=max_fraction,
    )


def diff_image(actual: Image.Image, expected: Image.Image, tolerance: int) -> Image.Image:
    """A picture of the differences: the expected page faded, differing pixels in red."""
    base = expected.convert("L").point(lambda v: 155 + v * 100 // 255).convert("RGB")
    if actual.size != expected.size:
        return base
    delta = np.asarray(ImageChops.difference(actual.convert("RGB"), expected.convert("RGB"))).max(axis=2)
    out = np.asarray(base).copy()
    out[delta > tolerance] = (220, 0, 0)
    return Image.fromarray(out)


def assert_matches_golden(actual: Image.Image | Path, golden: Path, *, tolerance: int = 48,
                          max_fraction: float = 0.003, results: Path = RESULTS) -> None:
    """Rendered page + golden PNG → pass, or write actual/expected/diff PNGs and fail."""
    image = _rgb(actual)
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    if not golden.is_file():
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            image.save(golden, optimize=True)
            return
        raise AssertionError(f"golden image {golden} is missing; create it with UPDATE_GOLDEN=1 and review it")
    expected = _rgb(golden)
    result = compare_images(image, expected, tolerance=tolerance, max_fraction=max_fraction)
    if result.ok:
        return
    if update:
        image.save(golden, optimize=True)
        return
    results.mkdir(parents=True, exist_ok=True)
    stem = golden.stem
    image.save(results / f"{stem}-actual.png")
    expected.save(results / f"{stem}-expected.png")
    diff_image(image, expected, tolerance).save(results / f"{stem}-diff.png")
    raise AssertionError(f"{golden.name}: {result.describe()}; see {results}/{stem}-*.png")
