"""Renders a `pipeline.gongwen.Document` as PDF, DOCX and web page (GB/T 9704).

Contract used by the stages (announce, check feedback, decision); the bodies are being written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.context import RunContext
from pipeline.gongwen import Document


def write_pdf(ctx: RunContext, doc: Document, target: Path) -> None:
    """The PDF, fonts embedded, written atomically to `target`."""
    raise NotImplementedError


def write_docx(ctx: RunContext, doc: Document, target: Path, *, when: dt.datetime | None = None) -> None:
    """The editable DOCX (official font names, 28 × 22 grid, page numbers), written atomically."""
    raise NotImplementedError


def web_html(ctx: RunContext, doc: Document) -> str:
    """A self-contained web page of the document (for 公告: the site and the WeChat editor)."""
    raise NotImplementedError


def write_all(ctx: RunContext, doc: Document, folder: Path, stem: str, *, html: bool = False) -> tuple[Path, ...]:
    """`<stem>.pdf` and `<stem>.docx` (and `<stem>.html` when asked) in `folder`; returns the paths."""
    raise NotImplementedError
