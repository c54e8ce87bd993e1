"""Reading the evidence scans (issue 13): what was read on each page, and where.

Contract shared by the OCR engine (pipeline.ocr.engine: reading, cache, parallelism), the evidence
checks (pipeline.ocr.evidence_text: holder, date, kind, grade, blank pages, duplicates) and the packets'
invisible text layer (pipeline.packets.textlayer). Coordinates are in the page image's pixels, origin
top left, so a check can quote “第1页 (x, y)” and the text layer can place each line over the scan.

May import pipeline.rules, pipeline.render and pipeline.core; never a feature package or a stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Line:
    """One line of text found on a page."""

    text: str
    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 in pixels of the page image (origin top left; for an image file the image
    turned upright by its EXIF orientation, for a PDF page read from its own text: points)."""
    score: float
    """The engine's confidence 0–1 (1.0 for text taken from a PDF's own text layer)."""


@dataclass(frozen=True)
class Page:
    """One page of an evidence file as it was read."""

    number: int
    """1-based page number within the file."""
    width: float
    height: float
    """Size of the page image in pixels (for a PDF page read from its text layer: points)."""
    dpi: float
    """Pixels per inch of that image (72 for a text-layer page): box / dpi * 72 = PDF points."""
    lines: tuple[Line, ...]
    source: str
    """"ocr" (read from the image) or "text" (the PDF's own text layer)."""

    @property
    def text(self) -> str:
        """The page's lines joined with newlines, top to bottom."""
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Reading:
    """Everything read from one evidence file."""

    path: Path
    sha256: str
    """Content hash of the file (the cache key, with the engine's version)."""
    pages: tuple[Page, ...]

    @property
    def text(self) -> str:
        """All pages' text, pages separated by a blank line."""
        return "\n\n".join(page.text for page in self.pages)
