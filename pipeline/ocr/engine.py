"""The OCR engine: reads evidence files into `pipeline.ocr.Reading` (being written).

Contract: `read_files(ctx, paths)` → {path: Reading}, cached by file content (a second run reads
nothing again), parallel across cores, progress shown through ctx.say.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.context import RunContext
from pipeline.ocr import Reading


def read_files(ctx: RunContext, paths: Sequence[Path]) -> dict[Path, Reading]:
    """Every file's Reading (from the cache where the content was read before)."""
    raise NotImplementedError
