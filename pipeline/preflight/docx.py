"""Word files as a receiver prints them: every DOCX under output/<edition>/ through LibreOffice.

    libreoffice()                       → the soffice program, or None when not installed
    print_docx(files, folder, profile)  → {file: its PDF, or the reason it could not be printed}
    form_pages(packet_pdf)              → pages of the 申报审批表 in a bound packet (blank ones not counted)

The receivers of the editable 申报审批表 and the 公示 open them in Word or WPS; we print them
the way the tests do, with LibreOffice headless (`soffice --convert-to pdf`), and run the PDF
checks that apply on the result. LibreOffice starts slowly, so every file of a run goes through
one call (copied under the name of its content hash: two files of the same name in different
folders do not overwrite each other's PDF); the PDFs stay in the preflight's work folder until
their DOCX changes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SOFFICE = ("soffice", "libreoffice")
"""Names of LibreOffice's program, as Debian installs it."""
TIMEOUT_S = 120.0
TIMEOUT_PER_FILE_S = 30.0
"""LibreOffice gets this long to start and this long per file (generous: a busy machine)."""
MISSING_NOTE = ("未安装 LibreOffice，没有检查 Word 文件（{count} 个 .docx）的断行、页数和装订边："
                "安装 libreoffice-writer（apt-get install libreoffice-writer）后重新运行 make preflight")
"""The one-line note when LibreOffice is not installed."""


def libreoffice() -> str | None:
    """The path of soffice (or libreoffice), None when LibreOffice is not installed."""
    for name in SOFFICE:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_docx(files: Sequence[tuple[Path, str]], folder: Path, profile: Path) -> dict[Path, Path | str]:
    """(DOCX, content hash) pairs → each DOCX's PDF as LibreOffice prints it (folder/<hash>.pdf),
    or why it could not be printed (Chinese). PDFs already in `folder` are reused; the others are
    made in one LibreOffice run with its own profile (a running LibreOffice of the user is not
    disturbed)."""
    program = libreoffice()
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[Path, Path | str] = {}
    todo = [(path, digest) for path, digest in files if not (folder / f"{digest}.pdf").is_file()]
    if todo and program is None:
        return {path: "未安装 LibreOffice" for path, _ in files}
    if todo and program is not None:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            sources = []
            for path, digest in todo:
                source = Path(tmp) / f"{digest}.docx"
                if not source.exists():
                    shutil.copyfile(path, source)
                    sources.append(str(source))
            command = [program, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
                       "--convert-to", "pdf", "--outdir", tmp, *sources]
            reason = _run(command, TIMEOUT_S + TIMEOUT_PER_FILE_S * len(sources))
            for path, digest in todo:
                printed = Path(tmp) / f"{digest}.pdf"
                if printed.is_file() and printed.stat().st_size:
                    printed.replace(folder / f"{digest}.pdf")
                else:
                    out[path] = reason
    for path, digest in files:
        if path not in out:
            out[path] = folder / f"{digest}.pdf"
    return out


def _run(command: Sequence[str], timeout: float) -> str:
    """Run LibreOffice → why a file it did not print was not printed. On a timeout the whole
    process group goes (soffice.bin is a child of the soffice script)."""
    try:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError as exc:
        return f"LibreOffice 无法运行：{exc}"
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return f"LibreOffice 在 {timeout:.0f} 秒内没有打印完"
    return "LibreOffice 无法打开或打印它"


def prune(folder: Path, keep: set[str]) -> None:
    """Remove the printed PDFs of DOCX files that are gone or changed (keep: their content hashes)."""
    if folder.is_dir():
        for pdf in folder.glob("*.pdf"):
            if pdf.stem not in keep:
                pdf.unlink(missing_ok=True)


def form_pages(packet_pdf: Path) -> int | None:
    """Pages of the 申报审批表 in a bound packet (from its outline to the next entry), the blank
    pages put in so a part starts on an odd page not counted; None when the outline lacks it."""
    import pikepdf

    from pipeline.preflight import outline_section
    from pipeline.preflight.lines import page_glyphs

    with pikepdf.open(packet_pdf) as pdf:
        section = outline_section(pdf, "申报审批表")
    if section is None:
        return None
    first, last = section
    return sum(1 for glyphs in page_glyphs(packet_pdf, first, last).values() if glyphs)
