"""Atomic output: write to a temporary file beside the target, then rename over it.

A crash or a killed run leaves either the old file or the new one, never half a file; a worker
process whose run was killed (pipeline.workers) renames nothing more. A full disk leaves no
temporary file either and raises DiskFullError naming the target.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import disk_full, is_disk_full
from pipeline.workers import orphaned


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto target."""
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        yield tmp
        tmp.chmod(0o644)
        if orphaned():  # this worker's run was killed: leave no trace
            tmp.unlink(missing_ok=True)
            os._exit(1)
        tmp.replace(target)
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise disk_full(target) from exc
        raise


def write_bytes(target: Path, data: bytes) -> None:
    """Write bytes atomically; skip the write when the file already holds exactly these bytes."""
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(target, text.encode("utf-8"))


def copy_file(source: Path, target: Path) -> None:
    """Copy a file atomically."""
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
