"""The OCR engine: reads evidence files into `pipeline.ocr.Reading` (being written).

Contract: `read_files(ctx, paths)` → {path: Reading}, cached by file content (a second run reads
nothing again), parallel across cores, progress shown through ctx.say. `enabled()` is False when
the environment sets XN_READ_EVIDENCE=0 (the test suite does, except in the tests that read).
A file that cannot be read at all is missing from the result (the file checks report it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pipeline.context import RunContext
from pipeline.ocr import Reading


def enabled() -> bool:
    """False when XN_READ_EVIDENCE=0: the evidence is then not read (no EVIDENCE_* text checks, no text layer)."""
    return os.environ.get("XN_READ_EVIDENCE", "1") != "0"


def read_file(path: Path) -> Reading:
    """Read one file (no cache): OCR for images and scanned PDF pages, the text layer of a PDF that has one."""
    raise NotImplementedError


def read_files(ctx: RunContext, paths: Sequence[Path]) -> dict[Path, Reading]:
    """Every file's Reading (from the cache where the content was read before)."""
    raise NotImplementedError
