"""Kits: the README.txt of each outlet and one ZIP per outlet.

ZIP members carry UTF-8 names with the language-encoding flag (general purpose bit 11) set,
so Chinese names survive Windows' built-in extractor; dates are fixed (the run's source date)
and members are sorted, so the same kit gives the same bytes (pipeline.render.office.write_zip).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.render.office import write_zip


def readme_text(title: str, intro: list[str], files: list[tuple[str, str]], notes: list[str]) -> str:
    """README.txt content (Chinese): what the kit is, every file with what it is for, notes."""
    lines = [title, "=" * _columns(title), ""]
    lines += intro
    lines += ["", "【文件清单】"]
    width = max((_columns(name) for name, _ in files), default=0)
    for name, what in files:
        lines.append(f"  {name}{' ' * (width - _columns(name))}  {what}".rstrip())
    if notes:
        lines += ["", "【编辑须知】"]
        lines += [f"  {i}. {n}" for i, n in enumerate(notes, start=1)]
    return "\r\n".join(lines) + "\r\n"


def _columns(text: str) -> int:
    """Width of text in a monospaced editor: CJK and full-width characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_file(text: str) -> bytes:
    """Text for office PCs: UTF-8 with BOM (old Notepad), CRLF line ends."""
    return "\ufeff".encode() + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def zip_folder(folder: Path, top: str, when: dt.datetime) -> bytes:
    """Every file under folder → ZIP bytes with members under `top/`, sorted, UTF-8 flagged, fixed
    dates (office.write_zip)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return write_zip(((f"{top}/{path.relative_to(folder).as_posix()}", path.read_bytes()) for path in files), when)
