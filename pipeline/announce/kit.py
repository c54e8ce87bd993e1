"""The 申报材料包 for units and applicants (being written)."""

from __future__ import annotations

from pathlib import Path

from pipeline.context import RunContext


def build_kit(ctx: RunContext, folder: Path) -> tuple[Path, ...]:
    """Writes `申报材料包.zip` (and its parts) into `folder`; returns the files written."""
    return ()
