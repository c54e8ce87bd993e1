"""Atomic output: write to a temporary file beside the target, then rename over it.

A crash or a killed run leaves either the old file or the new one, never half a file; a worker
process whose run was killed (pipeline.core.workers) renames nothing more. A full disk leaves no
temporary file either and raises DiskFullError naming the target.

New files get the mode the user's umask gives (as `touch` would); `private=True` makes them
owner-only (0600) whatever the umask: for files that hold full ID numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import disk_full, is_disk_full
from pipeline.core.workers import orphaned

PRIVATE_MODE = 0o600
"""Owner read and write only: the mode of files with personal data (full ID numbers)."""


def umask() -> int:
    """The process's umask, read without changing it (Linux /proc; elsewhere set and restored)."""
    with contextlib.suppress(OSError):
        found = re.search(r"^Umask:\s*([0-7]+)", Path("/proc/self/status").read_text(), re.MULTILINE)
        if found:
            return int(found[1], 8)
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def make_private(path: Path) -> None:
    """An existing file → owner-only (0600); left as it is where that is not allowed (another
    user's file, a read-only or mode-less file system)."""
    with contextlib.suppress(OSError):
        path.chmod(PRIVATE_MODE)


@contextmanager
def atomic_path(target: Path, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto target
    (mode from the umask, or 0600 when private)."""
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        yield tmp
        tmp.chmod(PRIVATE_MODE if private else 0o666 & ~umask())
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


def write_bytes(target: Path, data: bytes, *, private: bool = False) -> None:
    """Write bytes atomically; skip the write when the file already holds exactly these bytes."""
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        if private:
            make_private(target)
        return
    with atomic_path(target, private=private) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(target, text.encode("utf-8"))


def copy_file(source: Path, target: Path) -> None:
    """Copy a file atomically."""
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def sha256_file(path: Path) -> str:
    """File → hex SHA-256 of its content (read in blocks: any size)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
