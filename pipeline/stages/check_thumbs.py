"""Thumbnails of the evidence pages the reading checks speak of: findings → check/evidence/*.jpg.

Issue 13: “the check report shows the evidence thumbnail with the read text box highlighted”. For
every EVIDENCE_* finding that names a page (Finding.data "page", "box"), the page is drawn
THUMB_SIDE pixels on its longer side with the box(es) read outlined in HIGHLIGHT_COLOUR; a box that
is the whole page (EVIDENCE_NO_TEXT) is not outlined: the plain page is shown. EVIDENCE_DUPLICATE
shows page 1 of both files. The finding gets data "thumb" (and "other_thumb") = the thumbnail's URL
relative to report.html.

Only pages with findings are drawn, each page decoded once (pipeline.ocr.engine.iter_pages: the
pixel space of the Readings' boxes). A thumbnail's name holds the nominee's 编号, the page and a hash
of the file's content, the page and the boxes: an existing file is reused as it is (a second run
draws nothing), and the check stage removes the names no finding uses. Thumbnails show certificates
(names, ID numbers): written owner-only, like the OCR cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from pipeline.core import atomic
from pipeline.core.model import Finding
from pipeline.core.safepath import child
from pipeline.ocr import Page, Reading, engine

FOLDER = "evidence"
"""Subfolder of output/<edition>/check/ holding the thumbnails."""
THUMB_SIDE = 480
"""Longer side of a thumbnail, in pixels (shown at half that size in report.html: sharp on HiDPI)."""
HIGHLIGHT_COLOUR = (230, 0, 160)
"""Outline of the text that was read (magenta: unlike the red seals, black text and gold or blue
borders of certificates); report.html's caption names it."""
LINE = 3
"""Outline width in thumbnail pixels (with a 1-pixel black edge either side)."""
PAD = 5
"""The outline is drawn this many thumbnail pixels outside the box, clear of the letters."""
JPEG_QUALITY = 82
"""With full-resolution colour (4:4:4): the thin outline keeps its colour."""
STYLE = "1"
"""Part of every thumbnail's name: change it when the drawing changes, so old thumbnails are redrawn."""

Box = tuple[float, float, float, float]


@dataclasses.dataclass(frozen=True)
class _Wanted:
    """One thumbnail to draw."""

    owner: str
    """编号 of the nominee whose file it is."""
    rel: str
    """The evidence file, relative to the edition folder."""
    page: int
    boxes: tuple[Box, ...]
    """Boxes to outline, in the Reading's page units (empty: the plain page)."""

    def name(self, content: str) -> str:
        """File name: 编号, page, and a hash of what is drawn (file content, page, boxes, style)."""
        key = f"{STYLE}|{content}|{self.page}|{[[round(v, 1) for v in b] for b in self.boxes]}"
        return f"{self.owner}-p{self.page}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jpg"


def _box(finding: Finding, page: Page | None) -> tuple[Box, ...]:
    """The finding's box, or nothing when it has none or it is the whole page."""
    raw = finding.data.get("box")
    if not isinstance(raw, list | tuple) or len(raw) != 4 or page is None:
        return ()
    x0, y0, x1, y1 = (float(v) for v in raw)
    if x0 <= 0 and y0 <= 0 and x1 >= page.width - 1 and y1 >= page.height - 1:
        return ()
    return ((x0, y0, x1, y1),)


def _page(reading: Reading | None, number: int) -> Page | None:
    if reading is None:
        return None
    return next((p for p in reading.pages if p.number == number), None)


def attach(folder: Path, findings: Iterable[Finding], files: Mapping[str, tuple[str, Path]],
           readings: Mapping[Path, Reading]) -> tuple[list[Finding], set[str]]:
    """Draw the thumbnails of the findings' pages into `folder` (…/check/evidence) and return the
    findings (those with a thumbnail carrying data "thumb"/"other_thumb") and the file names used.
    `files` maps an evidence rel path to (owner's 编号, absolute path); `readings` as engine.read_files.
    A page that cannot be decoded any more gets no thumbnail (its finding is shown without)."""
    findings = list(findings)
    wanted: dict[int, list[tuple[str, _Wanted]]] = {}
    for i, f in enumerate(findings):
        if not f.code.startswith("EVIDENCE_"):
            continue
        if f.code == "EVIDENCE_DUPLICATE":
            for key, rel in (("thumb", f.file), ("other_thumb", str(f.data.get("other", "")))):
                if rel in files:
                    wanted.setdefault(i, []).append((key, _Wanted(files[rel][0], rel, 1, ())))
            continue
        number = f.data.get("page")
        if f.file not in files or not isinstance(number, int):
            continue
        page = _page(readings.get(files[f.file][1]), number)
        wanted.setdefault(i, []).append(("thumb", _Wanted(files[f.file][0], f.file, number, _box(f, page))))

    # one pass per file, each page decoded once for every thumbnail of it
    names: dict[_Wanted, str] = {}
    by_file: dict[str, set[_Wanted]] = {}
    for pairs in wanted.values():
        for _, w in pairs:
            by_file.setdefault(w.rel, set()).add(w)
    for rel, items in sorted(by_file.items()):
        path = files[rel][1]
        reading = readings.get(path)
        try:
            content = reading.sha256 if reading else atomic.sha256_file(path)
        except OSError:
            continue
        todo: dict[_Wanted, str] = {}
        for w in items:
            names[w] = w.name(content)
            if not (folder / names[w]).is_file():
                todo[w] = names[w]
        if todo:
            _draw(folder, path, reading, todo)

    out = []
    used: set[str] = set()
    for i, f in enumerate(findings):
        extra = {key: f"{FOLDER}/{names[w]}" for key, w in wanted.get(i, []) if (folder / names.get(w, "")).is_file()}
        used.update(url.split("/", 1)[1] for url in extra.values())
        out.append(dataclasses.replace(f, data={**f.data, **extra}) if extra else f)
    return out, used


def _draw(folder: Path, path: Path, reading: Reading | None, todo: Mapping[_Wanted, str]) -> None:
    """Decode the wanted pages of one file and write their thumbnails."""
    from PIL import Image, ImageDraw

    from pipeline.rules import photo

    numbers = {w.page for w in todo}
    dpi = float(engine.RENDER_DPI)
    for number in numbers:  # a PDF page is rendered at about twice the thumbnail's size
        page = _page(reading, number)
        if page is not None and page.dpi > 0:
            dpi = min(dpi, max(36.0, 2 * THUMB_SIDE * page.dpi / max(page.width, page.height, 1.0)))
    try:
        for number, image in engine.iter_pages(path, dpi, numbers):
            base = engine.as_rgb(image)
            base.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
            page = _page(reading, number)
            for w, name in sorted(todo.items(), key=lambda item: item[1]):
                if w.page != number:
                    continue
                thumb = base.copy()
                if w.boxes and page is not None:
                    draw = ImageDraw.Draw(thumb)
                    sx, sy = thumb.width / page.width, thumb.height / page.height
                    for x0, y0, x1, y1 in w.boxes:
                        left, top = max(0, round(x0 * sx) - PAD), max(0, round(y0 * sy) - PAD)
                        right = min(thumb.width - 1, round(x1 * sx) + PAD)
                        bottom = min(thumb.height - 1, round(y1 * sy) + PAD)
                        photo.outline_box(draw, (left, top, right - left + 1, bottom - top + 1), 1.0,
                                          HIGHLIGHT_COLOUR, width=LINE)
                buf = io.BytesIO()
                thumb.save(buf, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=False, progressive=False)
                atomic.write_bytes(child(folder, name), buf.getvalue(), private=True)
    except (OSError, ValueError, RuntimeError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return  # the file changed or broke since it was read: its findings are shown without a picture
